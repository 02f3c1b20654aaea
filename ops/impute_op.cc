// op impute: fill (or drop) missing values with statistics of the training part only,
// as sklearn's SimpleImputer fitted on X_train.
#include <nlohmann/json.hpp>

#include "ops/data_rules.h"
#include "ops/impute.h"

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

void plan(const dsl::Stage& s, PlanState& st) {
  const bool fit_ok = rules::require_fit_on_train(s, st);
  if (!rules::has_data(st)) return;
  DataInfo& d = st.data;
  if (!rules::require_split(s, st, "computes its statistics from test rows too (leakage)") || !fit_ok) {
    // Planned as filled all the same, so the stages after it do not also report the
    // values it would fill.
    d.missing_per_col.assign(d.features.size(), 0);
    return;
  }
  const std::size_t missing = rules::total_missing(d);
  if (strategy_of(s) == impute::Strategy::drop_rows) {
    for (auto& part : d.parts) {
      auto rows = d.part_rows.find(part.name);
      if (rows == d.part_rows.end()) continue;
      std::vector<std::size_t> kept;
      for (auto r : rows->second)
        if (!d.row_has_missing[r]) kept.push_back(r);
      part.rows = kept.size();
      part.class_counts.assign(d.class_names.size(), 0);
      for (auto r : kept) ++part.class_counts[d.labels[r]];
      rows->second = kept;
    }
    st.step.notes.push_back("drops the rows with a missing value, in every part");
  } else {
    st.step.notes.push_back("statistics from the train part only; fills " + std::to_string(missing) +
                            " missing values in all parts");
  }
  d.missing_per_col.assign(d.features.size(), 0);
}

void run(const dsl::Stage& s, DataRun& r) {
  const auto strategy = strategy_of(s);
  if (strategy == impute::Strategy::drop_rows) {
    for (auto& [name, t] : r.parts) t = impute::drop_missing_rows(t);
    return;
  }
  const auto imputer = impute::fit(r.parts.at("train"), strategy, s.number("fill_value"));
  for (auto& [name, t] : r.parts) impute::transform(imputer, t);
  r.fitted[s.id] = nlohmann::json{{"op", "impute"}, {"strategy", s.string("strategy")}, {"statistics", imputer.statistics}}.dump();
}

}  // namespace

const OpDef& impute_op() {
  static const OpDef op{
      {"impute",
       dsl::OpKind::kData,
       "fill missing values with a statistic of the training part (sklearn's SimpleImputer)",
       {
           ParamSpec::enumeration("strategy", {"mean", "median", "most_frequent", "constant", "drop_rows"}, "mean")
               .doc("what replaces a missing value; drop_rows removes the row instead"),
           ParamSpec::number("fill_value", 0.0).doc("the value for strategy 'constant'"),
           ParamSpec::enumeration("fit_on", {"train", "all"}, "train").doc("rows the statistics come from (only train is leak-free)"),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
