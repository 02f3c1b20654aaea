#include "ops/optimizer_params.h"

namespace pipeml::optimizer_params {

OptimizerSpec& begin(const dsl::Stage& s, PlanState& st, const char* type) {
  OptimizerSpec& o = st.plan.optimizer;
  o = OptimizerSpec{};
  o.type = type;
  o.lr = s.number("lr");
  o.weight_decay = s.number("weight_decay");
  return o;
}

bool read_betas(const dsl::Stage& s, PlanState& st, OptimizerSpec& o) {
  const auto& betas = s.param("betas");
  const auto& b = betas.value.as_float_list();
  if (b.size() != 2) {
    st.diags.error(betas.loc, "expected two numbers in [0, 1) for 'betas', got " + betas.value.str());
    return false;
  }
  for (std::size_t i = 0; i < 2; ++i)
    if (!(b[i] >= 0 && b[i] < 1)) {
      st.diags.error(betas.item_loc(i), "expected two numbers in [0, 1) for 'betas', got " + betas.value.str(),
                     i == 0 ? "beta1 weighs the running average of the gradient (0.9 is usual)"
                            : "beta2 weighs the running average of its square (0.999 is usual)");
      return false;
    }
  o.beta1 = b[0];
  o.beta2 = b[1];
  return true;
}

}  // namespace pipeml::optimizer_params
