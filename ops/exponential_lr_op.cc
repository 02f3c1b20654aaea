// op exponential_lr: torch.optim.lr_scheduler.ExponentialLR, stepped once per epoch.
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  SchedulerSpec& spec = st.plan.schedule = SchedulerSpec{};
  spec.type = "exponential_lr";
  spec.gamma = s.number("gamma");
}

}  // namespace

const OpDef& exponential_lr_op() {
  static const OpDef op{
      {"exponential_lr",
       dsl::OpKind::kScheduler,
       "multiply the learning rate by gamma every epoch (ExponentialLR)",
       {
           ParamSpec::number("gamma").min(0, true).doc("factor of each epoch's decay"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
