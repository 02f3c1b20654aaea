// op gaussian_noise: the course's MixedAugmentedDataset — the training rows plus
// num_augments copies of each with N(0, noise_std^2) noise added.
#include "ops/data_rules.h"
#include "ops/gaussian_noise.h"
#include "ops/resampler.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

// The stages after this one in the data list.
std::vector<const dsl::Stage*> stages_after(const dsl::Stage& s, const dsl::Pipeline& p) {
  std::vector<const dsl::Stage*> after;
  bool seen = false;
  for (const auto& x : p.data) {
    if (seen) after.push_back(&x);
    seen = seen || &x == &s;
  }
  return after;
}

// The noise is made by the trainer (with LibTorch's generator, where heart_ref.py's
// dataset makes it) when nothing after this stage needs the noisy rows; otherwise here.
bool made_by_trainer(const dsl::Stage& s, const dsl::Pipeline& p) { return stages_after(s, p).empty(); }

bool every_epoch(const dsl::Stage& s) { return s.string("redraw") == "every_epoch"; }

void plan(const dsl::Stage& s, PlanState& st) {
  const bool part_ok = rules::require_train_part(s, st);
  const auto after = stages_after(s, st.plan.pipeline);
  const bool by_trainer = after.empty();
  if (!by_trainer || s.has("seed")) use_seed(s, st.plan);
  if (rules::has_data(st) && !rules::require_split(s, st, "would put noisy copies of test rows into training (leakage)"))
    return;
  for (const dsl::Stage* x : after) {
    if (!rules::is_resampler(*x) || s.boolean("allow_before_resampling")) continue;
    st.diags.error(s.op_loc,
                   "'gaussian_noise' before '" + x->op() + "' (line " + std::to_string(x->op_loc.line) +
                       ") makes the resampler interpolate between noisy copies",
                   "resample first, then add noise (move this stage after '" + x->op() +
                       "'), or set 'allow_before_resampling: true' to mean it");
    return;
  }
  if (every_epoch(s) && !by_trainer) {
    st.diags.error(s.param("redraw").loc, "'redraw: every_epoch' needs gaussian_noise to be the last data stage",
                   "move '" + after.front()->op() + "' before it, or draw the noise once: 'redraw: once'");
    return;
  }
  if (!rules::has_data(st) || !part_ok) return;
  if (!rules::require_numeric(s, st)) return;
  PartInfo* train = st.data.part("train");
  const std::size_t copies = static_cast<std::size_t>(s.integer("num_augments"));
  const std::size_t before = train->rows;
  train->rows *= copies + 1;
  for (auto& c : train->class_counts) c *= copies + 1;
  st.data.part_rows.erase("train");
  st.step.notes.push_back(std::to_string(before) + " rows + " + std::to_string(copies) + " noisy cop" +
                          (copies == 1 ? "y" : "ies") + " of each" + (every_epoch(s) ? ", drawn afresh every epoch" : "") +
                          "; validation and test parts untouched");
  if (by_trainer) {
    NoiseSpec& n = st.plan.train.noise;
    n.copies = static_cast<int>(copies);
    n.std = s.number("noise_std");
    n.per_epoch = every_epoch(s);
    n.own_seed = s.has("seed");
    n.seed = n.own_seed ? static_cast<std::uint64_t>(s.integer("seed")) : 0;
    st.step.notes.push_back(n.own_seed ? "the trainer draws the noise from a generator of its own (seed " +
                                             std::to_string(n.seed) + ")"
                                       : "the trainer draws the noise from the training generator before the weights, a row at a time, as a "
                                         "PyTorch Dataset made after torch.manual_seed does");
  } else {
    st.step.notes.push_back("noisy rows made here (stages follow that use them)");
  }
}

void run(const dsl::Stage& s, DataRun& r) {
  if (made_by_trainer(s, r.plan.pipeline)) return;  // the plan's TrainSpec carries it
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
           ParamSpec::number("noise_std", 0.03).min(0).max(1e30)
               .doc("standard deviation of the added noise, in standardized units (float32 rows: at most 1e30)"),
           ParamSpec::integer("num_augments", 1).min(0).doc("noisy copies per training row"),
           ParamSpec::enumeration("part", {"train", "validation", "test"}, "train").doc("the part to augment (only train is allowed)"),
           ParamSpec::enumeration("redraw", {"once", "every_epoch"}, "once")
               .doc("draw the noisy copies once, or afresh at the start of every epoch"),
           ParamSpec::boolean("allow_before_resampling", false)
               .doc("allow a resampler after this stage (it then interpolates between noisy copies)"),
           ParamSpec::integer("seed").min(0).optional("the training generator").doc("seed of the noise; by default drawn from train's generator"),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
