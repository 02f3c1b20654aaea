#include "runtime/exec/adamw.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>

#include "runtime/exec/torch_compat.h"
#include "runtime/user_error.h"

namespace pipeml {

FlatAdamW::FlatAdamW(const std::vector<at::Tensor>& params, const OptimizerSpec& spec) : spec_(spec) {
  if (spec.type != "adamw") throw UserError("optimizer '" + spec.type + "' is not supported yet (use adamw)");
  if (!(spec.lr >= 0) || !(spec.eps >= 0) || !(spec.weight_decay >= 0) || !(spec.beta1 >= 0 && spec.beta1 < 1) ||
      !(spec.beta2 >= 0 && spec.beta2 < 1))
    throw UserError("adamw needs lr, eps, weight_decay >= 0 and betas in [0, 1)");
  std::int64_t total = 0;
  for (const auto& p : params) total += p.numel();
  const auto options = params.empty() ? at::TensorOptions(at::kFloat) : params.front().options();
  c10::NoGradGuard no_grad;
  param_ = at::empty({total}, options);
  grad_ = at::zeros({total}, options);
  exp_avg_ = at::zeros({total}, options);
  exp_avg_sq_ = at::zeros({total}, options);
  denom_ = at::empty({total}, options);
  if (spec.amsgrad) max_exp_avg_sq_ = at::zeros({total}, options);
  std::int64_t offset = 0;
  for (at::Tensor p : params) {  // a handle: set_data/mutable_grad act on the module's own tensor
    const std::int64_t n = p.numel();
    at::Tensor slice = param_.narrow(0, offset, n);
    slice.copy_(p.detach().reshape({n}));
    p.set_data(slice.view(p.sizes()));
    p.mutable_grad() = grad_.narrow(0, offset, n).view(p.sizes());
    offset += n;
  }
}

void FlatAdamW::zero_grad() { grad_.zero_(); }

void FlatAdamW::step(double lr) {
  c10::NoGradGuard no_grad;
  steps_ += 1;
  const double bias_correction1 = 1 - std::pow(spec_.beta1, steps_);
  const double bias_correction2 = 1 - std::pow(spec_.beta2, steps_);
  if (param_.is_cuda())
    update_multi_tensor(lr, lr / bias_correction1, std::sqrt(bias_correction2));
  else
    update_single_tensor(lr, lr / bias_correction1, std::sqrt(bias_correction2));
}

// The statements of torch.optim.AdamW's _single_tensor_adamw, in its order, with its scalars.
void FlatAdamW::update_single_tensor(double lr, double step_size, double bias_correction2_sqrt) {
  const double decay = 1 - lr * spec_.weight_decay;
  if (decay != 1.0) param_.mul_(decay);  // x * 1 == x: skipping it changes nothing
  torch_compat::adam_first_moment(exp_avg_, grad_, spec_.beta1);
  exp_avg_sq_.mul_(spec_.beta2).addcmul_(grad_, grad_, 1 - spec_.beta2);
  if (spec_.amsgrad) {
    at::maximum_out(max_exp_avg_sq_, max_exp_avg_sq_, exp_avg_sq_);
    at::sqrt_out(denom_, max_exp_avg_sq_);
  } else {
    at::sqrt_out(denom_, exp_avg_sq_);
  }
  denom_.div_(bias_correction2_sqrt).add_(spec_.eps);
  param_.addcdiv_(exp_avg_, denom_, -step_size);
}

// The statements of _multi_tensor_adamw, on one-tensor lists, with its scalar lists: on CUDA
// some of its kernels round differently from the single-tensor ones (2.11: dividing by a
// scalar list divides, where div_(scalar) multiplies by the reciprocal), and Python uses
// them there by default.
void FlatAdamW::update_multi_tensor(double lr, double step_size, double bias_correction2_sqrt) {
  const at::TensorList param(param_), grad(grad_), exp_avg(exp_avg_), exp_avg_sq(exp_avg_sq_), denom(denom_);
  if (spec_.weight_decay != 0) at::_foreach_mul_(param, 1 - lr * spec_.weight_decay);
  torch_compat::adam_first_moment_foreach(exp_avg, grad, spec_.beta1);
  at::_foreach_mul_(exp_avg_sq, spec_.beta2);
  at::_foreach_addcmul_(exp_avg_sq, grad, grad, 1 - spec_.beta2);
  if (spec_.amsgrad) {
    at::maximum_out(max_exp_avg_sq_, max_exp_avg_sq_, exp_avg_sq_);  // exact: any kernel will do
    at::sqrt_out(denom_, max_exp_avg_sq_);                             // correctly rounded everywhere
  } else {
    at::sqrt_out(denom_, exp_avg_sq_);
  }
  const at::Scalar divisor(bias_correction2_sqrt), value(-step_size);
  at::_foreach_div_(denom, at::ArrayRef<at::Scalar>(divisor));
  at::_foreach_add_(denom, spec_.eps);
  at::_foreach_addcdiv_(param, exp_avg, denom, at::ArrayRef<at::Scalar>(value));
}

}  // namespace pipeml
