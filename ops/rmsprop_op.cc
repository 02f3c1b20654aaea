// op rmsprop: torch.optim.RMSprop with PyTorch's parameter names, defaults and checks.
#include "ops/optimizer_params.h"
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  OptimizerSpec& o = optimizer_params::begin(s, st, "rmsprop");
  o.alpha = s.number("alpha");
  o.eps = s.number("eps");
  o.momentum = s.number("momentum");
  o.centered = s.boolean("centered");
}

}  // namespace

const OpDef& rmsprop_op() {
  static const OpDef op{
      {"rmsprop",
       dsl::OpKind::kOptimizer,
       "divide the gradient by a running average of its magnitude (torch.optim.RMSprop)",
       {
           ParamSpec::number("lr", 1e-2).min(0).doc("learning rate"),
           ParamSpec::number("alpha", 0.99).min(0).doc("smoothing constant of the running average of the squared gradient"),
           ParamSpec::number("eps", 1e-8).min(0).doc("added to the denominator for numerical stability"),
           ParamSpec::number("weight_decay", 0.0).min(0).doc("L2 penalty: weight_decay * weight is added to the gradient"),
           ParamSpec::number("momentum", 0.0).min(0).doc("momentum factor"),
           ParamSpec::boolean("centered", false).doc("normalize by an estimate of the gradient's variance"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
