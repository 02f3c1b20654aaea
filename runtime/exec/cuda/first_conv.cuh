// What the first convolution's kernels share (kernels.cu: plain float32 arithmetic;
// first_conv_mma.cu: tensor cores under bfloat16): a pixel's 3x3xCI neighbourhood as the
// product sees it, and the dispatch on CI. For nvcc only.
#pragma once
#include <cuda_bf16.h>

#include <cstdint>
#include <type_traits>

#include "runtime/exec/cuda/kernels.h"

namespace pipeml::cuda_kernels {

/// x as the product's operand: rounded to bfloat16 where autocast would round it.
__device__ inline float first_conv_operand(float v, bool round_bf16) {
  return round_bf16 ? __bfloat162float(__float2bfloat16(v)) : v;
}

/// The 3x3xCI neighbourhood of output pixel (b, i, j) in the weight's (ci, kh, kw) order, zero
/// outside the image. CI is a template parameter so that the taps are unrolled into registers.
template <int CI>
__device__ inline void first_conv_taps(const float* x, const FirstConv& c, std::int64_t b, std::int64_t i, std::int64_t j,
                                       float v[9 * CI]) {
#pragma unroll
  for (int k = 0; k < 9 * CI; ++k) {
    const std::int64_t ci = k / 9, r = i + (k % 9) / 3 - 1, col = j + k % 3 - 1;
    const bool inside = r >= 0 && r < c.h && col >= 0 && col < c.w;
    v[k] = inside ? first_conv_operand(x[b * c.x_strides[0] + ci * c.x_strides[1] + r * c.x_strides[2] + col * c.x_strides[3]],
                                       c.round_bf16)
                  : 0.f;
  }
}

/// Calls f with std::integral_constant<int, ci> for ci in 1..4 (the kernels' CI).
template <typename F>
inline void with_first_conv_channels(std::int64_t ci, F f) {
  if (ci == 1) f(std::integral_constant<int, 1>{});
  else if (ci == 2) f(std::integral_constant<int, 2>{});
  else if (ci == 3) f(std::integral_constant<int, 3>{});
  else f(std::integral_constant<int, 4>{});
}

/// The forward on tensor cores (first_conv_mma.cu), for bfloat16 output without the im2col
/// matrix and co a multiple of 16 (first_conv_mma_takes): first_conv_forward's choice.
const char* first_conv_forward_mma(const float* x, const float* weight, const FirstConv& c, void* y, void* stream);

}  // namespace pipeml::cuda_kernels
