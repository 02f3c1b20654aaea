#include "runtime/run_compare.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "runtime/user_error.h"

namespace pipeml::compare {
namespace {

using json = nlohmann::json;

// The order metrics are listed in: as `pipe run` prints them, classification then
// regression. A metric not listed here comes after these, by name.
const std::vector<std::string> kMetricOrder = {"accuracy", "balanced_accuracy", "precision", "recall",
                                               "f1",       "roc_auc",           "average_precision", "log_loss",
                                               "mae",      "mse",               "rmse",     "r2"};

// Numbers in a run's `test` that are not metrics: they get rows of their own.
const std::set<std::string> kNotMetrics = {"threshold", "rows"};

bool exists(const std::string& path, bool* is_dir = nullptr) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return false;
  if (is_dir) *is_dir = S_ISDIR(info.st_mode);
  return true;
}

std::string base_name(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  const auto slash = dir.find_last_of('/');
  return slash == std::string::npos || dir.size() == 1 ? dir : dir.substr(slash + 1);
}

const json* find(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

bool cross_validated(const json& m) { return find(m, "mean") != nullptr; }

// Each metric's value (and std over folds) in a run.
std::vector<std::pair<std::string, Cell>> metrics_of(const json& m) {
  std::vector<std::pair<std::string, Cell>> out;
  const json* values = cross_validated(m) ? find(m, "mean") : find(m, "test");
  const json* stds = find(m, "std");
  if (!values || !values->is_object()) return out;
  for (const auto& [name, v] : values->items()) {
    if (!v.is_number() || kNotMetrics.count(name)) continue;
    Cell c;
    c.value = v.get<double>();
    if (const json* s = stds ? find(*stds, name.c_str()) : nullptr; s && s->is_number()) c.std = s->get<double>();
    out.emplace_back(name, c);
  }
  return out;
}

// A fact about a run, as metrics.json has it (null when the run does not say): device,
// seed, folds, test rows, threshold, train seconds.
json fact(const json& m, const std::string& name) {
  const json* folds = find(m, "folds");
  const json* test = find(m, "test");
  const bool cv = folds && folds->is_array();
  auto number = [](const json* v) { return v && v->is_number() ? *v : json(nullptr); };
  if (name == "device") {
    const json* v = find(m, "device");
    return v && v->is_string() ? *v : json(nullptr);
  }
  if (name == "seed") return number(find(m, "seed"));
  if (name == "folds") return cv ? json(folds->size()) : json(nullptr);
  if (name == "test rows") {
    if (test) return number(find(*test, "rows"));
    if (!cv) return nullptr;
    long long sum = 0;  // every row is tested once over the folds
    for (const auto& f : *folds) {
      const json* rows = find(f, "test") ? find(*find(f, "test"), "rows") : nullptr;
      if (!rows || !rows->is_number_integer()) return nullptr;
      sum += rows->get<long long>();
    }
    return sum;
  }
  if (name == "threshold") {
    if (!test && cv && !folds->empty()) test = find(folds->front(), "test");
    return test ? number(find(*test, "threshold")) : json(nullptr);
  }
  if (name == "train seconds") return find(m, "seconds") ? number(find(*find(m, "seconds"), "train")) : json(nullptr);
  return nullptr;
}

std::string fact_text(const std::string& name, const json& v) {
  if (v.is_null()) return {};
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  // A tuned threshold is a validation probability: four digits, as `pipe run` prints it.
  return fmt::format(name == "train seconds" ? "{:.1f}" : name == "threshold" ? "{:.4g}" : "{}", v.get<double>());
}

std::size_t metric_rank(const std::string& name) {
  const auto it = std::find(kMetricOrder.begin(), kMetricOrder.end(), name);
  return static_cast<std::size_t>(it - kMetricOrder.begin());
}

void mark_best(Row& row) {
  std::vector<double> values;
  for (const auto& c : row.cells)
    if (c.value) values.push_back(*c.value);
  if (values.size() < 2) return;  // one value is not better than anything
  const double best = lower_is_better(row.name) ? *std::min_element(values.begin(), values.end())
                                                : *std::max_element(values.begin(), values.end());
  for (auto& c : row.cells) c.best = c.value && *c.value == best;
}

std::string cell_text(const Cell& c) {
  if (!c.value) return c.text;
  return c.std ? fmt::format("{:.4f} \u00b1 {:.4f}", *c.value, *c.std) : fmt::format("{:.4f}", *c.value);
}

// Columns on screen, not bytes: "±" is two bytes wide in UTF-8 and one column.
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

}  // namespace

bool lower_is_better(const std::string& metric) {
  static const std::set<std::string> lower = {"mae", "mse", "rmse", "log_loss"};
  return lower.count(metric) > 0;
}

Run read_run(const std::string& dir) {
  bool is_dir = false;
  if (!exists(dir, &is_dir)) throw UserError("'" + dir + "' does not exist");
  if (!is_dir) throw UserError("'" + dir + "' is not a directory: give the run directories that 'pipe run' made");
  const std::string path = dir + (dir.back() == '/' ? "" : "/") + "metrics.json";
  if (!exists(path)) {
    if (exists(dir + "/error.txt"))
      throw UserError("'" + dir + "' has no metrics.json: the run did not finish; see its error.txt");
    throw UserError("'" + dir + "' has no metrics.json: is it a run directory that 'pipe run' made?");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw UserError("cannot read '" + path + "'");
  Run r{dir, base_name(dir), {}};
  try {
    r.metrics = json::parse(text.str());
  } catch (const json::parse_error& e) {
    throw UserError("'" + path + "' is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
  if (!find(r.metrics, "test") && !find(r.metrics, "mean"))
    throw UserError("'" + path + "' has no test metrics (neither 'test' nor 'mean')");
  return r;
}

Table compare_runs(const std::vector<Run>& runs) {
  Table t;
  std::vector<std::string> names;  // every metric of any run
  for (const auto& r : runs) {
    t.runs.push_back(r.name);
    const json* p = find(r.metrics, "pipeline");
    t.pipelines.push_back(p && p->is_string() ? p->get<std::string>() : "");
    for (const auto& [name, cell] : metrics_of(r.metrics))
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return std::make_pair(metric_rank(a), a) < std::make_pair(metric_rank(b), b);
  });
  for (const auto& name : names) {
    Row row{name, true, {}};
    for (const auto& r : runs) {
      Cell cell;
      for (const auto& [n, c] : metrics_of(r.metrics))
        if (n == name) cell = c;
      row.cells.push_back(cell);
    }
    mark_best(row);
    t.rows.push_back(row);
  }
  for (const std::string name : {"device", "seed", "folds", "test rows", "threshold", "train seconds"}) {
    Row row{name, false, {}};
    bool any = false;
    for (const auto& r : runs) {
      Cell c;
      c.raw = fact(r.metrics, name);
      c.text = fact_text(name, c.raw);
      any = any || !c.text.empty();
      row.cells.push_back(c);
    }
    if (any) t.rows.push_back(row);  // no row that every run leaves blank (folds of single runs)
  }
  return t;
}

std::string format_text(const Table& t) {
  std::vector<std::vector<std::string>> lines = {{""}, {"pipeline"}};
  for (std::size_t i = 0; i < t.runs.size(); ++i) {
    lines[0].push_back(t.runs[i]);
    lines[1].push_back(t.pipelines[i].empty() ? "-" : t.pipelines[i]);
  }
  bool marked = false;
  for (const auto& row : t.rows) {
    std::vector<std::string> line = {row.name};
    for (const auto& c : row.cells) {
      const std::string text = cell_text(c);
      line.push_back((text.empty() ? "-" : text) + (c.best ? " *" : ""));
      marked = marked || c.best;
    }
    lines.push_back(line);
  }
  std::vector<std::size_t> widths(t.runs.size() + 1, 0);
  for (const auto& line : lines)
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], width(line[i]));
  std::string out;
  for (const auto& line : lines) {
    std::string s;
    for (std::size_t i = 0; i < line.size(); ++i)
      s += line[i] + (i + 1 < line.size() ? std::string(widths[i] - width(line[i]) + 3, ' ') : "");
    out += s + "\n";
  }
  if (marked) out += "\n* the best in its row (lower is better for mae, mse, rmse and log_loss; the mean over folds)\n";
  return out;
}

std::string format_csv(const Table& t) {
  std::string out = "row";
  for (const auto& r : t.runs) out += "," + csv_field(r);
  out += "\npipeline";
  for (const auto& p : t.pipelines) out += "," + csv_field(p);
  out += "\n";
  // Full precision, as metrics.json has it; the mean in the metric's row, the std in a row
  // of its own.
  for (const auto& row : t.rows) {
    bool has_std = false;
    std::string line = csv_field(row.name), std_line = csv_field(row.name + " std");
    for (const auto& c : row.cells) {
      const std::string fact = c.raw.is_string() ? c.text : c.raw.is_null() ? "" : c.raw.dump();
      line += "," + csv_field(c.value ? fmt::format("{}", *c.value) : fact);
      std_line += "," + (c.std ? fmt::format("{}", *c.std) : std::string());
      has_std = has_std || c.std;
    }
    out += line + "\n" + (has_std ? std_line + "\n" : "");
  }
  return out;
}

std::string format_json(const Table& t) {
  using ordered = nlohmann::ordered_json;
  ordered runs = ordered::array(), rows = ordered::array();
  for (std::size_t i = 0; i < t.runs.size(); ++i) runs.push_back({{"run", t.runs[i]}, {"pipeline", t.pipelines[i]}});
  for (const auto& row : t.rows) {
    ordered cells = ordered::array(), best = ordered::array();
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
      const Cell& c = row.cells[i];
      if (c.value) cells.push_back(c.std ? ordered{{"mean", *c.value}, {"std", *c.std}} : ordered(*c.value));
      else cells.push_back(ordered::parse(c.raw.dump()));  // as metrics.json has it
      if (c.best) best.push_back(t.runs[i]);
    }
    ordered r = {{"name", row.name}, {"values", cells}};
    if (row.metric) r["best"] = best;  // the runs marked best; empty with fewer than two values
    rows.push_back(r);
  }
  return ordered{{"runs", runs}, {"rows", rows}}.dump(2) + "\n";
}

}  // namespace pipeml::compare
