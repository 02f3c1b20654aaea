// op smote_enn: SMOTE, then edited nearest neighbours on every class, as imbalanced-learn's
// SMOTEENN with its inner defaults (SMOTE(k_neighbors),
// EditedNearestNeighbours(sampling_strategy='all', n_neighbors=3, kind_sel='all')).
#include "ops/cleaning.h"
#include "ops/resampler.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

void plan(const dsl::Stage& s, PlanState& st) { resampler::plan_smote_then_clean(s, st, "edited nearest neighbours"); }

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = cleaning::smote_enn(train, resampler::strategy_of(s, train.class_names),
                              static_cast<int>(s.integer("k_neighbors")), static_cast<int>(s.integer("n_neighbors")),
                              resampler::kind_sel_of(s), static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)));
}

}  // namespace

const OpDef& smote_enn_op() {
  static const OpDef op{
      {"smote_enn",
       dsl::OpKind::kData,
       "SMOTE, then edited nearest neighbours on every class (imbalanced-learn's SMOTEENN)",
       {
           resampler::strategy_param(sampling::Type::over),
           resampler::k_neighbors_param(),
           resampler::enn_n_neighbors_param(),
           resampler::enn_kind_sel_param(),
           resampler::part_param(),
           resampler::seed_param(),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
