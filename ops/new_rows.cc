#include "ops/new_rows.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "ops/columns.h"
#include "runtime/user_error.h"

namespace pipeml::csv {
namespace {

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string quoted(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The run's category that a field names: the same text, or the same number ("1.0" is "1",
// as a run that read both would have made them one category); else none.
const std::string* known_as(const std::string& text, const std::vector<std::string>& known) {
  for (const auto& k : known)
    if (k == text) return &k;
  double v = 0, w = 0;
  if (!columns::parse_number(text, v)) return nullptr;
  for (const auto& k : known)
    if (columns::parse_number(k, w) && v == w) return &k;
  return nullptr;
}

// The names of the file's columns as the run's options name them. With `columns` given, a
// file without the target has one field fewer than the names: the target's name goes.
// A pipeline that reads its data without a header (header: false, `columns` naming them)
// may still be given new rows with one, as a user would write them: a first line whose
// fields are all text, at least half of them names the run knows, is read as the header,
// so that the columns are checked by name.
std::vector<std::string> file_columns(CsvOptions& o) {
  if (!o.header && !o.column_names.empty()) {
    CsvOptions first = o;
    first.header = true;
    first.column_names.clear();
    std::vector<std::string> fields;
    try {
      fields = read_header(first).columns;
    } catch (const UserError&) {  // a data line read as names (say, "1.0" twice): no header
    }
    std::size_t known = 0;
    bool numbers = false;
    for (const auto& f : fields) {
      double v = 0;
      known += has(o.column_names, f);
      numbers = numbers || columns::parse_number(f, v);
    }
    if (!fields.empty() && !numbers && 2 * known >= fields.size()) {
      o.header = true;
      o.column_names.clear();
      return fields;
    }
  }
  CsvOptions raw = o;
  raw.column_names.clear();
  const std::vector<std::string> fields = read_header(raw).columns;
  if (o.column_names.empty() || o.column_names.size() == fields.size()) return o.column_names.empty() ? fields : o.column_names;
  if (fields.size() + 1 == o.column_names.size() && has(o.column_names, o.target)) {
    o.column_names.erase(std::find(o.column_names.begin(), o.column_names.end(), o.target));
    return o.column_names;
  }
  throw UserError(o.path + " has " + std::to_string(fields.size()) + " columns, and the pipeline's load_csv 'columns' names " +
                  std::to_string(o.column_names.size()) + ": " + joined(o.column_names));
}

// Maps categorical column `c` of `t` onto the run's categories `known` (by name or number),
// keeping new ones after them in load_csv's sorted order.
void map_categories(Table& t, std::size_t c, const std::vector<std::string>& known) {
  std::vector<std::string> names = known;
  std::vector<std::string> mapped;
  for (const auto& have : t.categories[c]) {
    const std::string* k = known_as(have, known);
    mapped.push_back(k ? *k : have);
    if (!k && !has(names, have)) names.push_back(have);
  }
  columns::sort_categories(names);
  std::vector<float> codes;
  for (const auto& m : mapped) codes.push_back(static_cast<float>(std::find(names.begin(), names.end(), m) - names.begin()));
  columns::recode(t, c, codes);
  t.categories[c] = std::move(names);
}

// The target column's texts as labels (classification) or numbers (regression), then
// the column leaves the features.
void take_target(Table& t, const CsvOptions& o, bool regression, const std::vector<std::string>& classes,
                 const std::function<std::string(std::size_t)>& locate) {
  const auto ti = static_cast<std::size_t>(std::find(t.columns.begin(), t.columns.end(), o.target) - t.columns.begin());
  for (std::size_t r = 0; r < t.rows; ++r) {
    const float code = t.row(r)[ti];
    if (std::isnan(code))
      throw UserError(locate(r) + ": the target '" + o.target + "' is missing; leave the column out to predict without it");
    const std::string& text = t.categories[ti][static_cast<std::size_t>(code)];
    double v = 0;
    if (regression || o.target_threshold) {
      if (!columns::parse_number(text, v))
        throw UserError(locate(r) + ": column '" + o.target + "': '" + text + "' is not a number");
      if (regression) {
        t.target.push_back(v);
        continue;
      }
    }
    const std::string label = o.target_threshold ? (v > *o.target_threshold ? "1" : "0") : text;
    const std::string* k = known_as(label, classes);
    if (!k)
      throw UserError(locate(r) + ": the target '" + o.target + "' is '" + text + "', not a class the model was trained on (" +
                      joined(classes) + ")");
    t.y.push_back(static_cast<int>(k - classes.data()));
  }
  t.regression = regression;
  if (!regression) t.class_names = classes;
  std::vector<std::size_t> rest;
  for (std::size_t c = 0; c < t.cols(); ++c)
    if (c != ti) rest.push_back(c);
  columns::keep_only(t, rest);  // the target column out, its values kept as labels
}

}  // namespace

Table read_new_rows(CsvOptions o, const nlohmann::json& fitted, const std::vector<std::string>& classes,
                    std::function<std::string(std::size_t)>& locate) {
  const auto features = fitted.at("features").get<std::vector<std::string>>();
  const nlohmann::json& categories = fitted.at("categories");
  const bool regression = fitted.contains("target");
  const std::vector<std::string> columns = file_columns(o);

  std::vector<std::string> missing, extra;
  for (const auto& f : features)
    if (!has(columns, f)) missing.push_back(f);
  for (const auto& c : columns)
    if (!has(features, c) && c != o.target && !has(o.drop, c)) extra.push_back(c);
  if (!missing.empty() || !extra.empty())
    throw UserError(o.path + " does not match the training columns: " + (missing.empty() ? "" : "missing " + quoted(missing)) +
                    (missing.empty() || extra.empty() ? "" : "; ") + (extra.empty() ? "" : "extra " + quoted(extra)) +
                    " (the model was trained on: " + joined(features) + ")");

  // The target, when there, is read as text and mapped here: new rows may hold one class only.
  const bool with_target = !o.target.empty() && has(columns, o.target);
  o.drop.erase(std::remove_if(o.drop.begin(), o.drop.end(), [&](const std::string& d) { return !has(columns, d); }),
               o.drop.end());
  o.categorical.clear();
  for (const auto& [name, known] : categories.items()) o.categorical.push_back(name);
  if (with_target) o.categorical.push_back(o.target);
  const std::string target = o.target;
  o.target.clear();
  const CsvOptions where = o;
  locate = [where](std::size_t row) {
    const std::size_t line = line_of_row(where, row);
    return line ? where.path + ":" + std::to_string(line) : "row " + std::to_string(row) + " of " + where.path;
  };

  Table t = read_csv(o);
  o.target = target;
  if (with_target) take_target(t, o, regression, classes, locate);

  // The run's column order, each column of the kind it had there.
  std::vector<std::size_t> order;
  for (const auto& f : features) order.push_back(static_cast<std::size_t>(std::find(t.columns.begin(), t.columns.end(), f) - t.columns.begin()));
  Table x = columns::gather(t, order);
  x.y = std::move(t.y);
  x.target = std::move(t.target);
  x.class_names = std::move(t.class_names);
  x.regression = t.regression;
  for (std::size_t c = 0; c < x.cols(); ++c) {
    if (categories.contains(x.columns[c])) {
      map_categories(x, c, categories.at(x.columns[c]).get<std::vector<std::string>>());
      continue;
    }
    if (!x.is_categorical(c)) continue;
    // Numbers in the run, text here (read_csv made it categorical by its first value).
    for (std::size_t r = 0; r < x.rows; ++r)
      if (!std::isnan(x.row(r)[c]))
        throw UserError(locate(r) + ": column '" + x.columns[c] + "': '" + x.categories[c][static_cast<std::size_t>(x.row(r)[c])] +
                        "' is not a number");
  }
  return x;
}

}  // namespace pipeml::csv
