// augment (kernels.h): a batch's flip, crop and pointwise steps in one kernel, its random
// draws included. One thread per output value, in the output's memory order; each thread
// draws its image's numbers itself (one Philox call: cheaper than reading them from a buffer
// another kernel wrote, and no kernel to launch for them).
#include <cuda_runtime.h>
#include <curand_kernel.h>

#include <cstdint>

#include "runtime/exec/cuda/kernels.h"
#include "runtime/exec/cuda/launched.h"

namespace pipeml::cuda_kernels {
namespace {

constexpr int kThreads = 256;

struct Draw {
  float u;                 ///< uniform in [0, 1): the flip's
  std::int64_t dy, dx;     ///< the window's offsets in the padded image
};

// Image b's draws: subsequence b of the generator's Philox stream at its offset, as ATen's
// kernels take theirs (curand_init(seed, subsequence, offset)).
__device__ Draw draw(const Augment& a, std::int64_t b) {
  const std::uint64_t seed = a.rng.seed_at ? static_cast<std::uint64_t>(*a.rng.seed_at) : a.rng.seed;
  const std::uint64_t offset = a.rng.offset_at ? static_cast<std::uint64_t>(*a.rng.offset_at) + a.rng.offset : a.rng.offset;
  curandStatePhilox4_32_10_t state;
  curand_init(seed, static_cast<unsigned long long>(b), offset, &state);
  const uint4 r = curand4(&state);
  // 24 bits for the uniform number (a float's precision), the offsets by multiply-shift.
  const std::uint64_t rows = static_cast<std::uint64_t>(a.in_h + 2 * a.pad - a.out_h + 1);
  const std::uint64_t cols = static_cast<std::uint64_t>(a.in_w + 2 * a.pad - a.out_w + 1);
  return {static_cast<float>(r.x >> 8) * (1.0f / 16777216.0f), static_cast<std::int64_t>((r.y * rows) >> 32),
          static_cast<std::int64_t>((r.z * cols) >> 32)};
}

__device__ float pointwise(const Pointwise& st, float x, int c) {
  return st.normalize ? (x - st.mean[c]) / st.std[c] : x * (1.0f / st.divide_by);
}

__global__ void augment_kernel(const std::uint8_t* bytes, Augment a, float* out) {
  const std::int64_t total = a.batch * a.channels * a.out_h * a.out_w;
  for (std::int64_t e = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; e < total;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    // e walks the output in its memory order.
    std::int64_t b, c, i, j;
    if (a.channels_last) {
      c = e % a.channels, j = (e / a.channels) % a.out_w, i = (e / (a.channels * a.out_w)) % a.out_h;
      b = e / (a.channels * a.out_w * a.out_h);
    } else {
      j = e % a.out_w, i = (e / a.out_w) % a.out_h, c = (e / (a.out_w * a.out_h)) % a.channels;
      b = e / (a.out_w * a.out_h * a.channels);
    }
    const Draw d = a.flip || a.crop ? draw(a, b) : Draw{};
    if (a.drawn && c == 0 && i == 0 && j == 0)
      a.drawn[3 * b] = d.u, a.drawn[3 * b + 1] = static_cast<float>(d.dy), a.drawn[3 * b + 2] = static_cast<float>(d.dx);
    const bool flip = a.flip && d.u < a.flip_p;
    // Which column of the crop (or image) this is: a flip after the crop mirrors the crop.
    std::int64_t r = i, col = j;
    if (flip && (!a.crop || !a.flip_before_crop)) col = a.out_w - 1 - j;
    bool padding = false;
    if (a.crop) {
      r = d.dy + r - a.pad, col = d.dx + col - a.pad;
      padding = r < 0 || r >= a.in_h || col < 0 || col >= a.in_w;
      if (flip && a.flip_before_crop) col = a.in_w - 1 - col;  // the padded image was cut from the flipped one
    }
    float x = 0.f;
    if (!padding) {
      x = static_cast<float>(bytes[((b * a.channels + c) * a.in_h + r) * a.in_w + col]);
      for (int k = 0; k < a.pre_steps; ++k) x = pointwise(a.steps[k], x, static_cast<int>(c));
    }
    for (int k = a.pre_steps; k < a.steps_count; ++k) x = pointwise(a.steps[k], x, static_cast<int>(c));
    out[e] = x;
  }
}

}  // namespace

const char* augment(const std::uint8_t* bytes, const Augment& a, float* out, void* stream) {
  const int blocks = grid_blocks(a.batch * a.channels * a.out_h * a.out_w, kThreads);
  augment_kernel<<<blocks, kThreads, 0, as_stream(stream)>>>(bytes, a, out);
  return launched();
}

}  // namespace pipeml::cuda_kernels
