#include "runtime/exec/layers.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/modules/pooling.h>

#include <cmath>

#include "runtime/exec/mlp.h"
#include "runtime/user_error.h"

namespace pipeml {

ResidualImpl::ResidualImpl(torch::nn::Sequential b) : body(register_module("body", std::move(b))) {}

at::Tensor ResidualImpl::forward(const at::Tensor& x) { return x + body->forward(x); }

namespace {

template <std::size_t D>
torch::ExpandingArray<D> arr(const std::vector<std::int64_t>& v) {
  if (v.size() != D) throw UserError("a layer's size has " + std::to_string(v.size()) + " values for " + std::to_string(D) + " dims");
  return torch::ExpandingArray<D>(v);
}

void push_layer(torch::nn::Sequential& net, const LayerSpec& l, const BatchNormMaker& batch_norm) {
  namespace nn = torch::nn;
  const std::string& op = l.op;
  if (op == "linear") return net->push_back(nn::Linear(nn::LinearOptions(l.in, l.out).bias(l.bias)));
  if (op == "conv1d")
    return net->push_back(nn::Conv1d(nn::Conv1dOptions(l.in, l.out, arr<1>(l.kernel_size))
                                         .stride(arr<1>(l.stride)).padding(arr<1>(l.padding))
                                         .dilation(arr<1>(l.dilation)).groups(l.groups).bias(l.bias)));
  if (op == "conv2d")
    return net->push_back(nn::Conv2d(nn::Conv2dOptions(l.in, l.out, arr<2>(l.kernel_size))
                                         .stride(arr<2>(l.stride)).padding(arr<2>(l.padding))
                                         .dilation(arr<2>(l.dilation)).groups(l.groups).bias(l.bias)));
  if ((op == "batch_norm1d" || op == "batch_norm2d") && batch_norm) return net->push_back(batch_norm(l.in, l.eps, l.momentum));
  if (op == "batch_norm1d") return net->push_back(nn::BatchNorm1d(nn::BatchNorm1dOptions(l.in).eps(l.eps).momentum(l.momentum)));
  if (op == "batch_norm2d") return net->push_back(nn::BatchNorm2d(nn::BatchNorm2dOptions(l.in).eps(l.eps).momentum(l.momentum)));
  if (op == "layer_norm")
    return net->push_back(nn::LayerNorm(nn::LayerNormOptions(l.sizes).eps(l.eps).elementwise_affine(l.bias)));
  if (op == "dropout") return net->push_back(nn::Dropout(l.p));
  if (op == "relu") return net->push_back(nn::ReLU());
  if (op == "leaky_relu") return net->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(l.negative_slope)));
  if (op == "gelu") return net->push_back(nn::GELU(nn::GELUOptions().approximate(l.approximate)));
  if (op == "elu") return net->push_back(nn::ELU(nn::ELUOptions().alpha(l.alpha)));
  if (op == "tanh") return net->push_back(nn::Tanh());
  if (op == "sigmoid") return net->push_back(nn::Sigmoid());
  if (op == "softmax") return net->push_back(nn::Softmax(nn::SoftmaxOptions(l.dim)));
  if (op == "max_pool1d")
    return net->push_back(nn::MaxPool1d(nn::MaxPool1dOptions(arr<1>(l.kernel_size)).stride(arr<1>(l.stride)).padding(arr<1>(l.padding))));
  if (op == "max_pool2d")
    return net->push_back(nn::MaxPool2d(nn::MaxPool2dOptions(arr<2>(l.kernel_size)).stride(arr<2>(l.stride)).padding(arr<2>(l.padding))));
  if (op == "avg_pool1d")
    return net->push_back(nn::AvgPool1d(nn::AvgPool1dOptions(arr<1>(l.kernel_size)).stride(arr<1>(l.stride)).padding(arr<1>(l.padding))));
  if (op == "avg_pool2d")
    return net->push_back(nn::AvgPool2d(nn::AvgPool2dOptions(arr<2>(l.kernel_size)).stride(arr<2>(l.stride)).padding(arr<2>(l.padding))));
  if (op == "adaptive_avg_pool1d") return net->push_back(nn::AdaptiveAvgPool1d(nn::AdaptiveAvgPool1dOptions(arr<1>(l.output_size))));
  if (op == "adaptive_avg_pool2d") return net->push_back(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions(torch::ExpandingArrayWithOptionalElem<2>(l.output_size))));
  if (op == "flatten") return net->push_back(nn::Flatten(nn::FlattenOptions().start_dim(l.dim).end_dim(l.end_dim)));
  if (op == "unflatten") return net->push_back(nn::Unflatten(nn::UnflattenOptions(l.dim, l.sizes)));
  if (op == "residual") {
    nn::Sequential body;
    for (const LayerSpec& b : l.body) push_layer(body, b, batch_norm);
    return net->push_back(Residual(body));
  }
  throw UserError("unknown layer '" + op + "'");
}

// torch.nn.init's _calculate_fan_in_and_fan_out.
std::pair<double, double> fans(const at::Tensor& w) {
  std::int64_t receptive = 1;
  for (std::int64_t d = 2; d < w.dim(); ++d) receptive *= w.size(d);
  return {static_cast<double>(w.size(1) * receptive), static_cast<double>(w.size(0) * receptive)};
}

// torch.nn.init's functions, written as Python 1.13/2.x write them (the same draws, the same
// double arithmetic for the bounds).
void init_weight(at::Tensor w, const std::string& how) {
  c10::NoGradGuard no_grad;
  const auto [fan_in, fan_out] = fans(w);
  if (how == "xavier_uniform") {
    const double a = std::sqrt(3.0) * (1.0 * std::sqrt(2.0 / (fan_in + fan_out)));
    w.uniform_(-a, a);
  } else if (how == "xavier_normal") {
    w.normal_(0.0, 1.0 * std::sqrt(2.0 / (fan_in + fan_out)));
  } else if (how == "kaiming_uniform") {
    const double bound = std::sqrt(3.0) * (std::sqrt(2.0) / std::sqrt(fan_in));
    w.uniform_(-bound, bound);
  } else if (how == "kaiming_normal") {
    w.normal_(0.0, std::sqrt(2.0) / std::sqrt(fan_in));
  } else if (how == "orthogonal") {
    const std::int64_t rows = w.size(0), cols = w.numel() / rows;
    at::Tensor flat = at::empty({rows, cols}, w.options()).normal_(0, 1);
    if (rows < cols) flat.t_();
    auto [q, r] = at::linalg_qr(flat);
    const at::Tensor ph = at::diag(r, 0).sign();
    q.mul_(ph);
    if (rows < cols) q.t_();
    w.view_as(q).copy_(q);
    w.mul_(1.0);
  } else if (how != "default") {
    throw UserError("unknown init '" + how + "'");
  }
}

void init_bias(at::Tensor b, const std::string& how) {
  c10::NoGradGuard no_grad;
  if (how == "zeros") b.zero_();
  else if (how != "default") throw UserError("unknown bias_init '" + how + "'");
}

// The Linear/Conv modules in model.modules() order, each with its init.
void collect_inits(const std::vector<LayerSpec>& layers, std::vector<const LayerSpec*>& out) {
  for (const auto& l : layers) {
    if (l.op == "linear" || l.op == "conv1d" || l.op == "conv2d") out.push_back(&l);
    collect_inits(l.body, out);
  }
}

void apply_init(torch::nn::Module& model, const std::vector<std::pair<std::string, std::string>>& inits) {
  std::size_t i = 0;
  for (const auto& m : model.modules(/*include_self=*/false)) {
    if (!m->as<torch::nn::Linear>() && !m->as<torch::nn::Conv1d>() && !m->as<torch::nn::Conv2d>()) continue;
    if (i >= inits.size()) throw std::logic_error("more Linear/Conv modules than layer specs");
    const auto& [w, b] = inits[i++];
    const auto params = m->named_parameters(/*recurse=*/false);
    init_weight(params["weight"], w);
    if (const auto* bias = params.find("bias")) init_bias(*bias, b);
  }
}

}  // namespace

torch::nn::Sequential build_model(const ModelSpec& spec, const BatchNormMaker& batch_norm) {
  std::vector<std::pair<std::string, std::string>> inits;
  torch::nn::Sequential net;
  if (!spec.sequential()) {
    net = build_mlp(spec.mlp, batch_norm);
    inits.assign(spec.mlp.hidden.size() + 1, {spec.init, spec.bias_init});
  } else {
    if (spec.layers.empty()) throw UserError("the model has no layers");
    for (const LayerSpec& l : spec.layers) push_layer(net, l, batch_norm);
    std::vector<const LayerSpec*> ls;
    collect_inits(spec.layers, ls);
    for (const auto* l : ls) inits.emplace_back(l->init, l->bias_init);
  }
  bool any = false;
  for (const auto& [w, b] : inits) any = any || w != "default" || b != "default";
  if (any) apply_init(*net, inits);
  return net;
}

}  // namespace pipeml
