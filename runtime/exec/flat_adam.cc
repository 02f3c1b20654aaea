// torch.optim.Adam and torch.optim.AdamW: the same moments, the weight decay either added to
// the gradient (Adam's L2 penalty) or applied to the weights (AdamW's decoupled decay).
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <cmath>

#include "runtime/exec/flat_optimizer.h"
#include "runtime/exec/fused_ops.h"
#include "runtime/exec/torch_compat.h"

namespace pipeml {
namespace {

class FlatAdam final : public FlatOptimizer {
 public:
  FlatAdam(const std::vector<at::Tensor>& params, const OptimizerSpec& spec)
      : FlatOptimizer(params), spec_(spec), decoupled_(spec.type == "adamw") {
    exp_avg_ = state();
    exp_avg_sq_ = state();
    denom_ = state();
    if (spec.amsgrad) max_exp_avg_sq_ = state();
    if (!decoupled_ && spec.weight_decay != 0) decayed_grad_ = state();
  }

  void step(double lr) override {
    c10::NoGradGuard no_grad;
    steps_ += 1;
    const double bias_correction1 = 1 - std::pow(spec_.beta1, steps_);
    const double bias_correction2 = 1 - std::pow(spec_.beta2, steps_);
    if (on_cuda())
      update_multi_tensor(lr, lr / bias_correction1, std::sqrt(bias_correction2));
    else
      update_single_tensor(lr, lr / bias_correction1, std::sqrt(bias_correction2));
  }

  void set_momentum(double beta1) override { spec_.beta1 = beta1; }

  bool capturable() const override { return true; }
  bool use_fused_step() override { return fused_ = on_cuda() && fused_kernels_available(); }

  // _single_tensor_adam(w)'s capturable branch: bias corrections from a step tensor, the
  // rate a tensor; every operation a kernel, none a host read. With use_fused_step, one
  // kernel of pipe's with _fused_adam(w)'s formula instead, which also advances the count.
  void step_on_device(const at::Tensor& lr) override {
    c10::NoGradGuard no_grad;
    if (!step_t_.defined()) step_t_ = at::zeros({}, param_.options());
    if (fused_) {  // the kernel advances the count too
      if (!arrived_.defined()) arrived_ = at::zeros({1}, param_.options().dtype(at::kInt));
      if (fused_adam_step(param_, grad_, exp_avg_, exp_avg_sq_, max_exp_avg_sq_, step_t_, arrived_, lr, spec_.beta1,
                          spec_.beta2, spec_.weight_decay, spec_.eps, decoupled_)) {
        grad_zeroed_ = true;
        return;
      }
    }
    step_t_.add_(1);
    at::Tensor grad = grad_;
    if (spec_.weight_decay != 0) {
      if (decoupled_) param_.mul_(lr.mul(-spec_.weight_decay).add_(1));
      else grad = at::add_out(decayed_grad_, grad_, param_, spec_.weight_decay);
    }
    torch_compat::running_average(exp_avg_, grad, spec_.beta1);
    exp_avg_sq_.mul_(spec_.beta2).addcmul_(grad, grad, 1 - spec_.beta2);
    const at::Tensor bias_correction1 = at::pow(spec_.beta1, step_t_).neg_().add_(1);
    const at::Tensor bias_correction2_sqrt = at::pow(spec_.beta2, step_t_).neg_().add_(1).sqrt_();
    const at::Tensor step_size = lr / bias_correction1;
    sqrt_second_moment();
    denom_.div_(bias_correction2_sqrt).add_(spec_.eps);
    param_.addcdiv_(exp_avg_, denom_.div_(step_size).neg_());
  }

 private:
  StateSlots state_slots() override {
    return {{{"exp_avg", &exp_avg_}, {"exp_avg_sq", &exp_avg_sq_}, {"max_exp_avg_sq", &max_exp_avg_sq_}, {"step_t", &step_t_}},
            {{"step", &steps_}}};
  }

  // The statements of _single_tensor_adam / _single_tensor_adamw, in their order, with their
  // scalars (the same in 1.13 and 2.x but for the first moment: torch_compat).
  void update_single_tensor(double lr, double step_size, double bias_correction2_sqrt) {
    at::Tensor grad = grad_;
    if (spec_.weight_decay != 0) {
      if (decoupled_) {
        param_.mul_(1 - lr * spec_.weight_decay);
      } else {
        at::add_out(decayed_grad_, grad_, param_, spec_.weight_decay);  // grad.add(param, alpha=wd)
        grad = decayed_grad_;
      }
    }
    torch_compat::running_average(exp_avg_, grad, spec_.beta1);
    exp_avg_sq_.mul_(spec_.beta2).addcmul_(grad, grad, 1 - spec_.beta2);
    sqrt_second_moment();
    denom_.div_(bias_correction2_sqrt).add_(spec_.eps);
    param_.addcdiv_(exp_avg_, denom_, -step_size);
  }

  // The statements of 2.x's _multi_tensor_adam(w), on one-tensor lists, with its scalar lists:
  // on CUDA some of its kernels round differently from the single-tensor ones (2.11: dividing
  // by a scalar list divides, where div_(scalar) multiplies by the reciprocal), and Python uses
  // them there by default.
  void update_multi_tensor(double lr, double step_size, double bias_correction2_sqrt) {
    const at::TensorList param(param_), exp_avg(exp_avg_), exp_avg_sq(exp_avg_sq_), denom(denom_);
    std::vector<at::Tensor> decayed;
    at::TensorList grad(grad_);
    if (spec_.weight_decay != 0) {
      if (decoupled_) {
        at::_foreach_mul_(param, 1 - lr * spec_.weight_decay);
      } else {
        decayed = at::_foreach_add(grad, param, spec_.weight_decay);
        grad = decayed;
      }
    }
    torch_compat::running_average_foreach(exp_avg, grad, spec_.beta1);
    at::_foreach_mul_(exp_avg_sq, spec_.beta2);
    at::_foreach_addcmul_(exp_avg_sq, grad, grad, 1 - spec_.beta2);
    sqrt_second_moment();
    const at::Scalar divisor(bias_correction2_sqrt), value(-step_size);
    at::_foreach_div_(denom, at::ArrayRef<at::Scalar>(divisor));
    at::_foreach_add_(denom, spec_.eps);
    at::_foreach_addcdiv_(param, exp_avg, denom, at::ArrayRef<at::Scalar>(value));
  }

  // denom = sqrt(v), v the second moment, or with amsgrad its running maximum: exact
  // operations (maximum, a correctly rounded sqrt), so every path may share them.
  void sqrt_second_moment() {
    if (spec_.amsgrad) {
      at::maximum_out(max_exp_avg_sq_, max_exp_avg_sq_, exp_avg_sq_);
      at::sqrt_out(denom_, max_exp_avg_sq_);
    } else {
      at::sqrt_out(denom_, exp_avg_sq_);
    }
  }

  OptimizerSpec spec_;
  bool decoupled_;
  double steps_ = 0;  // Python keeps the step count as a float tensor and reads it with item()
  at::Tensor exp_avg_, exp_avg_sq_, max_exp_avg_sq_, denom_, decayed_grad_;
  at::Tensor step_t_;  // step_on_device's count, on the device
  bool fused_ = false;  // step_on_device by fused_adam_step
  at::Tensor arrived_;  // fused_adam_step's scratch (zero between steps)
};

}  // namespace

std::unique_ptr<FlatOptimizer> make_flat_adam(const std::vector<at::Tensor>& params, const OptimizerSpec& spec) {
  return std::make_unique<FlatAdam>(params, spec);
}

}  // namespace pipeml
