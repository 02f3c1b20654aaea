// op smote: synthetic minority rows on the training part, as imbalanced-learn's SMOTE
// (the same sampling_strategy forms, neighbours and random draws; see ops/smote.h).
#include "ops/resampler.h"
#include "ops/smote.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

void plan(const dsl::Stage& s, PlanState& st) {
  PartInfo* train =
      resampler::training_part(s, st, "would put synthetic copies of test rows into training (leakage)", true);
  if (train == nullptr) return;
  const auto todo = resampler::planned_targets(s, st, sampling::Type::over);
  if (!todo) return;
  auto counts = train->class_counts;
  std::size_t added = 0;
  for (const auto& [label, n] : *todo) {
    if (n == 0) continue;
    if (!resampler::check_neighbours(s, st, "k_neighbors", label, counts[label])) return;
    counts[label] += n;
    added += n;
  }
  resampler::set_train_counts(st, counts);
  st.step.notes.push_back(std::to_string(added) + " synthetic rows between each row and its " +
                          std::to_string(s.integer("k_neighbors")) +
                          " nearest same-class neighbours; validation and test parts untouched");
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = smote::fit_resample(train, resampler::strategy_of(s, train.class_names),
                              static_cast<int>(s.integer("k_neighbors")),
                              static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)));
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
