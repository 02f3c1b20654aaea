// op multi_step_lr: torch.optim.lr_scheduler.MultiStepLR, stepped once per epoch.
#include <fmt/format.h>

#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  SchedulerSpec& spec = st.plan.schedule = SchedulerSpec{};
  spec.type = "multi_step_lr";
  spec.milestones = s.param("milestones").value.as_int_list();
  spec.gamma = s.number("gamma");
  const int epochs = st.plan.train.epochs;
  for (std::size_t i = 0; i < spec.milestones.size(); ++i)
    if (spec.milestones[i] >= epochs)
      st.step.notes.push_back(fmt::format("milestone {} is not reached in {} epochs", spec.milestones[i], epochs));
}

}  // namespace

const OpDef& multi_step_lr_op() {
  static const OpDef op{
      {"multi_step_lr",
       dsl::OpKind::kScheduler,
       "multiply the learning rate by gamma at each milestone epoch (MultiStepLR)",
       {
           ParamSpec::int_list("milestones").min(1).doc("epochs (0-based, as torch counts them) after which the rate decays; a repeated one decays twice"),
           ParamSpec::number("gamma", 0.1).min(0, true).doc("factor of each decay"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
