#include "runtime/exec/image_batches.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "runtime/exec/fused_ops.h"
#include "runtime/fused_layers.h"

namespace pipeml {
namespace {

// The random draws, written once for both paths (the steps below and the fused kernel), so
// that a seed gives both the same flips and windows: per image a uniform number for a flip,
// then a crop's row offsets for the batch, then its column offsets.
at::Tensor flip_draws(std::int64_t batch, const at::TensorOptions& device) {
  return at::rand({batch}, device.dtype(at::kFloat));
}
std::pair<at::Tensor, at::Tensor> crop_draws(std::int64_t batch, std::int64_t padded_h, std::int64_t padded_w,
                                             const ImageTransform& t, const at::TensorOptions& device) {
  const auto longs = device.dtype(at::kLong);
  at::Tensor dy = at::randint(padded_h - t.height + 1, {batch}, longs);
  return {dy, at::randint(padded_w - t.width + 1, {batch}, longs)};
}

// RandomHorizontalFlip per image: where(u < p, flipped, x) over the batch.
at::Tensor flip(const at::Tensor& x, double p) {
  const std::int64_t b = x.size(0);
  const at::Tensor flipped = flip_draws(b, x.options()).lt(p).view({b, 1, 1, 1});
  return at::where(flipped, x.flip({3}), x);
}

// RandomCrop(size, padding) per image: zero padding, then each image's own window, cut out
// with one gather over the flattened padded planes (no loop over images).
at::Tensor crop(const at::Tensor& x, const ImageTransform& t) {
  const std::int64_t b = x.size(0), c = x.size(1), pad = t.padding;
  const at::Tensor padded = pad ? at::constant_pad_nd(x, {pad, pad, pad, pad}, 0) : x.contiguous();
  const std::int64_t ph = padded.size(2), pw = padded.size(3), h = t.height, w = t.width;
  const auto longs = x.options().dtype(at::kLong);
  const auto [dy, dx] = crop_draws(b, ph, pw, t, x.options());
  const at::Tensor rows = dy.view({b, 1, 1}) + at::arange(h, longs).view({1, h, 1});
  const at::Tensor cols = dx.view({b, 1, 1}) + at::arange(w, longs).view({1, 1, w});
  const at::Tensor index = (rows * pw + cols).view({b, 1, h * w}).expand({b, c, h * w});
  return padded.reshape({b, c, ph * pw}).gather(2, index).view({b, c, h, w});
}

// (x - mean) / std per channel, with [C, 1, 1] float32 tensors: torchvision's F.normalize.
at::Tensor channel_values(const std::vector<double>& v, const c10::Device& device) {
  const auto c = static_cast<std::int64_t>(v.size());
  return at::tensor(v, at::TensorOptions().dtype(at::kDouble)).to(at::kFloat).view({c, 1, 1}).to(device);
}

}  // namespace

at::Tensor image_tensor(const Table& t, const c10::Device& device) {
  std::vector<std::int64_t> shape{static_cast<std::int64_t>(t.rows)};
  shape.insert(shape.end(), t.image_shape.begin(), t.image_shape.end());
  at::Tensor bytes = at::empty(shape, at::TensorOptions().dtype(at::kByte));
  std::copy(t.pixels.begin(), t.pixels.end(), bytes.data_ptr<std::uint8_t>());
  return bytes.to(device);
}

ImageBatches::ImageBatches(std::vector<ImageTransform> transforms, const c10::Device& device, bool channels_last,
                           bool fused_kernels)
    : transforms_(std::move(transforms)), channels_last_(channels_last) {
  for (const ImageTransform& t : transforms_) {
    const bool normalize = t.op == "normalize";
    mean_.push_back(normalize ? channel_values(t.mean, device) : at::Tensor());
    std_.push_back(normalize ? channel_values(t.std, device) : at::Tensor());
  }
  fused_ = fused_kernels && device.is_cuda() && fused_kernels_available();  // the transforms' rule: per batch
}

// The same draws as the steps below make, in the same order; the arithmetic in one kernel.
at::Tensor ImageBatches::fused(const at::Tensor& bytes, bool training) const {
  cuda_kernels::Augment a{};
  a.batch = bytes.size(0), a.channels = bytes.size(1), a.in_h = a.out_h = bytes.size(2), a.in_w = a.out_w = bytes.size(3);
  a.channels_last = channels_last_;
  at::Tensor flip_u, dy, dx;
  for (const ImageTransform& t : transforms_) {
    if (t.train_only && !training) continue;
    if (t.op == "random_horizontal_flip") {
      flip_u = flip_draws(a.batch, bytes.options());
      a.flip_p = static_cast<float>(t.p);
      a.flip_before_crop = !dy.defined();
    } else if (t.op == "random_crop") {
      std::tie(dy, dx) = crop_draws(a.batch, a.in_h + 2 * t.padding, a.in_w + 2 * t.padding, t, bytes.options());
      a.pad = t.padding, a.out_h = t.height, a.out_w = t.width;
      a.pre_steps = a.steps_count;
    } else {
      cuda_kernels::Pointwise& p = a.steps[a.steps_count++];
      p.normalize = t.op == "normalize";
      p.divide_by = static_cast<float>(t.divide_by);
      for (std::size_t c = 0; p.normalize && c < static_cast<std::size_t>(a.channels); ++c) {
        const std::size_t i = t.mean.size() == 1 ? 0 : c;  // one value: every channel's, as a [1, 1, 1] broadcasts
        p.mean[c] = static_cast<float>(t.mean.at(i)), p.std[c] = static_cast<float>(t.std.at(i));
      }
    }
  }
  return fused_augment(bytes, a, flip_u, dy, dx);
}

at::Tensor ImageBatches::operator()(const at::Tensor& bytes, bool training) const {
  if (fused_ && bytes.is_cuda() && bytes.scalar_type() == at::kByte &&
      augment_kernel_takes(transforms_, bytes.size(1))) return fused(bytes, training);
  at::Tensor x = bytes.to(at::kFloat);
  for (std::size_t i = 0; i < transforms_.size(); ++i) {
    const ImageTransform& t = transforms_[i];
    if (t.train_only && !training) continue;
    if (t.op == "random_horizontal_flip") x = flip(x, t.p);
    else if (t.op == "random_crop") x = crop(x, t);
    else if (t.op == "scale_pixels") x = x.div_(t.divide_by);
    else if (t.op == "normalize") x = x.sub_(mean_[i]).div_(std_[i]);  // as torchvision's F.normalize
  }
  return channels_last_ ? x.contiguous(at::MemoryFormat::ChannelsLast) : x;
}

}  // namespace pipeml
