// op smote: synthetic minority rows on the training part, as imbalanced-learn's SMOTE
// (the same sampling_strategy forms, neighbours and random draws; see ops/smote.h).
#include "ops/resampler.h"
#include "ops/smote.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

void plan(const dsl::Stage& s, PlanState& st) {
  const std::size_t before = st.data.part("train") ? st.data.part("train")->rows : 0;
  const auto counts = resampler::interpolation_counts(s, st, "k_neighbors");
  if (!counts) return;
  resampler::set_train_counts(st, *counts);
  st.step.notes.push_back(std::to_string(st.data.part("train")->rows - before) + " synthetic rows between each row and its " +
                          std::to_string(s.integer("k_neighbors")) +
                          " nearest same-class neighbours; validation and test parts untouched");
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = smote::fit_resample(train, resampler::strategy_of(s, train.class_names),
                              static_cast<int>(s.integer("k_neighbors")),
                              static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)), "smote", r.gpu_neighbours);
}

}  // namespace

const OpDef& smote_op() {
  static const OpDef op{
      {"smote",
       dsl::OpKind::kData,
       "oversample classes with synthetic rows (imbalanced-learn's SMOTE)",
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
