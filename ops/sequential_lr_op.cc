// op sequential_lr: torch.optim.lr_scheduler.SequentialLR — schedulers one after the other,
// switching at the milestone epochs (a warm-up, then a decay):
//   scheduler:
//     op: sequential_lr
//     milestones: [5]
//     schedulers:
//       - {op: linear_lr, start_factor: 0.1, total_iters: 5}
//       - {op: cosine_annealing_lr, T_max: 45}
// Each nested scheduler is read and checked like the section's own. The rates are torch
// 1.13's, quirks included (runtime/lr_schedule.cc): at a milestone the next scheduler
// restarts from the base rate (step(0)), whatever the one before left.
#include <fmt/format.h>

#include "runtime/registry.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  SchedulerSpec spec;
  spec.type = "sequential_lr";
  const dsl::Param& milestones = s.param("milestones");
  spec.milestones = milestones.value.as_int_list();
  bool ok = true;
  for (const dsl::Stage& child : s.children) {
    if (child.op() == "one_cycle_lr" || child.op() == "reduce_lr_on_plateau") {
      st.diags.error(child.op_loc,
                     "'" + child.op() + "' cannot be part of a 'sequential_lr'",
                     child.op() == "one_cycle_lr" ? "one_cycle_lr is stepped per batch, a sequence once per epoch"
                                                  : "torch's SequentialLR steps its schedulers without the monitored value");
      ok = false;
      continue;
    }
    st.plan.schedule = SchedulerSpec{};
    st.registry.op(child.op())->plan(child, st);
    spec.schedulers.push_back(std::move(st.plan.schedule));
  }
  const std::size_t n = s.children.size();
  if (spec.milestones.size() + 1 != n) {
    st.diags.error(milestones.loc,
                   fmt::format("'sequential_lr' has {} scheduler{} and needs {} milestone{}, got {}", n, n == 1 ? "" : "s",
                               n - 1, n == 2 ? "" : "s", spec.milestones.size()),
                   "milestones: the epochs at which each scheduler after the first takes over");
    ok = false;
  }
  for (std::size_t i = 1; i < spec.milestones.size(); ++i)
    if (spec.milestones[i] <= spec.milestones[i - 1]) {
      st.diags.error(milestones.item_loc(i), fmt::format("milestone {} does not come after {}", spec.milestones[i], spec.milestones[i - 1]),
                     "give the milestones in increasing order");
      ok = false;
      break;
    }
  st.plan.schedule = ok ? std::move(spec) : SchedulerSpec{};
}

}  // namespace

const OpDef& sequential_lr_op() {
  static const OpDef op{
      {"sequential_lr",
       dsl::OpKind::kScheduler,
       "schedulers one after another, switching at the milestone epochs (SequentialLR)",
       {
           ParamSpec::stages("schedulers").doc("the schedulers, in order, each '- op: NAME' with its parameters"),
           ParamSpec::int_list("milestones").min(1).doc("the epochs at which each scheduler after the first takes over"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
