#include "runtime/exec/training_forward.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

#include "runtime/exec/fused_ops.h"

namespace pipeml {
namespace {

using torch::nn::AnyModule;

bool is_block(const std::vector<LayerSpec>& spec, const std::vector<AnyModule*>& layers, std::size_t i) {
  if (i + 4 > spec.size() || i + 4 > layers.size()) return false;
  const LayerSpec &conv = spec[i], &bn = spec[i + 1], &pool = spec[i + 3];
  const std::vector<std::int64_t> two{2, 2}, zero{0, 0};
  return conv.op == "conv2d" && bn.op == "batch_norm2d" && spec[i + 2].op == "relu" && pool.op == "max_pool2d" &&
         pool.kernel_size == two && pool.stride == two && pool.padding == zero && layers[i]->ptr()->as<torch::nn::Conv2dImpl>() &&
         layers[i + 1]->ptr()->as<torch::nn::BatchNorm2dImpl>();  // not a data-parallel run's SyncBatchNorm
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
  padding_.resize(layers.size());
  if (!fused_kernels_available() || !spec.sequential()) return;
  const std::vector<std::int64_t> ones{1, 1}, threes{3, 3};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (!is_block(spec.layers, layers, i)) continue;
    const LayerSpec& conv = spec.layers[i];
    block_starts_[i] = true, padding_[i] = conv.padding, ++blocks_;
    first_conv_[i] = conv.kernel_size == threes && conv.stride == ones && conv.padding == ones && conv.dilation == ones &&
                     conv.groups == 1 && (!autocast || *autocast == at::kBFloat16);
    i += 3;
  }
}

at::Tensor TrainingForward::operator()(const at::Tensor& input) const {
  if (blocks_ == 0) return model_->forward(input);
  const std::vector<AnyModule*>& layers = layers_;
  at::Tensor x = input;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (!block_starts_[i]) {
      x = layers[i]->forward(x);
      continue;
    }
    auto& conv = *layers[i]->ptr()->as<torch::nn::Conv2dImpl>();
    auto& bn = *layers[i + 1]->ptr()->as<torch::nn::BatchNorm2dImpl>();
    const auto& o = conv.options;
    const at::Tensor y = first_conv_[i] && fused_first_conv_takes(x, conv.weight)
                             ? fused_first_conv(x, conv.weight, autocast_.has_value())
                             : at::conv2d(x, conv.weight, at::Tensor(), *o.stride(), padding_[i], *o.dilation(), o.groups());
    if (bn.is_training() && bn.weight.defined() && bn.running_mean.defined() && fused_bn_relu_pool_takes(y)) {
      x = fused_bn_relu_pool(y, conv.bias, bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.num_batches_tracked,
                             bn.options.momentum().value_or(0.1), bn.options.eps());
    } else {  // the modules, on the convolution with its bias
      x = conv.bias.defined() ? y + conv.bias.to(y.scalar_type()).view({1, -1, 1, 1}) : y;
      for (std::size_t j = i + 1; j < i + 4; ++j) x = layers[j]->forward(x);
    }
    i += 3;
  }
  return x;
}

}  // namespace pipeml
