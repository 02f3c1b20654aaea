// pipe's own CUDA kernels (runtime/exec/cuda/kernels.cu) as LibTorch operations, for the parts
// of an image model's step that ATen runs as many small kernels. Built where LibTorch has CUDA
// and nvcc is found (runtime/exec/cuda/fused_ops.cc); elsewhere runtime/exec/no_cuda/fused_ops.cc
// says they are not there, and the callers keep ATen's operations.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "runtime/exec/cuda/kernels.h"

namespace pipeml {

/// Whether this build has the kernels.
bool fused_kernels_available();

/// Whether fused_bn_relu_pool takes `y`: a CUDA float32 or bfloat16 [N, C, H, W] in
/// channels-last memory format, C a multiple of 8 up to 1024, H and W even.
bool fused_bn_relu_pool_takes(const at::Tensor& y);

/// MaxPool2d(2)(ReLU(BatchNorm2d(y + conv_bias))) in training mode, with autograd, where `y` is
/// a convolution's output computed without its bias: BatchNorm removes the batch mean, and
/// with it the bias, from what it passes on, so the bias gets a gradient of exactly zero and
/// enters only the running mean (which eval mode subtracts from conv + bias). Updates
/// running_mean, running_var and batches_tracked as the module's forward does. `workspace`
/// (may be undefined: then it zeroes its own) is 4 * C zeroed doubles on y's device for the
/// forward's and the backward's sums, so that one fill serves a model's every block. Where
/// gamma and beta have a float32 contiguous .grad, the backward adds their gradients there
/// itself (autograd then has nothing to add).
at::Tensor fused_bn_relu_pool(const at::Tensor& y, const at::Tensor& conv_bias, const at::Tensor& gamma,
                              const at::Tensor& beta, const at::Tensor& running_mean, const at::Tensor& running_var,
                              const at::Tensor& batches_tracked, double momentum, double eps,
                              const at::Tensor& workspace = at::Tensor());

/// Whether fused_first_conv takes `x` for a convolution of `weight` (3x3, and the caller has
/// checked stride 1, padding 1, dilation 1, one group): x a CUDA float32 [N, C, H, W] that
/// needs no gradient, C at most 4; out_channels a multiple of 8 up to 64.
bool fused_first_conv_takes(const at::Tensor& x, const at::Tensor& weight);

/// conv2d(x, weight, no bias, stride 1, padding 1) with autograd (weight's gradient only, added
/// to its float32 .grad where there is one), by cuda_kernels::first_conv_forward and a GEMM on
/// its im2col matrix; bfloat16 NHWC out with `bf16` (autocast's operands: x and weight rounded
/// to bfloat16, float32 sums), else float32 NHWC. Its backward then waits for the later
/// convolutions' side-stream weight gradients (fused_conv2d).
at::Tensor fused_first_conv(const at::Tensor& x, const at::Tensor& weight, bool bf16);

/// Whether fused_conv2d takes them: x and weight CUDA tensors of one device, 4-d; `grad` the
/// float32 .grad (float32_grad) of the parameter that `weight` is or is autocast's copy of,
/// of weight's sizes, on its device.
bool fused_conv2d_takes(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& grad);

/// conv2d(x, weight, no bias, stride, padding, dilation, groups) with autograd — cuDNN's, as
/// at::conv2d — whose backward adds the weight's gradient into `grad` itself. With `side`,
/// it computes that gradient on a stream of its own, concurrently with x's gradient and the
/// backward of the layers before (a small batch's convolutions leave the GPU half idle);
/// the backward of an earlier layer must then wait for it: the model's first convolution,
/// fused_first_conv's or this one's without `side`, whose backward (the last) computes its
/// gradient on the current stream and then waits there for every side-stream one.
at::Tensor fused_conv2d(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& grad, at::IntArrayRef stride,
                        at::IntArrayRef padding, at::IntArrayRef dilation, std::int64_t groups, bool side);

/// Autocast's bfloat16 copies of `weights` (float32 CUDA tensors, each dense), with autograd,
/// by cuda_kernels::cast_weights_bf16: one kernel for all of them. The backward adds each
/// bfloat16 gradient into its weight's float32 .grad where there is one of the same strides
/// (cuda_kernels::add_bf16_grads: one kernel for all), else returns it as float32. Empty where
/// this build has no kernels or the weights do not suit (more than kMaxWeights, or not
/// float32, CUDA and dense): the caller casts each itself.
std::vector<at::Tensor> fused_bf16_weights(const std::vector<at::Tensor>& weights);

/// sum += argmax(logits, 1).eq(labels).sum() in one kernel (cuda_kernels::add_correct), where
/// it takes them — logits a CUDA float32 or bfloat16 [rows, classes], labels int64 [rows], sum
/// a float64 tensor of one value, all on one device — and returns true; else false, and the
/// caller counts with ATen.
bool fused_add_correct(const at::Tensor& logits, const at::Tensor& labels, at::Tensor& sum);

/// Whether fused_cross_entropy takes them: `logits` a CUDA float32 or bfloat16 [rows, classes]
/// of at most cuda_kernels::kCrossEntropyMax values, `labels` int64 [rows] on its device.
bool fused_cross_entropy_takes(const at::Tensor& logits, const at::Tensor& labels);

/// cross_entropy(logits, labels) — mean, no class weights, no label smoothing, ignore_index
/// -100 — with autograd, in two kernels (cuda_kernels::cross_entropy_*), computed in float32
/// as autocast has ATen compute it; the gradient comes back in the logits' type.
at::Tensor fused_cross_entropy(const at::Tensor& logits, const at::Tensor& labels);

/// Whether fused_linear_head takes them: x a CUDA [N, C, H, W] in channels-last memory,
/// bfloat16 with `bf16`, else float32; weight float32 contiguous [out, C*H*W] on its device,
/// with at most cuda_kernels::kLinearHeadMaxOut outputs; bias undefined or float32 [out] there.
bool fused_linear_head_takes(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool bf16);

/// linear(flatten(x), weight, bias) with autograd, x read where it lies (see nhwc_linear), by
/// cuda_kernels::linear_head_*: one kernel forward, one backward, which adds the weight's and
/// the bias's gradients into their float32 .grad where there is one. In x's type: autocast's
/// bfloat16 product (the weight and bias rounded to bfloat16, float32 sums) where x is.
at::Tensor fused_linear_head(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

/// A CUDA graph's batch in one kernel (cuda_kernels::select_batch): xb and yb get rows
/// [counter * batch, + batch) of x and y, the counter (int64, one value) read on the device.
/// Where it takes them — x and y contiguous CUDA tensors of the same rows on one device with
/// the counter, batch at most their rows — returns true; else false, and the caller selects
/// with ATen.
bool fused_select_batch(const at::Tensor& x, const at::Tensor& y, const at::Tensor& counter, std::int64_t batch,
                        at::Tensor& xb, at::Tensor& yb);

/// losses[slot] = loss, and with `advance` slot += 1, in one kernel (cuda_kernels::record_loss)
/// where it takes them — losses a contiguous float32 vector, slot an int64 and loss a float32
/// of one value, on one CUDA device — and returns true; else false (the caller uses ATen).
bool fused_record_loss(const at::Tensor& losses, const at::Tensor& slot, const at::Tensor& loss, bool advance);

/// A graphed step's bookkeeping beside its backward: fused_record_loss's losses[slot] = loss
/// (slot += 1 with `advance`) and fused_add_correct's count of logits' correct predictions
/// added to `sum`, both launched on the device's side stream (fused_conv2d's), after what the
/// current stream was given so far: the loss and the logits are known before the backward,
/// and the two kernels need not wait for it. The current stream waits for them at
/// join_side_stream (or at the first convolution's backward). Where it takes them (both
/// functions' conditions) returns true; else false, launching nothing.
bool fused_record_step(const at::Tensor& losses, const at::Tensor& slot, const at::Tensor& loss, bool advance,
                       const at::Tensor& logits, const at::Tensor& labels, at::Tensor& sum);

/// The current stream waits for all work put on the device's side stream so far (nothing to
/// wait for, or not CUDA: nothing happens). A CUDA graph's capture must end with it.
void join_side_stream(const at::Device& device);

/// out += g.sum(0) in one kernel (cuda_kernels::add_column_sums) where it takes them: g a CUDA
/// float32 or bfloat16 [rows, cols], out a contiguous float32 [cols] on its device; returns
/// whether it did (else the caller sums with ATen).
bool fused_add_column_sums(const at::Tensor& g, const at::Tensor& out);

/// Adam's or AdamW's step over flat float32 CUDA buffers in one kernel (cuda_kernels::adam_step:
/// torch.optim's fused=True formula; it zeroes `grad` once read), `step` (the steps taken; the
/// kernel adds one) and `lr` 0-d float32 tensors on the same device, `arrived` one int32 there
/// kept zero between calls; `max_exp_avg_sq` defined with amsgrad only. False where this build has no kernels or the
/// tensors do not suit (the caller keeps its own operations).
bool fused_adam_step(const at::Tensor& param, const at::Tensor& grad, const at::Tensor& exp_avg, const at::Tensor& exp_avg_sq,
                     const at::Tensor& max_exp_avg_sq, const at::Tensor& step, const at::Tensor& arrived,
                     const at::Tensor& lr, double beta1, double beta2, double weight_decay, double eps, bool decoupled);

/// A batch's augmentation in one kernel (cuda_kernels::augment): `bytes` uint8 [B, C, H, W] on
/// CUDA; `a` gives the sizes and steps (its rng and drawn are set here). The flips and windows
/// are drawn in the kernel from the device's default generator, graph-safe as ATen's own
/// random kernels are. float32 [B, C, out_h, out_w] out, channels-last when a.channels_last;
/// `drawn` (may be null) gets per image (uniform number, row offset, column offset) float32
/// [B, 3].
at::Tensor fused_augment(const at::Tensor& bytes, cuda_kernels::Augment a, at::Tensor* drawn = nullptr);

}  // namespace pipeml
