// op load_csv: the source of every tabular pipeline. Reads the file at plan time too
// (it is cheap next to training), so the plan shows real row and class counts.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "ops/columns.h"
#include "ops/data_rules.h"
#include "ops/load_csv.h"
#include "ops/new_rows.h"
#include "runtime/planner.h"
#include "runtime/sha256.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

// How the stage reads a file; `path` is the file.
csv::CsvOptions options_of(const dsl::Stage& s, const std::string& path) {
  csv::CsvOptions o;
  o.path = path;
  o.header = s.boolean("header");
  if (s.has("columns")) o.column_names = s.param("columns").value.as_string_list();
  o.delimiter = s.string("delimiter").empty() ? ',' : s.string("delimiter")[0];
  o.na_values = s.param("na_values").value.as_string_list();
  o.target = s.string("target");
  if (s.has("target_threshold")) o.target_threshold = s.number("target_threshold");
  o.numeric_target = s.string("target_type") == "number";
  o.drop = s.param("drop").value.as_string_list();
  o.categorical = s.param("categorical").value.as_string_list();
  return o;
}

csv::CsvOptions options_of(const dsl::Stage& s, const dsl::Pipeline& p) { return options_of(s, p.resolve(s.string("path"))); }

// Why `path` cannot be read ("no such file or directory", "is a directory"), or nothing.
// Checked before reading so that the error can say how to point at another file.
std::string unreadable(const std::string& path) {
  struct stat info {};
  int error_number = 0;
  if (::stat(path.c_str(), &info) != 0) error_number = errno;
  else if (S_ISDIR(info.st_mode)) error_number = EISDIR;
  else if (::access(path.c_str(), R_OK) != 0) error_number = errno;
  if (error_number == 0) return {};
  std::string reason = std::strerror(error_number);
  reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return reason;
}

// The target and drop columns must exist: checked against the header so the error can
// point at the parameter in the pipeline file and list the columns there are.
bool check_columns(const dsl::Stage& s, const std::vector<std::string>& cols, PlanState& st) {
  bool ok = true;
  // One column whose name holds another common delimiter: the file uses that one.
  std::string other_delimiter;
  for (const char* d : {";", "\t", "|"})
    if (cols.size() == 1 && cols[0].find(d) != std::string::npos && s.string("delimiter") != d) other_delimiter = d;
  auto check = [&](const std::string& name, const dsl::Loc& loc, const char* what) {
    if (std::find(cols.begin(), cols.end(), name) != cols.end()) return;
    st.diags.error(loc, std::string("no column '") + name + "' in the data for '" + what + "'" + dsl::did_you_mean(name, cols),
                   other_delimiter.empty() ? "the columns are " + dsl::quoted_list(cols, "and")
                                           : "the file seems to separate its fields with '" +
                                                 std::string(other_delimiter == "\t" ? "\\t" : other_delimiter) +
                                                 "': set 'delimiter: \"" + (other_delimiter == "\t" ? "\\t" : other_delimiter) + "\"'");
    ok = false;
  };
  check(s.string("target"), s.param("target").loc, "target");
  for (const auto& d : s.param("drop").value.as_string_list()) check(d, s.param("drop").loc, "drop");
  // Categorical names and patterns, each at its place in the list.
  const dsl::Param& cat = s.param("categorical");
  const auto& entries = cat.value.as_string_list();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i] != s.string("target")) continue;
    st.diags.error(cat.item_loc(i), "'" + entries[i] + "' is the target: its classes are categories already",
                   "'categorical' lists feature columns");
    ok = false;
  }
  const auto sel = columns::select(entries, cols, {}, columns::Request{"categorical", "'load_csv'", columns::Want::any, {}});
  for (const auto& problem : sel.problems) {
    if (entries[problem.entry] == s.string("target")) continue;
    st.diags.error(cat.item_loc(problem.entry), problem.message, problem.note);
    ok = false;
  }
  return ok;
}

// "'plan' (3 categories: basic, plus, pro), 'zip' (120 categories: 10001, 10002, ...)"
std::string categories_text(const Table& t) {
  constexpr std::size_t kShown = 6;
  std::string out;
  for (std::size_t c = 0; c < t.cols(); ++c) {
    if (!t.is_categorical(c)) continue;
    const auto& cats = t.categories[c];
    std::string names;
    for (std::size_t i = 0; i < cats.size() && i < kShown; ++i) names += (i ? ", " : "") + cats[i];
    if (cats.size() > kShown) names += ", ...";
    out += (out.empty() ? "'" : ", '") + t.columns[c] + "' (" + std::to_string(cats.size()) +
           (cats.size() == 1 ? " category: " : " categories: ") + names + ")";
  }
  return out;
}

// "target 'y' is a number (regression): mean 14.3, std 4.97, from 2.1 to 31.5"
std::string target_text(const std::string& name, const std::vector<double>& v) {
  double sum = 0, squares = 0;
  for (double x : v) sum += x;
  const double mean = sum / static_cast<double>(v.size());
  for (double x : v) squares += (x - mean) * (x - mean);
  const auto [low, high] = std::minmax_element(v.begin(), v.end());
  return fmt::format("target '{}' is a number (regression): mean {:.4g}, std {:.4g}, from {:.4g} to {:.4g}", name, mean,
                     std::sqrt(squares / static_cast<double>(v.size())), *low, *high);
}

void plan(const dsl::Stage& s, PlanState& st) {
  if (s.string("delimiter").size() != 1) {
    st.diags.error(s.param("delimiter").loc, "expected one character for 'delimiter', got '" + s.string("delimiter") + "'");
    return;
  }
  if (!s.boolean("header") && !s.has("columns")) {
    st.diags.error(s.op_loc, "'load_csv' with 'header: false' needs 'columns' naming every column");
    return;
  }
  if (s.string("target_type") == "number" && s.has("target_threshold")) {
    st.diags.error(s.param("target_threshold").loc, "'target_threshold' makes classes, but 'target_type' is number (regression)",
                   "remove 'target_threshold' to predict the number, or 'target_type' to predict the classes");
    return;
  }
  const csv::CsvOptions o = options_of(s, st.plan.pipeline);
  if (const std::string why = unreadable(o.path); !why.empty()) {
    st.diags.error(s.param("path").loc, "cannot read the data file '" + o.path + "': " + why,
                   "check the path (relative paths start at the pipeline file's folder) or change it with --set " + s.id + ".path=FILE");
    return;
  }
  try {
    if (!check_columns(s, csv::read_header(o).columns, st)) return;
    const Table t = csv::read_csv(o);
    DataInfo& d = st.data;
    d.features = t.columns;
    d.class_names = t.class_names;
    d.regression = t.regression;
    d.target = o.target;
    d.labels = t.strata();
    d.row_has_missing.assign(t.rows, 0);
    d.missing_per_col.assign(t.cols(), 0);
    std::optional<std::pair<std::size_t, std::size_t>> infinite;  // the first, as (row, column)
    d.missing_rows.assign(t.cols(), {});
    for (std::size_t r = 0; r < t.rows; ++r)
      for (std::size_t c = 0; c < t.cols(); ++c) {
        const float v = t.row(r)[c];
        if (std::isnan(v)) {
          d.row_has_missing[r] = 1;
          ++d.missing_per_col[c];
          d.missing_rows[c].push_back(r);
        } else if (std::isinf(v) && !infinite) {
          infinite.emplace(r, c);
        }
      }
    // read_csv reads 'inf' and numbers beyond float32 as pandas does, but no stage and no
    // model can use them: refused here, at the file's line, before anything runs.
    if (infinite) {
      const auto [row, col] = *infinite;
      st.diags.error(s.param("path").loc,
                     o.path + ":" + std::to_string(csv::line_of_row(o, row)) + ": column '" + t.columns[col] +
                         "' is infinite ('inf', or a number beyond float32's range): the model cannot take it",
                     "correct the value, or make it a missing value with 'na_values'");
      return;
    }
    std::vector<std::size_t> all(t.rows);
    for (std::size_t i = 0; i < t.rows; ++i) all[i] = i;
    d.part_rows["all"] = all;
    d.parts = {PartInfo{"all", t.rows, t.class_counts()}};
    d.kinds = t.kinds;
    d.categories = t.categories;
    d.codes.assign(t.cols(), {});
    for (std::size_t c = 0; c < t.cols(); ++c) {
      if (!t.is_categorical(c)) continue;
      d.codes[c].resize(t.rows);
      for (std::size_t r = 0; r < t.rows; ++r) d.codes[c][r] = t.row(r)[c];
    }
    st.plan.hashes[s.string("path")] = sha256_file(o.path);
    if (rules::total_missing(d) > 0)
      st.step.notes.push_back(std::to_string(rules::total_missing(d)) + " missing values: " + rules::missing_columns_text(d));
    if (t.has_categorical()) st.step.notes.push_back("categorical: " + categories_text(t));
    if (t.regression) st.step.notes.push_back(target_text(o.target, t.target));
  } catch (const csv::TextInNumericColumn& e) {
    st.diags.error(s.param("path").loc, e.what(),
                   "to read '" + e.column + "' as categories, list it in 'categorical' (a column whose first value is text is categorical by itself)");
  } catch (const UserError& e) {
    st.diags.error(s.param("path").loc, e.what());
  }
}

void run(const dsl::Stage& s, DataRun& r) {
  Table t = csv::read_csv(options_of(s, r.plan.pipeline));
  // What the file's columns became: new rows are read the same way (a categorical
  // column's categories, by name; their codes are positions in these lists).
  nlohmann::json categories = nlohmann::json::object();
  for (std::size_t c = 0; c < t.cols(); ++c)
    if (t.is_categorical(c)) categories[t.columns[c]] = t.categories[c];
  nlohmann::json fitted{{"op", "load_csv"}, {"features", t.columns}, {"categories", categories}};
  if (t.regression) fitted["target"] = {{"name", s.string("target")}, {"type", "number"}};
  r.fitted[s.id] = fitted.dump();
  r.parts["all"] = std::move(t);
}

// "FILE:LINE" of a data row, for the executor's messages about values found bad later.
std::string locate_row(const dsl::Stage& s, const Plan& plan, std::size_t row) {
  const csv::CsvOptions o = options_of(s, plan.pipeline);
  try {
    if (const std::size_t line = csv::line_of_row(o, row)) return o.path + ":" + std::to_string(line);
  } catch (const UserError&) {  // the file went away since: name the row without its line
  }
  return {};
}

// New rows read as the run read its file (csv::read_new_rows), from the file `pipe predict` got.
void replay(Replay& r) { r.rows = csv::read_new_rows(options_of(r.stage, r.path), r.fitted, r.classes, r.locate); }

}  // namespace

const OpDef& load_csv_op() {
  static const OpDef op{
      {"load_csv",
       dsl::OpKind::kData,
       "read a delimited text file of numeric and categorical features and a target column (a class or a number)",
       {
           ParamSpec::path("path").doc("the file; a relative path starts at the pipeline file's folder"),
           ParamSpec::boolean("header", true).doc("the first line names the columns"),
           ParamSpec::string_list("columns").optional().doc("names for the columns, in order (needed when header is false)"),
           ParamSpec::string("delimiter", ",").doc("the one character between fields"),
           ParamSpec::string_list("na_values", std::vector<std::string>{"", "NA", "NaN", "nan", "N/A", "NULL", "null"})
               .doc("texts that mean a missing value (pandas' na_values)"),
           ParamSpec::string("target").doc("the column to predict: a class, or a number with target_type: number"),
           ParamSpec::enumeration("target_type", {"class", "number"}, "class")
               .doc("class: classification (labels as sklearn's LabelEncoder); number: regression on the values"),
           ParamSpec::number("target_threshold").optional().doc("binary target: class 1 where the target value is > this (UCI num 0-4 -> num > 0)"),
           ParamSpec::string_list("drop", std::vector<std::string>{}).doc("columns to leave out of the features"),
           ParamSpec::string_list("categorical", std::vector<std::string>{})
               .doc("feature columns (names or patterns) to read as categories; a column whose first value is text is categorical anyway"),
       }},
      plan,
      run,
      locate_row,
      nullptr,
      replay,
      false,  // images
      false,  // splits
      true,   // loads
  };
  return op;
}

}  // namespace pipeml
