// torch.optim.SGD: optional L2 weight decay, momentum with dampening, Nesterov, maximize.
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include "runtime/exec/flat_optimizer.h"

namespace pipeml {
namespace {

class FlatSgd final : public FlatOptimizer {
 public:
  FlatSgd(const std::vector<at::Tensor>& params, const OptimizerSpec& spec) : FlatOptimizer(params), spec_(spec) {
    if (spec.maximize || spec.weight_decay != 0 || spec.nesterov) d_p_ = state();
  }

  void step(double lr) override {
    c10::NoGradGuard no_grad;
    if (on_cuda())
      update_multi_tensor(lr);
    else
      update_single_tensor(lr);
  }

  void set_momentum(double momentum) override { spec_.momentum = momentum; }

 private:
  StateSlots state_slots() override { return {{{"momentum_buffer", &buf_}}, {}}; }

  // The statements of _single_tensor_sgd (the same in 1.13 and 2.x), in its order. Python's
  // out-of-place d_p = grad.add(...) are written into d_p_, which rounds the same.
  void update_single_tensor(double lr) {
    at::Tensor d_p = grad_;
    if (spec_.maximize) d_p = at::neg_out(d_p_, d_p);
    if (spec_.weight_decay != 0) d_p = at::add_out(d_p_, d_p, param_, spec_.weight_decay);
    if (spec_.momentum != 0) {
      if (!buf_.defined()) {
        buf_ = d_p.clone();  // the first step: torch.clone(d_p).detach()
      } else {
        buf_.mul_(spec_.momentum).add_(d_p, 1 - spec_.dampening);
      }
      d_p = spec_.nesterov ? at::add_out(d_p_, d_p, buf_, spec_.momentum) : buf_;
    }
    param_.add_(d_p, -lr);
  }

  // 2.x's _multi_tensor_sgd on one-tensor lists: the _foreach kernels, which on CUDA may round
  // differently from the single-tensor ones. (It adds Nesterov's term into the gradients in
  // place; here into d_p_, as in the single-tensor path: the gradients are zeroed or
  // overwritten before the next step either way.)
  void update_multi_tensor(double lr) {
    std::vector<at::Tensor> d_p{grad_};
    if (spec_.maximize) d_p = at::_foreach_neg(d_p);
    if (spec_.weight_decay != 0) d_p = at::_foreach_add(d_p, at::TensorList(param_), spec_.weight_decay);
    if (spec_.momentum != 0) {
      if (!buf_.defined()) {
        buf_ = d_p[0].clone();
      } else {
        at::_foreach_mul_(at::TensorList(buf_), spec_.momentum);
        at::_foreach_add_(at::TensorList(buf_), d_p, 1 - spec_.dampening);
      }
      if (spec_.nesterov) {
        if (d_p[0].is_same(grad_)) d_p = {d_p_.copy_(grad_)};
        at::_foreach_add_(d_p, at::TensorList(buf_), spec_.momentum);
      } else {
        d_p = {buf_};
      }
    }
    at::_foreach_add_(at::TensorList(param_), d_p, -lr);
  }

  OptimizerSpec spec_;
  at::Tensor d_p_, buf_;  // buf_: the momentum buffer, made at the first step with momentum
};

}  // namespace

std::unique_ptr<FlatOptimizer> make_flat_sgd(const std::vector<at::Tensor>& params, const OptimizerSpec& spec) {
  return std::make_unique<FlatSgd>(params, spec);
}

}  // namespace pipeml
