// Which parts of a training step on CUDA pipe's own kernels take (train's `fused_kernels`),
// decided from the pipeline's description alone. The executing code (TrainingForward,
// ImageBatches, runtime/exec/cuda/fused_ops.cc) takes what these rules allow, checking its
// tensors as well, and `pipe plan` says what they allow, so the plan and the run answer to one
// set of rules. No LibTorch here: the planner uses it. The rules are inline: the executing
// library (libpipe_exec) links no pipe_core symbol.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/kernel_shapes.h"
#include "runtime/train_spec.h"

namespace pipeml {

/// The augmentation kernel takes the transforms when they are at most one flip, one crop and
/// four pointwise steps (scale_pixels, normalize), of images of at most 4 channels.
inline bool augment_kernel_takes(const std::vector<ImageTransform>& transforms, std::int64_t channels) {
  int flips = 0, crops = 0, pointwise = 0;
  for (const ImageTransform& t : transforms) {
    flips += t.op == "random_horizontal_flip";
    crops += t.op == "random_crop";
    pointwise += t.op == "normalize" || t.op == "scale_pixels";
  }
  return channels >= 1 && channels <= 4 && flips <= 1 && crops <= 1 && pointwise <= 4 &&
         flips + crops + pointwise == static_cast<int>(transforms.size());
}

/// Per top-level layer of a sequential model, what its structure allows.
struct FusedLayers {
  /// Layer i begins a block: conv2d → batch_norm2d → relu → max_pool2d of kernel and stride 2
  /// without padding, whose BatchNorm, ReLU and pooling the fused operation runs.
  std::vector<bool> block;
  /// Block i's convolution is the first-convolution kernel's: 3x3 with stride, padding and
  /// dilation 1 and one group, of its channels (first_conv_kernel_takes), with no trainable
  /// layer before it (its input needs no gradient), under no autocast or bfloat16's (the
  /// kernel computes as those do).
  std::vector<bool> first_conv;
  /// Block i's convolution computes its weight's gradient on a second stream, beside the rest
  /// of the backward: a block comes before it, whose convolution's backward (later than i's)
  /// waits for that stream.
  std::vector<bool> weight_grad_beside;
  /// Layer i begins flatten (of dims 1..) → linear: on a channels-last activation, run
  /// without the flatten's copy (nhwc_linear), under no autocast or bfloat16's.
  std::vector<bool> nhwc_head;
};

namespace fused_detail {

inline bool is_block(const std::vector<LayerSpec>& l, std::size_t i) {
  if (i + 4 > l.size()) return false;
  const std::vector<std::int64_t> two{2, 2}, zero{0, 0};
  const LayerSpec& pool = l[i + 3];
  return l[i].op == "conv2d" && l[i + 1].op == "batch_norm2d" && l[i + 2].op == "relu" && pool.op == "max_pool2d" &&
         pool.kernel_size == two && pool.stride == two && pool.padding == zero;
}

inline bool is_head(const std::vector<LayerSpec>& l, std::size_t i) {
  return i + 2 <= l.size() && l[i].op == "flatten" && l[i].dim == 1 && l[i].end_dim == -1 && l[i + 1].op == "linear";
}

}  // namespace fused_detail

/// `float16`: the step autocasts to float16 (16-mixed), which the kernels leave to autocast
/// and cuDNN.
inline FusedLayers find_fused_layers(const std::vector<LayerSpec>& layers, bool float16) {
  FusedLayers f;
  f.block.assign(layers.size(), false);
  f.first_conv.assign(layers.size(), false);
  f.weight_grad_beside.assign(layers.size(), false);
  f.nhwc_head.assign(layers.size(), false);
  const std::vector<std::int64_t> ones{1, 1}, threes{3, 3};
  bool trainable_before = false, block_before = false;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    f.nhwc_head[i] = fused_detail::is_head(layers, i) && !float16;
    if (!fused_detail::is_block(layers, i)) {
      trainable_before = trainable_before || layers[i].params > 0;
      continue;
    }
    const LayerSpec& conv = layers[i];
    f.block[i] = true;
    f.first_conv[i] = conv.kernel_size == threes && conv.stride == ones && conv.padding == ones && conv.dilation == ones &&
                      conv.groups == 1 && !float16 && !trainable_before && first_conv_kernel_takes(conv.in, conv.out);
    f.weight_grad_beside[i] = block_before;
    trainable_before = block_before = true;
    i += 3;
  }
  return f;
}

/// What pipe's kernels run in a training step on CUDA for the plan's model, loss and image
/// transforms, part by part ("the transforms (...) as one kernel", "layers 0-3 as ...", ...),
/// following the activation's memory format through the layers as the run will find it.
/// `graphed`: the step is captured in a CUDA graph (adam's or adamw's update is one kernel
/// then).
struct Plan;
std::vector<std::string> fused_step_parts(const Plan& plan, bool graphed);

}  // namespace pipeml
