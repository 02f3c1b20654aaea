// op adamw: torch.optim.AdamW with PyTorch's parameter names and defaults.
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  OptimizerSpec& o = st.plan.optimizer;
  o.type = "adamw";
  o.lr = s.number("lr");
  const auto& betas = s.param("betas");
  const auto& b = betas.value.as_float_list();
  if (b.size() != 2 || b[0] < 0 || b[0] >= 1 || b[1] < 0 || b[1] >= 1) {
    st.diags.error(betas.loc, "expected two numbers in [0, 1) for 'betas', got " + betas.value.str());
    return;
  }
  o.beta1 = b[0];
  o.beta2 = b[1];
  o.eps = s.number("eps");
  o.weight_decay = s.number("weight_decay");
  o.amsgrad = s.boolean("amsgrad");
}

}  // namespace

const OpDef& adamw_op() {
  static const OpDef op{
      {"adamw",
       dsl::OpKind::kOptimizer,
       "Adam with decoupled weight decay (torch.optim.AdamW)",
       {
           ParamSpec::number("lr", 1e-3).min(0, true).doc("learning rate"),
           ParamSpec::float_list("betas", std::vector<double>{0.9, 0.999}).doc("coefficients of the running averages of the gradient and its square"),
           ParamSpec::number("eps", 1e-8).min(0, true).doc("added to the denominator for numerical stability"),
           ParamSpec::number("weight_decay", 1e-2).min(0).doc("decoupled weight decay"),
           ParamSpec::boolean("amsgrad", false).doc("use the AMSGrad variant"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
