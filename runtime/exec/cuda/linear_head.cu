// linear_head_forward and linear_head_backward (kernels.h): a Linear of few outputs on a
// flattened NHWC activation. The products are tiny ([128, 2048] x [2048, 10] is 2.6 MFLOP);
// what cost was kernels (about 2 µs each even in a CUDA graph) and passes over memory, so
// each direction is one kernel of plain float32 arithmetic that reads x once and the weight
// where it lies, its columns mapped to x's (h, w, c) order by index arithmetic.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "runtime/exec/cuda/kernels.h"
#include "runtime/exec/cuda/launched.h"

namespace pipeml::cuda_kernels {
namespace {

constexpr int kThreads = 256, kWarps = kThreads / 32;
constexpr int kTile = 32;     // the backward's columns of x per block: one per lane
constexpr int kStaged = 8192;  // the backward's floats of shared staging (grad_out's rows, then partial sums)

// A float32 parameter as autocast hands it to a bfloat16 product: rounded (T's conversions
// from and to float round to nearest, as __float2bfloat16 does).
template <typename T>
__device__ inline float operand(float v) { return static_cast<float>(static_cast<T>(v)); }

__device__ inline float warp_sum(float v) {
  for (int m = 16; m > 0; m /= 2) v += __shfl_xor_sync(0xffffffffu, v, m);
  return v;
}

// x's column j (NHWC row: position j / c, channel j % c) is the weight's column
// (j % c) * h * w + j / c (the flatten's (c, h, w) order).
__device__ inline std::int64_t weight_column(const LinearHead& s, std::int64_t j) { return j % s.c * (s.h * s.w) + j / s.c; }

// A block per row of x: its threads walk the weight's columns (the loads coalesced; x's row,
// 4 KB for CIFAR's head, stays in L1), each keeping a sum per output (O >= o: a compile-time
// count, so the sums stay in registers); then the warps' sums are added in warp order. The
// kernel is latency-bound: a row a block gives the GPU n blocks (128 for a CIFAR batch, where
// four rows a block gave 32 and took 17 µs on the H100) and each thread a short chain of loads.
template <typename T, int O>
__global__ void __launch_bounds__(kThreads) forward_kernel(const T* x, const float* weight, const float* bias,
                                                           LinearHead s, T* out) {
  __shared__ float partial[O][kWarps];
  // (shape_ok: the columns fit 31 bits, so the index arithmetic is 32-bit)
  const unsigned cols = static_cast<unsigned>(s.c * s.h * s.w), hw = static_cast<unsigned>(s.h * s.w),
                 c = static_cast<unsigned>(s.c);
  const T* row = x + static_cast<std::int64_t>(blockIdx.x) * cols;
  const int o = static_cast<int>(s.o), warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  float acc[O] = {};
#pragma unroll 4
  for (unsigned k = threadIdx.x; k < cols; k += kThreads) {
    const float xv = static_cast<float>(row[k % hw * c + k / hw]);  // the weight's column k in x's row
#pragma unroll
    for (int j = 0; j < O; ++j)
      if (j < o) acc[j] += xv * operand<T>(weight[static_cast<std::int64_t>(j) * cols + k]);
  }
#pragma unroll
  for (int j = 0; j < O; ++j)
    if (j < o) {  // (o is the same for every lane: the shuffles' lanes all take part)
      const float v = warp_sum(acc[j]);
      if (lane == 0) partial[j][warp] = v;
    }
  __syncthreads();
  if (threadIdx.x < o) {
    float sum = 0.f;
    for (int w = 0; w < kWarps; ++w) sum += partial[threadIdx.x][w];
    if (bias) sum += operand<T>(bias[threadIdx.x]);
    out[static_cast<std::int64_t>(blockIdx.x) * o + threadIdx.x] = static_cast<T>(sum);
  }
}

// A block: kTile consecutive columns of x (a lane each; loads and grad_x's stores coalesced),
// every row (the warps take every kWarps-th), grad_out's rows staged in shared memory a chunk
// at a time. Each thread keeps grad_w's sums for its column and every output (O >= o: a
// compile-time count, so they stay in registers); the warps' sums are added in warp order. The
// bias's sums: block b takes outputs b, b + gridDim.x, ...
template <typename T, int O>
__global__ void backward_kernel(const T* __restrict__ x, const float* __restrict__ weight, const T* __restrict__ g,
                                LinearHead s, T* __restrict__ grad_x, float* __restrict__ grad_w,
                                float* __restrict__ grad_b) {
  __shared__ float w_tile[O][kTile];
  __shared__ float staged[kStaged];
  const std::int64_t cols = s.c * s.h * s.w, col0 = static_cast<std::int64_t>(blockIdx.x) * kTile;
  const int o = static_cast<int>(s.o), warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const std::int64_t j = col0 + lane;
  const bool inside = j < cols;
  for (int i = threadIdx.x; i < O * kTile; i += kThreads) {
    const int out = i / kTile;
    const std::int64_t column = col0 + i % kTile;
    w_tile[out][i % kTile] = out < o && column < cols ? operand<T>(weight[out * cols + weight_column(s, column)]) : 0.f;
  }
  float acc[O] = {};
  const int chunk = kStaged / o;
  for (std::int64_t c0 = 0; c0 < s.n; c0 += chunk) {
    const int rows = static_cast<int>(s.n - c0 < chunk ? s.n - c0 : chunk);
    __syncthreads();  // w_tile is written; the previous chunk's rows are read
    for (int i = threadIdx.x; i < rows * o; i += kThreads) staged[i] = static_cast<float>(g[c0 * o + i]);
    __syncthreads();
    // (the rows' loads of x unrolled and, x and grad_x being distinct, issued ahead of the
    // stores: a warp's 16 rows for CIFAR were a chain of 16 loads)
#pragma unroll 4
    for (int r = warp; r < rows; r += kWarps) {
      const float* gr = staged + r * o;
      const float xv = inside ? static_cast<float>(x[(c0 + r) * cols + j]) : 0.f;
      float gx = 0.f;
#pragma unroll
      for (int out = 0; out < O; ++out)
        if (out < o) acc[out] += gr[out] * xv, gx += gr[out] * w_tile[out][lane];
      if (grad_x && inside) grad_x[(c0 + r) * cols + j] = static_cast<T>(gx);
    }
  }
  constexpr int kPerRound = kStaged / (kWarps * kTile);  // outputs whose warp sums fit in `staged`
  for (int o0 = 0; grad_w && o0 < o; o0 += kPerRound) {
    __syncthreads();  // `staged` is free
#pragma unroll
    for (int out = 0; out < O; ++out)
      if (out >= o0 && out < o0 + kPerRound) staged[((out - o0) * kWarps + warp) * kTile + lane] = acc[out];
    __syncthreads();
    for (int i = threadIdx.x; i < kPerRound * kTile; i += kThreads) {
      const int out = o0 + i / kTile;
      const std::int64_t column = col0 + i % kTile;
      if (out >= o || column >= cols) continue;
      float sum = 0.f;
      for (int w = 0; w < kWarps; ++w) sum += staged[((i / kTile) * kWarps + w) * kTile + i % kTile];
      grad_w[out * cols + weight_column(s, column)] += sum;
    }
  }
  for (int out = blockIdx.x; grad_b && out < o; out += gridDim.x) {
    float v = 0.f;
    for (std::int64_t r = threadIdx.x; r < s.n; r += kThreads) v += static_cast<float>(g[r * o + out]);
    v = warp_sum(v);
    __syncthreads();  // `staged` is free
    if (lane == 0) staged[warp] = v;
    __syncthreads();
    if (threadIdx.x == 0) {
      float sum = 0.f;
      for (int w = 0; w < kWarps; ++w) sum += staged[w];
      grad_b[out] += sum;
    }
  }
}

bool shape_ok(const LinearHead& s) {
  return s.n >= 1 && s.h >= 1 && s.w >= 1 && s.c >= 1 && s.o >= 1 && s.o <= kLinearHeadMaxOut &&
         s.n < (std::int64_t{1} << 31) - 1 && s.c * s.h * s.w < (std::int64_t{1} << 31) - 1;
}

// Calls f with std::integral_constant<int, O> for the least O of 16, 32, 64 that holds o.
template <typename F>
void with_outputs(std::int64_t o, F f) {
  if (o <= 16) f(std::integral_constant<int, 16>{});
  else if (o <= 32) f(std::integral_constant<int, 32>{});
  else f(std::integral_constant<int, 64>{});
}

template <typename T>
void launch_backward(const T* x, const float* weight, const T* g, LinearHead s, T* grad_x, float* grad_w, float* grad_b,
                     cudaStream_t stream) {
  const auto blocks = static_cast<unsigned>((s.c * s.h * s.w + kTile - 1) / kTile);
  with_outputs(s.o, [&](auto outputs) {
    backward_kernel<T, decltype(outputs)::value><<<blocks, kThreads, 0, stream>>>(x, weight, g, s, grad_x, grad_w, grad_b);
  });
}

template <typename T>
void launch_forward(const T* x, const float* weight, const float* bias, LinearHead s, T* out, cudaStream_t stream) {
  with_outputs(s.o, [&](auto outputs) {
    forward_kernel<T, decltype(outputs)::value><<<static_cast<unsigned>(s.n), kThreads, 0, stream>>>(x, weight, bias, s, out);
  });
}

}  // namespace

const char* linear_head_forward(Dtype t, const void* x, const float* weight, const float* bias, LinearHead s, void* out,
                                void* stream) {
  if (!shape_ok(s)) return "a linear head the kernels do not take";
  if (t == Dtype::bf16)
    launch_forward(static_cast<const __nv_bfloat16*>(x), weight, bias, s, static_cast<__nv_bfloat16*>(out), as_stream(stream));
  else
    launch_forward(static_cast<const float*>(x), weight, bias, s, static_cast<float*>(out), as_stream(stream));
  return launched();
}

const char* linear_head_backward(Dtype t, const void* x, const float* weight, const void* grad_out, LinearHead s,
                                 void* grad_x, float* grad_w, float* grad_b, void* stream) {
  if (!shape_ok(s)) return "a linear head the kernels do not take";
  if (t == Dtype::bf16)
    launch_backward(static_cast<const __nv_bfloat16*>(x), weight, static_cast<const __nv_bfloat16*>(grad_out), s,
                    static_cast<__nv_bfloat16*>(grad_x), grad_w, grad_b, as_stream(stream));
  else
    launch_backward(static_cast<const float*>(x), weight, static_cast<const float*>(grad_out), s,
                    static_cast<float*>(grad_x), grad_w, grad_b, as_stream(stream));
  return launched();
}

}  // namespace pipeml::cuda_kernels
