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
/// default generator: per image, a flip's uniform number, then a crop's row offsets for the
/// batch, then its column offsets (torch.randint), so a seed fixes them.
/// With `fused_kernels` on CUDA (and a build that has them: fused_ops.h), the same draws are
/// made and the rest (cast, flip, crop, scaling, normalisation, layout) is one kernel with
/// the same result, when the transforms are at most one flip, one crop and four pointwise
/// steps over at most four channels.
class ImageBatches {
 public:
  ImageBatches(std::vector<ImageTransform> transforms, const c10::Device& device, bool channels_last,
               bool fused_kernels = true);
  at::Tensor operator()(const at::Tensor& bytes, bool training) const;

 private:
  at::Tensor fused(const at::Tensor& bytes, bool training) const;
  std::vector<ImageTransform> transforms_;
  std::vector<at::Tensor> mean_, std_;  ///< per transform: normalize's [C, 1, 1] (else undefined)
  bool channels_last_;
  bool fused_ = false;
};

}  // namespace pipeml
