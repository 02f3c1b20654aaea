// op min_max_scale: each feature mapped linearly so that the training part's minimum and
// maximum become feature_range (sklearn's MinMaxScaler fitted on X_train).
#include <nlohmann/json.hpp>

#include "ops/data_rules.h"
#include "ops/replay.h"
#include "ops/scalers.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

const columns::Request kColumns{"columns", "'min_max_scale'", columns::Want::numeric, {}};

void plan(const dsl::Stage& s, PlanState& st) {
  const bool fit_ok = rules::require_fit_on_train(s, st);
  const dsl::Param& range = s.param("feature_range");
  const auto& r = range.value.as_float_list();
  bool range_ok = true;
  if (r.size() != 2) {
    st.diags.error(range.loc, "'feature_range' takes two numbers, [min, max], got " + std::to_string(r.size()));
    range_ok = false;
  } else if (r[0] >= r[1]) {
    st.diags.error(range.loc, "'feature_range' must have its minimum below its maximum, got " + range.value.str());
    range_ok = false;
  }
  if (!rules::has_data(st)) return;
  const auto cols = rules::planned_columns(s, "columns", st, kColumns);
  if (!rules::require_split(s, st, "computes its minimum and maximum from test rows too (leakage)") || !fit_ok || !cols ||
      !range_ok)
    return;
  if (!rules::require_complete(s, st, *cols)) return;
  st.step.notes.push_back("minimum and maximum" + rules::of_columns(st.data, *cols) +
                          " from the train part only, applied to every part" +
                          (s.boolean("clip") ? " (clipped to the range)" : ""));
}

// The fitted scaler on columns `cols` of `t`: every part in a run, new rows in `pipe predict`.
void apply(const scale::MinMaxScaler& scaler, const std::vector<std::size_t>& cols, Table& t) {
  Table sub = columns::gather(t, cols);
  scale::transform(scaler, sub);
  columns::scatter(t, cols, sub);
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  const auto cols = rules::run_columns(s, "columns", train, kColumns);
  const auto& range = s.param("feature_range").value.as_float_list();
  const auto scaler = scale::fit_min_max(columns::gather(train, cols), range.at(0), range.at(1), s.boolean("clip"));
  for (auto& [name, t] : r.parts) apply(scaler, cols, t);
  r.fitted[s.id] = nlohmann::json{{"op", "min_max_scale"},
                                  {"columns", columns::names_of(train.columns, cols)},
                                  {"feature_range", range},
                                  {"clip", scaler.clip},
                                  {"data_min", scaler.data_min},
                                  {"data_max", scaler.data_max},
                                  {"scale", scaler.scale},
                                  {"min", scaler.min}}
                       .dump();
}

void replay(Replay& r) {
  const auto cols = replayed::fitted_columns(r);
  replayed::require_values(r, cols, "'min_max_scale'");
  const nlohmann::json& f = r.fitted;
  scale::MinMaxScaler scaler;
  const auto range = f.at("feature_range").get<std::vector<double>>();
  scaler.range_min = range.at(0);
  scaler.range_max = range.at(1);
  scaler.clip = f.at("clip").get<bool>();
  scaler.data_min = f.at("data_min").get<std::vector<double>>();
  scaler.data_max = f.at("data_max").get<std::vector<double>>();
  scaler.scale = f.at("scale").get<std::vector<double>>();
  scaler.min = f.at("min").get<std::vector<double>>();
  apply(scaler, cols, r.rows);
}

}  // namespace

const OpDef& min_max_scale_op() {
  static const OpDef op{
      {"min_max_scale",
       dsl::OpKind::kData,
       "scale features to a range by the training minimum and maximum (sklearn's MinMaxScaler)",
       {
           ParamSpec::string_list("columns").optional("all numeric").doc("the columns to scale: names or glob patterns"),
           ParamSpec::float_list("feature_range", std::vector<double>{0.0, 1.0}).doc("[min, max] that the training range maps to"),
           ParamSpec::boolean("clip", false).doc("clip values outside the training range (in other parts) to feature_range"),
           ParamSpec::enumeration("fit_on", {"train", "all"}, "train").doc("rows the minimum and maximum come from (only train is leak-free)"),
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
