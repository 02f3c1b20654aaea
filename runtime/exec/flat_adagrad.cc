// torch.optim.Adagrad: the sum of squared gradients scales each step; the learning rate
// decays as lr / (1 + (step - 1) * lr_decay); optional L2 weight decay.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "runtime/exec/flat_optimizer.h"

namespace pipeml {
namespace {

class FlatAdagrad final : public FlatOptimizer {
 public:
  FlatAdagrad(const std::vector<at::Tensor>& params, const OptimizerSpec& spec)
      : FlatOptimizer(params), spec_(spec) {
    sum_ = state(spec.initial_accumulator_value);  // torch.full_like(p, initial_accumulator_value)
    std_ = state();
    if (spec.weight_decay != 0) decayed_grad_ = state();
  }

  void step(double lr) override {
    c10::NoGradGuard no_grad;
    steps_ += 1;  // a float tensor in Python, read with item()
    const double clr = lr / (1 + (steps_ - 1) * spec_.lr_decay);
    if (on_cuda())
      update_multi_tensor(clr);
    else
      update_single_tensor(clr);
  }

 private:
  StateSlots state_slots() override { return {{{"sum", &sum_}}, {{"step", &steps_}}}; }

  // The statements of _single_tensor_adagrad (the same in 1.13 and 2.x), in its order.
  void update_single_tensor(double clr) {
    at::Tensor grad = grad_;
    if (spec_.weight_decay != 0) grad = at::add_out(decayed_grad_, grad_, param_, spec_.weight_decay);
    sum_.addcmul_(grad, grad, 1);
    at::sqrt_out(std_, sum_).add_(spec_.eps);
    param_.addcdiv_(grad, std_, -clr);
  }

  // 2.x's _multi_tensor_adagrad on one-tensor lists: it scales the gradient by -clr first
  // and adds grad / std after, which rounds differently from the single-tensor path.
  void update_multi_tensor(double clr) {
    const at::TensorList param(param_), sum(sum_);
    std::vector<at::Tensor> grad{grad_};
    if (spec_.weight_decay != 0) grad = at::_foreach_add(grad, param, spec_.weight_decay);
    const at::Scalar minus_clr(-clr);
    at::_foreach_addcmul_(sum, grad, grad, 1);
    std::vector<at::Tensor> std_dev = at::_foreach_sqrt(sum);
    at::_foreach_add_(std_dev, spec_.eps);
    std::vector<at::Tensor> numerator = at::_foreach_mul(grad, at::ArrayRef<at::Scalar>(minus_clr));
    at::_foreach_addcdiv_(param, numerator, std_dev);
  }

  OptimizerSpec spec_;
  double steps_ = 0;
  at::Tensor sum_, std_, decayed_grad_;
};

}  // namespace

std::unique_ptr<FlatOptimizer> make_flat_adagrad(const std::vector<at::Tensor>& params, const OptimizerSpec& spec) {
  return std::make_unique<FlatAdagrad>(params, spec);
}

}  // namespace pipeml
