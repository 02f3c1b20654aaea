// op step_lr: torch.optim.lr_scheduler.StepLR, stepped once per epoch. The schedule is a
// pure function of the epoch, so the plan can show it and the trainer applies the same.
#include <cmath>

#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage&, PlanState&) {}

double lr_at(const dsl::Stage& s, double base_lr, int epoch) {
  // Closed form of StepLR: lr = base * gamma^floor(epoch / step_size).
  return base_lr * std::pow(s.number("gamma"), std::floor(epoch / static_cast<double>(s.integer("step_size"))));
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
