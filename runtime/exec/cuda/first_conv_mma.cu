// The first convolution under bfloat16 on tensor cores (kernels.h: first_conv_forward's
// bfloat16 path without an im2col matrix, and first_conv_weight_grad). Both build the im2col
// rows they need in shared memory from x, where the GEMM path had the forward write an
// im2col matrix (8 MB a CIFAR batch) for the backward to read again.
//
// A warp takes 32 pixels at a time, one per lane: each lane stages its pixel's taps (x
// rounded to bfloat16, zeros after the last tap) as a row of the warp's tile, then the warp
// multiplies in two 16-pixel steps.
// - Forward: [16 pixels x taps] by the weight [taps x co] (in shared memory, rounded once per
//   block), the float32 sums rounded to bfloat16 into y's NHWC rows.
// - Weight gradient: the pixels' gradients [co x 16 pixels] by their taps [16 pixels x taps]
//   into float32 accumulators the warp keeps over all its pixels. A block adds its warps'
//   sums in a fixed order, then into a double scratch, one atomic per weight and block (so
//   the float32 result does not depend on which block came first); the last block to finish
//   adds the scratch to .grad and zeroes it for the next call.
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#include <mma.h>

#include <cstdint>

#include "runtime/exec/cuda/first_conv.cuh"
#include "runtime/exec/cuda/kernels.h"
#include "runtime/exec/cuda/launched.h"

namespace pipeml::cuda_kernels {
namespace {

using namespace nvcuda;

// bfloat16 WMMA needs compute capability 8.0. A build for an older GPU (an architecture list
// with sm_75, say) compiles the two kernels empty, and first_conv_mma_available keeps callers
// from launching them there.
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800
#define PIPE_NO_BF16_MMA 1
#endif

constexpr int kWarps = 4, kThreads = 32 * kWarps;
constexpr int kPixels = 32;  // a warp's pixels per pass: one per lane

// The shapes of one instantiation: taps padded to whole 16-wide tiles.
template <int CI, int CO>
struct Tiles {
  static constexpr int taps = 9 * CI, k = (taps + 15) / 16, width = 16 * k, out = CO / 16;
};

// Each lane writes its pixel's taps (zeros past the batch's end) as row `lane` of the warp's
// [kPixels][width] tile.
template <int CI, int CO>
__device__ inline void stage_taps(const float* x, const FirstConv& c, std::int64_t p, bool inside, __nv_bfloat16* row) {
  using T = Tiles<CI, CO>;
  float v[T::taps] = {};
  if (inside) first_conv_taps<CI>(x, c, p / (c.h * c.w), (p / c.w) % c.h, p % c.w, v);
#pragma unroll
  for (int k = 0; k < T::taps; ++k) row[k] = __float2bfloat16(v[k]);  // bfloat16 values already: exact
#pragma unroll
  for (int k = T::taps; k < T::width; ++k) row[k] = __float2bfloat16(0.f);
}

// ---- forward ----

template <int CI, int CO>
__global__ void __launch_bounds__(kThreads) forward_kernel(const float* x, const float* weight, FirstConv c, __nv_bfloat16* y) {
#ifdef PIPE_NO_BF16_MMA
  __trap();
#else
  using T = Tiles<CI, CO>;
  __shared__ __align__(128) __nv_bfloat16 w_tile[T::width * CO];                  // [taps][co]
  __shared__ __align__(128) __nv_bfloat16 taps_tile[kWarps][kPixels * T::width];  // per warp [pixel][tap]
  __shared__ __align__(128) float out_tile[kWarps][16 * CO];                      // per warp [pixel][co]
  for (int e = threadIdx.x; e < T::width * CO; e += kThreads) {
    const int k = e / CO, o = e % CO;  // k in the weight's (ci, kh, kw) order
    const float w = k < T::taps ? weight[o * c.w_strides[0] + k / 9 * c.w_strides[1] + k % 9 / 3 * c.w_strides[2] +
                                         k % 3 * c.w_strides[3]]
                                : 0.f;
    w_tile[e] = __float2bfloat16(w);
  }
  __syncthreads();
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::row_major> b[T::k][T::out];
#pragma unroll
  for (int k = 0; k < T::k; ++k)
#pragma unroll
    for (int n = 0; n < T::out; ++n) wmma::load_matrix_sync(b[k][n], w_tile + k * 16 * CO + n * 16, CO);

  const std::int64_t pixels = c.n * c.h * c.w, passes = (pixels + kPixels - 1) / kPixels;
  __nv_bfloat16* taps = taps_tile[warp];
  float* out = out_tile[warp];
  for (std::int64_t pass = static_cast<std::int64_t>(blockIdx.x) * kWarps + warp; pass < passes;
       pass += static_cast<std::int64_t>(gridDim.x) * kWarps) {
    const std::int64_t p0 = pass * kPixels;
    stage_taps<CI, CO>(x, c, p0 + lane, p0 + lane < pixels, taps + lane * T::width);
    __syncwarp();
#pragma unroll
    for (int half = 0; half < kPixels / 16; ++half) {
#pragma unroll
      for (int n = 0; n < T::out; ++n) {
        wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
        wmma::fill_fragment(acc, 0.f);
#pragma unroll
        for (int k = 0; k < T::k; ++k) {
          wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> a;
          wmma::load_matrix_sync(a, taps + half * 16 * T::width + k * 16, T::width);
          wmma::mma_sync(acc, a, b[k][n], acc);
        }
        wmma::store_matrix_sync(out + n * 16, acc, CO, wmma::mem_row_major);
      }
      __syncwarp();
      // The 16 pixels' rows of y: 16 x co bfloat16, 8 channels (16 bytes) a store.
      for (int e = lane; e < 16 * CO / 8; e += 32) {
        const int r = e / (CO / 8), o = e % (CO / 8) * 8;
        const std::int64_t p = p0 + half * 16 + r;
        if (p >= pixels) continue;
        uint4 raw;
        __nv_bfloat16* h = reinterpret_cast<__nv_bfloat16*>(&raw);
#pragma unroll
        for (int i = 0; i < 8; ++i) h[i] = __float2bfloat16(out[r * CO + o + i]);
        *reinterpret_cast<uint4*>(y + p * CO + o) = raw;
      }
      __syncwarp();
    }
  }
#endif
}

// ---- weight gradient ----

constexpr int kMaxGradBlocks = 264;  // two per multiprocessor of an H100: enough warps to hide the loads, few atomics
// The warps' tiles (bfloat16: gradients [kPixels][co], taps [kPixels][width]) at most
// 4 x 32 x (64 + 48) x 2 bytes; afterwards two warps' float32 sums [co][width] in the same memory.
constexpr int kGradSharedBytes = kWarps * kPixels * (64 + 48) * 2;

template <int CI, int CO>
__global__ void __launch_bounds__(kThreads) weight_grad_kernel(const float* x, const __nv_bfloat16* g, FirstConv c,
                                                                WeightGrad gw, double* scratch) {
#ifdef PIPE_NO_BF16_MMA
  __trap();
#else
  using T = Tiles<CI, CO>;
  constexpr int a_elems = kPixels * CO, b_elems = kPixels * T::width, sums = CO * T::width;
  static_assert(kWarps * (a_elems + b_elems) * 2 <= kGradSharedBytes && 2 * sums * 4 <= kGradSharedBytes, "shared memory");
  __shared__ __align__(128) unsigned char shared[kGradSharedBytes];
  __shared__ bool last;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  __nv_bfloat16* a_tile = reinterpret_cast<__nv_bfloat16*>(shared) + warp * (a_elems + b_elems);
  __nv_bfloat16* b_tile = a_tile + a_elems;

  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[T::out][T::k];
#pragma unroll
  for (int m = 0; m < T::out; ++m)
#pragma unroll
    for (int n = 0; n < T::k; ++n) wmma::fill_fragment(acc[m][n], 0.f);

  const std::int64_t pixels = c.n * c.h * c.w, passes = (pixels + kPixels - 1) / kPixels;
  for (std::int64_t pass = static_cast<std::int64_t>(blockIdx.x) * kWarps + warp; pass < passes;
       pass += static_cast<std::int64_t>(gridDim.x) * kWarps) {
    const std::int64_t p = pass * kPixels + lane;
    const bool inside = p < pixels;
    uint4* a_row = reinterpret_cast<uint4*>(a_tile + lane * CO);
#pragma unroll
    for (int k = 0; k < CO / 8; ++k) a_row[k] = inside ? reinterpret_cast<const uint4*>(g + p * CO)[k] : make_uint4(0, 0, 0, 0);
    stage_taps<CI, CO>(x, c, p, inside, b_tile + lane * T::width);
    __syncwarp();
#pragma unroll
    for (int half = 0; half < kPixels / 16; ++half) {
      // A = the gradients as [co x 16 pixels]: the tile read column-major; B = the taps [16 pixels x taps].
      wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::col_major> a[T::out];
#pragma unroll
      for (int m = 0; m < T::out; ++m) wmma::load_matrix_sync(a[m], a_tile + half * 16 * CO + m * 16, CO);
#pragma unroll
      for (int n = 0; n < T::k; ++n) {
        wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::row_major> b;
        wmma::load_matrix_sync(b, b_tile + half * 16 * T::width + n * 16, T::width);
#pragma unroll
        for (int m = 0; m < T::out; ++m) wmma::mma_sync(acc[m][n], a[m], b, acc[m][n]);
      }
    }
    __syncwarp();  // the tiles are read before the next pass overwrites them
  }

  // The warps' sums in a fixed order: warps 2 and 3 into 0 and 1, then warp 1 into warp 0.
  __syncthreads();
  float* partial = reinterpret_cast<float*>(shared);
  for (int half = kWarps / 2; half >= 1; half /= 2) {
    if (warp >= half && warp < 2 * half)
#pragma unroll
      for (int m = 0; m < T::out; ++m)
#pragma unroll
        for (int n = 0; n < T::k; ++n)
          wmma::store_matrix_sync(partial + (warp - half) * sums + m * 16 * T::width + n * 16, acc[m][n], T::width,
                                  wmma::mem_row_major);
    __syncthreads();
    if (warp < half)
#pragma unroll
      for (int m = 0; m < T::out; ++m)
#pragma unroll
        for (int n = 0; n < T::k; ++n) {
          wmma::fragment<wmma::accumulator, 16, 16, 16, float> other;
          wmma::load_matrix_sync(other, partial + warp * sums + m * 16 * T::width + n * 16, T::width, wmma::mem_row_major);
#pragma unroll
          for (int t = 0; t < other.num_elements; ++t) acc[m][n].x[t] += other.x[t];
        }
    __syncthreads();
  }
  if (warp == 0)
#pragma unroll
    for (int m = 0; m < T::out; ++m)
#pragma unroll
      for (int n = 0; n < T::k; ++n)
        wmma::store_matrix_sync(partial + m * 16 * T::width + n * 16, acc[m][n], T::width, wmma::mem_row_major);
  __syncthreads();
  for (int e = threadIdx.x; e < CO * T::taps; e += kThreads)
    atomicAdd(scratch + e, static_cast<double>(partial[e / T::taps * T::width + e % T::taps]));

  // The last block to arrive adds the sums to .grad and leaves the scratch zero.
  unsigned int* arrived = reinterpret_cast<unsigned int*>(scratch + CO * T::taps);
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0) last = atomicAdd(arrived, 1u) == gridDim.x - 1;
  __syncthreads();
  if (!last) return;
  __threadfence();
  for (int e = threadIdx.x; e < CO * T::taps; e += kThreads) {
    const int o = e / T::taps, k = e % T::taps;  // k in the weight's (ci, kh, kw) order
    gw.data[o * gw.strides[0] + k / 9 * gw.strides[1] + k % 9 / 3 * gw.strides[2] + k % 3 * gw.strides[3]] +=
        static_cast<float>(__ldcg(scratch + e));
    scratch[e] = 0.0;
  }
  if (threadIdx.x == 0) *arrived = 0;
#endif
}

// Calls f with std::integral_constant<int, co> for the co first_conv_mma_takes.
template <typename F>
void with_out_channels(std::int64_t co, F f) {
  if (co == 16) f(std::integral_constant<int, 16>{});
  else if (co == 32) f(std::integral_constant<int, 32>{});
  else if (co == 48) f(std::integral_constant<int, 48>{});
  else f(std::integral_constant<int, 64>{});
}

bool takes(const FirstConv& c) { return first_conv_mma_takes(c.co) && c.ci >= 1 && c.ci <= 4 && c.round_bf16; }

// A pass is a warp's kPixels pixels; a block has kWarps warps.
int blocks_for_passes(const FirstConv& c, std::int64_t most) {
  return grid_blocks((c.n * c.h * c.w + kPixels - 1) / kPixels, kWarps, most);
}

}  // namespace

bool first_conv_mma_available() {
  // Per device, found once (before any CUDA graph captures a call): whether the kernels this
  // device loads were compiled for compute capability 8.0 or later (PTX JIT-compiled from an
  // older architecture keeps the empty kernels).
  constexpr int kDevices = 64;
  static int known[kDevices] = {};  // 0: not yet asked; 1: yes; 2: no
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess || device < 0 || device >= kDevices) return false;
  if (!known[device]) {
    cudaFuncAttributes a{};
    known[device] = cudaFuncGetAttributes(&a, forward_kernel<3, 32>) == cudaSuccess && a.ptxVersion >= 80 ? 1 : 2;
    cudaGetLastError();  // (a device without a kernel image for it: not this call's caller's error)
  }
  return known[device] == 1;
}

const char* first_conv_forward_mma(const float* x, const float* weight, const FirstConv& c, void* y, void* stream) {
  if (!takes(c)) return "a first convolution the tensor-core kernel does not take";
  const int blocks = blocks_for_passes(c, 4096);
  with_first_conv_channels(c.ci, [&](auto ci) {
    with_out_channels(c.co, [&](auto co) {
      forward_kernel<decltype(ci)::value, decltype(co)::value>
          <<<blocks, kThreads, 0, as_stream(stream)>>>(x, weight, c, static_cast<__nv_bfloat16*>(y));
    });
  });
  return launched();
}

const char* first_conv_weight_grad(const float* x, const void* grad_y, FirstConv c, WeightGrad grad_w, double* scratch,
                                   void* stream) {
  if (!takes(c)) return "a first convolution's weight gradient the kernel does not take";
  const int blocks = blocks_for_passes(c, kMaxGradBlocks);
  with_first_conv_channels(c.ci, [&](auto ci) {
    with_out_channels(c.co, [&](auto co) {
      weight_grad_kernel<decltype(ci)::value, decltype(co)::value><<<blocks, kThreads, 0, as_stream(stream)>>>(
          x, static_cast<const __nv_bfloat16*>(grad_y), c, grad_w, scratch);
    });
  });
  return launched();
}

}  // namespace pipeml::cuda_kernels
