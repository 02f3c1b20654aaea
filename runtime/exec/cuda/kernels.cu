// pipe's own CUDA kernels: see kernels.h. Each thread of the BatchNorm kernels owns 8
// consecutive channels of one NHWC pixel (or of one 2x2 pooling window), so that every load
// and store is 16 or 32 bytes wide; per-channel sums are reduced in shared memory and then
// added to a double buffer with one atomic per channel and block.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <type_traits>

#include "runtime/exec/cuda/kernels.h"
#include "runtime/kernel_shapes.h"
#include "runtime/exec/cuda/launched.h"

namespace pipeml::cuda_kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kVec = 8;  // channels per thread

template <typename T>
struct Vec8;

template <>
struct Vec8<float> {
  static __device__ void load(const float* p, float v[kVec]) {
    const float4 a = reinterpret_cast<const float4*>(p)[0], b = reinterpret_cast<const float4*>(p)[1];
    v[0] = a.x, v[1] = a.y, v[2] = a.z, v[3] = a.w, v[4] = b.x, v[5] = b.y, v[6] = b.z, v[7] = b.w;
  }
  static __device__ void store(float* p, const float v[kVec]) {
    reinterpret_cast<float4*>(p)[0] = make_float4(v[0], v[1], v[2], v[3]);
    reinterpret_cast<float4*>(p)[1] = make_float4(v[4], v[5], v[6], v[7]);
  }
  static __device__ float round(float x) { return x; }
};

template <>
struct Vec8<__nv_bfloat16> {
  static __device__ void load(const __nv_bfloat16* p, float v[kVec]) {
    const uint4 raw = *reinterpret_cast<const uint4*>(p);
    const __nv_bfloat16* h = reinterpret_cast<const __nv_bfloat16*>(&raw);
    for (int i = 0; i < kVec; ++i) v[i] = __bfloat162float(h[i]);
  }
  static __device__ void store(__nv_bfloat16* p, const float v[kVec]) {
    uint4 raw;
    __nv_bfloat16* h = reinterpret_cast<__nv_bfloat16*>(&raw);
    for (int i = 0; i < kVec; ++i) h[i] = __float2bfloat16(v[i]);
    *reinterpret_cast<uint4*>(p) = raw;
  }
  // What the value is once stored: ATen rounds BatchNorm's output to bf16 before the ReLU and
  // the pooling compare it, so the argmax is taken between rounded values, as here.
  static __device__ float round(float x) { return __bfloat162float(__float2bfloat16(x)); }
};

// The threads of a block as (group, lane): lane = which 8 channels, group = which pixel or
// window of the block's current slice. `lanes` = c / 8.
struct Layout {
  int lanes, groups;
  __device__ Layout(std::int64_t c) : lanes(static_cast<int>(c / kVec)), groups(kThreads / lanes) {}
  __device__ bool active() const { return threadIdx.x < lanes * groups; }
  __device__ int lane() const { return threadIdx.x % lanes; }
  __device__ int group() const { return threadIdx.x / lanes; }
  // The block's groups walk the pixels or windows grid-stride: from first(), by step().
  __device__ std::int64_t first() const { return static_cast<std::int64_t>(blockIdx.x) * groups + group(); }
  __device__ std::int64_t step() const { return static_cast<std::int64_t>(gridDim.x) * groups; }
};

// Per-channel scale and shift of the batch's normalisation, into shared memory:
// bn(x) = x * scale + shift, scale = gamma * invstd, shift = beta - mean * scale.
__device__ void load_affine(const BatchNorm& bn, std::int64_t c, double count, float* scale, float* shift, float* mean,
                            float* invstd) {
  for (int i = threadIdx.x; i < c; i += blockDim.x) {
    const double m = bn.sums[i] / count, var = fmax(bn.sums[c + i] / count - m * m, 0.0);
    const float is = static_cast<float>(1.0 / sqrt(var + bn.eps));
    mean[i] = static_cast<float>(m);
    invstd[i] = is;
    scale[i] = bn.gamma[i] * is;
    shift[i] = bn.beta[i] - static_cast<float>(m) * bn.gamma[i] * is;
  }
  __syncthreads();
}

// Sums `a` and `b` (kVec values each per thread) over the block's groups and adds them to
// out[channel] and out[c + channel] with one double atomic each.
__device__ void add_block_sums(const Layout& l, std::int64_t c, const float a[kVec], const float b[kVec], double* out) {
  __shared__ float red[kThreads][2 * kVec + 1];
  for (int i = 0; i < kVec; ++i) red[threadIdx.x][i] = l.active() ? a[i] : 0.f, red[threadIdx.x][kVec + i] = l.active() ? b[i] : 0.f;
  __syncthreads();
  for (int t = threadIdx.x; t < l.lanes * 2 * kVec; t += blockDim.x) {  // one thread per (lane, value)
    const int lane = t % l.lanes, k = t / l.lanes;
    float s = 0.f;
    for (int g = 0; g < l.groups; ++g) s += red[g * l.lanes + lane][k];
    const std::int64_t channel = lane * kVec + (k % kVec);
    atomicAdd(out + (k < kVec ? 0 : c) + channel, static_cast<double>(s));
  }
}

template <typename T>
__global__ void bn_sums_kernel(const T* y, Nhwc s, double* sums) {
  const Layout l(s.c);
  float sum[kVec] = {}, sq[kVec] = {};
  const std::int64_t rows = s.n * s.h * s.w;
  if (l.active())
    for (std::int64_t r = l.first(); r < rows; r += l.step()) {
      float v[kVec];
      Vec8<T>::load(y + r * s.c + l.lane() * kVec, v);
      for (int i = 0; i < kVec; ++i) sum[i] += v[i], sq[i] += v[i] * v[i];
    }
  add_block_sums(l, s.c, sum, sq, sums);
}

// The four rows (NHWC pixels) of pooling window p, in MaxPool2d's scan order.
__device__ void window_rows(const Nhwc& s, std::int64_t p, std::int64_t rows[4]) {
  const std::int64_t ow = s.w / 2, oh = s.h / 2;
  const std::int64_t n = p / (oh * ow), i = (p / ow) % oh, j = p % ow;
  rows[0] = (n * s.h + 2 * i) * s.w + 2 * j;
  rows[1] = rows[0] + 1;
  rows[2] = rows[0] + s.w;
  rows[3] = rows[2] + 1;
}

template <typename T>
__global__ void forward_kernel(const T* y, Nhwc s, BatchNorm bn, float* running_mean, float* running_var,
                               std::int64_t* batches_tracked, double momentum, T* out) {
  extern __shared__ float smem[];
  float *scale = smem, *shift = smem + s.c, *mean = smem + 2 * s.c, *invstd = smem + 3 * s.c;
  const double count = static_cast<double>(s.n * s.h * s.w);
  load_affine(bn, s.c, count, scale, shift, mean, invstd);
  if (blockIdx.x == 0) {
    for (int i = threadIdx.x; i < s.c; i += blockDim.x) {
      const double m = bn.sums[i] / count, var = fmax(bn.sums[s.c + i] / count - m * m, 0.0);
      const double shifted = m + (bn.conv_bias ? bn.conv_bias[i] : 0.f);
      running_mean[i] = static_cast<float>((1 - momentum) * running_mean[i] + momentum * shifted);
      running_var[i] = static_cast<float>((1 - momentum) * running_var[i] + momentum * var * count / (count - 1));
    }
    if (threadIdx.x == 0 && batches_tracked) *batches_tracked += 1;
  }
  const Layout l(s.c);
  if (!l.active()) return;
  const std::int64_t windows = s.n * (s.h / 2) * (s.w / 2);
  const int c0 = l.lane() * kVec;
  for (std::int64_t p = l.first(); p < windows; p += l.step()) {
    std::int64_t rows[4];
    window_rows(s, p, rows);
    float best[kVec];
    for (int i = 0; i < kVec; ++i) best[i] = 0.f;  // the ReLU
    for (int k = 0; k < 4; ++k) {
      float v[kVec];
      Vec8<T>::load(y + rows[k] * s.c + c0, v);
      for (int i = 0; i < kVec; ++i) best[i] = fmaxf(best[i], v[i] * scale[c0 + i] + shift[c0 + i]);
    }
    Vec8<T>::store(out + p * s.c + c0, best);
  }
}

// For window p and the thread's channels: the gradient reaching each of the four BatchNorm
// outputs (grad_out at the window's first maximum, where that maximum is positive: the
// pooling's and the ReLU's backward), and the four normalised inputs.
template <typename T>
__device__ void window_grads(const T* y, const T* grad_out, const Nhwc& s, std::int64_t p, int c0, const float* scale,
                             const float* shift, const float* mean, const float* invstd, std::int64_t rows[4],
                             float dz[4][kVec], float xhat[4][kVec]) {
  window_rows(s, p, rows);
  float g[kVec], best[kVec];
  int arg[kVec];
  Vec8<T>::load(grad_out + p * s.c + c0, g);
  for (int k = 0; k < 4; ++k) {
    float v[kVec];
    Vec8<T>::load(y + rows[k] * s.c + c0, v);
    for (int i = 0; i < kVec; ++i) {
      const float z = Vec8<T>::round(v[i] * scale[c0 + i] + shift[c0 + i]);
      xhat[k][i] = (v[i] - mean[c0 + i]) * invstd[c0 + i];
      if (k == 0 || z > best[i]) best[i] = z, arg[i] = k;
    }
  }
  for (int k = 0; k < 4; ++k)
    for (int i = 0; i < kVec; ++i) dz[k][i] = (arg[i] == k && best[i] > 0.f) ? g[i] : 0.f;
}

template <typename T>
__global__ void backward_sums_kernel(const T* y, const T* grad_out, Nhwc s, BatchNorm bn, double* grad_sums) {
  extern __shared__ float smem[];
  float *scale = smem, *shift = smem + s.c, *mean = smem + 2 * s.c, *invstd = smem + 3 * s.c;
  load_affine(bn, s.c, static_cast<double>(s.n * s.h * s.w), scale, shift, mean, invstd);
  const Layout l(s.c);
  float sum[kVec] = {}, dot[kVec] = {};
  const std::int64_t windows = s.n * (s.h / 2) * (s.w / 2);
  if (l.active())
    for (std::int64_t p = l.first(); p < windows; p += l.step()) {
      std::int64_t rows[4];
      float dz[4][kVec], xhat[4][kVec];
      window_grads(y, grad_out, s, p, l.lane() * kVec, scale, shift, mean, invstd, rows, dz, xhat);
      for (int k = 0; k < 4; ++k)
        for (int i = 0; i < kVec; ++i) sum[i] += dz[k][i], dot[i] += dz[k][i] * xhat[k][i];
    }
  add_block_sums(l, s.c, sum, dot, grad_sums);
}

template <typename T>
__global__ void backward_kernel(const T* y, const T* grad_out, Nhwc s, BatchNorm bn, const double* grad_sums, T* grad_in,
                                float* grad_gamma, float* grad_beta) {
  extern __shared__ float smem[];
  float *scale = smem, *shift = smem + s.c, *mean = smem + 2 * s.c, *invstd = smem + 3 * s.c;
  float *mean_dz = smem + 4 * s.c, *mean_dzx = smem + 5 * s.c;
  const double count = static_cast<double>(s.n * s.h * s.w);
  for (int i = threadIdx.x; i < s.c; i += blockDim.x) {
    mean_dz[i] = static_cast<float>(grad_sums[i] / count);
    mean_dzx[i] = static_cast<float>(grad_sums[s.c + i] / count);
    if (blockIdx.x == 0) {  // added, as autograd adds into a parameter's .grad
      grad_beta[i] += static_cast<float>(grad_sums[i]);
      grad_gamma[i] += static_cast<float>(grad_sums[s.c + i]);
    }
  }
  load_affine(bn, s.c, count, scale, shift, mean, invstd);  // ends with __syncthreads
  const Layout l(s.c);
  if (!l.active()) return;
  const std::int64_t windows = s.n * (s.h / 2) * (s.w / 2);
  const int c0 = l.lane() * kVec;
  for (std::int64_t p = l.first(); p < windows; p += l.step()) {
    std::int64_t rows[4];
    float dz[4][kVec], xhat[4][kVec];
    window_grads(y, grad_out, s, p, c0, scale, shift, mean, invstd, rows, dz, xhat);
    for (int k = 0; k < 4; ++k) {
      float dx[kVec];
      for (int i = 0; i < kVec; ++i)
        dx[i] = scale[c0 + i] * (dz[k][i] - mean_dz[c0 + i] - xhat[k][i] * mean_dzx[c0 + i]);
      Vec8<T>::store(grad_in + rows[k] * s.c + c0, dx);
    }
  }
}

// One thread per row: where the row's first largest logit is (a NaN counts as largest, the
// first NaN first: ATen's argmax), against the label; a block's count added once.
template <typename T>
__global__ void add_correct_kernel(const T* logits, const std::int64_t* labels, std::int64_t rows, std::int64_t classes,
                                   double* sum) {
  __shared__ unsigned int block_count;
  if (threadIdx.x == 0) block_count = 0;
  __syncthreads();
  for (std::int64_t r = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; r < rows;
       r += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const T* row = logits + r * classes;
    float best = static_cast<float>(row[0]);
    std::int64_t arg = 0;
    for (std::int64_t j = 1; j < classes && !isnan(best); ++j) {
      const float v = static_cast<float>(row[j]);
      if (isnan(v) || v > best) best = v, arg = j;
    }
    if (arg == labels[r]) atomicAdd(&block_count, 1u);
  }
  __syncthreads();
  if (threadIdx.x == 0 && block_count) atomicAdd(sum, static_cast<double>(block_count));
}

// One block; each thread takes rows grid-stride within the block.
template <typename T>
__global__ void cross_entropy_forward_kernel(const T* logits, const std::int64_t* labels, std::int64_t rows,
                                             std::int64_t classes, float* loss, float* count, float* dlogits) {
  __shared__ float sum_loss[kThreads], counted[kThreads];
  float my_loss = 0.f, my_count = 0.f;
  for (std::int64_t r = threadIdx.x; r < rows; r += blockDim.x) {
    const T* x = logits + r * classes;
    float* d = dlogits + r * classes;
    const std::int64_t label = labels[r];
    const bool ignored = label == -100;
    float m = static_cast<float>(x[0]);
    for (std::int64_t j = 1; j < classes; ++j) m = fmaxf(m, static_cast<float>(x[j]));
    float s = 0.f;
    for (std::int64_t j = 0; j < classes; ++j) s += expf(static_cast<float>(x[j]) - m);
    for (std::int64_t j = 0; j < classes; ++j)
      d[j] = ignored ? 0.f : expf(static_cast<float>(x[j]) - m) / s - (j == label ? 1.f : 0.f);
    if (ignored) continue;
    my_count += 1.f;
    my_loss += label >= 0 && label < classes ? m + logf(s) - static_cast<float>(x[label]) : NAN;
  }
  sum_loss[threadIdx.x] = my_loss, counted[threadIdx.x] = my_count;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) sum_loss[threadIdx.x] += sum_loss[threadIdx.x + half], counted[threadIdx.x] += counted[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) *loss = sum_loss[0] / counted[0], *count = counted[0];
}

template <typename T>
__global__ void cross_entropy_backward_kernel(const float* dlogits, const float* grad_loss, const float* count,
                                              std::int64_t n, T* grad_logits) {
  const float scale = *grad_loss / *count;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    grad_logits[i] = static_cast<T>(dlogits[i] * scale);
}

// One block per column (warps stride the rows), one atomic-free write per column.
template <typename T>
__global__ void add_column_sums_kernel(const T* g, std::int64_t rows, std::int64_t cols, float* out) {
  __shared__ float partial[kThreads];
  const std::int64_t j = blockIdx.x;
  float s = 0.f;
  for (std::int64_t r = threadIdx.x; r < rows; r += blockDim.x) s += static_cast<float>(g[r * cols + j]);
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[j] += partial[0];
}

// One value per thread; each thread works out the step's scalars itself, and the last block
// to arrive writes the advanced step count (every block has read the old one by then).
__global__ void adam_kernel(AdamStep a) {
  __shared__ float next_step;
  if (threadIdx.x == 0) next_step = *a.step + 1.f;
  __syncthreads();
  const double step = next_step, lr = *a.lr;
  const float step_size = static_cast<float>(lr / (1 - pow(a.beta1, step)));
  const float bc2_sqrt = static_cast<float>(sqrt(1 - pow(a.beta2, step)));
  const float b1 = static_cast<float>(a.beta1), b2 = static_cast<float>(a.beta2);
  const float wd = static_cast<float>(a.weight_decay), eps = static_cast<float>(a.eps), rate = static_cast<float>(lr);
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < a.n;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    float p = a.param[i], g = a.grad[i];
    a.grad[i] = 0.f;
    if (wd != 0.f) {
      if (a.decoupled) p -= rate * wd * p;
      else g += p * wd;
    }
    const float m = b1 * a.exp_avg[i] + (1 - b1) * g;
    const float v = b2 * a.exp_avg_sq[i] + (1 - b2) * g * g;
    float second = v;
    if (a.max_exp_avg_sq) a.max_exp_avg_sq[i] = second = fmaxf(a.max_exp_avg_sq[i], v);
    a.exp_avg[i] = m, a.exp_avg_sq[i] = v;
    a.param[i] = p - step_size * m / (sqrtf(second) / bc2_sqrt + eps);
  }
  if (threadIdx.x == 0 && atomicAdd(a.arrived, 1u) == gridDim.x - 1) *a.step = next_step, *a.arrived = 0;
}

// The first convolution. Each forward thread computes one output pixel's channels from
// its 3x3xci neighbourhood (27 values for RGB) and the weights in shared memory.
constexpr int kTaps = 9 * kFirstConvMaxIn;

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

/// Calls f with std::integral_constant<int, ci> for ci in 1..4 (the kernel's CI).
template <typename F>
inline void with_first_conv_channels(std::int64_t ci, F f) {
  if (ci == 1) f(std::integral_constant<int, 1>{});
  else if (ci == 2) f(std::integral_constant<int, 2>{});
  else if (ci == 3) f(std::integral_constant<int, 3>{});
  else f(std::integral_constant<int, 4>{});
}

template <typename T, int CI>
__global__ void first_conv_forward_kernel(const float* x, const float* weight, FirstConv c, T* y, T* cols) {
  __shared__ __align__(16) float wt[kFirstConvMaxOut * kTaps];
  constexpr int taps = 9 * CI;
  // Tap-major in shared memory, wt[k * co + o], so that a thread reads 8 channels' weights of
  // a tap as two 16-byte loads.
  for (int e = threadIdx.x; e < c.co * taps; e += blockDim.x) {
    const int o = e / taps, k = e % taps;  // k in the weight's (ci, kh, kw) order
    const std::int64_t at = o * c.w_strides[0] + (k / 9) * c.w_strides[1] + (k % 9 / 3) * c.w_strides[2] + (k % 3) * c.w_strides[3];
    wt[k * c.co + o] = first_conv_operand(weight[at], c.round_bf16);
  }
  __syncthreads();
  const std::int64_t pixels = c.n * c.h * c.w;
  for (std::int64_t p = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; p < pixels;
       p += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    float v[taps];
    first_conv_taps<CI>(x, c, p / (c.h * c.w), (p / c.w) % c.h, p % c.w, v);
    if (cols) {  // the pixel's row of the im2col matrix, zero-padded to a multiple of 8 columns
      constexpr int width = (taps + kVec - 1) / kVec * kVec;  // first_conv_cols_width(CI)
#pragma unroll
      for (int k0 = 0; k0 < width; k0 += kVec) {
        float row[kVec];
#pragma unroll
        for (int i = 0; i < kVec; ++i) row[i] = k0 + i < taps ? v[k0 + i] : 0.f;
        Vec8<T>::store(cols + p * width + k0, row);
      }
    }
    for (int o0 = 0; o0 < c.co; o0 += kVec) {
      float acc[kVec] = {};
#pragma unroll
      for (int k = 0; k < taps; ++k) {
        const float4 a = *reinterpret_cast<const float4*>(wt + k * c.co + o0),
                     b = *reinterpret_cast<const float4*>(wt + k * c.co + o0 + 4);
        acc[0] += v[k] * a.x, acc[1] += v[k] * a.y, acc[2] += v[k] * a.z, acc[3] += v[k] * a.w;
        acc[4] += v[k] * b.x, acc[5] += v[k] * b.y, acc[6] += v[k] * b.z, acc[7] += v[k] * b.w;
      }
      Vec8<T>::store(y + p * c.co + o0, acc);
    }
  }
}

int blocks_for(std::int64_t threads_needed) { return grid_blocks(threads_needed, kThreads); }

// Each thread takes about `per_thread` pixels or windows: enough to amortise the block's
// shared-memory set-up and its atomics, few enough to fill the GPU. With `fill_gpu` (kernels
// without atomics) fewer where the batch is small (a late block's 4x4 maps), so that each of
// the H100's and H200's 132 multiprocessors gets a block; measured on the H200, that made the
// forward and backward kernels of the last two blocks about 1 µs faster, and the summing
// kernels, whose atomics grow with the blocks, 1 to 3 µs slower.
int vector_blocks(std::int64_t items, std::int64_t c, int per_thread, bool fill_gpu = false) {
  const std::int64_t groups = kThreads / (c / kVec);
  while (fill_gpu && per_thread > 1 && (items + per_thread - 1) / per_thread / groups < 132) per_thread /= 2;
  return blocks_for((items + per_thread - 1) / per_thread / groups * kThreads);
}

}  // namespace

const char* bn_sums(Dtype t, const void* y, Nhwc s, double* sums, void* stream) {
  const int blocks = vector_blocks(s.n * s.h * s.w, s.c, 8);
  if (t == Dtype::bf16) bn_sums_kernel<<<blocks, kThreads, 0, as_stream(stream)>>>(static_cast<const __nv_bfloat16*>(y), s, sums);
  else bn_sums_kernel<<<blocks, kThreads, 0, as_stream(stream)>>>(static_cast<const float*>(y), s, sums);
  return launched();
}

const char* bn_relu_pool_forward(Dtype t, const void* y, Nhwc s, BatchNorm bn, float* running_mean, float* running_var,
                                 std::int64_t* batches_tracked, double momentum, void* out, void* stream) {
  const int blocks = vector_blocks(s.n * s.h / 2 * s.w / 2, s.c, 2, true);
  const std::size_t shared = 4 * s.c * sizeof(float);
  if (t == Dtype::bf16)
    forward_kernel<<<blocks, kThreads, shared, as_stream(stream)>>>(static_cast<const __nv_bfloat16*>(y), s, bn, running_mean,
                                                                    running_var, batches_tracked, momentum,
                                                                    static_cast<__nv_bfloat16*>(out));
  else
    forward_kernel<<<blocks, kThreads, shared, as_stream(stream)>>>(static_cast<const float*>(y), s, bn, running_mean, running_var,
                                                                    batches_tracked, momentum, static_cast<float*>(out));
  return launched();
}

const char* bn_relu_pool_backward_sums(Dtype t, const void* y, const void* grad_out, Nhwc s, BatchNorm bn, double* grad_sums,
                                       void* stream) {
  const int blocks = vector_blocks(s.n * s.h / 2 * s.w / 2, s.c, 4);
  const std::size_t shared = 4 * s.c * sizeof(float);
  if (t == Dtype::bf16)
    backward_sums_kernel<<<blocks, kThreads, shared, as_stream(stream)>>>(
        static_cast<const __nv_bfloat16*>(y), static_cast<const __nv_bfloat16*>(grad_out), s, bn, grad_sums);
  else
    backward_sums_kernel<<<blocks, kThreads, shared, as_stream(stream)>>>(static_cast<const float*>(y),
                                                                          static_cast<const float*>(grad_out), s, bn, grad_sums);
  return launched();
}

const char* bn_relu_pool_backward(Dtype t, const void* y, const void* grad_out, Nhwc s, BatchNorm bn, const double* grad_sums,
                                  void* grad_in, float* grad_gamma, float* grad_beta, void* stream) {
  const int blocks = vector_blocks(s.n * s.h / 2 * s.w / 2, s.c, 2, true);
  const std::size_t shared = 6 * s.c * sizeof(float);
  if (t == Dtype::bf16)
    backward_kernel<<<blocks, kThreads, shared, as_stream(stream)>>>(
        static_cast<const __nv_bfloat16*>(y), static_cast<const __nv_bfloat16*>(grad_out), s, bn, grad_sums,
        static_cast<__nv_bfloat16*>(grad_in), grad_gamma, grad_beta);
  else
    backward_kernel<<<blocks, kThreads, shared, as_stream(stream)>>>(static_cast<const float*>(y),
                                                                     static_cast<const float*>(grad_out), s, bn, grad_sums,
                                                                     static_cast<float*>(grad_in), grad_gamma, grad_beta);
  return launched();
}

const char* add_correct(Dtype t, const void* logits, const std::int64_t* labels, std::int64_t rows, std::int64_t classes,
                        double* sum, void* stream) {
  const int blocks = blocks_for(rows);
  if (t == Dtype::bf16)
    add_correct_kernel<<<blocks, kThreads, 0, as_stream(stream)>>>(static_cast<const __nv_bfloat16*>(logits), labels, rows,
                                                                   classes, sum);
  else
    add_correct_kernel<<<blocks, kThreads, 0, as_stream(stream)>>>(static_cast<const float*>(logits), labels, rows, classes,
                                                                   sum);
  return launched();
}

const char* cross_entropy_forward(Dtype t, const void* logits, const std::int64_t* labels, std::int64_t rows,
                                  std::int64_t classes, float* loss, float* count, float* dlogits, void* stream) {
  if (rows < 1 || classes < 1 || rows * classes > kCrossEntropyMax) return "cross_entropy_forward: a size it does not take";
  if (t == Dtype::bf16)
    cross_entropy_forward_kernel<<<1, kThreads, 0, as_stream(stream)>>>(static_cast<const __nv_bfloat16*>(logits), labels,
                                                                        rows, classes, loss, count, dlogits);
  else
    cross_entropy_forward_kernel<<<1, kThreads, 0, as_stream(stream)>>>(static_cast<const float*>(logits), labels, rows,
                                                                        classes, loss, count, dlogits);
  return launched();
}

const char* cross_entropy_backward(Dtype t, const float* dlogits, const float* grad_loss, const float* count,
                                   std::int64_t n, void* grad_logits, void* stream) {
  if (t == Dtype::bf16)
    cross_entropy_backward_kernel<<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(
        dlogits, grad_loss, count, n, static_cast<__nv_bfloat16*>(grad_logits));
  else
    cross_entropy_backward_kernel<<<blocks_for(n), kThreads, 0, as_stream(stream)>>>(dlogits, grad_loss, count, n,
                                                                                     static_cast<float*>(grad_logits));
  return launched();
}

const char* add_column_sums(Dtype t, const void* g, std::int64_t rows, std::int64_t cols, float* out, void* stream) {
  if (cols < 1 || cols > 65535) return "add_column_sums: a column count it does not take";
  const auto blocks = static_cast<unsigned>(cols);
  if (t == Dtype::bf16)
    add_column_sums_kernel<<<blocks, kThreads, 0, as_stream(stream)>>>(static_cast<const __nv_bfloat16*>(g), rows, cols, out);
  else
    add_column_sums_kernel<<<blocks, kThreads, 0, as_stream(stream)>>>(static_cast<const float*>(g), rows, cols, out);
  return launched();
}

const char* adam_step(const AdamStep& a, void* stream) {
  adam_kernel<<<blocks_for(a.n), kThreads, 0, as_stream(stream)>>>(a);
  return launched();
}

const char* first_conv_forward(Dtype t, const float* x, const float* weight, FirstConv c, void* y, void* cols,
                               void* stream) {
  if (!first_conv_kernel_takes(c.ci, c.co)) return "a first convolution the kernel does not take";
  const int blocks = blocks_for(c.n * c.h * c.w);
  with_first_conv_channels(c.ci, [&](auto ci) {
    constexpr int CI = decltype(ci)::value;
    if (t == Dtype::bf16)
      first_conv_forward_kernel<__nv_bfloat16, CI><<<blocks, kThreads, 0, as_stream(stream)>>>(
          x, weight, c, static_cast<__nv_bfloat16*>(y), static_cast<__nv_bfloat16*>(cols));
    else
      first_conv_forward_kernel<float, CI><<<blocks, kThreads, 0, as_stream(stream)>>>(x, weight, c, static_cast<float*>(y),
                                                                                      static_cast<float*>(cols));
  });
  return launched();
}

}  // namespace pipeml::cuda_kernels
