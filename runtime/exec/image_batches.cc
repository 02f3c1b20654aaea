#include "runtime/exec/image_batches.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <utility>

namespace pipeml {
namespace {

// RandomHorizontalFlip per image: where(u < p, flipped, x) over the batch.
at::Tensor flip(const at::Tensor& x, double p) {
  const std::int64_t b = x.size(0);
  const at::Tensor flipped = at::rand({b}, x.options()).lt(p).view({b, 1, 1, 1});
  return at::where(flipped, x.flip({3}), x);
}

// RandomCrop(size, padding) per image: zero padding, then each image's own window, cut out
// with one gather over the flattened padded planes (no loop over images).
at::Tensor crop(const at::Tensor& x, const ImageTransform& t) {
  const std::int64_t b = x.size(0), c = x.size(1), pad = t.padding;
  const at::Tensor padded = pad ? at::constant_pad_nd(x, {pad, pad, pad, pad}, 0) : x.contiguous();
  const std::int64_t ph = padded.size(2), pw = padded.size(3), h = t.height, w = t.width;
  const auto longs = x.options().dtype(at::kLong);
  const at::Tensor dy = at::randint(ph - h + 1, {b}, longs), dx = at::randint(pw - w + 1, {b}, longs);
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

ImageBatches::ImageBatches(std::vector<ImageTransform> transforms, const c10::Device& device, bool channels_last)
    : transforms_(std::move(transforms)), channels_last_(channels_last) {
  for (const ImageTransform& t : transforms_) {
    const bool normalize = t.op == "normalize";
    mean_.push_back(normalize ? channel_values(t.mean, device) : at::Tensor());
    std_.push_back(normalize ? channel_values(t.std, device) : at::Tensor());
  }
}

at::Tensor ImageBatches::operator()(const at::Tensor& bytes, bool training) const {
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
