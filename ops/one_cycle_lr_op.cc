// op one_cycle_lr: torch.optim.lr_scheduler.OneCycleLR, stepped once per BATCH, with the
// optimizer's momentum (beta1 of Adam/AdamW, momentum of SGD/RMSprop) cycled against the rate. torch needs total_steps or
// epochs and steps_per_epoch; pipe knows both (the planned training rows, batch_size and
// drop_last give the batches per epoch), so the user gives neither.
#include <fmt/format.h>

#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  SchedulerSpec& spec = st.plan.schedule = SchedulerSpec{};
  spec.type = "one_cycle_lr";
  spec.max_lr = s.number("max_lr");
  spec.total_steps = s.has("total_steps") ? s.integer("total_steps") : 0;
  spec.pct_start = s.number("pct_start");
  spec.anneal_strategy = s.string("anneal_strategy");
  spec.cycle_momentum = s.boolean("cycle_momentum");
  spec.base_momentum = s.number("base_momentum");
  spec.max_momentum = s.number("max_momentum");
  spec.div_factor = s.number("div_factor");
  spec.final_div_factor = s.number("final_div_factor");
  spec.three_phase = s.boolean("three_phase");

  const std::size_t fold = st.fold.value_or(0);
  if (fold >= st.plan.steps_per_epoch.size() || st.plan.steps_per_epoch[fold] == 0) return;  // no training rows planned
  const int epochs = st.plan.train.epochs, steps = st.plan.steps_per_epoch[fold];
  const std::int64_t needed = static_cast<std::int64_t>(epochs) * steps;
  if (spec.total_steps > 0 && spec.total_steps < needed) {
    st.diags.error(s.param("total_steps").loc,
                   fmt::format("'total_steps' {} is fewer than the {} steps of training ({} epochs of {} batches): "
                               "torch's OneCycleLR would stop at step {}",
                               spec.total_steps, needed, epochs, steps, spec.total_steps + 1),
                   "leave it out: pipe counts the steps from the planned training rows");
    return;
  }
  const OneCycle cycle(spec, spec.total_steps > 0 ? spec.total_steps : needed);
  if (const int phase = cycle.empty_phase())
    st.diags.error(s.param("pct_start").loc,
                   fmt::format("with 'pct_start' {} the {} steps leave phase {} of the cycle no steps, and torch divides by zero",
                               dsl::Value(spec.pct_start).str(), cycle.total_steps(), phase),
                   "change pct_start, or train for more steps");
  st.step.notes.push_back(fmt::format("stepped per batch: {} steps ({} epochs of {} batches); the rate starts at max_lr / "
                                      "div_factor = {:.6g}, not at the optimizer's lr",
                                      cycle.total_steps(), epochs, steps, spec.max_lr / spec.div_factor));
  const std::string momentum = cycled_momentum_name(st.plan.optimizer.type);
  if (spec.cycle_momentum && momentum.empty()) {
    const dsl::Param& p = s.param("cycle_momentum");
    st.diags.error(p.is_default ? s.op_loc : p.loc,
                   "'" + st.plan.optimizer.type + "' has no momentum or beta1 for one_cycle_lr to cycle",
                   "set 'cycle_momentum: false', or use an optimizer with momentum (adamw, adam, sgd, rmsprop)");
    return;
  }
  if (spec.cycle_momentum)
    st.step.notes.push_back(fmt::format("cycles {}'s {} between {} and {}", st.plan.optimizer.type, momentum,
                                        dsl::Value(spec.max_momentum).str(), dsl::Value(spec.base_momentum).str()));
}

}  // namespace

const OpDef& one_cycle_lr_op() {
  static const OpDef op{
      {"one_cycle_lr",
       dsl::OpKind::kScheduler,
       "the 1cycle policy, stepped per batch, with the momentum cycled against the rate (OneCycleLR)",
       {
           ParamSpec::number("max_lr").min(0, true).doc("the highest rate, reached after pct_start of the steps"),
           ParamSpec::integer("total_steps").min(1).optional("epochs x batches per epoch").doc("steps of the cycle"),
           ParamSpec::number("pct_start", 0.3).min(0).max(1).doc("the share of the steps spent raising the rate"),
           ParamSpec::enumeration("anneal_strategy", {"cos", "linear"}, "cos").doc("the shape of each phase"),
           ParamSpec::boolean("cycle_momentum", true).doc("cycle the momentum (beta1 of adam/adamw, momentum of sgd/rmsprop) inversely to the rate"),
           ParamSpec::number("base_momentum", 0.85).min(0).max(1, true).doc("the lowest momentum, at max_lr"),
           ParamSpec::number("max_momentum", 0.95).min(0).max(1, true).doc("the highest momentum, at the start and the end"),
           ParamSpec::number("div_factor", 25.0).min(0, true).doc("the first rate is max_lr / div_factor"),
           ParamSpec::number("final_div_factor", 1e4).min(0, true).doc("the last rate is the first / final_div_factor"),
           ParamSpec::boolean("three_phase", false).doc("fall back to the first rate before annealing (fastai's third phase)"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
