#include "runtime/exec/image_batches.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "runtime/exec/fused_ops.h"
#include "runtime/fused_layers.h"

namespace pipeml {
namespace {

// ATen's steps' random draws: per image a uniform number for a flip, then a crop's row
// offsets for the batch, then its column offsets. (The fused kernel draws its own.)
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
at::Tensor flip(const at::Tensor& x, double p, const at::Tensor& u) {
  const std::int64_t b = x.size(0);
  const at::Tensor flipped = u.lt(p).view({b, 1, 1, 1});
  return at::where(flipped, x.flip({3}), x);
}

// RandomCrop(size, padding) per image: zero padding, then each image's own window (at row
// dy, column dx of the padded image), cut out with one gather over the flattened padded
// planes (no loop over images).
at::Tensor crop(const at::Tensor& x, const ImageTransform& t, const at::Tensor& dy, const at::Tensor& dx) {
  const std::int64_t b = x.size(0), c = x.size(1), pad = t.padding;
  const at::Tensor padded = pad ? at::constant_pad_nd(x, {pad, pad, pad, pad}, 0) : x.contiguous();
  const std::int64_t ph = padded.size(2), pw = padded.size(3), h = t.height, w = t.width;
  const auto longs = x.options().dtype(at::kLong);
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

// The draws and the arithmetic in one kernel.
at::Tensor ImageBatches::fused(const at::Tensor& bytes, bool training, Draws* drawn) const {
  cuda_kernels::Augment a{};
  a.batch = bytes.size(0), a.channels = bytes.size(1), a.in_h = a.out_h = bytes.size(2), a.in_w = a.out_w = bytes.size(3);
  a.channels_last = channels_last_;
  for (const ImageTransform& t : transforms_) {
    if (t.train_only && !training) continue;
    if (t.op == "random_horizontal_flip") {
      a.flip = true, a.flip_p = static_cast<float>(t.p);
      a.flip_before_crop = !a.crop;
    } else if (t.op == "random_crop") {
      a.crop = true, a.pad = t.padding, a.out_h = t.height, a.out_w = t.width;
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
  at::Tensor draws;
  const at::Tensor out = fused_augment(bytes, a, drawn ? &draws : nullptr);
  if (drawn) {
    *drawn = Draws{};
    if (a.flip) drawn->flip_u = draws.select(1, 0);
    if (a.crop) drawn->crop_dy = draws.select(1, 1).to(at::kLong), drawn->crop_dx = draws.select(1, 2).to(at::kLong);
  }
  return out;
}

at::Tensor ImageBatches::operator()(const at::Tensor& bytes, bool training, Draws* drawn) const {
  if (fused_ && bytes.is_cuda() && bytes.scalar_type() == at::kByte && augment_kernel_takes(transforms_, bytes.size(1)))
    return fused(bytes, training, drawn);
  return steps(bytes, training, nullptr, drawn);
}

at::Tensor ImageBatches::with_draws(const at::Tensor& bytes, bool training, const Draws& draws) const {
  return steps(bytes, training, &draws, nullptr);
}

at::Tensor ImageBatches::steps(const at::Tensor& bytes, bool training, const Draws* given, Draws* drawn) const {
  if (drawn) *drawn = Draws{};
  at::Tensor x = bytes.to(at::kFloat);
  for (std::size_t i = 0; i < transforms_.size(); ++i) {
    const ImageTransform& t = transforms_[i];
    if (t.train_only && !training) continue;
    if (t.op == "random_horizontal_flip") {
      if (given && !given->flip_u.defined()) throw std::logic_error("ImageBatches::with_draws: no flip draws");
      const at::Tensor u = given ? given->flip_u : flip_draws(x.size(0), x.options());
      if (drawn) drawn->flip_u = u;
      x = flip(x, t.p, u);
    } else if (t.op == "random_crop") {
      at::Tensor dy, dx;
      if (given && !(given->crop_dy.defined() && given->crop_dx.defined()))
        throw std::logic_error("ImageBatches::with_draws: no crop draws");
      if (given) dy = given->crop_dy, dx = given->crop_dx;
      else std::tie(dy, dx) = crop_draws(x.size(0), x.size(2) + 2 * t.padding, x.size(3) + 2 * t.padding, t, x.options());
      if (drawn) drawn->crop_dy = dy, drawn->crop_dx = dx;
      x = crop(x, t, dy, dx);
    } else if (t.op == "scale_pixels") {
      x = x.div_(t.divide_by);
    } else if (t.op == "normalize") {
      x = x.sub_(mean_[i]).div_(std_[i]);  // as torchvision's F.normalize
    }
  }
  return channels_last_ ? x.contiguous(at::MemoryFormat::ChannelsLast) : x;
}

}  // namespace pipeml
