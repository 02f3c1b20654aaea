// Image data in the trainer: a Table's pixel bytes as one uint8 tensor on the training
// device, and each batch made from them there — float32, then the data stages' transforms
// (ops/image_transforms_op.cc) as whole-batch kernels, so that a GPU run does no per-image
// work on the CPU and the step can be captured in a CUDA graph.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <vector>

#include "runtime/table.h"
#include "runtime/train_spec.h"

namespace pipeml {

/// The table's images as uint8 [rows, channels, height, width] on `device`.
at::Tensor image_tensor(const Table& t, const c10::Device& device);

/// Makes batches of uint8 images [B, C, H, W] what the model takes: float32 with the
/// transforms applied in order — all of them for a training batch, else those that are not
/// train_only — and in channels-last memory format when asked. Every tensor it needs
/// (normalize's mean and std) is made on `device` up front, so that a batch is device work
/// only and can be captured in a CUDA graph. The random transforms draw from the device's
/// default generator, so a seed fixes them: ATen's steps per image a flip's uniform number,
/// then a crop's row offsets for the batch, then its column offsets (torch.rand, randint).
/// With `fused_kernels` on CUDA (and a build that has them: fused_ops.h), everything (the
/// draws from the same generator, cast, flip, crop, scaling, normalisation, layout) is one
/// kernel, when the transforms are at most one flip, one crop and four pointwise steps over
/// at most four channels; it computes what ATen's steps compute for the flips and windows it
/// drew, which are other numbers than theirs.
class ImageBatches {
 public:
  /// A batch's random draws, per image: the flip's uniform number (float32 [B]) and the crop's
  /// row and column offsets in the padded image (int64 [B] each); undefined where the
  /// transforms have no such step.
  struct Draws {
    at::Tensor flip_u, crop_dy, crop_dx;
  };
  ImageBatches(std::vector<ImageTransform> transforms, const c10::Device& device, bool channels_last,
               bool fused_kernels = true);
  /// A batch; `drawn` (may be null) gets its draws.
  at::Tensor operator()(const at::Tensor& bytes, bool training, Draws* drawn = nullptr) const;
  /// The batch ATen's steps make with `draws` instead of drawing: what a fused batch is
  /// checked against.
  at::Tensor with_draws(const at::Tensor& bytes, bool training, const Draws& draws) const;

 private:
  at::Tensor fused(const at::Tensor& bytes, bool training, Draws* drawn) const;
  at::Tensor steps(const at::Tensor& bytes, bool training, const Draws* given, Draws* drawn) const;
  std::vector<ImageTransform> transforms_;
  std::vector<at::Tensor> mean_, std_;  ///< per transform: normalize's [C, 1, 1] (else undefined)
  bool channels_last_;
  bool fused_ = false;
};

}  // namespace pipeml
