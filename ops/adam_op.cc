// op adam: torch.optim.Adam with PyTorch's parameter names, defaults and checks. Its
// weight_decay is an L2 penalty added to the gradient, unlike adamw's decoupled decay.
#include "ops/optimizer_params.h"
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  OptimizerSpec& o = optimizer_params::begin(s, st, "adam");
  if (!optimizer_params::read_betas(s, st, o)) return;
  o.eps = s.number("eps");
  o.amsgrad = s.boolean("amsgrad");
}

}  // namespace

const OpDef& adam_op() {
  static const OpDef op{
      {"adam",
       dsl::OpKind::kOptimizer,
       "Adam, weight decay as an L2 penalty on the gradient (torch.optim.Adam)",
       {
           ParamSpec::number("lr", 1e-3).min(0).doc("learning rate"),
           ParamSpec::float_list("betas", std::vector<double>{0.9, 0.999}).doc("coefficients of the running averages of the gradient and its square, each in [0, 1)"),
           ParamSpec::number("eps", 1e-8).min(0).doc("added to the denominator for numerical stability"),
           ParamSpec::number("weight_decay", 0.0).min(0).doc("L2 penalty: weight_decay * weight is added to the gradient"),
           ParamSpec::boolean("amsgrad", false).doc("use the AMSGrad variant"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
