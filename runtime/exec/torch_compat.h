// The one place where pipe's executing library bends to the LibTorch it is built against:
// Debian's 1.13 here, PyTorch 2.x's LibTorch (CUDA) on the GPU machines. Everything else in
// runtime/exec/ is written against the API the two share; a difference found later goes here,
// keyed on TORCH_VERSION_MAJOR, not into #ifs scattered through the trainer.
#pragma once
#include <ATen/ATen.h>
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <numeric>
#include <vector>

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

/// The total 2-norm of `grads` as torch.nn.utils.clip_grad_norm_ computes it: the norm of the
/// stack of per-tensor norms. 1.13 writes torch.norm(g, 2) (at::norm over every dimension);
/// 2.x torch.linalg.vector_norm, on CUDA over torch._foreach_norm's per-tensor norms.
inline at::Tensor total_grad_norm(const std::vector<at::Tensor>& grads) {
  std::vector<at::Tensor> norms;
  norms.reserve(grads.size());
#if TORCH_VERSION_MAJOR >= 2
  if (!grads.empty() && grads.front().is_cuda()) {
    norms = at::_foreach_norm(grads, 2.0);
  } else {
    for (const auto& g : grads) norms.push_back(at::linalg_vector_norm(g, 2.0));
  }
  return at::linalg_vector_norm(at::stack(norms), 2.0);
#else
  auto all_dims = [](const at::Tensor& t) {
    std::vector<std::int64_t> d(static_cast<std::size_t>(t.dim()));
    std::iota(d.begin(), d.end(), 0);
    return d;
  };
  for (const auto& g : grads) norms.push_back(at::norm(g, 2.0, all_dims(g), false));
  const at::Tensor stacked = at::stack(norms);
  return at::norm(stacked, 2.0, all_dims(stacked), false);
#endif
}

/// CUDA autocast to `dtype` while it lives (torch.autocast("cuda", dtype=...)), restoring
/// what was set before; does nothing when not `enabled`. 1.13 has at::autocast::set_enabled
/// and set_autocast_gpu_dtype, 2.x the same keyed by device type.
class CudaAutocast {
 public:
  CudaAutocast(bool enabled, at::ScalarType dtype) : enabled_(enabled) {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR >= 2
    prev_enabled_ = at::autocast::is_autocast_enabled(at::kCUDA);
    prev_dtype_ = at::autocast::get_autocast_dtype(at::kCUDA);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
    at::autocast::set_autocast_dtype(at::kCUDA, dtype);
#else
    prev_enabled_ = at::autocast::is_enabled();
    prev_dtype_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_enabled(true);
    at::autocast::set_autocast_gpu_dtype(dtype);
#endif
    at::autocast::increment_nesting();
  }
  ~CudaAutocast() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#if TORCH_VERSION_MAJOR >= 2
    at::autocast::set_autocast_enabled(at::kCUDA, prev_enabled_);
    at::autocast::set_autocast_dtype(at::kCUDA, prev_dtype_);
#else
    at::autocast::set_enabled(prev_enabled_);
    at::autocast::set_autocast_gpu_dtype(prev_dtype_);
#endif
  }
  CudaAutocast(const CudaAutocast&) = delete;
  CudaAutocast& operator=(const CudaAutocast&) = delete;

 private:
  bool enabled_;
  bool prev_enabled_ = false;
  at::ScalarType prev_dtype_ = at::kHalf;
};

/// A fresh CPU generator seeded like Python's `torch.Generator().manual_seed(seed)`.
inline at::Generator cpu_generator(std::uint64_t seed) { return at::detail::createCPUGenerator(seed); }

}  // namespace pipeml::torch_compat
