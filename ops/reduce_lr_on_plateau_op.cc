// op reduce_lr_on_plateau: torch.optim.lr_scheduler.ReduceLROnPlateau, stepped after each
// epoch's validation with the monitored value. Its rates depend on the run: the plan shows
// the rule, the trainer feeds runtime/lr_schedule.cc's Plateau.
#include <fmt/format.h>

#include "ops/monitor.h"
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  SchedulerSpec& spec = st.plan.schedule = SchedulerSpec{};
  spec.type = "reduce_lr_on_plateau";
  spec.monitor = s.string("monitor");
  spec.mode = s.string("mode");
  spec.factor = s.number("factor");
  spec.patience = s.integer("patience");
  spec.threshold = s.number("threshold");
  spec.threshold_mode = s.string("threshold_mode");
  spec.cooldown = s.integer("cooldown");
  spec.min_lr = s.number("min_lr");
  spec.eps = s.number("eps");

  const dsl::Param& monitor = s.param("monitor");
  const dsl::Loc& at = monitor.is_default ? s.op_loc : monitor.loc;
  if (!check_monitor(spec.monitor, "'reduce_lr_on_plateau'", at, st)) return;
  note_unusual_mode(spec.mode, spec.monitor, st);
}

}  // namespace

const OpDef& reduce_lr_on_plateau_op() {
  static const OpDef op{
      {"reduce_lr_on_plateau",
       dsl::OpKind::kScheduler,
       "lower the learning rate when a validation value stops improving (ReduceLROnPlateau)",
       {
           ParamSpec::string("monitor", "val_loss").doc("the validation value watched: val_loss, val_accuracy (classifier) or val_mae (regression)"),
           ParamSpec::enumeration("mode", {"min", "max"}, "min").doc("min: lower is better; max: higher is better"),
           ParamSpec::number("factor", 0.1).min(0, true).max(1, true).doc("new rate = rate * factor"),
           ParamSpec::integer("patience", 10).min(0).doc("epochs without improvement before the rate is lowered"),
           ParamSpec::number("threshold", 1e-4).min(0).doc("the least change that counts as an improvement"),
           ParamSpec::enumeration("threshold_mode", {"rel", "abs"}, "rel").doc("rel: threshold is relative to the best value; abs: absolute"),
           ParamSpec::integer("cooldown", 0).min(0).doc("epochs to wait after a reduction before counting again"),
           ParamSpec::number("min_lr", 0.0).min(0).doc("the rate is never lowered below this"),
           ParamSpec::number("eps", 1e-8).min(0).doc("a reduction smaller than this is skipped"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
