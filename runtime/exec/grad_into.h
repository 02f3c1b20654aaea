// How pipe's autograd functions add a parameter's gradient into its .grad themselves (one
// kernel, or one add, where autograd would convert the gradient to float32 and then add it:
// two more). The forward keeps the .grad it may add into in the context's saved_data, not as a
// saved variable: it is a view of the optimizer's flat gradient, whose version autograd's
// other additions bump. The backward adds there and returns no gradient for that input, or,
// where nothing was kept, returns the gradient as autograd expects it.
#pragma once
#include <torch/csrc/autograd/custom_function.h>

#include <string>

namespace pipeml {

/// A parameter's .grad where an operation may add its gradient itself: defined, float32, on
/// the parameter's device; else undefined.
inline at::Tensor float32_grad(const at::Tensor& param) {
  // (a parameter that needs no gradient gets none, as AccumulateGrad skips it)
  const at::Tensor grad = param.defined() && param.requires_grad() ? param.grad() : at::Tensor();
  return grad.defined() && grad.scalar_type() == at::kFloat && grad.device() == param.device() ? grad : at::Tensor();
}

/// Keeps `grad` (one of float32_grad's; undefined: nothing kept) for the backward, under `key`.
inline void keep_grad(torch::autograd::AutogradContext* ctx, const std::string& key, const at::Tensor& grad) {
  if (grad.defined()) ctx->saved_data[key] = grad;
}

/// The .grad the forward kept under `key`, or undefined.
inline at::Tensor kept_grad(torch::autograd::AutogradContext* ctx, const std::string& key) {
  const auto it = ctx->saved_data.find(key);
  return it == ctx->saved_data.end() ? at::Tensor() : it->second.toTensor();
}

}  // namespace pipeml
