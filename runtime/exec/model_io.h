// Model files that both sides read: pipe writes what Python's torch.load returns as a dict
// of tensors (ready for model.load_state_dict, weights_only or not), and reads what
// Python's torch.save(dict(model.state_dict()), path) writes.
#pragma once
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

#include <string>

#include "runtime/exec/tensor_dict.h"

namespace pipeml {

/// The module's parameters and buffers under Python's state_dict names, in Python's order
/// (each module's parameters, then its buffers, then its children). The live tensors.
TensorDict state_dict(const torch::nn::Module& module);

/// Writes state_dict(module), copied to the CPU, as a torch.save-compatible zip that
/// Python's torch.load(path) reads as a dict of tensors. Writes a temporary file beside
/// `path` and renames it, so a killed run leaves the old file or the new one, never half a
/// file. Throws UserError when the file cannot be written.
void save_state_dict(torch::nn::Module& module, const std::string& path);

/// The same for a dict of tensors (a snapshot of a state dict), written atomically.
void save_tensor_dict(const TensorDict& tensors, const std::string& path);

/// Reads a flat dict of tensors written by save_state_dict or by Python's torch.save of a
/// plain dict of tensors (not of model.state_dict() itself: LibTorch cannot read that
/// OrderedDict, so the error message says to save dict(model.state_dict())). Throws
/// UserError when the file is missing or holds something else.
TensorDict read_tensor_dict(const std::string& path);

/// Copies `tensors` into the module's parameters and buffers by name, strictly like
/// Python's load_state_dict: every name must be present with the same shape, no extra names.
/// Throws UserError naming the first mismatch.
void load_state_dict(torch::nn::Module& module, const TensorDict& tensors);

}  // namespace pipeml
