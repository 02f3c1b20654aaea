// op smote_tomek: SMOTE, then Tomek links removed from every class, as imbalanced-learn's
// SMOTETomek with its inner defaults (SMOTE(k_neighbors), TomekLinks(sampling_strategy='all')).
#include "ops/cleaning.h"
#include "ops/resampler.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

void plan(const dsl::Stage& s, PlanState& st) { resampler::plan_smote_then_clean(s, st, "Tomek links"); }

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = cleaning::smote_tomek(train, resampler::strategy_of(s, train.class_names),
                                static_cast<int>(s.integer("k_neighbors")),
                                static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)));
}

}  // namespace

const OpDef& smote_tomek_op() {
  static const OpDef op{
      {"smote_tomek",
       dsl::OpKind::kData,
       "SMOTE, then remove Tomek links from every class (imbalanced-learn's SMOTETomek)",
       {
           resampler::strategy_param(sampling::Type::over),
           resampler::k_neighbors_param(),
           resampler::part_param(),
           resampler::seed_param(),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
