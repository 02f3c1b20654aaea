// op sgd: torch.optim.SGD with PyTorch's parameter names, defaults and checks. lr defaults
// to 1e-3 as in PyTorch 2.x (1.13 had no default and required it).
#include "ops/optimizer_params.h"
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  OptimizerSpec& o = optimizer_params::begin(s, st, "sgd");
  o.momentum = s.number("momentum");
  o.dampening = s.number("dampening");
  o.nesterov = s.boolean("nesterov");
  o.maximize = s.boolean("maximize");
  // torch: ValueError("Nesterov momentum requires a momentum and zero dampening")
  if (o.nesterov && (o.momentum <= 0 || o.dampening != 0)) {
    const bool no_momentum = o.momentum <= 0;
    st.diags.error(s.param("nesterov").loc,
                   no_momentum ? "Nesterov momentum needs 'momentum' above 0, got " + s.param("momentum").value.str()
                               : "Nesterov momentum needs 'dampening' 0, got " + s.param("dampening").value.str(),
                   no_momentum ? "set 'momentum' (0.9 is usual), or remove 'nesterov'" : "remove 'dampening', or 'nesterov'");
  }
}

}  // namespace

const OpDef& sgd_op() {
  static const OpDef op{
      {"sgd",
       dsl::OpKind::kOptimizer,
       "stochastic gradient descent, optionally with (Nesterov) momentum (torch.optim.SGD)",
       {
           ParamSpec::number("lr", 1e-3).min(0).doc("learning rate (PyTorch 2.x's default; 1.13 required it)"),
           ParamSpec::number("momentum", 0.0).min(0).doc("momentum factor"),
           ParamSpec::number("dampening", 0.0).doc("dampening for momentum"),
           ParamSpec::number("weight_decay", 0.0).min(0).doc("L2 penalty: weight_decay * weight is added to the gradient"),
           ParamSpec::boolean("nesterov", false).doc("Nesterov momentum (needs momentum > 0 and dampening 0)"),
           ParamSpec::boolean("maximize", false).doc("maximize the objective instead of minimizing it"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
