// op step_lr: torch.optim.lr_scheduler.StepLR, stepped once per epoch. The schedule is a
// pure function of the epoch, so the plan can show it and the trainer applies the same.
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage&, PlanState&) {}

double lr_at(const dsl::Stage& s, double base_lr, int epoch) {
  // StepLR multiplies the current rate by gamma at each boundary; the closed form
  // base * gamma^k rounds differently (0.00064 vs 0.0006400000000000002 for 1e-3, 0.8).
  double lr = base_lr;
  for (int k = epoch / static_cast<int>(s.integer("step_size")); k > 0; --k) lr *= s.number("gamma");
  return lr;
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
      nullptr,
      lr_at,
  };
  return op;
}

}  // namespace pipeml
