// op standardize: zero mean, unit variance per feature, with the mean and std of the
// training part only (sklearn's StandardScaler fitted on X_train).
#include <nlohmann/json.hpp>

#include "ops/data_rules.h"
#include "ops/replay.h"
#include "ops/standardize.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

const columns::Request kColumns{"columns", "'standardize'", columns::Want::numeric, {}};

void plan(const dsl::Stage& s, PlanState& st) {
  const bool fit_ok = rules::require_fit_on_train(s, st);
  if (!rules::has_data(st)) return;
  const auto cols = rules::planned_columns(s, "columns", st, kColumns);
  if (!rules::require_split(s, st, "computes its mean and std from test rows too (leakage)") || !fit_ok || !cols) return;
  if (!rules::require_complete(s, st, *cols)) return;
  st.step.notes.push_back("mean and std" + rules::of_columns(st.data, *cols) + " from the train part only, applied to every part");
}

// The fitted scaler on columns `cols` of `t`: every part in a run, new rows in `pipe predict`.
void apply(const scale::StandardScaler& scaler, const std::vector<std::size_t>& cols, Table& t) {
  Table sub = columns::gather(t, cols);
  scale::transform(scaler, sub);
  columns::scatter(t, cols, sub);
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  const auto cols = rules::run_columns(s, "columns", train, kColumns);
  const auto scaler = scale::fit(columns::gather(train, cols), s.boolean("with_mean"), s.boolean("with_std"));
  for (auto& [name, t] : r.parts) apply(scaler, cols, t);
  r.fitted[s.id] = nlohmann::json{{"op", "standardize"},
                                  {"columns", columns::names_of(train.columns, cols)},
                                  {"mean", scaler.mean},
                                  {"scale", scaler.scale}}
                       .dump();
}

void replay(Replay& r) {
  const auto cols = replayed::fitted_columns(r);
  replayed::require_values(r, cols, "'standardize'");
  apply({r.fitted.at("mean").get<std::vector<double>>(), r.fitted.at("scale").get<std::vector<double>>()}, cols, r.rows);
}

}  // namespace

const OpDef& standardize_op() {
  static const OpDef op{
      {"standardize",
       dsl::OpKind::kData,
       "scale features to zero mean and unit variance (sklearn's StandardScaler)",
       {
           ParamSpec::string_list("columns").optional("all numeric").doc("the columns to scale: names or glob patterns (\"thal*\")"),
           ParamSpec::boolean("with_mean", true).doc("subtract the training mean"),
           ParamSpec::boolean("with_std", true).doc("divide by the training standard deviation (ddof 0)"),
           ParamSpec::enumeration("fit_on", {"train", "all"}, "train").doc("rows the mean and std come from (only train is leak-free)"),
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
