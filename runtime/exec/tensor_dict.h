// Tensors by name, in order: a state dict, an optimizer's state, a checkpoint's contents.
#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace pipeml {

using TensorDict = std::vector<std::pair<std::string, at::Tensor>>;

}  // namespace pipeml
