// op step_lr: torch.optim.lr_scheduler.StepLR, stepped once per epoch. The schedule is a
// pure function of the epoch (runtime/lr_schedule.cc), so the plan shows it and the trainer
// applies the same.
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  // StepLR multiplies the current rate by gamma at each boundary; the closed form
  // base * gamma^k rounds differently (0.00064 vs 0.0006400000000000002 for 1e-3, 0.8).
  SchedulerSpec& spec = st.plan.schedule = SchedulerSpec{};
  spec.type = "step_lr";
  spec.step_size = s.integer("step_size");
  spec.gamma = s.number("gamma");
}

}  // namespace

const OpDef& step_lr_op() {
  static const OpDef op{
      {"step_lr",
       dsl::OpKind::kScheduler,
       "multiply the learning rate by gamma every step_size epochs (StepLR)",
       {
           ParamSpec::integer("step_size").min(1).doc("epochs between decays"),
           ParamSpec::number("gamma", 0.1).min(0, true).doc("factor of each decay"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
