// op random_over_sampler: copies of randomly drawn training rows, as imbalanced-learn's
// RandomOverSampler (optionally a smoothed bootstrap); see ops/random_sampling.h.
#include "ops/random_sampling.h"
#include "ops/resampler.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

std::optional<double> shrinkage_of(const dsl::Stage& s) {
  if (!s.has("shrinkage")) return std::nullopt;
  return s.number("shrinkage");
}

void plan(const dsl::Stage& s, PlanState& st) {
  const auto shrinkage = shrinkage_of(s);
  // Copies keep missing values as they are; the smoothed bootstrap adds noise, so it cannot.
  PartInfo* train = resampler::training_part(s, st, "would put copies of test rows into training (leakage)",
                                             shrinkage.has_value());
  if (train == nullptr) return;
  const auto todo = resampler::planned_targets(s, st, sampling::Type::over);
  if (!todo) return;
  const auto before = train->class_counts;
  auto counts = before;
  for (const auto& [label, n] : *todo) counts[label] += n;
  if (shrinkage) {
    resampler::set_train_counts(st, counts);  // the data is complete: no row needs following
  } else {
    resampler::set_train_rows(st, counts, [&](const Table& labels) {
      std::vector<std::size_t> rows(labels.rows);
      for (std::size_t i = 0; i < labels.rows; ++i) rows[i] = i;
      const auto drawn = random_sampling::over_sample_rows(
          labels, resampler::strategy_of(s, labels.class_names), static_cast<std::uint64_t>(seed_of(s, st.plan.pipeline)));
      rows.insert(rows.end(), drawn.begin(), drawn.end());
      return rows;
    });
  }
  st.step.notes.push_back(resampler::change_text(before, counts, st.data.class_names) +
                          (shrinkage ? " (drawn rows plus noise: a smoothed bootstrap)" : " (copies of drawn rows)") +
                          "; validation and test parts untouched");
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = random_sampling::over_sample(train, resampler::strategy_of(s, train.class_names),
                                       static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)), shrinkage_of(s));
}

}  // namespace

const OpDef& random_over_sampler_op() {
  static const OpDef op{
      {"random_over_sampler",
       dsl::OpKind::kData,
       "oversample classes with copies of random rows (imbalanced-learn's RandomOverSampler)",
       {
           resampler::strategy_param(sampling::Type::over),
           ParamSpec::number("shrinkage")
               .min(0)
               .optional()
               .doc("add noise to the copies (a smoothed bootstrap), scaled by this times each class's std"),
           resampler::part_param(),
           resampler::seed_param(),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
