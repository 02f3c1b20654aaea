// op adamw: torch.optim.AdamW with PyTorch's parameter names, defaults and checks.
#include "ops/optimizer_params.h"
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  OptimizerSpec& o = optimizer_params::begin(s, st, "adamw");
  if (!optimizer_params::read_betas(s, st, o)) return;
  o.eps = s.number("eps");
  o.amsgrad = s.boolean("amsgrad");
}

}  // namespace

const OpDef& adamw_op() {
  static const OpDef op{
      {"adamw",
       dsl::OpKind::kOptimizer,
       "Adam with decoupled weight decay (torch.optim.AdamW)",
       {
           ParamSpec::number("lr", 1e-3).min(0).doc("learning rate"),
           ParamSpec::float_list("betas", std::vector<double>{0.9, 0.999}).doc("coefficients of the running averages of the gradient and its square, each in [0, 1)"),
           ParamSpec::number("eps", 1e-8).min(0).doc("added to the denominator for numerical stability"),
           ParamSpec::number("weight_decay", 1e-2).min(0).doc("decoupled weight decay: the weights shrink by lr * weight_decay each step"),
           ParamSpec::boolean("amsgrad", false).doc("use the AMSGrad variant"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
