// pipe's own CUDA kernels (kernels.cu, compiled by nvcc without LibTorch's headers) for the
// parts of an image model's training step that ATen runs as many small kernels: the batch's
// augmentation, and the BatchNorm2d → ReLU → MaxPool2d(2) that follows a convolution. Raw
// pointers and a stream in, an error text out (null: launched); fused_ops.cc wraps them for
// LibTorch. Tensors are NHWC (channels-last), float32 or bfloat16 as `Dtype` says.
#pragma once
#include <cstdint>

namespace pipeml::cuda_kernels {

enum class Dtype { f32, bf16 };

/// An NHWC activation [n, h, w, c] before the pooling; c is a multiple of 8 (at most 1024),
/// h and w are even.
struct Nhwc {
  std::int64_t n, h, w, c;
};

/// BatchNorm's parameters and buffers (float32, c values each). `sums` holds the batch's
/// per-channel sum and sum of squares (double, 2c: bn_sums writes it); `conv_bias` (may be
/// null) is the bias the convolution left out: it shifts the batch mean only, which the
/// normalisation removes, so it enters the running mean alone.
struct BatchNorm {
  const float* gamma;
  const float* beta;
  const float* conv_bias;
  const double* sums;
  double eps;
};

/// Adds each channel's sum and sum of squares of `y` to `sums` (zeroed by the caller).
const char* bn_sums(Dtype t, const void* y, Nhwc s, double* sums, void* stream);

/// out[n, h/2, w/2, c] = max over each 2x2 window of relu(batch_norm(y)), with the batch's
/// statistics; updates the running mean and (unbiased) variance as torch.nn.BatchNorm2d does
/// with `momentum`, and adds 1 to `batches_tracked` (may be null).
const char* bn_relu_pool_forward(Dtype t, const void* y, Nhwc s, BatchNorm bn, float* running_mean,
                                 float* running_var, std::int64_t* batches_tracked, double momentum, void* out,
                                 void* stream);

/// The backward's two passes. The first adds, per channel, the sum of the gradient that reaches
/// the BatchNorm's output (grad_out routed through the pooling's argmax and the ReLU) and of
/// that gradient times the normalised input, to `grad_sums` (double, 2c, zeroed by the caller).
/// The second writes grad_in (like y) and adds the gradients of gamma and beta to grad_gamma
/// and grad_beta (float, c each): their .grad, which autograd would otherwise add to.
const char* bn_relu_pool_backward_sums(Dtype t, const void* y, const void* grad_out, Nhwc s, BatchNorm bn,
                                       double* grad_sums, void* stream);
const char* bn_relu_pool_backward(Dtype t, const void* y, const void* grad_out, Nhwc s, BatchNorm bn,
                                  const double* grad_sums, void* grad_in, float* grad_gamma, float* grad_beta,
                                  void* stream);

/// sum[0] += how many rows of `logits` [rows, classes] (row-major) have their largest value at
/// the column `labels` gives: argmax(1).eq(labels).sum(), with argmax's choice among ties (the
/// first) and NaNs (the first NaN), in one kernel instead of ATen's five.
const char* add_correct(Dtype t, const void* logits, const std::int64_t* labels, std::int64_t rows, std::int64_t classes,
                        double* sum, void* stream);

/// torch.nn.functional.cross_entropy(logits, labels) (mean, no class weights or smoothing,
/// ignore_index -100) in two kernels where ATen's log_softmax → nll_loss and their backward
/// take eight. The forward (one thread block: at most kCrossEntropyMax logits) writes the mean
/// loss, the number of rows counted (`count`) and each row's (softmax - one_hot) into
/// `dlogits` (float32, rows x classes); a label outside [0, classes) other than -100 makes the
/// loss NaN. The backward writes grad_logits = dlogits * grad_loss / count, in the logits'
/// type. Sums in float32, as ATen's.
constexpr std::int64_t kCrossEntropyMax = 1 << 16;
const char* cross_entropy_forward(Dtype t, const void* logits, const std::int64_t* labels, std::int64_t rows,
                                  std::int64_t classes, float* loss, float* count, float* dlogits, void* stream);
const char* cross_entropy_backward(Dtype t, const float* dlogits, const float* grad_loss, const float* count,
                                   std::int64_t n, void* grad_logits, void* stream);

/// out[j] += the sum over rows of g[row, j], g [rows, cols] row-major (float32 or bfloat16),
/// summed in float32: a Linear bias's gradient added to its .grad in one small kernel, where
/// ATen's column reduction of a [128, 10] bfloat16 matrix took 9 µs.
const char* add_column_sums(Dtype t, const void* g, std::int64_t rows, std::int64_t cols, float* out, void* stream);

/// One step of Adam or AdamW over n float32 values in one kernel, with torch.optim's fused=True
/// formula (ATen's fused Adam): m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g², p -= lr / bc1 ·
/// m / (sqrt(v or its running max) / sqrt(bc2) + eps), the weight decay added to g (Adam) or
/// taken from p (AdamW) first. The rate and the step count are read on the device, so a CUDA
/// graph replays it; the kernel advances the count itself (the last thread block to arrive,
/// counted in `arrived`, which must be zero before and is zero again after). ATen's own fused
/// kernel gives one flat buffer to two thread blocks (65,536 values each); this one spreads it
/// over the GPU.
struct AdamStep {
  float* param;
  float* grad;  ///< read, then zeroed: the next step's zero_grad has nothing left to do
  float* exp_avg;
  float* exp_avg_sq;
  float* max_exp_avg_sq;  ///< amsgrad's running maximum; null without amsgrad
  const float* lr;
  float* step;              ///< the steps taken so far; one more after the kernel
  unsigned int* arrived;    ///< zeroed scratch for the count's advance
  double beta1, beta2, weight_decay, eps;
  bool decoupled;  ///< AdamW
  std::int64_t n;
};
const char* adam_step(const AdamStep& a, void* stream);

/// A first convolution: 3x3, stride 1, zero padding 1, few input channels (at most 4) and
/// out_channels a multiple of 8 up to 64, as direct arithmetic, where cuDNN's kernels for three
/// input channels are slow (a generic engine forward; a weight gradient of one tile split 60
/// ways). x is float32 [n, ci, h, w] with any strides (x_strides in elements, NCHW order);
/// `weight` float32 [co, ci, 3, 3] with any strides (w_strides: a channels-last weight is
/// read where it lies). With `round_bf16` the products are of x and w
/// rounded to bfloat16 (autocast's operands), summed in float32. y is NHWC [n, h, w, co],
/// float32 or bfloat16 as `t`. `cols` (may be null; like y) gets the im2col matrix [n*h*w,
/// first_conv_cols_width(ci)] of the operands, taps in the weight's (ci, kh, kw) order and
/// zeros after them, from which the weight's gradient is one matrix product. The products are
/// float32 arithmetic: a tensor-core version (WMMA, with a weight gradient that built the taps
/// again instead of reading the im2col matrix) made the H100's bf16 epoch about 2 ms slower
/// and was dropped (docs/architecture.md, "CUDA kernels").
struct FirstConv {
  std::int64_t n, ci, h, w, co;
  std::int64_t x_strides[4];
  std::int64_t w_strides[4];
  bool round_bf16;
};
constexpr int first_conv_cols_width(std::int64_t ci) { return static_cast<int>((9 * ci + 7) / 8 * 8); }
const char* first_conv_forward(Dtype t, const float* x, const float* weight, FirstConv c, void* y, void* cols,
                               void* stream);

/// A batch's augmentation in one pass over its uint8 images [batch, channels, in_h, in_w]
/// (NCHW): an optional horizontal flip and an optional zero-padded crop, in the order given,
/// with the pointwise steps (x / d, or (x - mean[c]) / std[c]) that come before the crop
/// applied to the image's own pixels and those after it to every pixel; float32 out, NCHW or
/// NHWC. The same arithmetic as ATen's CUDA kernels for those steps, so the result is theirs
/// for the same flips and windows. Those are drawn in the kernel: per image one Philox4x32-10
/// call (curand's, as ATen's CUDA generator uses it: subsequence = the image, at the
/// generator's offset) gives the flip's uniform number and the window's row and column
/// offsets, where ATen took three kernels (and each a launch in a CUDA graph).
struct Pointwise {
  bool normalize;     ///< false: x * (1 / divide_by), as ATen's division by a scalar
  float divide_by;
  float mean[4], std[4];
};
/// A generator's Philox state as ATen hands it to a kernel (at::PhiloxCudaState): the seed
/// and offset, or under CUDA graph capture where they are in device memory (the offset then
/// adds `offset` to the one there), so that each replay draws anew.
struct Philox {
  std::uint64_t seed, offset;
  const std::int64_t* seed_at;    ///< null: not captured
  const std::int64_t* offset_at;  ///< null: not captured
};
/// The Philox values an augmentation takes from its generator's offset (one curand4 call).
constexpr std::uint64_t kAugmentPhiloxIncrement = 4;
struct Augment {
  std::int64_t batch, channels, in_h, in_w, out_h, out_w;
  bool flip;  ///< a flip step: flipped where the image's uniform number < flip_p
  float flip_p;
  bool crop;  ///< a crop step: the window at offsets drawn from [0, in + 2 * pad - out]
  std::int64_t pad;
  bool flip_before_crop;
  Philox rng;
  float* drawn;  ///< may be null: per image (uniform number, row offset, column offset) as drawn
  Pointwise steps[4];
  int pre_steps, steps_count;  ///< steps[0, pre_steps) before the crop, the rest after
  bool channels_last;
};
const char* augment(const std::uint8_t* bytes, const Augment& a, float* out, void* stream);

/// Several float32 weights cast to bfloat16 in one kernel, and their bfloat16 gradients added
/// to their float32 .grad in one (bf16_weights.cu): autocast's cast of each convolution's
/// weight, and autograd's conversion and addition of each gradient, were a kernel each.
/// Tensor i has n[i] values, in the same memory order on both sides (the caller checks).
constexpr int kMaxWeights = 8;
struct WeightCasts {
  const float* weight[kMaxWeights];
  void* bf16[kMaxWeights];
  std::int64_t n[kMaxWeights];
  int count;
};
const char* cast_weights_bf16(const WeightCasts& w, void* stream);
/// grad[i] += grad_bf16[i] for each tensor (a null grad_bf16: no gradient reached it).
struct GradAdds {
  const void* grad_bf16[kMaxWeights];
  float* grad[kMaxWeights];
  std::int64_t n[kMaxWeights];
  int count;
};
const char* add_bf16_grads(const GradAdds& g, void* stream);

/// A CUDA graph's batch (graph_batches.cu): rows [*counter * batch, + batch) of x and of y
/// (`rows` rows each, of x_row_bytes and y_row_bytes bytes, contiguous) copied into xb and yb,
/// with the counter read on the device; rows past the data are left as they are.
const char* select_batch(const void* x, std::int64_t x_row_bytes, const void* y, std::int64_t y_row_bytes,
                         std::int64_t rows, const std::int64_t* counter, std::int64_t batch, void* xb, void* yb,
                         void* stream);
/// losses[*slot] = *loss where 0 <= *slot < count, then with `advance` *slot += 1 (the counter
/// select_batch reads): one thread.
const char* record_loss(float* losses, std::int64_t count, std::int64_t* slot, const float* loss, bool advance,
                        void* stream);

/// A Linear with few outputs (a classifier's head) on a flattened NHWC activation, in
/// linear_head.cu: x [n, h, w, c] in NHWC memory (a channels-last block's output), `weight`
/// float32 [o, c*h*w] row-major in the flatten's (c, h, w) order, read where it lies (no
/// permuted copy), 1 <= o <= kLinearHeadMaxOut. With Dtype bf16, x, grad_out, out and grad_x
/// are bfloat16 and the weight (and the bias, in the forward) is rounded to bfloat16 as
/// autocast's operands are; every sum is float32, in a fixed order. One kernel each way where
/// ATen took four for [128, 2048] x [2048, 10]: the weight's permuted copy, the bias's cast, a
/// split-K GEMM and its reduction; two GEMMs, the addition to .grad and the bias's column sums.
struct LinearHead {
  std::int64_t n, h, w, c, o;
};
constexpr std::int64_t kLinearHeadMaxOut = 64;
/// out [n, o] = flatten(x) weight^T + bias (bias float32 [o], may be null).
const char* linear_head_forward(Dtype t, const void* x, const float* weight, const float* bias, LinearHead s, void* out,
                                void* stream);
/// grad_x (like x; may be null: not wanted) = grad_out weight; grad_w [o, c*h*w] += grad_out^T
/// flatten(x); grad_b [o] += grad_out's column sums (may be null). grad_out [n, o] row-major.
const char* linear_head_backward(Dtype t, const void* x, const float* weight, const void* grad_out, LinearHead s,
                                 void* grad_x, float* grad_w, float* grad_b, void* stream);

}  // namespace pipeml::cuda_kernels
