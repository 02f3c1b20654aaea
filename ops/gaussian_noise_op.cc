// op gaussian_noise: the course's MixedAugmentedDataset — the training rows plus
// num_augments copies of each with N(0, noise_std^2) noise added.
#include "ops/data_rules.h"
#include "ops/gaussian_noise.h"
#include "ops/resampler.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  use_seed(s, st.plan);
  const bool part_ok = rules::require_train_part(s, st);
  if (!rules::has_data(st)) return;
  if (!rules::require_split(s, st, "would put noisy copies of test rows into training (leakage)") || !part_ok) return;
  PartInfo* train = st.data.part("train");
  const std::size_t copies = static_cast<std::size_t>(s.integer("num_augments"));
  const std::size_t before = train->rows;
  train->rows *= copies + 1;
  for (auto& c : train->class_counts) c *= copies + 1;
  st.data.part_rows.erase("train");
  st.step.notes.push_back(std::to_string(before) + " rows + " + std::to_string(copies) + " noisy cop" +
                          (copies == 1 ? "y" : "ies") + " of each; validation and test parts untouched");
  // Augmenting before resampling would let SMOTE interpolate between noisy copies.
  const auto& data = st.plan.pipeline.data;
  const auto self = std::find_if(data.begin(), data.end(), [&](const dsl::Stage& x) { return &x == &s; });
  const auto later = std::find_if(self, data.end(), [](const dsl::Stage& x) { return resampler::interpolates(x.op()); });
  if (later != data.end())
    st.step.notes.push_back("runs before " + later->op() + ", which will then interpolate between noisy copies");
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = noise::augment(train, s.number("noise_std"), static_cast<int>(s.integer("num_augments")),
                         static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)));
}

}  // namespace

const OpDef& gaussian_noise_op() {
  static const OpDef op{
      {"gaussian_noise",
       dsl::OpKind::kData,
       "add noisy copies of the training rows (x + N(0, noise_std^2))",
       {
           ParamSpec::number("noise_std", 0.03).min(0).doc("standard deviation of the added noise, in standardized units"),
           ParamSpec::integer("num_augments", 1).min(0).doc("noisy copies per training row"),
           ParamSpec::enumeration("part", {"train", "validation", "test"}, "train").doc("the part to augment (only train is allowed)"),
           ParamSpec::integer("seed").min(0).optional("pipeline seed").doc("seed of the noise"),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
