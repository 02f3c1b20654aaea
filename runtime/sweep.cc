#include "runtime/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ostream>
#include <sstream>

#include "runtime/cv_summary.h"

namespace pipeml::sweep {
namespace {

// Splits at commas outside brackets and quotes.
std::vector<std::string> split_alternatives(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  int depth = 0;
  char quote = 0;
  for (char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(item);
      item.clear();
      continue;
    }
    item += c;
  }
  out.push_back(item);
  return out;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool is_integer_text(const std::string& s) {
  if (s.empty()) return false;
  std::size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  return i < s.size() && std::all_of(s.begin() + i, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// range(START, STOP[, STEP]): integers when all three are, else numbers printed with 12
// significant digits (so 0.1 * 3 reads 0.3).
std::vector<std::string> expand_range(const std::string& args, std::string& error) {
  const auto parts = split_alternatives(args);
  if (parts.size() < 2 || parts.size() > 3) {
    error = "expected range(START, STOP) or range(START, STOP, STEP)";
    return {};
  }
  double v[3] = {0, 0, 1};
  bool integers = true;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string t = trim(parts[i]);
    char* end = nullptr;
    v[i] = std::strtod(t.c_str(), &end);
    if (t.empty() || end != t.c_str() + t.size() || !std::isfinite(v[i])) {
      error = "range's " + std::string(i == 0 ? "START" : i == 1 ? "STOP" : "STEP") + " must be a number, got '" + t + "'";
      return {};
    }
    integers = integers && is_integer_text(t);
  }
  if (v[2] == 0) {
    error = "range's STEP must not be 0";
    return {};
  }
  std::vector<std::string> out;
  for (long i = 0;; ++i) {
    const double x = v[0] + static_cast<double>(i) * v[2];
    // STOP is excluded; a hair of tolerance keeps range(0, 0.3, 0.1) at three values.
    if (v[2] > 0 ? x >= v[1] - std::abs(v[2]) * 1e-9 : x <= v[1] + std::abs(v[2]) * 1e-9) break;
    if (out.size() == 1000) {
      error = "range gives more than 1000 values";
      return {};
    }
    out.push_back(integers ? fmt::format("{}", static_cast<long long>(x)) : fmt::format("{:.12g}", x));
  }
  if (out.empty()) error = "range(" + args + ") is empty: STOP must lie beyond START in STEP's direction";
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// The terminal columns of a table cell: ± is two bytes in UTF-8 and one column.
std::size_t columns(const std::string& cell) { return cell.size() - (cell.find("\u00b1") == std::string::npos ? 0 : 1); }

std::string number_text(double v) { return std::isfinite(v) ? fmt::format("{:.17g}", v) : ""; }

}  // namespace

std::optional<Axis> parse_axis(const std::string& set, std::string& error) {
  const auto eq = set.find('=');
  if (eq == std::string::npos) return std::nullopt;
  Axis axis{set.substr(0, eq), {}};
  const std::string value = set.substr(eq + 1);
  const std::string t = trim(value);
  if (t.rfind("range(", 0) == 0 && t.back() == ')') {
    axis.values = expand_range(t.substr(6, t.size() - 7), error);
    if (!error.empty()) return std::nullopt;
    return axis;
  }
  auto alternatives = split_alternatives(value);
  if (alternatives.size() < 2) return std::nullopt;
  for (auto& a : alternatives) {
    a = trim(a);
    if (a.empty()) {
      error = "an empty value in the list '" + value + "'";
      return std::nullopt;
    }
  }
  axis.values = alternatives;
  return axis;
}

std::vector<std::string> Row::sets() const {
  std::vector<std::string> out;
  for (const auto& [path, value] : grid) out.push_back(path + "=" + value);
  return out;
}

std::vector<Row> rows_of(const std::vector<std::string>& variants, const std::vector<Axis>& axes) {
  std::vector<Row> rows;
  const std::vector<std::string> names = variants.empty() ? std::vector<std::string>{""} : variants;
  for (const std::string& v : names) {
    std::vector<std::size_t> at(axes.size(), 0);  // an odometer over the axes
    while (true) {
      Row r;
      r.variant = v;
      std::string name = v;
      for (std::size_t a = 0; a < axes.size(); ++a) {
        r.grid.emplace_back(axes[a].path, axes[a].values[at[a]]);
        name += (name.empty() ? "" : ", ") + axes[a].path + "=" + axes[a].values[at[a]];
      }
      r.name = name.empty() ? "as written" : name;
      rows.push_back(std::move(r));
      std::size_t a = axes.size();
      while (a > 0 && ++at[a - 1] == axes[a - 1].values.size()) at[--a] = 0;
      if (a == 0) break;
    }
  }
  return rows;
}

std::string row_folder(std::size_t index, const Row& row) {
  std::string safe;
  for (char c : row.name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                       c == '=' || c == '+';
    if (plain) safe += c;
    else if (safe.empty() || safe.back() != '_') safe += '_';
  }
  while (!safe.empty() && safe.back() == '_') safe.pop_back();
  if (safe.size() > 60) safe.resize(60);
  return fmt::format("{:02}-{}", index + 1, safe);
}

bool lower_is_better(const std::string& metric) {
  return metric == "log_loss" || metric == "mae" || metric == "mse" || metric == "rmse";
}

std::size_t Summary::metric_index() const {
  return static_cast<std::size_t>(std::find(metrics.begin(), metrics.end(), rank_metric) - metrics.begin());
}

Summary summarize(const std::vector<Row>& rows, const std::vector<RunResult>& results,
                  const std::vector<std::string>& metrics, const std::string& rank_metric, std::size_t seeds) {
  Summary s;
  s.metrics = metrics;
  s.rank_metric = rank_metric;
  s.seeds = seeds;
  std::vector<const RunResult*> ordered;
  for (const auto& r : results) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(), [](const RunResult* a, const RunResult* b) { return a->seed < b->seed; });
  for (std::size_t i = 0; i < rows.size(); ++i) {
    RowSummary row;
    row.name = rows[i].name;
    row.values.resize(metrics.size());
    for (const RunResult* r : ordered) {
      if (r->row != i) continue;
      ++row.runs;
      for (std::size_t m = 0; m < metrics.size(); ++m) {
        const auto it = r->metrics.find(metrics[m]);
        if (it != r->metrics.end() && std::isfinite(it->second)) row.values[m].push_back(it->second);
      }
    }
    for (const auto& values : row.values) {
      row.mean.push_back(values.empty() ? NAN : cv::numpy_mean(values));
      row.std.push_back(values.size() < 2 ? NAN : cv::numpy_std(values, 1));
    }
    s.rows.push_back(std::move(row));
  }
  const std::size_t m = s.metric_index();
  if (m == metrics.size()) return s;
  const bool lower = lower_is_better(rank_metric);
  std::vector<int> ranked;
  for (std::size_t i = 0; i < s.rows.size(); ++i)
    if (std::isfinite(s.rows[i].mean[m])) ranked.push_back(static_cast<int>(i));
  std::stable_sort(ranked.begin(), ranked.end(), [&](int a, int b) {
    return lower ? s.rows[a].mean[m] < s.rows[b].mean[m] : s.rows[a].mean[m] > s.rows[b].mean[m];
  });
  if (!ranked.empty()) s.best = ranked[0];
  if (ranked.size() >= 2) {
    s.next = ranked[1];
    const RowSummary &b = s.rows[s.best], &n = s.rows[s.next];
    s.lead = std::abs(b.mean[m] - n.mean[m]);
    s.spread = std::max(std::isfinite(b.std[m]) ? b.std[m] : 0.0, std::isfinite(n.std[m]) ? n.std[m] : 0.0);
    s.clear_lead = std::isfinite(b.std[m]) && std::isfinite(n.std[m]) && s.lead > s.spread;
  }
  return s;
}

std::string mean_std_text(double mean, double std) {
  if (!std::isfinite(mean)) return "-";
  if (!std::isfinite(std)) return fmt::format("{:.3f}", mean);
  return fmt::format("{:.3f} \u00b1 {:.3f}", mean, std);
}

std::string verdict(const Summary& s) {
  const std::size_t m = s.metric_index();
  if (s.best < 0) return "no row has a value of '" + s.rank_metric + "'";
  const RowSummary& b = s.rows[s.best];
  std::string out = fmt::format("best by {}{}: '{}', {}", s.rank_metric, lower_is_better(s.rank_metric) ? " (lower is better)" : "",
                                b.name, mean_std_text(b.mean[m], b.std[m]));
  if (s.next < 0) return out;
  const RowSummary& n = s.rows[s.next];
  if (!std::isfinite(b.std[m]) || !std::isfinite(n.std[m]))
    return out + fmt::format("; its lead over '{}' is {:.3f}, but one seed per row gives no spread to compare it with (use --repeat)",
                             n.name, s.lead);
  out += fmt::format("; its lead over '{}' ({}) is {:.3f}", n.name, mean_std_text(n.mean[m], n.std[m]), s.lead);
  return out + (s.clear_lead ? fmt::format(", more than the seed-to-seed spread (std up to {:.3f})", s.spread)
                             : fmt::format(", within the seed-to-seed spread (std up to {:.3f}): not a clear winner", s.spread));
}

void print_table(std::ostream& out, const Summary& s) {
  std::size_t name_w = 7;  // "variant"
  for (const auto& r : s.rows) name_w = std::max(name_w, r.name.size());
  std::vector<std::size_t> col_w;
  for (std::size_t m = 0; m < s.metrics.size(); ++m) {
    std::size_t w = s.metrics[m].size();
    for (const auto& r : s.rows) w = std::max(w, columns(mean_std_text(r.mean[m], r.std[m])));
    col_w.push_back(w);
  }
  const std::size_t runs_w = std::max<std::size_t>(4, 2 * std::to_string(s.seeds).size() + 1);
  out << fmt::format("  {:<{}}  {:>{}}", "variant", name_w, "runs", runs_w);
  for (std::size_t m = 0; m < s.metrics.size(); ++m) out << fmt::format("  {:<{}}", s.metrics[m], col_w[m]);
  out << '\n';
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const RowSummary& r = s.rows[i];
    out << fmt::format("{} {:<{}}  {:>{}}", static_cast<int>(i) == s.best ? '*' : ' ', r.name, name_w,
                       fmt::format("{}/{}", r.runs, s.seeds), runs_w);
    for (std::size_t m = 0; m < s.metrics.size(); ++m) {
      const std::string t = mean_std_text(r.mean[m], r.std[m]);
      const std::size_t shown = columns(t);
      out << "  " << t << std::string(col_w[m] > shown ? col_w[m] - shown : 0, ' ');
    }
    out << '\n';
  }
  out << verdict(s) << '\n';
}

std::string table_csv(const Summary& s, const std::vector<Row>& rows) {
  std::ostringstream out;
  out << "variant";
  const std::vector<std::pair<std::string, std::string>> none;
  const auto& axes = rows.empty() ? none : rows.front().grid;
  for (const auto& [path, value] : axes) out << ',' << csv_field(path);
  out << ",runs";
  for (const auto& m : s.metrics) out << ',' << m << "_mean," << m << "_std";
  out << ",best\n";
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    out << csv_field(rows[i].variant.empty() ? s.rows[i].name : rows[i].variant);
    for (const auto& [path, value] : rows[i].grid) out << ',' << csv_field(value);
    out << ',' << s.rows[i].runs;
    for (std::size_t m = 0; m < s.metrics.size(); ++m)
      out << ',' << number_text(s.rows[i].mean[m]) << ',' << number_text(s.rows[i].std[m]);
    out << ',' << (static_cast<int>(i) == s.best ? "true" : "false") << '\n';
  }
  return out.str();
}

std::string table_markdown(const Summary& s) {
  std::ostringstream out;
  out << "| variant | runs |";
  for (const auto& m : s.metrics) out << ' ' << m << " |";
  out << "\n|---|---:|";
  for (std::size_t m = 0; m < s.metrics.size(); ++m) out << "---:|";
  out << '\n';
  const std::size_t rank = s.metric_index();
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const RowSummary& r = s.rows[i];
    const bool best = static_cast<int>(i) == s.best;
    out << "| " << r.name << (best ? " (best)" : "") << " | " << r.runs << '/' << s.seeds << " |";
    for (std::size_t m = 0; m < s.metrics.size(); ++m) {
      const std::string t = mean_std_text(r.mean[m], r.std[m]);
      out << ' ' << (best && m == rank ? "**" + t + "**" : t) << " |";
    }
    out << '\n';
  }
  std::string v = verdict(s);
  v[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(v[0])));
  out << "\nMean \u00b1 standard deviation over the seeds (ddof 1). " << v << ".\n";
  return out.str();
}

std::string results_csv(const std::vector<Row>& rows, const std::vector<RunResult>& results,
                        const std::vector<std::string>& metrics) {
  std::ostringstream out;
  out << "row,variant";
  const std::vector<std::pair<std::string, std::string>> none;
  const auto& axes = rows.empty() ? none : rows.front().grid;
  for (const auto& [path, value] : axes) out << ',' << csv_field(path);
  out << ",seed";
  for (const auto& m : metrics) out << ',' << m;
  out << '\n';
  std::vector<const RunResult*> ordered;
  for (const auto& r : results) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(), [](const RunResult* a, const RunResult* b) {
    return a->row != b->row ? a->row < b->row : a->seed < b->seed;
  });
  for (const RunResult* r : ordered) {
    out << r->row + 1 << ',' << csv_field(rows[r->row].variant);
    for (const auto& [path, value] : rows[r->row].grid) out << ',' << csv_field(value);
    out << ',' << r->seed;
    for (const auto& m : metrics) {
      const auto it = r->metrics.find(m);
      out << ',' << (it == r->metrics.end() ? "" : number_text(it->second));
    }
    out << '\n';
  }
  return out.str();
}

}  // namespace pipeml::sweep
