#include "runtime/exec/mlp.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "runtime/user_error.h"

namespace pipeml {
namespace {

// Each activation with Python's default arguments (LeakyReLU 0.01, ELU 1.0, exact GELU).
void push_activation(torch::nn::Sequential& net, const std::string& name) {
  if (name == "relu") return net->push_back(torch::nn::ReLU());
  if (name == "leaky_relu") return net->push_back(torch::nn::LeakyReLU());
  if (name == "gelu") return net->push_back(torch::nn::GELU());
  if (name == "elu") return net->push_back(torch::nn::ELU());
  if (name == "tanh") return net->push_back(torch::nn::Tanh());
  if (name == "sigmoid") return net->push_back(torch::nn::Sigmoid());
  throw UserError("unknown activation '" + name + "' (expected relu, leaky_relu, gelu, elu, tanh or sigmoid)");
}

void check(const MlpSpec& spec) {
  if (spec.in_features < 1) throw UserError("the model needs at least one input feature");
  for (int h : spec.hidden)
    if (h < 1) throw UserError("hidden layer size " + std::to_string(h) + " must be at least 1");
  if (spec.out_features < 1) throw UserError("the model needs at least one output");
  if (!(spec.dropout >= 0.0 && spec.dropout < 1.0))
    throw UserError("dropout " + std::to_string(spec.dropout) + " must be in [0, 1)");
}

}  // namespace

torch::nn::Sequential build_mlp(const MlpSpec& spec,
                                const std::function<torch::nn::AnyModule(std::int64_t, double, double)>& batch_norm) {
  check(spec);
  torch::nn::Sequential net;
  int in = spec.in_features;
  // push_back names modules "0", "1", ... in order, as Python's nn.Sequential(*layers) does.
  for (int width : spec.hidden) {
    net->push_back(torch::nn::Linear(in, width));
    if (spec.batch_norm && batch_norm) net->push_back(batch_norm(width, 1e-5, 0.1));  // BatchNorm1d's defaults
    else if (spec.batch_norm) net->push_back(torch::nn::BatchNorm1d(width));
    push_activation(net, spec.activation);
    if (spec.dropout > 0.0) net->push_back(torch::nn::Dropout(spec.dropout));
    in = width;
  }
  net->push_back(torch::nn::Linear(in, spec.out_features));
  return net;
}

std::int64_t parameter_count(const torch::nn::Module& module) {
  std::int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace pipeml
