// The one place where pipe's executing library bends to the LibTorch it is built against:
// Debian's 1.13 here, PyTorch 2.x's LibTorch (CUDA) on the GPU machines. Everything else in
// runtime/exec/ is written against the API the two share; a difference found later goes here,
// keyed on TORCH_VERSION_MAJOR, not into #ifs scattered through the trainer.
#pragma once
#include <ATen/ATen.h>
#include <torch/version.h>

namespace pipeml::torch_compat {

/// avg <- beta * avg + (1 - beta) * x — Adam's and AdamW's first moment (beta1), centered
/// RMSprop's grad_avg (alpha) — rounded the way the installed PyTorch's torch.optim rounds it,
/// so that pipe and Python agree to the last bit where they can: 1.13 writes it
/// mul_(beta).add_(x, alpha=1-beta); 2.x writes lerp_(x, 1-beta).
/// Whether running_average rounds as lerp (2.x) rather than mul + add (1.13, the version
/// the committed optimizer fixtures come from).
#if TORCH_VERSION_MAJOR >= 2
inline constexpr bool kRunningAverageIsLerp = true;
#else
inline constexpr bool kRunningAverageIsLerp = false;
#endif

inline void running_average(at::Tensor& avg, const at::Tensor& x, double beta) {
#if TORCH_VERSION_MAJOR >= 2
  avg.lerp_(x, 1.0 - beta);
#else
  avg.mul_(beta).add_(x, 1.0 - beta);
#endif
}

/// The same update as running_average, written as torch.optim's multi-tensor paths (their
/// default on CUDA) write it: 1.13 _foreach_mul_ + _foreach_add_, 2.x _foreach_lerp_.
inline void running_average_foreach(at::TensorList avg, at::TensorList x, double beta) {
#if TORCH_VERSION_MAJOR >= 2
  at::_foreach_lerp_(avg, x, 1.0 - beta);
#else
  at::_foreach_mul_(avg, beta);
  at::_foreach_add_(avg, x, 1.0 - beta);
#endif
}

/// A fresh CPU generator seeded like Python's `torch.Generator().manual_seed(seed)`.
inline at::Generator cpu_generator(std::uint64_t seed) { return at::detail::createCPUGenerator(seed); }

}  // namespace pipeml::torch_compat
