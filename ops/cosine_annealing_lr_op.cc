// op cosine_annealing_lr: torch.optim.lr_scheduler.CosineAnnealingLR, stepped once per epoch.
// The rates come from torch's recursive form (each from the one before), not from the
// closed form eta_min + (base - eta_min)(1 + cos(pi e / T_max)) / 2: the two differ in the
// last bits, and only the recursion gives torch's values (runtime/lr_schedule.cc).
#include <fmt/format.h>

#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  SchedulerSpec& spec = st.plan.schedule = SchedulerSpec{};
  spec.type = "cosine_annealing_lr";
  spec.t_max = s.integer("T_max");
  spec.eta_min = s.number("eta_min");
  // Said of the section's own scheduler only: in a sequence it starts at a milestone.
  const bool own = st.plan.pipeline.scheduler && &*st.plan.pipeline.scheduler == &s;
  if (own && spec.t_max < st.plan.train.epochs)
    st.step.notes.push_back(fmt::format("the rate reaches eta_min at epoch {} and rises again after it, as torch's does",
                                        spec.t_max + 1));
}

}  // namespace

const OpDef& cosine_annealing_lr_op() {
  static const OpDef op{
      {"cosine_annealing_lr",
       dsl::OpKind::kScheduler,
       "anneal the learning rate to eta_min along a cosine over T_max epochs (CosineAnnealingLR)",
       {
           ParamSpec::integer("T_max").min(1).doc("epochs of a half cosine, from the rate down to eta_min"),
           ParamSpec::number("eta_min", 0.0).min(0).doc("the lowest rate"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
