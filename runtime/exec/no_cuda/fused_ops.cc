// A build without CUDA kernels (no CUDA in LibTorch, or no nvcc): see runtime/exec/fused_ops.h.
#include "runtime/exec/fused_ops.h"

#include <stdexcept>

namespace pipeml {

bool fused_kernels_available() { return false; }

bool fused_bn_relu_pool_takes(const at::Tensor&) { return false; }

at::Tensor fused_bn_relu_pool(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&,
                              const at::Tensor&, const at::Tensor&, double, double, const at::Tensor&) {
  throw std::logic_error("fused_bn_relu_pool: this build has no CUDA kernels");
}

bool fused_first_conv_takes(const at::Tensor&, const at::Tensor&) { return false; }

at::Tensor fused_first_conv(const at::Tensor&, const at::Tensor&, bool) {
  throw std::logic_error("fused_first_conv: this build has no CUDA kernels");
}

bool fused_conv2d_takes(const at::Tensor&, const at::Tensor&, const at::Tensor&) { return false; }

at::Tensor fused_conv2d(const at::Tensor&, const at::Tensor&, const at::Tensor&, at::IntArrayRef, at::IntArrayRef,
                        at::IntArrayRef, std::int64_t, bool) {
  throw std::logic_error("fused_conv2d: this build has no CUDA kernels");
}

std::vector<at::Tensor> fused_bf16_weights(const std::vector<at::Tensor>&) { return {}; }

bool fused_add_correct(const at::Tensor&, const at::Tensor&, at::Tensor&) { return false; }

bool fused_cross_entropy_takes(const at::Tensor&, const at::Tensor&) { return false; }

at::Tensor fused_cross_entropy(const at::Tensor&, const at::Tensor&) {
  throw std::logic_error("fused_cross_entropy: this build has no CUDA kernels");
}

bool fused_linear_head_takes(const at::Tensor&, const at::Tensor&, const at::Tensor&, bool) { return false; }

at::Tensor fused_linear_head(const at::Tensor&, const at::Tensor&, const at::Tensor&) {
  throw std::logic_error("fused_linear_head: this build has no CUDA kernels");
}

bool fused_select_batch(const at::Tensor&, const at::Tensor&, const at::Tensor&, std::int64_t, at::Tensor&, at::Tensor&) {
  return false;
}

bool fused_record_loss(const at::Tensor&, const at::Tensor&, const at::Tensor&, bool) { return false; }

bool fused_record_step(const at::Tensor&, const at::Tensor&, const at::Tensor&, bool, const at::Tensor&, const at::Tensor&,
                       at::Tensor&) {
  return false;
}

void join_side_stream(const at::Device&) {}

bool fused_add_column_sums(const at::Tensor&, const at::Tensor&) { return false; }

bool fused_adam_step(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&,
                     const at::Tensor&, const at::Tensor&, const at::Tensor&, double, double, double, double, bool) {
  return false;
}

at::Tensor fused_augment(const at::Tensor&, cuda_kernels::Augment, at::Tensor*) {
  throw std::logic_error("fused_augment: this build has no CUDA kernels");
}

}  // namespace pipeml
