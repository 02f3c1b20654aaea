// op robust_scale: each feature centred on the training median and divided by its
// interquartile (or other quantile) range (sklearn's RobustScaler fitted on X_train).
#include <nlohmann/json.hpp>

#include "ops/data_rules.h"
#include "ops/replay.h"
#include "ops/scalers.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

const columns::Request kColumns{"columns", "'robust_scale'", columns::Want::numeric, {}};

void plan(const dsl::Stage& s, PlanState& st) {
  const bool fit_ok = rules::require_fit_on_train(s, st);
  const dsl::Param& range = s.param("quantile_range");
  const auto& q = range.value.as_float_list();
  bool range_ok = true;
  if (q.size() != 2) {
    st.diags.error(range.loc, "'quantile_range' takes two percentiles, [q_min, q_max], got " + std::to_string(q.size()));
    range_ok = false;
  } else if (!(0 <= q[0] && q[0] <= q[1] && q[1] <= 100)) {
    st.diags.error(range.loc, "'quantile_range' needs 0 <= q_min <= q_max <= 100, got " + range.value.str());
    range_ok = false;
  } else if (s.boolean("unit_variance") && (q[0] == 0 || q[1] == 100 || q[0] == q[1])) {
    st.diags.error(range.loc, "'unit_variance' needs 0 < q_min < q_max < 100, got " + range.value.str(),
                   "the normal distribution's quantiles at 0 and 100 are infinite");
    range_ok = false;
  }
  if (!rules::has_data(st)) return;
  const auto cols = rules::planned_columns(s, "columns", st, kColumns);
  if (!rules::require_split(s, st, "computes its median and quantiles from test rows too (leakage)") || !fit_ok || !cols ||
      !range_ok)
    return;
  if (!rules::require_complete(s, st, *cols)) return;
  st.step.notes.push_back("median and quantile range" + rules::of_columns(st.data, *cols) +
                          " from the train part only, applied to every part");
}

// The fitted scaler on columns `cols` of `t`: every part in a run, new rows in `pipe predict`.
void apply(const scale::RobustScaler& scaler, const std::vector<std::size_t>& cols, Table& t) {
  Table sub = columns::gather(t, cols);
  scale::transform(scaler, sub);
  columns::scatter(t, cols, sub);
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  const auto cols = rules::run_columns(s, "columns", train, kColumns);
  const auto& q = s.param("quantile_range").value.as_float_list();
  const auto scaler = scale::fit_robust(columns::gather(train, cols), s.boolean("with_centering"), s.boolean("with_scaling"),
                                        q.at(0), q.at(1), s.boolean("unit_variance"));
  for (auto& [name, t] : r.parts) apply(scaler, cols, t);
  r.fitted[s.id] = nlohmann::json{{"op", "robust_scale"},
                                  {"columns", columns::names_of(train.columns, cols)},
                                  {"center", scaler.center},
                                  {"scale", scaler.scale}}
                       .dump();
}

void replay(Replay& r) {
  const auto cols = replayed::fitted_columns(r);
  replayed::require_values(r, cols, "'robust_scale'");
  apply({r.fitted.at("center").get<std::vector<double>>(), r.fitted.at("scale").get<std::vector<double>>()}, cols, r.rows);
}

}  // namespace

const OpDef& robust_scale_op() {
  static const OpDef op{
      {"robust_scale",
       dsl::OpKind::kData,
       "centre on the training median, scale by a quantile range (sklearn's RobustScaler)",
       {
           ParamSpec::string_list("columns").optional("all numeric").doc("the columns to scale: names or glob patterns"),
           ParamSpec::boolean("with_centering", true).doc("subtract the training median"),
           ParamSpec::boolean("with_scaling", true).doc("divide by the training quantile range"),
           ParamSpec::float_list("quantile_range", std::vector<double>{25.0, 75.0})
               .doc("[q_min, q_max] percentiles whose difference scales (default: the interquartile range)"),
           ParamSpec::boolean("unit_variance", false).doc("also divide by the standard normal's range between the same quantiles"),
           ParamSpec::enumeration("fit_on", {"train", "all"}, "train").doc("rows the median and quantiles come from (only train is leak-free)"),
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
