#include "runtime/exec/training_forward.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "runtime/exec/fused_ops.h"
#include "runtime/exec/grad_into.h"
#include "runtime/fused_layers.h"

namespace pipeml {
namespace {

using torch::nn::AnyModule;

// weight.to(bfloat16), as autocast casts a convolution's weight, whose backward adds the
// bfloat16 gradient straight into the weight's float32 .grad where there is one: one kernel,
// where autograd converts the gradient and then adds it (two).
struct Bf16Weight : torch::autograd::Function<Bf16Weight> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& weight) {
    ctx->set_materialize_grads(false);  // fused_conv2d adds the gradient itself and sends none
    keep_grad(ctx, "grad", float32_grad(weight));
    return weight.to(at::kBFloat16);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const at::Tensor kept = kept_grad(ctx, "grad");
    if (!grads[0].defined()) return {at::Tensor()};
    if (!kept.defined()) return {grads[0].to(at::kFloat)};
    kept.add_(grads[0]);
    return {at::Tensor()};
  }
};

// linear(flatten(x)) with x channels-last: see nhwc_linear in the header.
struct NhwcLinear : torch::autograd::Function<NhwcLinear> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const at::Tensor& bias, bool bf16) {
    const std::int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), o = weight.size(0);
    const auto dtype = bf16 ? at::kBFloat16 : at::kFloat;
    const at::Tensor rows = x.to(dtype).permute({0, 2, 3, 1}).reshape({n, h * w * c});  // NHWC memory: a view
    // The weight's columns put in the activation's (h, w, c) order, cast as autocast would: one copy.
    const at::Tensor w_hwc = at::empty({o, h, w, c}, weight.options().dtype(dtype))
                                 .copy_(weight.detach().view({o, c, h, w}).permute({0, 2, 3, 1}))
                                 .view({o, h * w * c});
    const at::Tensor out = bias.defined() ? at::addmm(bias.detach().to(dtype), rows, w_hwc.t()) : at::mm(rows, w_hwc.t());
    ctx->save_for_backward({rows, w_hwc});
    ctx->saved_data["shape"] = std::vector<std::int64_t>{n, c, h, w};
    ctx->saved_data["bias"] = bias.defined();
    const at::Tensor grad_w = float32_grad(weight), grad_b = float32_grad(bias);
    if (grad_w.defined() && (grad_b.defined() || !bias.defined())) {
      keep_grad(ctx, "grad_w", grad_w);
      keep_grad(ctx, "grad_b", grad_b);  // (undefined without a bias)
    }
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &rows = saved[0], &w_hwc = saved[1];
    const std::vector<std::int64_t> shape = ctx->saved_data["shape"].toIntVector();
    const std::int64_t n = shape[0], c = shape[1], h = shape[2], w = shape[3], o = w_hwc.size(0);
    const at::Tensor g = grads[0].to(rows.scalar_type());
    // dx = g W, in NHWC memory: a channels-last [N, C, H, W] view, as the block before wants it.
    const at::Tensor grad_x = at::mm(g, w_hwc).view({n, h, w, c}).permute({0, 3, 1, 2});
    const at::Tensor grad_w_hwc = at::mm(g.t(), rows).view({o, h, w, c});
    const bool bias = ctx->saved_data["bias"].toBool();
    if (const at::Tensor kept_w = kept_grad(ctx, "grad_w"); kept_w.defined()) {  // into .grad: through the same permutation
      kept_w.view({o, c, h, w}).permute({0, 2, 3, 1}).add_(grad_w_hwc);
      if (bias) {
        const at::Tensor grad_b = kept_grad(ctx, "grad_b");
        if (!fused_add_column_sums(g, grad_b)) grad_b.add_(at::sum(g, {0}, false, at::kFloat));
      }
      return {grad_x, at::Tensor(), at::Tensor(), at::Tensor()};
    }
    const at::Tensor grad_w = grad_w_hwc.permute({0, 3, 1, 2}).to(at::kFloat).reshape({o, c * h * w});
    return {grad_x, grad_w, bias ? at::sum(g, {0}, false, at::kFloat) : at::Tensor(), at::Tensor()};
  }
};

// The modules find_fused_layers's structure needs: torch's Linear, Conv2d and BatchNorm2d (not a
// data-parallel run's SyncBatchNorm).
bool head_modules(const std::vector<AnyModule*>& layers, std::size_t i) {
  return i + 1 < layers.size() && layers[i + 1]->ptr()->as<torch::nn::LinearImpl>();
}

bool block_modules(const std::vector<AnyModule*>& layers, std::size_t i) {
  return i + 1 < layers.size() && layers[i]->ptr()->as<torch::nn::Conv2dImpl>() &&
         layers[i + 1]->ptr()->as<torch::nn::BatchNorm2dImpl>();
}

std::vector<AnyModule*> layers_of(torch::nn::Sequential& model) {
  std::vector<AnyModule*> layers;
  for (AnyModule& m : *model) layers.push_back(&m);
  return layers;
}

}  // namespace

TrainingForward::TrainingForward(torch::nn::Sequential& model, const ModelSpec& spec, c10::optional<at::ScalarType> autocast)
    : model_(model), layers_(layers_of(model_)), autocast_(autocast) {
  const std::vector<AnyModule*>& layers = layers_;
  block_starts_.assign(layers.size(), false);
  first_conv_.assign(layers.size(), false);
  weight_grad_beside_.assign(layers.size(), false);
  padding_.resize(layers.size());
  if (!fused_kernels_available() || !spec.sequential() || spec.layers.size() != layers.size()) return;
  const FusedLayers fused = find_fused_layers(spec.layers, autocast == at::kHalf);
  nhwc_head_.assign(layers.size(), false);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    nhwc_head_[i] = fused.nhwc_head[i] && head_modules(layers, i);
    if (!fused.block[i] || !block_modules(layers, i)) continue;
    block_starts_[i] = true, padding_[i] = spec.layers[i].padding, ++blocks_;
    sums_ += 4 * layers[i]->ptr()->as<torch::nn::Conv2dImpl>()->options.out_channels();
    first_conv_[i] = fused.first_conv[i];
    weight_grad_beside_[i] = fused.weight_grad_beside[i];
    i += 3;
  }
}

at::Tensor TrainingForward::operator()(const at::Tensor& input) const {
  if (blocks_ == 0) return model_->forward(input);
  const std::vector<AnyModule*>& layers = layers_;
  at::Tensor x = input;
  const bool bf16 = autocast_ == at::kBFloat16 && input.is_cuda();
  // Every block's BatchNorm sums, zeroed by one fill (each block takes 4 * its channels).
  const at::Tensor workspace = at::zeros({sums_}, input.options().dtype(at::kDouble));
  std::int64_t used = 0;
  // The blocks' convolution weights that conv2d takes, cast to bfloat16 as autocast would,
  // all in one kernel where the build has it (and their gradients added in one).
  std::vector<at::Tensor> bf16_weight(layers.size());
  if (bf16) {
    std::vector<at::Tensor> weights;
    std::vector<std::size_t> at_layer;
    for (std::size_t i = 0; i < layers.size(); ++i)
      if (block_starts_[i] && !first_conv_[i])
        weights.push_back(layers[i]->ptr()->as<torch::nn::Conv2dImpl>()->weight), at_layer.push_back(i);
    const std::vector<at::Tensor> cast = weights.empty() ? weights : fused_bf16_weights(weights);
    for (std::size_t k = 0; k < cast.size(); ++k) bf16_weight[at_layer[k]] = cast[k];
  }
  // Whether an earlier block's convolution will wait, in its backward (which comes after every
  // later block's), for the weight gradients that later ones put on the side stream: the
  // first convolution's kernel, or fused_conv2d's without the side stream. FusedLayers says
  // which blocks go beside; this checks the run's tensors allow it (a .grad to add into).
  bool joins = false;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (nhwc_head_[i] && x.dim() == 4 && x.is_contiguous(at::MemoryFormat::ChannelsLast) && !x.is_contiguous()) {
      auto& linear = *layers[i + 1]->ptr()->as<torch::nn::LinearImpl>();
      x = nhwc_linear(x, linear.weight, linear.bias, bf16);
      ++i;
      continue;
    }
    if (!block_starts_[i]) {
      x = layers[i]->forward(x);
      continue;
    }
    auto& conv = *layers[i]->ptr()->as<torch::nn::Conv2dImpl>();
    auto& bn = *layers[i + 1]->ptr()->as<torch::nn::BatchNorm2dImpl>();
    const auto& o = conv.options;
    const auto conv_weight = [&] {  // autocast's bfloat16 copy under bf16
      if (!bf16) return conv.weight;
      return bf16_weight[i].defined() ? bf16_weight[i] : Bf16Weight::apply(conv.weight);
    };
    at::Tensor y;
    if (first_conv_[i] && fused_first_conv_takes(x, conv.weight)) {
      y = fused_first_conv(x, conv.weight, autocast_.has_value());
      joins = joins || conv.weight.requires_grad();  // (its backward runs where the weight needs a gradient)
    } else if (const at::Tensor w = conv_weight(), grad = float32_grad(conv.weight); fused_conv2d_takes(x, w, grad)) {
      y = fused_conv2d(x, w, grad, *o.stride(), padding_[i], *o.dilation(), o.groups(), weight_grad_beside_[i] && joins);
      joins = true;
    } else {
      y = at::conv2d(x, w, at::Tensor(), *o.stride(), padding_[i], *o.dilation(), o.groups());
    }
    if (bn.is_training() && bn.weight.defined() && bn.running_mean.defined() && fused_bn_relu_pool_takes(y)) {
      const std::int64_t c = 4 * y.size(1);
      x = fused_bn_relu_pool(y, conv.bias, bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.num_batches_tracked,
                             bn.options.momentum().value_or(0.1), bn.options.eps(), workspace.narrow(0, used, c));
      used += c;
    } else {  // the modules, on the convolution with its bias
      x = conv.bias.defined() ? y + conv.bias.to(y.scalar_type()).view({1, -1, 1, 1}) : y;
      for (std::size_t j = i + 1; j < i + 4; ++j) x = layers[j]->forward(x);
    }
    i += 3;
  }
  return x;
}

at::Tensor nhwc_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool bf16) {
  if (x.dim() != 4 || weight.dim() != 2 || weight.size(1) != x.size(1) * x.size(2) * x.size(3))
    throw std::logic_error("nhwc_linear: a weight that does not fit the flattened input");
  if (fused_linear_head_takes(x, weight, bias, bf16)) return fused_linear_head(x, weight, bias);
  return NhwcLinear::apply(x, weight, bias, bf16);
}

}  // namespace pipeml
