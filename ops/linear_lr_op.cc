// op linear_lr: torch.optim.lr_scheduler.LinearLR (a warm-up, usually), stepped once per epoch.
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  SchedulerSpec& spec = st.plan.schedule = SchedulerSpec{};
  spec.type = "linear_lr";
  spec.start_factor = s.number("start_factor");
  spec.end_factor = s.number("end_factor");
  spec.total_iters = s.integer("total_iters");
}

}  // namespace

const OpDef& linear_lr_op() {
  static const OpDef op{
      {"linear_lr",
       dsl::OpKind::kScheduler,
       "scale the learning rate linearly from start_factor to end_factor over total_iters epochs (LinearLR)",
       {
           // start_factor 0 would make torch divide by zero at its second step.
           ParamSpec::number("start_factor", 1.0 / 3).min(0, true).max(1).doc("the rate's factor in the first epoch"),
           ParamSpec::number("end_factor", 1.0).min(0).max(1).doc("the factor from epoch total_iters on"),
           ParamSpec::integer("total_iters", 5).min(1).doc("epochs to go from start_factor to end_factor"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
