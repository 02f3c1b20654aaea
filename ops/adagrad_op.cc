// op adagrad: torch.optim.Adagrad with PyTorch's parameter names, defaults and checks.
#include "ops/optimizer_params.h"
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  OptimizerSpec& o = optimizer_params::begin(s, st, "adagrad");
  o.lr_decay = s.number("lr_decay");
  o.initial_accumulator_value = s.number("initial_accumulator_value");
  o.eps = s.number("eps");
}

}  // namespace

const OpDef& adagrad_op() {
  static const OpDef op{
      {"adagrad",
       dsl::OpKind::kOptimizer,
       "scale each weight's step by its summed squared gradients (torch.optim.Adagrad)",
       {
           ParamSpec::number("lr", 1e-2).min(0).doc("learning rate"),
           ParamSpec::number("lr_decay", 0.0).min(0).doc("the rate at step t is lr / (1 + (t - 1) * lr_decay)"),
           ParamSpec::number("weight_decay", 0.0).min(0).doc("L2 penalty: weight_decay * weight is added to the gradient"),
           ParamSpec::number("initial_accumulator_value", 0.0).min(0).doc("starting value of the sums of squared gradients"),
           ParamSpec::number("eps", 1e-10).min(0).doc("added to the denominator for numerical stability"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
