// op impute: fill (or drop) missing values with statistics of the training part only,
// as sklearn's SimpleImputer fitted on X_train. Categorical columns take most_frequent
// (the category) or constant (a category, added when new).
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "ops/data_rules.h"
#include "ops/impute.h"
#include "ops/replay.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

impute::Strategy strategy_of(const dsl::Stage& s) {
  const std::string& v = s.string("strategy");
  if (v == "median") return impute::Strategy::median;
  if (v == "most_frequent") return impute::Strategy::most_frequent;
  if (v == "constant") return impute::Strategy::constant;
  if (v == "drop_rows") return impute::Strategy::drop_rows;
  return impute::Strategy::mean;
}

// Mean and median take numbers; the other strategies take every column.
columns::Request request_of(const dsl::Stage& s) {
  const auto strategy = strategy_of(s);
  const bool numbers_only = strategy == impute::Strategy::mean || strategy == impute::Strategy::median;
  return {"columns", "'impute' with strategy '" + s.string("strategy") + "'",
          numbers_only ? columns::Want::numeric : columns::Want::any,
          "impute it in a stage of its own with strategy 'most_frequent' or 'constant' ('columns: [NAME]')"};
}

// The most frequent code among the training rows (the smallest of equally frequent
// ones), or NaN when there is none: what impute::fit will find in this column.
float most_frequent_code(const DataInfo& d, std::size_t c) {
  const auto train = d.part_rows.find("train");
  if (train == d.part_rows.end()) return std::nanf("");
  std::vector<std::size_t> counts(d.categories[c].size(), 0);
  for (auto r : train->second)
    if (!std::isnan(d.codes[c][r])) ++counts[static_cast<std::size_t>(d.codes[c][r])];
  std::size_t best = 0;
  for (std::size_t k = 1; k < counts.size(); ++k)
    if (counts[k] > counts[best]) best = k;
  return counts.empty() || counts[best] == 0 ? std::nanf("") : static_cast<float>(best);
}

// Columns `cols` have no missing value any more; row_has_missing follows the others.
void filled(DataInfo& d, const std::vector<std::size_t>& cols) {
  for (auto c : cols) {
    d.missing_per_col[c] = 0;
    if (c < d.missing_rows.size()) d.missing_rows[c].clear();
  }
  std::fill(d.row_has_missing.begin(), d.row_has_missing.end(), 0);
  for (const auto& rows : d.missing_rows)
    for (auto r : rows) d.row_has_missing[r] = 1;
}

// The codes that a categorical column's missing values get, as the run will fill them.
void fill_codes(const dsl::Stage& s, PlanState& st, std::size_t c, impute::Strategy strategy) {
  DataInfo& d = st.data;
  if (!d.is_categorical(c) || d.codes[c].empty()) return;
  float code = std::nanf("");
  if (strategy == impute::Strategy::constant) {
    const std::size_t before = d.categories[c].size();
    const auto new_codes = columns::add_category(d.categories[c], s.string("fill_category"), code);
    for (float& v : d.codes[c])
      if (!std::isnan(v)) v = new_codes[static_cast<std::size_t>(v)];
    if (d.categories[c].size() > before && d.missing_per_col[c] > 0)
      st.step.notes.push_back("'" + d.features[c] + "' gets the category '" + s.string("fill_category") + "'");
  } else {
    code = most_frequent_code(d, c);
  }
  for (float& v : d.codes[c])
    if (std::isnan(v)) v = code;
}

void plan(const dsl::Stage& s, PlanState& st) {
  const bool fit_ok = rules::require_fit_on_train(s, st);
  if (!rules::has_data(st)) return;
  DataInfo& d = st.data;
  const auto strategy = strategy_of(s);
  const auto cols = rules::planned_columns(s, "columns", st, request_of(s));
  if (!cols) {
    // Planned as filling every column it may take, so that later stages do not report them.
    filled(d, columns::all_of(d.kinds, d.features.size(), request_of(s).want));
    return;
  }
  if (!rules::require_split(s, st, "computes its statistics from test rows too (leakage)") || !fit_ok) {
    // Planned as filled all the same, so the stages after it do not also report the
    // values it would fill.
    filled(d, *cols);
    return;
  }
  std::size_t missing = 0;
  for (auto c : *cols) missing += d.missing_per_col[c];
  if (strategy == impute::Strategy::drop_rows) {
    std::vector<char> dropped(d.row_has_missing.size(), 0);
    for (auto c : *cols)
      for (auto r : d.missing_rows[c]) dropped[r] = 1;
    for (auto& part : d.parts) {
      auto rows = d.part_rows.find(part.name);
      if (rows == d.part_rows.end()) continue;
      std::vector<std::size_t> kept;
      for (auto r : rows->second)
        if (!dropped[r]) kept.push_back(r);
      part.rows = kept.size();
      part.class_counts = d.count_classes(kept);
      rows->second = kept;
    }
    // The other columns lose the missing values that were in the dropped rows.
    for (std::size_t c = 0; c < d.missing_rows.size(); ++c) {
      auto& rows = d.missing_rows[c];
      rows.erase(std::remove_if(rows.begin(), rows.end(), [&](std::size_t r) { return dropped[r] != 0; }), rows.end());
      d.missing_per_col[c] = rows.size();
    }
    const std::string in = rules::of_columns(d, *cols);
    st.step.notes.push_back("drops the rows with a missing value" + (in.empty() ? in : " in" + in.substr(3)) + ", in every part");
  } else {
    st.step.notes.push_back("statistics" + rules::of_columns(d, *cols) + " from the train part only; fills " +
                            std::to_string(missing) + " missing values in all parts");
    for (auto c : *cols) fill_codes(s, st, c, strategy);
  }
  filled(d, *cols);
}

void run(const dsl::Stage& s, DataRun& r) {
  const auto strategy = strategy_of(s);
  const auto cols = rules::run_columns(s, "columns", r.parts.begin()->second, request_of(s));
  if (strategy == impute::Strategy::drop_rows) {
    for (auto& [name, t] : r.parts) t = t.take(impute::rows_without_missing(columns::gather(t, cols)));
    return;
  }
  const Table& train = r.parts.at("train");
  const auto imputer = impute::fit_columns(train, cols, strategy, s.number("fill_value"), s.string("fill_category"));
  for (auto& [name, t] : r.parts) impute::transform(imputer, t);
  // Categorical statistics are saved as their category, so they read without the codes.
  nlohmann::json statistics = nlohmann::json::array();
  for (std::size_t k = 0; k < cols.size(); ++k) {
    if (imputer.categorical[k]) statistics.push_back(imputer.categories[k]);
    else statistics.push_back(imputer.values[k]);
  }
  r.fitted[s.id] = nlohmann::json{{"op", "impute"},
                                  {"strategy", s.string("strategy")},
                                  {"columns", imputer.columns},
                                  {"statistics", statistics}}
                       .dump();
}

// The imputer run() saved: a numeric statistic fills a numeric column, a category name a
// categorical one. (drop_rows saves nothing: new rows are not dropped, and a missing value
// that reaches the model is reported there.)
void replay(Replay& r) {
  impute::ColumnImputer imputer;
  imputer.strategy = strategy_of(r.stage);
  imputer.columns = r.fitted.at("columns").get<std::vector<std::string>>();
  for (const auto& statistic : r.fitted.at("statistics")) {
    const bool categorical = statistic.is_string();
    imputer.categorical.push_back(categorical);
    imputer.values.push_back(categorical ? 0.0f : statistic.get<float>());
    imputer.categories.push_back(categorical ? statistic.get<std::string>() : std::string());
  }
  replayed::fitted_columns(r);  // every column is there
  impute::transform(imputer, r.rows);
}

}  // namespace

const OpDef& impute_op() {
  static const OpDef op{
      {"impute",
       dsl::OpKind::kData,
       "fill missing values with a statistic of the training part (sklearn's SimpleImputer)",
       {
           ParamSpec::string_list("columns")
               .optional("all (numeric for mean and median)")
               .doc("the columns to fill: names or glob patterns; mean and median take numeric ones"),
           ParamSpec::enumeration("strategy", {"mean", "median", "most_frequent", "constant", "drop_rows"}, "mean")
               .doc("what replaces a missing value; drop_rows removes the row instead"),
           ParamSpec::number("fill_value", 0.0).doc("the value for strategy 'constant' in numeric columns"),
           ParamSpec::string("fill_category", "missing_value").doc("the category for strategy 'constant' in categorical columns"),
           ParamSpec::enumeration("fit_on", {"train", "all"}, "train").doc("rows the statistics come from (only train is leak-free)"),
       }},
      plan,
      run,
      nullptr,
      nullptr,
      replay,
  };
  return op;
}

}  // namespace pipeml
