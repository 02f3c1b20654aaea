// The augmentation kernel (runtime/exec/cuda/augment.cu) on the CPU, in this folder's
// emulation (curand's Philox included): for the flips and windows it reports drawing, its
// output is value for value the transforms applied one after another to each image (the ATen
// steps' arithmetic); the draws lie in their ranges, depend on the seed and the offset, and
// under a CUDA graph's capture (seed and offset read from device memory) are the same.
#include <catch2/catch.hpp>
#include <cuda_runtime.h>
#include <curand_kernel.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "runtime/exec/cuda/kernels.h"
#include "tests/cuda_emu/emu_support.h"

namespace k = pipeml::cuda_kernels;
using emutest::Guarded;

namespace {

constexpr std::int64_t kBatch = 37, kChannels = 3, kSide = 12;

// A step of the transforms, in order: flip, crop, scale (x / 255) or normalize.
enum class Step { flip, crop, scale, normalize };

k::Pointwise pointwise(Step s) {
  k::Pointwise p{};
  p.normalize = s == Step::normalize;
  p.divide_by = 255.f;
  const float mean[3] = {0.49f, 0.48f, 0.45f}, std[3] = {0.2f, 0.19f, 0.21f};
  for (int c = 0; c < 3; ++c) p.mean[c] = mean[c], p.std[c] = std[c];
  return p;
}

float apply(const k::Pointwise& p, float x, int c) { return p.normalize ? (x - p.mean[c]) / p.std[c] : x * (1.0f / p.divide_by); }

// The Augment for `steps` (pad 2, a 10x11 window), as ImageBatches::fused fills it.
k::Augment augment_of(const std::vector<Step>& steps, bool channels_last) {
  k::Augment a{};
  a.batch = kBatch, a.channels = kChannels, a.in_h = a.out_h = kSide, a.in_w = a.out_w = kSide;
  a.channels_last = channels_last;
  for (const Step s : steps) {
    if (s == Step::flip) {
      a.flip = true, a.flip_p = 0.5f, a.flip_before_crop = !a.crop;
    } else if (s == Step::crop) {
      a.crop = true, a.pad = 2, a.out_h = 10, a.out_w = 11, a.pre_steps = a.steps_count;
    } else {
      a.steps[a.steps_count++] = pointwise(s);
    }
  }
  return a;
}

// The steps one after another on image b, with its draws (u, dy, dx): [channels][h][w].
std::vector<float> reference(const std::uint8_t* bytes, const std::vector<Step>& steps, std::int64_t b, const float* drawn,
                             std::int64_t& h, std::int64_t& w) {
  h = kSide, w = kSide;
  std::vector<float> x(kChannels * h * w);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = bytes[b * kChannels * kSide * kSide + static_cast<std::int64_t>(i)];
  for (const Step s : steps) {
    std::vector<float> y;
    if (s == Step::flip) {
      y = x;
      if (drawn[0] < 0.5f)
        for (std::int64_t c = 0; c < kChannels; ++c)
          for (std::int64_t i = 0; i < h; ++i)
            for (std::int64_t j = 0; j < w; ++j) y[(c * h + i) * w + j] = x[(c * h + i) * w + (w - 1 - j)];
    } else if (s == Step::crop) {  // zero padding 2, then the 10x11 window at (dy, dx)
      const auto dy = static_cast<std::int64_t>(drawn[1]), dx = static_cast<std::int64_t>(drawn[2]);
      y.assign(kChannels * 10 * 11, 0.f);
      for (std::int64_t c = 0; c < kChannels; ++c)
        for (std::int64_t i = 0; i < 10; ++i)
          for (std::int64_t j = 0; j < 11; ++j) {
            const std::int64_t r = dy + i - 2, col = dx + j - 2;
            if (r >= 0 && r < h && col >= 0 && col < w) y[(c * 10 + i) * 11 + j] = x[(c * h + r) * w + col];
          }
      h = 10, w = 11;
    } else {
      y = x;
      for (std::int64_t c = 0; c < kChannels; ++c)
        for (std::int64_t i = 0; i < h * w; ++i) y[c * h * w + i] = apply(pointwise(s), x[c * h * w + i], static_cast<int>(c));
    }
    x = y;
  }
  return x;
}

}  // namespace

TEST_CASE("augment: the one kernel is the steps one after another, for the flips and windows it drew", "[cuda_emu]") {
  emu::set_order(0);
  Guarded<std::uint8_t> bytes(kBatch * kChannels * kSide * kSide);
  std::mt19937 rng(5);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(rng() % 256);
  const std::vector<std::vector<Step>> orders{{Step::flip, Step::crop, Step::scale, Step::normalize},
                                              {Step::crop, Step::flip, Step::scale, Step::normalize},
                                              {Step::scale, Step::crop, Step::normalize, Step::flip},
                                              {Step::normalize},
                                              {Step::flip},
                                              {}};
  for (std::size_t o = 0; o < orders.size(); ++o)
    for (const bool channels_last : {false, true}) {
      CAPTURE(o, channels_last);
      k::Augment a = augment_of(orders[o], channels_last);
      a.rng = k::Philox{123, 8, nullptr, nullptr};
      Guarded<float> drawn(kBatch * 3), out(kBatch * kChannels * a.out_h * a.out_w);
      a.drawn = drawn.data();
      REQUIRE(k::augment(bytes.data(), a, out.data(), nullptr) == nullptr);
      int wrong = 0;
      for (std::int64_t b = 0; b < kBatch; ++b) {
        std::int64_t h = 0, w = 0;
        const std::vector<float> want = reference(bytes.data(), orders[o], b, drawn.data() + 3 * b, h, w);
        REQUIRE(h == a.out_h);
        REQUIRE(w == a.out_w);
        for (std::int64_t c = 0; c < kChannels; ++c)
          for (std::int64_t i = 0; i < h; ++i)
            for (std::int64_t j = 0; j < w; ++j) {
              const std::int64_t at = channels_last ? ((b * h + i) * w + j) * kChannels + c : ((b * kChannels + c) * h + i) * w + j;
              const float got = out[static_cast<std::size_t>(at)], expected = want[static_cast<std::size_t>((c * h + i) * w + j)];
              wrong += std::memcmp(&got, &expected, sizeof got) != 0;
            }
      }
      CHECK(wrong == 0);
      CHECK(out.guards_intact());
      CHECK(drawn.guards_intact());
    }
}

TEST_CASE("augment: the draws lie in their ranges and follow the seed and offset, captured or not", "[cuda_emu]") {
  emu::set_order(0);
  Guarded<std::uint8_t> bytes(kBatch * kChannels * kSide * kSide);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
  const auto draws = [&](k::Philox rng) {
    k::Augment a = augment_of({Step::flip, Step::crop}, true);
    a.rng = rng;
    Guarded<float> drawn(kBatch * 3), out(kBatch * kChannels * a.out_h * a.out_w);
    a.drawn = drawn.data();
    REQUIRE(k::augment(bytes.data(), a, out.data(), nullptr) == nullptr);
    return std::vector<float>(drawn.data(), drawn.data() + drawn.size());
  };
  const std::vector<float> first = draws({123, 8, nullptr, nullptr});
  int flips = 0, outside = 0;
  std::vector<int> rows(7), cols(6);  // (12 + 2 * 2) - 10 + 1 row offsets, 16 - 11 + 1 column offsets
  for (std::int64_t b = 0; b < kBatch; ++b) {
    const float u = first[3 * b], dy = first[3 * b + 1], dx = first[3 * b + 2];
    flips += u < 0.5f;
    outside += !(u >= 0.f && u < 1.f) || !(dy >= 0 && dy <= 6 && dy == static_cast<int>(dy)) ||
               !(dx >= 0 && dx <= 5 && dx == static_cast<int>(dx));
    if (dy >= 0 && dy <= 6) ++rows[static_cast<std::size_t>(dy)];
    if (dx >= 0 && dx <= 5) ++cols[static_cast<std::size_t>(dx)];
  }
  CHECK(outside == 0);
  // Image b's numbers are one curand4 call on subsequence b at the offset: the flip's from the
  // first 24 bits of the first, the offsets the second and third scaled to their ranges.
  int mismatched = 0;
  for (std::int64_t b = 0; b < kBatch; ++b) {
    curandStatePhilox4_32_10_t state;
    curand_init(123, static_cast<unsigned long long>(b), 8, &state);
    const uint4 r = curand4(&state);
    mismatched += first[3 * b] != static_cast<float>(r.x >> 8) / 16777216.0f ||
                  first[3 * b + 1] != static_cast<float>((r.y * std::uint64_t{7}) >> 32) ||
                  first[3 * b + 2] != static_cast<float>((r.z * std::uint64_t{6}) >> 32);
  }
  CHECK(mismatched == 0);
  CHECK(flips > 5);   // 37 coin flips: 18.5 on average
  CHECK(flips < 32);
  int rows_seen = 0, cols_seen = 0;
  for (const int n : rows) rows_seen += n > 0;
  for (const int n : cols) cols_seen += n > 0;
  CHECK(rows_seen >= 5);
  CHECK(cols_seen >= 5);
  CHECK(draws({123, 8, nullptr, nullptr}) == first);  // a seed fixes them
  CHECK(draws({124, 8, nullptr, nullptr}) != first);
  CHECK(draws({123, 12, nullptr, nullptr}) != first);  // the generator's next offset: new numbers
  // Under capture the seed and the offset are read on the device (the offset there plus the
  // graph's own), as ATen's generator hands them to a graph.
  const std::int64_t seed = 123, offset = 4;
  CHECK(draws({0, 4, &seed, &offset}) == first);
}
