// The image transforms as the trainer applies them to a batch (runtime/exec/image_batches):
// each against what torchvision's transform does to one image — a flip mirrors the columns, a
// padded crop is a window of the zero-padded image, ToTensor divides by 255, Normalize
// subtracts and divides per channel — and the rules around them: evaluation skips the random
// ones, a seed fixes the draws. Then the step a CUDA graph captures: Adam's and AdamW's
// device-side update (step_on_device) against the host one, on the CPU.
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <set>

#include "runtime/exec/image_batches.h"
#include "tests/exec/device_steps.h"

namespace {

using pipeml::ImageTransform;

// The batch as the trainer makes it, on the CPU.
at::Tensor transform_images(const at::Tensor& bytes, std::vector<ImageTransform> ts, bool training, bool channels_last) {
  return pipeml::ImageBatches(std::move(ts), at::kCPU, channels_last)(bytes, training);
}

at::Tensor bytes(std::int64_t b, std::int64_t c, std::int64_t h, std::int64_t w) {
  return at::arange(b * c * h * w, at::kLong).remainder(251).to(at::kByte).view({b, c, h, w});
}

ImageTransform flip(double p) {
  ImageTransform t;
  t.op = "random_horizontal_flip";
  t.p = p;
  t.train_only = true;
  return t;
}

ImageTransform crop(std::int64_t size, std::int64_t padding) {
  ImageTransform t;
  t.op = "random_crop";
  t.height = t.width = size;
  t.padding = padding;
  t.train_only = true;
  return t;
}

}  // namespace

TEST_CASE("image batches: bytes become float32 as they are without transforms", "[images]") {
  const at::Tensor x = bytes(2, 3, 4, 5);
  const at::Tensor out = transform_images(x, {}, true, false);
  CHECK(out.scalar_type() == at::kFloat);
  CHECK(out.equal(x.to(at::kFloat)));
  CHECK(transform_images(x, {}, true, true).is_contiguous(at::MemoryFormat::ChannelsLast));
}

TEST_CASE("image batches: a flip with p 1 mirrors every image, with p 0 none", "[images]") {
  const at::Tensor x = bytes(4, 3, 5, 6);
  CHECK(transform_images(x, {flip(1.0)}, true, false).equal(x.flip({3}).to(at::kFloat)));
  CHECK(transform_images(x, {flip(0.0)}, true, false).equal(x.to(at::kFloat)));
  // p 0.5: each image is either itself or its mirror, and over 64 images both occur.
  at::manual_seed(3);
  const at::Tensor many = bytes(64, 3, 4, 4);
  const at::Tensor out = transform_images(many, {flip(0.5)}, true, false);
  int flipped = 0;
  for (std::int64_t i = 0; i < 64; ++i) {
    const bool same = out[i].equal(many[i].to(at::kFloat)), mirrored = out[i].equal(many[i].flip({2}).to(at::kFloat));
    CHECK((same || mirrored));
    flipped += mirrored && !same;
  }
  CHECK(flipped > 10);
  CHECK(flipped < 54);
}

TEST_CASE("image batches: a padded random crop is a window of the zero-padded image", "[images]") {
  const at::Tensor x = bytes(32, 3, 8, 8);
  CHECK(transform_images(x, {crop(8, 0)}, true, false).equal(x.to(at::kFloat)));  // the only window
  at::manual_seed(7);
  const at::Tensor out = transform_images(x, {crop(8, 2)}, true, false);
  REQUIRE(out.sizes() == at::IntArrayRef({32, 3, 8, 8}));
  const at::Tensor padded = at::constant_pad_nd(x.to(at::kFloat), {2, 2, 2, 2}, 0);
  std::set<std::pair<int, int>> offsets;
  for (std::int64_t i = 0; i < 32; ++i) {
    int matches = 0;
    for (int dy = 0; dy <= 4; ++dy)
      for (int dx = 0; dx <= 4; ++dx)
        if (out[i].equal(padded[i].narrow(1, dy, 8).narrow(2, dx, 8))) ++matches, offsets.insert({dy, dx});
    CHECK(matches == 1);  // one window, the same for every channel
  }
  CHECK(offsets.size() > 5);  // each image draws its own
  // A smaller window of a larger image.
  const at::Tensor small = transform_images(bytes(2, 1, 6, 6), {crop(4, 0)}, true, false);
  CHECK(small.sizes() == at::IntArrayRef({2, 1, 4, 4}));
}

TEST_CASE("image batches: scale_pixels and normalize are ToTensor and Normalize", "[images]") {
  ImageTransform scale, norm;
  scale.op = "scale_pixels";
  norm.op = "normalize";
  norm.mean = {0.4914, 0.4822, 0.4465};
  norm.std = {0.2023, 0.1994, 0.2010};
  const at::Tensor x = bytes(2, 3, 4, 4);
  const at::Tensor out = transform_images(x, {scale, norm}, false, false);
  // torchvision: img.float().div(255), then tensor.sub_(mean[:, None, None]).div_(std[:, None, None]) in float32.
  for (std::int64_t c = 0; c < 3; ++c) {
    const at::Tensor want = x.select(1, c).to(at::kFloat).div(255).sub(static_cast<float>(norm.mean[c])).div(static_cast<float>(norm.std[c]));
    CHECK(out.select(1, c).equal(want));
  }
}

TEST_CASE("image batches: evaluation skips the training-only transforms; a seed fixes the draws", "[images]") {
  ImageTransform scale;
  scale.op = "scale_pixels";
  const std::vector<ImageTransform> ts{flip(0.5), crop(8, 4), scale};
  const at::Tensor x = bytes(16, 3, 8, 8);
  CHECK(transform_images(x, ts, false, false).equal(x.to(at::kFloat).div(255)));
  at::manual_seed(11);
  const at::Tensor a = transform_images(x, ts, true, false);
  at::manual_seed(11);
  const at::Tensor b = transform_images(x, ts, true, false);
  CHECK(a.equal(b));
  CHECK_FALSE(a.equal(transform_images(x, ts, true, false)));
}

TEST_CASE("optimizer: Adam's and AdamW's device-side step follows the host one", "[images][optimizer]") {
  pipetest::check_device_steps_follow_host(at::TensorOptions(), false);
}
