// The one place where pipe's executing library bends to the LibTorch it is built against:
// Debian's 1.13 here, PyTorch 2.x's LibTorch (CUDA) on the GPU machines. Everything else in
// runtime/exec/ is written against the API the two share; a difference found later goes here,
// keyed on TORCH_VERSION_MAJOR, not into #ifs scattered through the trainer.
#pragma once
#include <ATen/ATen.h>
#include <torch/version.h>

namespace pipeml::torch_compat {

/// exp_avg <- beta1 * exp_avg + (1 - beta1) * grad, rounded the way the installed PyTorch's
/// torch.optim.AdamW rounds it, so that pipe and Python agree to the last bit where they can:
/// 1.13 writes it mul_(beta1).add_(grad, alpha=1-beta1); 2.x writes lerp_(grad, 1-beta1).
inline void adam_first_moment(at::Tensor& exp_avg, const at::Tensor& grad, double beta1) {
#if TORCH_VERSION_MAJOR >= 2
  exp_avg.lerp_(grad, 1.0 - beta1);
#else
  exp_avg.mul_(beta1).add_(grad, 1.0 - beta1);
#endif
}

/// The same update as adam_first_moment, written as torch.optim.AdamW's multi-tensor path
/// (its default on CUDA) writes it: 1.13 _foreach_mul_ + _foreach_add_, 2.x _foreach_lerp_.
inline void adam_first_moment_foreach(at::TensorList exp_avg, at::TensorList grad, double beta1) {
#if TORCH_VERSION_MAJOR >= 2
  at::_foreach_lerp_(exp_avg, grad, 1.0 - beta1);
#else
  at::_foreach_mul_(exp_avg, beta1);
  at::_foreach_add_(exp_avg, grad, 1.0 - beta1);
#endif
}

/// A fresh CPU generator seeded like Python's `torch.Generator().manual_seed(seed)`.
inline at::Generator cpu_generator(std::uint64_t seed) { return at::detail::createCPUGenerator(seed); }

}  // namespace pipeml::torch_compat
