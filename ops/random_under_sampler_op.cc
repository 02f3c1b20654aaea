// op random_under_sampler: keeps a random subset of the training rows of the classes it
// shrinks, as imbalanced-learn's RandomUnderSampler; see ops/random_sampling.h.
#include "ops/random_sampling.h"
#include "ops/resampler.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  // Dropping rows copes with missing values: impute may come before or after.
  PartInfo* train = resampler::training_part(
      s, st, "would remove test rows too: the test part must keep the data's real class balance", false);
  if (train == nullptr) return;
  const auto todo = resampler::planned_targets(s, st, sampling::Type::under);
  if (!todo) return;
  const auto before = train->class_counts;
  auto counts = before;
  for (const auto& [label, keep] : *todo) counts[label] = keep;
  resampler::set_train_rows(st, counts, [&](const Table& labels) {
    return random_sampling::under_sample_rows(labels, resampler::strategy_of(s, labels.class_names),
                                              s.boolean("replacement"),
                                              static_cast<std::uint64_t>(seed_of(s, st.plan.pipeline)));
  });
  st.step.notes.push_back(resampler::change_text(before, counts, st.data.class_names) + " (rows drawn at random" +
                          (s.boolean("replacement") ? ", with replacement" : "") +
                          "); validation and test parts untouched");
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = random_sampling::under_sample(train, resampler::strategy_of(s, train.class_names), s.boolean("replacement"),
                                        static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)));
}

}  // namespace

const OpDef& random_under_sampler_op() {
  static const OpDef op{
      {"random_under_sampler",
       dsl::OpKind::kData,
       "undersample classes by keeping random rows (imbalanced-learn's RandomUnderSampler)",
       {
           resampler::strategy_param(sampling::Type::under),
           ParamSpec::boolean("replacement", false).doc("draw the kept rows with replacement"),
           resampler::part_param(),
           resampler::seed_param(),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
