// The MLP of an MlpSpec as a torch::nn::Sequential laid out exactly like the Python
// nn.Sequential a course notebook builds, so that parameter names ("0.weight",
// "1.running_mean", ...) and default initialisation (drawn from the default generator in the
// same order) are Python's, and a Python user can load_state_dict what pipe saves.
#pragma once
#include <torch/nn/modules/container/sequential.h>

#include <torch/nn/modules/container/any.h>

#include <cstdint>
#include <functional>

#include "runtime/train_spec.h"

namespace pipeml {

/// Linear -> [BatchNorm1d] -> activation -> [Dropout] per hidden size, then Linear to
/// out_features; Dropout is left out when spec.dropout is 0, as a Python user would.
/// Initialised by LibTorch's module defaults, which draw from torch's default generator
/// exactly as Python's do: call torch::manual_seed first for a reproducible model.
/// Throws UserError for an impossible spec (sizes < 1, dropout outside [0, 1), unknown activation).
/// `batch_norm`, when given, makes the BatchNorm1d layers (layers.h's BatchNormMaker).
torch::nn::Sequential build_mlp(const MlpSpec& spec,
                                const std::function<torch::nn::AnyModule(std::int64_t, double, double)>& batch_norm = nullptr);

/// Number of trainable parameters (elements), as `sum(p.numel() for p in model.parameters())`.
std::int64_t parameter_count(const torch::nn::Module& module);

}  // namespace pipeml
