// The training-mode forward of a model, with each Conv2d → BatchNorm2d → ReLU → MaxPool2d(2)
// block run as the convolution without its bias (pipe's first-convolution kernel for a 3x3
// one over at most 4 channels, else cuDNN's) and then fused_ops.h's one BatchNorm-ReLU-pool
// operation (two kernels forward, two backward, in place of ATen's seven or so), where the
// build has the kernels and the block's activation suits them (CUDA, channels-last, float32
// or bfloat16); a flatten → linear on a channels-last activation by nhwc_linear (no copy to
// NCHW order); every other layer, and every block that does not suit, by its own module.
// A cuDNN convolution of a block goes through fused_conv2d where its weight has a float32
// .grad: the backward computes the weight's gradient on a side stream, beside the rest of the
// backward, and adds it there itself; the model's first convolution waits for those. Under
// bfloat16 autocast the convolutions' weights are cast by one operation (whose backward adds
// whatever gradient still reaches it straight into the weight's float32 .grad).
#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/modules/container/sequential.h>

#include <cstddef>
#include <vector>

#include "runtime/train_spec.h"

namespace pipeml {

class TrainingForward {
 public:
  /// Finds the blocks among the top-level layers of `spec`, of which `model` was built
  /// (build_model): conv2d, batch_norm2d (torch's, not SyncBatchNorm), relu, and max_pool2d of
  /// kernel and stride 2 without padding.
  /// `autocast`: the dtype the step autocasts to on CUDA, if any (the first convolution's
  /// kernel computes as autocast would, for bfloat16; it leaves float16 to cuDNN).
  TrainingForward(torch::nn::Sequential& model, const ModelSpec& spec, c10::optional<at::ScalarType> autocast);
  /// model->forward(x), for a model in training mode.
  at::Tensor operator()(const at::Tensor& x) const;
  /// How many blocks the fused kernels may run.
  std::size_t blocks() const { return blocks_; }

 private:
  mutable torch::nn::Sequential model_;  ///< a handle: forward is not const
  std::vector<torch::nn::AnyModule*> layers_;  ///< model_'s top-level layers, found once
  std::vector<bool> block_starts_;  ///< per layer: a block begins here
  std::vector<std::vector<std::int64_t>> padding_;  ///< per layer: a block's convolution's padding
  std::vector<bool> first_conv_;  ///< per layer: a block's convolution is the first-convolution kernel's (FusedLayers)
  std::vector<bool> weight_grad_beside_;  ///< per layer: a block's weight gradient on the side stream (FusedLayers)
  std::vector<bool> nhwc_head_;  ///< per layer: a flatten (of dims 1..) followed by a linear (nhwc_linear)
  std::int64_t sums_ = 0;  ///< the blocks' 4 * channels summed: their BatchNorm sums' one workspace
  c10::optional<at::ScalarType> autocast_;
  std::size_t blocks_ = 0;
};

/// linear(flatten(x)) for x [N, C, H, W] in channels-last memory, without the flatten's copy to
/// NCHW order: the weight's columns are put in the activation's (h, w, c) order instead (one
/// small copy, which is also autocast's cast to bfloat16 with `bf16`), and the gradient
/// reaches x in channels-last memory, as the layer before wants it. With autograd; where the
/// weight and bias have a float32 .grad, their gradients are added there directly. On CUDA,
/// for a head of few outputs, by fused_linear_head (one kernel each way, no weight copy).
at::Tensor nhwc_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool bf16);

}  // namespace pipeml
