// runtime/exec/fused_ops.h on LibTorch's CUDA: tensors checked and made, the kernels of
// kernels.cu launched on the current stream (so a CUDA graph captures them), and the fused
// BatchNorm → ReLU → MaxPool2d as an autograd function.
#include <ATen/ATen.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/csrc/autograd/custom_function.h>

#include <stdexcept>
#include <string>

#include "runtime/exec/fused_ops.h"

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
                            const at::Tensor& batches_tracked, double momentum, double eps) {
    const k::Nhwc s = shape_of(y);
    const at::Tensor sums = at::zeros({2 * s.c}, y.options().dtype(at::kDouble));
    check(k::bn_sums(dtype_of(y), y.data_ptr(), s, sums.data_ptr<double>(), stream_of(y)), "bn_sums");
    at::Tensor out = at::empty({s.n, s.c, s.h / 2, s.w / 2}, y.options().memory_format(at::MemoryFormat::ChannelsLast));
    check(k::bn_relu_pool_forward(dtype_of(y), y.data_ptr(), s, batch_norm(gamma, beta, conv_bias, sums, eps),
                                  running_mean.data_ptr<float>(), running_var.data_ptr<float>(),
                                  batches_tracked.defined() ? batches_tracked.data_ptr<std::int64_t>() : nullptr, momentum,
                                  out.data_ptr(), stream_of(y)),
          "bn_relu_pool_forward");
    ctx->save_for_backward({y, gamma, beta, sums});
    ctx->saved_data["eps"] = eps;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const at::Tensor &y = saved[0], &gamma = saved[1], &beta = saved[2], &sums = saved[3];
    const k::BatchNorm bn = batch_norm(gamma, beta, at::Tensor(), sums, ctx->saved_data["eps"].toDouble());
    // The pooled output's gradient comes NCHW-contiguous from a Flatten's backward.
    const at::Tensor g = channels_last(grads[0].to(y.scalar_type()));
    const k::Nhwc s = shape_of(y);
    const at::Tensor grad_sums = at::zeros({2 * s.c}, sums.options());
    check(k::bn_relu_pool_backward_sums(dtype_of(y), y.data_ptr(), g.data_ptr(), s, bn, grad_sums.data_ptr<double>(),
                                        stream_of(y)),
          "bn_relu_pool_backward_sums");
    at::Tensor grad_in = at::empty_like(y), grad_gamma = at::empty_like(gamma), grad_beta = at::empty_like(beta);
    check(k::bn_relu_pool_backward(dtype_of(y), y.data_ptr(), g.data_ptr(), s, bn, grad_sums.data_ptr<double>(),
                                   grad_in.data_ptr(), grad_gamma.data_ptr<float>(), grad_beta.data_ptr<float>(),
                                   stream_of(y)),
          "bn_relu_pool_backward");
    return {grad_in, grad_gamma, grad_beta, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

k::FirstConv first_conv(const at::Tensor& x, const at::Tensor& weight, bool bf16) {
  k::FirstConv c{x.size(0), x.size(1), x.size(2), x.size(3), weight.size(0), {}, bf16};
  for (int d = 0; d < 4; ++d) c.x_strides[d] = x.stride(d);
  return c;
}

struct FirstConv : torch::autograd::Function<FirstConv> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight, bool bf16) {
    const k::FirstConv c = first_conv(x, weight, bf16);
    const auto options = x.options().dtype(bf16 ? at::kBFloat16 : at::kFloat);
    at::Tensor y = at::empty({c.n, c.co, c.h, c.w}, options.memory_format(at::MemoryFormat::ChannelsLast));
    at::Tensor cols;
    if (weight.requires_grad()) cols = at::empty({c.n * c.h * c.w, k::first_conv_cols_width(c.ci)}, options);
    const at::Tensor w = weight.contiguous();
    check(k::first_conv_forward(dtype_of(y), x.data_ptr<float>(), w.data_ptr<float>(), c, y.data_ptr(),
                                cols.defined() ? cols.data_ptr() : nullptr, stream_of(x)),
          "first_conv_forward");
    ctx->save_for_backward({cols});
    ctx->saved_data["ci"] = c.ci;
    return y;
  }

  // grad_w[o, tap] = sum over pixels p of grad_y[p, o] * cols[p, tap]: one GEMM (cuBLAS).
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor cols = ctx->get_saved_variables()[0];
    const std::int64_t ci = ctx->saved_data["ci"].toInt();
    const at::Tensor g = channels_last(grads[0].to(cols.scalar_type()));
    const std::int64_t co = g.size(1);
    const at::Tensor per_pixel = g.permute({0, 2, 3, 1}).reshape({-1, co});  // NHWC: a view
    const at::Tensor grad_w = at::mm(per_pixel.t(), cols).narrow(1, 0, 9 * ci).to(at::kFloat).reshape({co, ci, 3, 3});
    return {at::Tensor(), grad_w, at::Tensor()};
  }
};

}  // namespace

bool fused_kernels_available() { return true; }

bool fused_first_conv_takes(const at::Tensor& x, const at::Tensor& weight) {
  return x.is_cuda() && x.dim() == 4 && x.scalar_type() == at::kFloat && !x.requires_grad() && x.size(1) <= 4 &&
         weight.dim() == 4 && weight.scalar_type() == at::kFloat && weight.size(1) == x.size(1) && weight.size(2) == 3 &&
         weight.size(3) == 3 && weight.size(0) % 8 == 0 && weight.size(0) <= 64;
}

at::Tensor fused_first_conv(const at::Tensor& x, const at::Tensor& weight, bool bf16) {
  if (!fused_first_conv_takes(x, weight)) throw std::logic_error("fused_first_conv: an input it does not take");
  return FirstConv::apply(x, weight, bf16);
}

bool fused_bn_relu_pool_takes(const at::Tensor& y) {
  return y.is_cuda() && y.dim() == 4 && (y.scalar_type() == at::kFloat || y.scalar_type() == at::kBFloat16) &&
         y.is_contiguous(at::MemoryFormat::ChannelsLast) && y.size(1) % 8 == 0 && y.size(1) <= 1024 && y.size(2) % 2 == 0 &&
         y.size(3) % 2 == 0 && y.size(0) * y.size(2) * y.size(3) > 1;
}

at::Tensor fused_bn_relu_pool(const at::Tensor& y, const at::Tensor& conv_bias, const at::Tensor& gamma, const at::Tensor& beta,
                              const at::Tensor& running_mean, const at::Tensor& running_var,
                              const at::Tensor& batches_tracked, double momentum, double eps) {
  if (!fused_bn_relu_pool_takes(y)) throw std::logic_error("fused_bn_relu_pool: an activation it does not take");
  const auto fp32 = [](const at::Tensor& t) { return t.defined() ? t.detach().to(at::kFloat).contiguous() : t; };
  return BnReluPool::apply(y, gamma, beta, fp32(conv_bias), running_mean, running_var, batches_tracked, momentum, eps);
}

at::Tensor fused_augment(const at::Tensor& bytes, k::Augment a, const at::Tensor& flip_u, const at::Tensor& crop_dy,
                         const at::Tensor& crop_dx) {
  const at::Tensor in = bytes.contiguous();
  a.flip_u = flip_u.defined() ? flip_u.data_ptr<float>() : nullptr;
  a.crop_dy = crop_dy.defined() ? crop_dy.data_ptr<std::int64_t>() : nullptr;
  a.crop_dx = crop_dx.defined() ? crop_dx.data_ptr<std::int64_t>() : nullptr;
  const auto format = a.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
  at::Tensor out = at::empty({a.batch, a.channels, a.out_h, a.out_w}, in.options().dtype(at::kFloat).memory_format(format));
  check(k::augment(in.data_ptr<std::uint8_t>(), a, out.data_ptr<float>(), stream_of(in)), "augment");
  return out;
}

}  // namespace pipeml
