// runtime/exec/fused_ops.h on LibTorch's CUDA: tensors checked and made, the kernels of
// runtime/exec/cuda/*.cu launched on the current stream (so a CUDA graph captures them), and
// the fused operations with a backward as autograd functions.
#include <ATen/ATen.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGeneratorImpl.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/exec/fused_ops.h"
#include "runtime/exec/grad_into.h"
#include "runtime/fused_layers.h"

namespace pipeml {
namespace {

namespace k = cuda_kernels;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

void check(const char* error, const char* what) {
  if (error) throw std::runtime_error(std::string(what) + ": " + error);
}

void* stream_of(const at::Tensor& t) { return c10::cuda::getCurrentCUDAStream(t.device().index()).stream(); }

k::Dtype dtype_of(const at::Tensor& t) { return t.scalar_type() == at::kBFloat16 ? k::Dtype::bf16 : k::Dtype::f32; }

k::Nhwc shape_of(const at::Tensor& y) { return {y.size(0), y.size(2), y.size(3), y.size(1)}; }

at::Tensor channels_last(const at::Tensor& t) { return t.contiguous(at::MemoryFormat::ChannelsLast); }

k::BatchNorm batch_norm(const at::Tensor& gamma, const at::Tensor& beta, const at::Tensor& conv_bias, const at::Tensor& sums,
                        double eps) {
  return {gamma.data_ptr<float>(), beta.data_ptr<float>(), conv_bias.defined() ? conv_bias.data_ptr<float>() : nullptr,
          sums.data_ptr<double>(), eps};
}

struct BnReluPool : torch::autograd::Function<BnReluPool> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& y, const at::Tensor& gamma, const at::Tensor& beta,
                            const at::Tensor& conv_bias, const at::Tensor& running_mean, const at::Tensor& running_var,
                            const at::Tensor& batches_tracked, double momentum, double eps, const at::Tensor& workspace) {
    const k::Nhwc s = shape_of(y);
    const at::Tensor sums = workspace.narrow(0, 0, 2 * s.c);
    check(k::bn_sums(dtype_of(y), y.data_ptr(), s, sums.data_ptr<double>(), stream_of(y)), "bn_sums");
    at::Tensor out = at::empty({s.n, s.c, s.h / 2, s.w / 2}, y.options().memory_format(at::MemoryFormat::ChannelsLast));
    check(k::bn_relu_pool_forward(dtype_of(y), y.data_ptr(), s, batch_norm(gamma, beta, conv_bias, sums, eps),
                                  running_mean.data_ptr<float>(), running_var.data_ptr<float>(),
                                  batches_tracked.data_ptr<std::int64_t>(), momentum,
                                  out.data_ptr(), stream_of(y)),
          "bn_relu_pool_forward");
    ctx->save_for_backward({y, gamma, beta, sums});
    ctx->saved_data["eps"] = eps;
    ctx->saved_data["grad_sums"] = workspace.narrow(0, 2 * s.c, 2 * s.c);
    // The kernel writes gamma's and beta's gradients through raw pointers: contiguous .grad only.
    const at::Tensor grad_gamma = float32_grad(gamma), grad_beta = float32_grad(beta);
    if (grad_gamma.defined() && grad_beta.defined() && grad_gamma.is_contiguous() && grad_beta.is_contiguous() &&
        gamma.device() == y.device()) {
      keep_grad(ctx, "grad_gamma", grad_gamma);
      keep_grad(ctx, "grad_beta", grad_beta);
    }
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor &y = saved[0], &gamma = saved[1], &beta = saved[2], &sums = saved[3];
    const k::BatchNorm bn = batch_norm(gamma, beta, at::Tensor(), sums, ctx->saved_data["eps"].toDouble());
    // The pooled output's gradient comes NCHW-contiguous from a Flatten's backward.
    const at::Tensor g = channels_last(grads[0].to(y.scalar_type()));
    const k::Nhwc s = shape_of(y);
    const at::Tensor grad_sums = ctx->saved_data["grad_sums"].toTensor();
    // The kernel adds into sums the caller zeroed; a second backward through a retained graph
    // finds the first one's there (only then is a zeroing kernel paid).
    if (ctx->saved_data.count("grad_sums_used")) grad_sums.zero_();
    ctx->saved_data["grad_sums_used"] = true;
    check(k::bn_relu_pool_backward_sums(dtype_of(y), y.data_ptr(), g.data_ptr(), s, bn, grad_sums.data_ptr<double>(),
                                        stream_of(y)),
          "bn_relu_pool_backward_sums");
    // gamma's and beta's gradients go straight into their .grad where it can take them, which
    // spares autograd's two additions; else into new tensors that autograd adds.
    const at::Tensor kept_gamma = kept_grad(ctx, "grad_gamma");
    const bool into_grad = kept_gamma.defined();
    const at::Tensor grad_gamma = into_grad ? kept_gamma : at::zeros_like(gamma);
    const at::Tensor grad_beta = into_grad ? kept_grad(ctx, "grad_beta") : at::zeros_like(beta);
    at::Tensor grad_in = at::empty_like(y);
    check(k::bn_relu_pool_backward(dtype_of(y), y.data_ptr(), g.data_ptr(), s, bn, grad_sums.data_ptr<double>(),
                                   grad_in.data_ptr(), grad_gamma.data_ptr<float>(), grad_beta.data_ptr<float>(),
                                   stream_of(y)),
          "bn_relu_pool_backward");
    const at::Tensor none;
    return {grad_in, into_grad ? none : grad_gamma, into_grad ? none : grad_beta, none, none, none, none, none, none, none};
  }
};

// A device's side stream: for the weight gradients that SideConv computes beside the rest of
// the backward, and a graphed step's bookkeeping (fused_record_step). Its own stream, not one
// of LibTorch's pool, which may hand out the stream the step itself runs on. Made at the first
// use (an eager step: a CUDA graph's capture comes after warm-up steps) and kept for the
// process; the events are reused, recorded in eager steps and captured ones alike.
struct StepSideStream {
  explicit StepSideStream(c10::DeviceIndex device) : stream(make(device)) {}
  static c10::cuda::CUDAStream make(c10::DeviceIndex device) {
    const c10::cuda::CUDAGuard on(device);
    cudaStream_t s = nullptr;
    C10_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    return c10::cuda::getStreamFromExternal(s, device);
  }
  c10::cuda::CUDAStream stream;
  at::cuda::CUDAEvent fork, join;
  bool pending = false;  ///< work was put there since the current stream last waited for it
};

StepSideStream& side_stream_of(c10::DeviceIndex device) {
  static std::mutex mutex;
  // Never destroyed: at the process's exit CUDA may be unloaded before static destructors run.
  static auto* streams = new std::map<c10::DeviceIndex, std::unique_ptr<StepSideStream>>;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& s = (*streams)[device];
  if (!s) s = std::make_unique<StepSideStream>(device);
  return *s;
}

// Runs `launch` with the device's side stream current, after everything the current stream
// was given so far. `used` are the tensors it reads that the caller may free once this
// returns: the allocator would hand their memory to the current stream's next kernels while
// the side stream still reads it.
template <typename F>
void beside(c10::DeviceIndex device, std::initializer_list<at::Tensor> used, F launch) {
  StepSideStream& s = side_stream_of(device);
  s.fork.record(c10::cuda::getCurrentCUDAStream(device));
  s.fork.block(s.stream);
  {
    const c10::cuda::CUDAStreamGuard on(s.stream);
    launch();
  }
  for (const at::Tensor& t : used) t.record_stream(s.stream);
  s.pending = true;
}

// The current stream waits for everything put on the device's side stream so far.
void join_side(c10::DeviceIndex device) {
  StepSideStream& s = side_stream_of(device);
  if (!s.pending) return;
  s.join.record(s.stream);
  s.join.block(c10::cuda::getCurrentCUDAStream(device));
  s.pending = false;
}

// A convolution's gradients, as autograd's ConvolutionBackward computes them: cuDNN's for each
// input `mask` asks for, on the current stream.
at::Tensor conv_grad(AutogradContext* ctx, const at::Tensor& g, const at::Tensor& x, const at::Tensor& w, bool input) {
  const auto stride = ctx->saved_data["stride"].toIntVector(), padding = ctx->saved_data["padding"].toIntVector(),
             dilation = ctx->saved_data["dilation"].toIntVector();
  const std::vector<std::int64_t> output_padding(stride.size(), 0);
  const auto grads = at::convolution_backward(g, x, w, c10::nullopt, stride, padding, dilation, false, output_padding,
                                              ctx->saved_data["groups"].toInt(), {input, !input, false});
  return input ? std::get<0>(grads) : std::get<1>(grads);
}

// conv2d without a bias, whose weight's gradient goes into the parameter's float32 .grad (see
// fused_conv2d). With "side", the backward puts that gradient on the device's side stream,
// where it runs while the current stream computes x's gradient and the layers before;
// without, it computes it on the current stream, then waits there for every side gradient
// launched before it (it is the model's first such convolution, so its backward is the last).
struct SideConv : torch::autograd::Function<SideConv> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight, const at::Tensor& grad,
                            at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef dilation, std::int64_t groups,
                            bool side) {
    ctx->save_for_backward({x, weight});
    ctx->saved_data["stride"] = stride.vec(), ctx->saved_data["padding"] = padding.vec();
    ctx->saved_data["dilation"] = dilation.vec(), ctx->saved_data["groups"] = groups;
    ctx->saved_data["side"] = side;
    keep_grad(ctx, "grad_w", grad);
    return at::conv2d(x, weight, at::Tensor(), stride, padding, dilation, groups);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &w = saved[1], &g = grads[0];
    const at::Tensor kept = kept_grad(ctx, "grad_w");
    const c10::DeviceIndex device = g.device().index();
    const at::Tensor none;
    if (ctx->saved_data["side"].toBool()) {
      beside(device, {g, x, w}, [&] { kept.add_(conv_grad(ctx, g, x, w, false)); });  // (autograd frees g, x, w)
      return {ctx->needs_input_grad(0) ? conv_grad(ctx, g, x, w, true) : none, none, none, none, none, none, none, none};
    }
    const at::Tensor grad_x = ctx->needs_input_grad(0) ? conv_grad(ctx, g, x, w, true) : none;
    kept.add_(conv_grad(ctx, g, x, w, false));
    join_side(device);
    return {grad_x, none, none, none, none, none, none, none};
  }
};

k::FirstConv first_conv(const at::Tensor& x, const at::Tensor& weight, bool bf16) {
  k::FirstConv c{x.size(0), x.size(1), x.size(2), x.size(3), weight.size(0), {}, {}, bf16};
  for (int d = 0; d < 4; ++d) c.x_strides[d] = x.stride(d), c.w_strides[d] = weight.stride(d);
  return c;
}

// The forward keeps the im2col matrix (when the weight needs a gradient), and the weight's
// gradient is one GEMM on it.
struct FirstConv : torch::autograd::Function<FirstConv> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight, bool bf16) {
    const k::FirstConv c = first_conv(x, weight, bf16);
    const auto options = x.options().dtype(bf16 ? at::kBFloat16 : at::kFloat);
    at::Tensor y = at::empty({c.n, c.co, c.h, c.w}, options.memory_format(at::MemoryFormat::ChannelsLast));
    at::Tensor cols;
    if (weight.requires_grad()) cols = at::empty({c.n * c.h * c.w, k::first_conv_cols_width(c.ci)}, options);
    check(k::first_conv_forward(dtype_of(y), x.data_ptr<float>(), weight.data_ptr<float>(), c, y.data_ptr(),
                                cols.defined() ? cols.data_ptr() : nullptr, stream_of(x)),
          "first_conv_forward");
    ctx->save_for_backward({cols, weight});
    keep_grad(ctx, "grad_w", float32_grad(weight));
    return y;
  }

  // grad_w[o, tap] = sum over pixels p of grad_y[p, o] * cols[p, tap], one GEMM (cuBLAS), added
  // to the weight's .grad where there is one (autograd would convert it to float32 and add:
  // two kernels more).
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor &cols = saved[0], &weight = saved[1];
    const std::int64_t ci = weight.size(1);
    const at::Tensor g = channels_last(grads[0].to(cols.scalar_type()));
    const std::int64_t co = g.size(1);
    const at::Tensor per_pixel = g.permute({0, 2, 3, 1}).reshape({-1, co});  // NHWC: a view
    const at::Tensor grad_w = at::mm(per_pixel.t(), cols).narrow(1, 0, 9 * ci).reshape({co, ci, 3, 3});
    // The model's first layer: every later convolution's side-stream weight gradient was
    // launched before this backward, and is waited for here.
    join_side(g.device().index());
    if (const at::Tensor kept = kept_grad(ctx, "grad_w"); kept.defined()) {
      kept.add_(grad_w);
      return {at::Tensor(), at::Tensor(), at::Tensor()};
    }
    return {at::Tensor(), grad_w.to(at::kFloat), at::Tensor()};
  }
};

// A step's bfloat16 weights: see fused_bf16_weights. The .grad of each weight (where it suits)
// is kept as "grad<i>". The weights come as a TensorList: that is what apply takes as inputs
// with a gradient (a std::vector would be taken as a constant, and no gradient would reach
// the weights).
struct Bf16Weights : torch::autograd::Function<Bf16Weights> {
  static variable_list forward(AutogradContext* ctx, at::TensorList weights) {
    ctx->set_materialize_grads(false);  // an unused copy's gradient stays undefined: nothing to add
    k::WeightCasts casts{};
    casts.count = static_cast<int>(weights.size());
    variable_list out;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const at::Tensor& w = weights[i];
      out.push_back(at::empty_like(w, w.options().dtype(at::kBFloat16)));  // a dense tensor's strides kept
      casts.weight[i] = w.data_ptr<float>(), casts.bf16[i] = out.back().data_ptr(), casts.n[i] = w.numel();
      keep_grad(ctx, "grad" + std::to_string(i), float32_grad(w));
    }
    check(k::cast_weights_bf16(casts, stream_of(weights.front())), "cast_weights_bf16");
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    k::GradAdds adds{};
    adds.count = static_cast<int>(grads.size());
    variable_list result(grads.size());
    at::Tensor any;  // a gradient that goes into .grad: its stream is the kernel's
    for (std::size_t i = 0; i < grads.size(); ++i) {
      const at::Tensor& g = grads[i];
      if (!g.defined()) continue;  // an unused copy (set_materialize_grads(false)); n[i] = 0 skips it
      const at::Tensor target = kept_grad(ctx, "grad" + std::to_string(i));
      if (!target.defined()) {
        result[i] = g.to(at::kFloat);
      } else if (g.scalar_type() == at::kBFloat16 && g.strides() == target.strides() && g.is_non_overlapping_and_dense()) {
        adds.grad_bf16[i] = g.data_ptr(), adds.grad[i] = target.data_ptr<float>(), adds.n[i] = g.numel(), any = g;
      } else {  // another memory order (cuDNN's channels-last gradient of a contiguous weight): one strided add
        target.add_(g);
      }
    }
    if (any.defined()) check(k::add_bf16_grads(adds, stream_of(any)), "add_bf16_grads");
    return result;
  }
};

k::LinearHead linear_head(const at::Tensor& x, const at::Tensor& weight) {
  return {x.size(0), x.size(2), x.size(3), x.size(1), weight.size(0)};
}

// linear(flatten(x), weight, bias) on x's NHWC memory. `bias` is empty where there is none
// (an undefined tensor may not be handed to apply: 2.x's autograd asks each for its device).
struct LinearHeadFn : torch::autograd::Function<LinearHeadFn> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
    const k::LinearHead s = linear_head(x, weight);
    const bool has_bias = bias.numel() > 0;
    at::Tensor out = at::empty({s.n, s.o}, x.options());
    check(k::linear_head_forward(dtype_of(x), x.data_ptr(), weight.data_ptr<float>(),
                                 has_bias ? bias.data_ptr<float>() : nullptr, s, out.data_ptr(), stream_of(x)),
          "linear_head_forward");
    ctx->save_for_backward({x, weight});
    ctx->saved_data["bias"] = has_bias;
    // The kernel adds into .grad through raw pointers: contiguous ones only.
    const at::Tensor grad_w = float32_grad(weight), grad_b = has_bias ? float32_grad(bias) : at::Tensor();
    if (grad_w.defined() && grad_w.is_contiguous() && (!has_bias || (grad_b.defined() && grad_b.is_contiguous()))) {
      keep_grad(ctx, "grad_w", grad_w);
      keep_grad(ctx, "grad_b", grad_b);  // (undefined without a bias)
    }
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &weight = saved[1];
    const k::LinearHead s = linear_head(x, weight);
    const at::Tensor g = grads[0].to(x.scalar_type()).contiguous();
    const bool want_w = ctx->needs_input_grad(1), want_b = ctx->saved_data["bias"].toBool() && ctx->needs_input_grad(2);
    const at::Tensor kept_w = kept_grad(ctx, "grad_w");
    const bool into_grad = kept_w.defined();
    at::Tensor grad_x, grad_w, grad_b;
    if (ctx->needs_input_grad(0)) grad_x = at::empty(x.sizes(), x.options().memory_format(at::MemoryFormat::ChannelsLast));
    if (want_w) grad_w = into_grad ? kept_w : at::zeros_like(weight);
    if (want_b) grad_b = into_grad ? kept_grad(ctx, "grad_b") : at::zeros({s.o}, weight.options());
    check(k::linear_head_backward(dtype_of(x), x.data_ptr(), weight.data_ptr<float>(), g.data_ptr(), s,
                                  grad_x.defined() ? grad_x.data_ptr() : nullptr,
                                  grad_w.defined() ? grad_w.data_ptr<float>() : nullptr,
                                  grad_b.defined() ? grad_b.data_ptr<float>() : nullptr, stream_of(x)),
          "linear_head_backward");
    if (into_grad) return {grad_x, at::Tensor(), at::Tensor()};  // added where autograd would have added them
    return {grad_x, grad_w, grad_b};
  }
};

struct CrossEntropy : torch::autograd::Function<CrossEntropy> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& logits, const at::Tensor& labels) {
    const at::Tensor x = logits.contiguous(), y = labels.contiguous();
    const auto floats = x.options().dtype(at::kFloat);
    at::Tensor loss = at::empty({}, floats), count = at::empty({}, floats), dlogits = at::empty(x.sizes(), floats);
    check(k::cross_entropy_forward(dtype_of(x), x.data_ptr(), y.data_ptr<std::int64_t>(), x.size(0), x.size(1),
                                   loss.data_ptr<float>(), count.data_ptr<float>(), dlogits.data_ptr<float>(), stream_of(x)),
          "cross_entropy_forward");
    ctx->save_for_backward({dlogits, count});
    ctx->saved_data["bf16"] = x.scalar_type() == at::kBFloat16;
    return loss;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor &dlogits = saved[0], &count = saved[1];
    const at::Tensor g = grads[0].to(at::kFloat).contiguous();
    const bool bf16 = ctx->saved_data["bf16"].toBool();
    at::Tensor grad = at::empty(dlogits.sizes(), dlogits.options().dtype(bf16 ? at::kBFloat16 : at::kFloat));
    check(k::cross_entropy_backward(bf16 ? k::Dtype::bf16 : k::Dtype::f32, dlogits.data_ptr<float>(), g.data_ptr<float>(),
                                    count.data_ptr<float>(), dlogits.numel(), grad.data_ptr(), stream_of(dlogits)),
          "cross_entropy_backward");
    return {grad, at::Tensor()};
  }
};

bool record_loss_takes(const at::Tensor& losses, const at::Tensor& slot, const at::Tensor& loss) {
  return losses.is_cuda() && losses.dim() == 1 && losses.is_contiguous() && losses.scalar_type() == at::kFloat &&
         slot.device() == losses.device() && slot.scalar_type() == at::kLong && slot.numel() == 1 &&
         loss.device() == losses.device() && loss.scalar_type() == at::kFloat && loss.numel() == 1;
}

bool add_correct_takes(const at::Tensor& logits, const at::Tensor& labels, const at::Tensor& sum) {
  return logits.is_cuda() && logits.dim() == 2 && logits.size(1) > 0 &&
         (logits.scalar_type() == at::kFloat || logits.scalar_type() == at::kBFloat16) && labels.dim() == 1 &&
         labels.scalar_type() == at::kLong && labels.size(0) == logits.size(0) && labels.device() == logits.device() &&
         sum.scalar_type() == at::kDouble && sum.numel() == 1 && sum.device() == logits.device();
}

}  // namespace

bool fused_kernels_available() { return true; }

bool fused_first_conv_takes(const at::Tensor& x, const at::Tensor& weight) {
  return x.is_cuda() && x.dim() == 4 && x.scalar_type() == at::kFloat && !x.requires_grad() && weight.dim() == 4 &&
         weight.scalar_type() == at::kFloat && weight.size(1) == x.size(1) && weight.size(2) == 3 && weight.size(3) == 3 &&
         first_conv_kernel_takes(x.size(1), weight.size(0));
}

at::Tensor fused_first_conv(const at::Tensor& x, const at::Tensor& weight, bool bf16) {
  if (!fused_first_conv_takes(x, weight)) throw std::logic_error("fused_first_conv: an input it does not take");
  return FirstConv::apply(x, weight, bf16);
}

bool fused_conv2d_takes(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& grad) {
  return x.is_cuda() && x.dim() == 4 && weight.dim() == 4 && weight.device() == x.device() && grad.defined() &&
         grad.scalar_type() == at::kFloat && grad.device() == x.device() && grad.sizes() == weight.sizes();
}

at::Tensor fused_conv2d(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& grad, at::IntArrayRef stride,
                        at::IntArrayRef padding, at::IntArrayRef dilation, std::int64_t groups, bool side) {
  if (!fused_conv2d_takes(x, weight, grad)) throw std::logic_error("fused_conv2d: an input it does not take");
  return SideConv::apply(x, weight, grad, stride, padding, dilation, groups, side);
}

std::vector<at::Tensor> fused_bf16_weights(const std::vector<at::Tensor>& weights) {
  if (weights.empty() || weights.size() > static_cast<std::size_t>(k::kMaxWeights)) return {};
  for (const at::Tensor& w : weights)
    if (!w.defined() || !w.is_cuda() || w.scalar_type() != at::kFloat || !w.is_non_overlapping_and_dense() ||
        w.device() != weights.front().device())
      return {};
  return Bf16Weights::apply(at::TensorList(weights));
}

bool fused_linear_head_takes(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool bf16) {
  if (!x.is_cuda() || x.dim() != 4 || x.numel() == 0 || x.scalar_type() != (bf16 ? at::kBFloat16 : at::kFloat) ||
      !x.is_contiguous(at::MemoryFormat::ChannelsLast))
    return false;
  if (weight.dim() != 2 || weight.scalar_type() != at::kFloat || !weight.is_contiguous() || weight.device() != x.device() ||
      weight.size(0) < 1 || weight.size(0) > k::kLinearHeadMaxOut || weight.size(1) != x.size(1) * x.size(2) * x.size(3))
    return false;
  return !bias.defined() || (bias.dim() == 1 && bias.scalar_type() == at::kFloat && bias.is_contiguous() &&
                             bias.device() == x.device() && bias.size(0) == weight.size(0));
}

at::Tensor fused_linear_head(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  if (!fused_linear_head_takes(x, weight, bias, x.scalar_type() == at::kBFloat16))
    throw std::logic_error("fused_linear_head: an input it does not take");
  return LinearHeadFn::apply(x, weight, bias.defined() ? bias : at::empty({0}, weight.options()));
}

bool fused_select_batch(const at::Tensor& x, const at::Tensor& y, const at::Tensor& counter, std::int64_t batch,
                        at::Tensor& xb, at::Tensor& yb) {
  const bool takes = x.is_cuda() && x.dim() >= 1 && y.dim() >= 1 && x.is_contiguous() && y.is_contiguous() &&
                     y.device() == x.device() && counter.device() == x.device() && counter.scalar_type() == at::kLong &&
                     counter.numel() == 1 && x.size(0) == y.size(0) && batch >= 1 && batch <= x.size(0) &&
                     x.numel() > 0 && y.numel() > 0;
  if (!takes) return false;
  std::vector<std::int64_t> x_shape = x.sizes().vec(), y_shape = y.sizes().vec();
  x_shape[0] = y_shape[0] = batch;
  xb = at::empty(x_shape, x.options()), yb = at::empty(y_shape, y.options());
  check(k::select_batch(x.data_ptr(), x.numel() / x.size(0) * x.element_size(), y.data_ptr(),
                        y.numel() / y.size(0) * y.element_size(), x.size(0), counter.data_ptr<std::int64_t>(), batch,
                        xb.data_ptr(), yb.data_ptr(), stream_of(x)),
        "select_batch");
  return true;
}

bool fused_record_loss(const at::Tensor& losses, const at::Tensor& slot, const at::Tensor& loss, bool advance) {
  if (!record_loss_takes(losses, slot, loss)) return false;
  check(k::record_loss(losses.data_ptr<float>(), losses.size(0), slot.data_ptr<std::int64_t>(), loss.data_ptr<float>(),
                       advance, stream_of(losses)),
        "record_loss");
  return true;
}

bool fused_record_step(const at::Tensor& losses, const at::Tensor& slot, const at::Tensor& loss, bool advance,
                       const at::Tensor& logits, const at::Tensor& labels, at::Tensor& sum) {
  if (!record_loss_takes(losses, slot, loss) || !add_correct_takes(logits, labels, sum) || sum.device() != losses.device())
    return false;
  beside(losses.device().index(), {slot, loss, logits, labels}, [&] {
    fused_record_loss(losses, slot, loss, advance);
    fused_add_correct(logits, labels, sum);
  });
  return true;
}

void join_side_stream(const at::Device& device) {
  if (device.is_cuda()) join_side(device.index());
}

bool fused_bn_relu_pool_takes(const at::Tensor& y) {
  return y.is_cuda() && y.dim() == 4 && (y.scalar_type() == at::kFloat || y.scalar_type() == at::kBFloat16) &&
         y.is_contiguous(at::MemoryFormat::ChannelsLast) && bn_relu_pool_kernel_takes(y.size(1), y.size(2), y.size(3)) &&
         y.size(0) * y.size(2) * y.size(3) > 1;
}

at::Tensor fused_bn_relu_pool(const at::Tensor& y, const at::Tensor& conv_bias, const at::Tensor& gamma, const at::Tensor& beta,
                              const at::Tensor& running_mean, const at::Tensor& running_var,
                              const at::Tensor& batches_tracked, double momentum, double eps, const at::Tensor& workspace) {
  if (!fused_bn_relu_pool_takes(y)) throw std::logic_error("fused_bn_relu_pool: an activation it does not take");
  if (workspace.defined() && (workspace.scalar_type() != at::kDouble || workspace.numel() != 4 * y.size(1)))
    throw std::logic_error("fused_bn_relu_pool: a workspace that is not 4 * C doubles");
  // Every tensor handed to apply must be defined (2.x's autograd asks each for its device).
  const auto options = y.options().dtype(at::kFloat);
  const at::Tensor bias = conv_bias.defined() ? conv_bias.detach().to(at::kFloat).contiguous() : at::zeros({y.size(1)}, options);
  const at::Tensor tracked = batches_tracked.defined() ? batches_tracked : at::zeros({}, options.dtype(at::kLong));
  return BnReluPool::apply(y, gamma, beta, bias, running_mean, running_var, tracked, momentum, eps,
                           workspace.defined() ? workspace : at::zeros({4 * y.size(1)}, options.dtype(at::kDouble)));
}

bool fused_add_correct(const at::Tensor& logits, const at::Tensor& labels, at::Tensor& sum) {
  if (!add_correct_takes(logits, labels, sum)) return false;
  const at::Tensor l = logits.contiguous(), y = labels.contiguous();
  check(k::add_correct(dtype_of(l), l.data_ptr(), y.data_ptr<std::int64_t>(), l.size(0), l.size(1), sum.data_ptr<double>(),
                       stream_of(l)),
        "add_correct");
  return true;
}

bool fused_cross_entropy_takes(const at::Tensor& logits, const at::Tensor& labels) {
  return logits.is_cuda() && logits.dim() == 2 && (logits.scalar_type() == at::kFloat || logits.scalar_type() == at::kBFloat16) &&
         logits.numel() >= 1 && logits.numel() <= k::kCrossEntropyMax && labels.dim() == 1 &&
         labels.scalar_type() == at::kLong && labels.size(0) == logits.size(0) && labels.device() == logits.device();
}

at::Tensor fused_cross_entropy(const at::Tensor& logits, const at::Tensor& labels) {
  if (!fused_cross_entropy_takes(logits, labels)) throw std::logic_error("fused_cross_entropy: logits it does not take");
  return CrossEntropy::apply(logits, labels);
}

bool fused_add_column_sums(const at::Tensor& g, const at::Tensor& out) {
  const bool takes = g.is_cuda() && g.dim() == 2 && (g.scalar_type() == at::kFloat || g.scalar_type() == at::kBFloat16) &&
                     g.size(1) >= 1 && g.size(1) <= 65535 && out.defined() && out.scalar_type() == at::kFloat &&
                     out.is_contiguous() && out.numel() == g.size(1) && out.device() == g.device();
  if (!takes) return false;
  const at::Tensor c = g.contiguous();
  check(k::add_column_sums(dtype_of(c), c.data_ptr(), c.size(0), c.size(1), out.data_ptr<float>(), stream_of(c)),
        "add_column_sums");
  return true;
}

bool fused_adam_step(const at::Tensor& param, const at::Tensor& grad, const at::Tensor& exp_avg, const at::Tensor& exp_avg_sq,
                     const at::Tensor& max_exp_avg_sq, const at::Tensor& step, const at::Tensor& arrived,
                     const at::Tensor& lr, double beta1, double beta2, double weight_decay, double eps, bool decoupled) {
  const auto suits = [&](const at::Tensor& t, std::int64_t n) {
    return t.defined() && t.device() == param.device() && t.scalar_type() == at::kFloat && t.is_contiguous() && t.numel() == n;
  };
  const std::int64_t n = param.numel();
  if (!param.is_cuda() || !suits(param, n) || !suits(grad, n) || !suits(exp_avg, n) || !suits(exp_avg_sq, n) ||
      (max_exp_avg_sq.defined() && !suits(max_exp_avg_sq, n)) || !suits(step, 1) || !suits(lr, 1) || !arrived.defined() ||
      arrived.scalar_type() != at::kInt || arrived.numel() != 1 || arrived.device() != param.device())
    return false;
  k::AdamStep a{param.data_ptr<float>(), grad.data_ptr<float>(), exp_avg.data_ptr<float>(), exp_avg_sq.data_ptr<float>(),
                max_exp_avg_sq.defined() ? max_exp_avg_sq.data_ptr<float>() : nullptr, lr.data_ptr<float>(),
                step.data_ptr<float>(), reinterpret_cast<unsigned int*>(arrived.data_ptr<std::int32_t>()), beta1, beta2,
                weight_decay, eps, decoupled, n};
  check(k::adam_step(a, stream_of(param)), "adam_step");
  return true;
}

at::Tensor fused_augment(const at::Tensor& bytes, k::Augment a, at::Tensor* drawn) {
  const at::Tensor in = bytes.contiguous();
  if (a.flip || a.crop) {  // the device's default generator, as ATen's random kernels take it
    auto* gen = at::get_generator_or_default<at::CUDAGeneratorImpl>(c10::nullopt, at::cuda::detail::getDefaultCUDAGenerator(
                                                                                     in.device().index()));
    at::PhiloxCudaState state;
    {
      std::lock_guard<std::mutex> lock(gen->mutex_);
      state = gen->philox_cuda_state(k::kAugmentPhiloxIncrement);
    }
    a.rng = state.captured_ ? k::Philox{0, state.offset_intragraph_, state.seed_.ptr, state.offset_.ptr}
                            : k::Philox{state.seed_.val, state.offset_.val, nullptr, nullptr};
  }
  at::Tensor draws;
  if (drawn) draws = at::zeros({a.batch, 3}, in.options().dtype(at::kFloat));
  a.drawn = drawn ? draws.data_ptr<float>() : nullptr;
  const auto format = a.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  at::Tensor out = at::empty({a.batch, a.channels, a.out_h, a.out_w}, in.options().dtype(at::kFloat).memory_format(format));
  check(k::augment(in.data_ptr<std::uint8_t>(), a, out.data_ptr<float>(), stream_of(in)), "augment");
  if (drawn) *drawn = draws;
  return out;
}

}  // namespace pipeml
