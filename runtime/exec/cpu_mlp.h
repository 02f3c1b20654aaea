// The CPU training step of a build_mlp model, with the backward pass written out instead of
// recorded by autograd. For the heart recipe, autograd's bookkeeping (~100 us a step) and the
// reference BLAS that Debian's LibTorch calls (~200 us a step) were most of the training time.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/util/Optional.h>
#include <torch/nn/modules/container/sequential.h>

#include <memory>
#include <vector>

namespace pipeml {

/// Forward and backward of a torch::nn::Sequential made by build_mlp, on the CPU, computing
/// what model->forward + BCEWithLogitsLoss + loss.backward() compute, to the bit on the
/// LibTorch this is built against (see cpu_gemm.h for the one assumption, and the tests):
/// the elementwise work, BatchNorm and the loss are the very ATen kernels autograd would
/// call; the matrix products are cpu::gemm; dropout draws from torch's default generator as
/// at::dropout does. The model's parameters and buffers are used in place.
class CpuMlpStep {
 public:
  /// `model` must be on the CPU; `pos_weight` as BCEWithLogitsLoss takes it (none for 1).
  CpuMlpStep(torch::nn::Sequential& model, c10::optional<at::Tensor> pos_weight);
  ~CpuMlpStep();

  /// One batch in training mode: x [rows, in] and y [rows, 1] contiguous floats. Updates the
  /// BatchNorm running statistics, overwrites each parameter's .grad (which must exist) with
  /// its gradient of the batch's mean loss, and returns that loss (a 0-dim tensor). With
  /// `logits`, the batch's training-mode logits are left there too (for the train metric).
  at::Tensor train_batch(const at::Tensor& x, const at::Tensor& y, at::Tensor* logits = nullptr);

  /// Eval-mode logits [rows, out] of contiguous x (no dropout, running statistics).
  at::Tensor eval_logits(const at::Tensor& x);

  struct Layer;  ///< one Linear block and what its backward needs (cpu_mlp.cc)

 private:
  std::vector<std::unique_ptr<Layer>> layers_;
  c10::optional<at::Tensor> pos_weight_;
  at::Tensor forward(const at::Tensor& x, bool train);
};

}  // namespace pipeml
