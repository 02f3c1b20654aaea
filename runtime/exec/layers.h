// The model of a ModelSpec as a torch::nn::Sequential: build_mlp's MLP, or a `sequential`
// op's layers, each the torch.nn module of the same name, laid out as Python's
// nn.Sequential(*layers) lays it out (state_dict names "0.weight", "4.body.0.weight"), then
// initialised as torch.nn.init would do it after construction.
#pragma once
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>

#include <functional>

#include "runtime/train_spec.h"

namespace pipeml {

/// A residual block: forward(x) = x + body(x), as docs/load_model.py's Residual module.
class ResidualImpl : public torch::nn::Module {
 public:
  explicit ResidualImpl(torch::nn::Sequential body);
  at::Tensor forward(const at::Tensor& x);
  torch::nn::Sequential body;
};
TORCH_MODULE(Residual);

/// The model, drawn from torch's default generator in Python's order: every module's default
/// initialisation as it is constructed, in order; then, module by module in
/// `model.modules()` order, each Linear/Conv weight by its `init` and its bias by its
/// `bias_init` (torch.nn.init's xavier_uniform_, xavier_normal_, kaiming_uniform_ and
/// kaiming_normal_ with nonlinearity='relu', orthogonal_, zeros_). Call torch::manual_seed
/// first for a reproducible model. Throws UserError for an impossible spec.
/// `batch_norm`, when given, makes the batch-norm layers instead of torch's BatchNorm1d and
/// BatchNorm2d: a data-parallel run's SyncBatchNorm (same parameters and names).
using BatchNormMaker = std::function<torch::nn::AnyModule(std::int64_t features, double eps, double momentum)>;
torch::nn::Sequential build_model(const ModelSpec& spec, const BatchNormMaker& batch_norm = nullptr);

}  // namespace pipeml
