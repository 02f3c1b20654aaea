// torch.optim.RMSprop: a running average of the squared gradient (alpha), optionally centered
// by the running average of the gradient, with optional momentum and L2 weight decay.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "runtime/exec/flat_optimizer.h"
#include "runtime/exec/torch_compat.h"

namespace pipeml {
namespace {

class FlatRmsprop final : public FlatOptimizer {
 public:
  FlatRmsprop(const std::vector<at::Tensor>& params, const OptimizerSpec& spec)
      : FlatOptimizer(params), spec_(spec) {
    square_avg_ = state();
    avg_ = state();
    if (spec.centered) grad_avg_ = state();
    if (spec.weight_decay != 0) decayed_grad_ = state();
  }

  void step(double lr) override {
    c10::NoGradGuard no_grad;
    // Python makes the buffer at the first step if momentum > 0 then (zeros); a momentum that
    // a scheduler turns on later gets one here at that step.
    if (spec_.momentum > 0 && !momentum_buffer_.defined()) momentum_buffer_ = state();
    if (on_cuda())
      update_multi_tensor(lr);
    else
      update_single_tensor(lr);
  }

  void set_momentum(double momentum) override { spec_.momentum = momentum; }

 private:
  StateSlots state_slots() override {
    return {{{"square_avg", &square_avg_}, {"grad_avg", &grad_avg_}, {"momentum_buffer", &momentum_buffer_}}, {}};
  }

  // The statements of _single_tensor_rmsprop, in its order (1.13 and 2.x differ only in the
  // centered grad_avg's running average: torch_compat).
  void update_single_tensor(double lr) {
    at::Tensor grad = grad_;
    if (spec_.weight_decay != 0) grad = at::add_out(decayed_grad_, grad_, param_, spec_.weight_decay);
    square_avg_.mul_(spec_.alpha).addcmul_(grad, grad, 1 - spec_.alpha);
    if (spec_.centered) {
      torch_compat::running_average(grad_avg_, grad, spec_.alpha);
      at::addcmul_out(avg_, square_avg_, grad_avg_, grad_avg_, -1).sqrt_();
    } else {
      at::sqrt_out(avg_, square_avg_);
    }
    avg_.add_(spec_.eps);
    if (spec_.momentum > 0) {
      momentum_buffer_.mul_(spec_.momentum).addcdiv_(grad, avg_);
      param_.add_(momentum_buffer_, -lr);
    } else {
      param_.addcdiv_(grad, avg_, -lr);
    }
  }

  // 2.x's _multi_tensor_rmsprop on one-tensor lists: its _foreach kernels, its order.
  void update_multi_tensor(double lr) {
    const at::TensorList param(param_), square_avg(square_avg_);
    std::vector<at::Tensor> grad{grad_}, avg;
    if (spec_.weight_decay != 0) grad = at::_foreach_add(grad, param, spec_.weight_decay);
    at::_foreach_mul_(square_avg, spec_.alpha);
    at::_foreach_addcmul_(square_avg, grad, grad, 1 - spec_.alpha);
    if (spec_.centered) {
      torch_compat::running_average_foreach(at::TensorList(grad_avg_), grad, spec_.alpha);
      avg = at::_foreach_addcmul(square_avg, at::TensorList(grad_avg_), at::TensorList(grad_avg_), -1);
      at::_foreach_sqrt_(avg);
    } else {
      avg = at::_foreach_sqrt(square_avg);
    }
    at::_foreach_add_(avg, spec_.eps);
    if (spec_.momentum > 0) {
      const at::TensorList buf(momentum_buffer_);
      at::_foreach_mul_(buf, spec_.momentum);
      at::_foreach_addcdiv_(buf, grad, avg);
      at::_foreach_add_(param, buf, -lr);
    } else {
      at::_foreach_addcdiv_(param, grad, avg, -lr);
    }
  }

  OptimizerSpec spec_;
  at::Tensor square_avg_, grad_avg_, momentum_buffer_, avg_, decayed_grad_;
};

}  // namespace

std::unique_ptr<FlatOptimizer> make_flat_rmsprop(const std::vector<at::Tensor>& params, const OptimizerSpec& spec) {
  return std::make_unique<FlatRmsprop>(params, spec);
}

}  // namespace pipeml
