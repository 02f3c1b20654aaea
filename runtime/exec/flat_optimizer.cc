#include "runtime/exec/flat_optimizer.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>

#include <sstream>
#include <stdexcept>
#include <string>

#include "runtime/user_error.h"

namespace pipeml {

FlatOptimizer::FlatOptimizer(const std::vector<at::Tensor>& params) {
  std::int64_t total = 0;
  for (const auto& p : params) {
    if (!p.is_non_overlapping_and_dense())
      throw std::logic_error("FlatOptimizer: a parameter that is not dense cannot share a flat buffer");
    total += p.numel();
  }
  const auto options = params.empty() ? at::TensorOptions(at::kFloat) : params.front().options();
  c10::NoGradGuard no_grad;
  param_ = at::empty({total}, options);
  grad_ = at::zeros({total}, options);
  std::int64_t offset = 0;
  for (at::Tensor p : params) {  // a handle: set_data/mutable_grad act on the module's own tensor
    const std::int64_t n = p.numel();
    // A convolution's weight made channels-last keeps that layout (its slice has its
    // strides); every other parameter becomes a plain contiguous view, as before.
    const bool keep_strides = !p.is_contiguous();
    at::Tensor view = keep_strides ? param_.as_strided(p.sizes(), p.strides(), offset) : param_.narrow(0, offset, n).view(p.sizes());
    view.copy_(p.detach());
    p.set_data(view);
    p.mutable_grad() = keep_strides ? grad_.as_strided(p.sizes(), p.strides(), offset) : grad_.narrow(0, offset, n).view(p.sizes());
    offset += n;
  }
}

void FlatOptimizer::zero_grad() {
  if (!grad_zeroed_) grad_.zero_();
  grad_zeroed_ = false;  // the backward that follows writes them
}

at::Tensor FlatOptimizer::state(double value) const { return at::full_like(param_, value); }

TensorDict FlatOptimizer::save_state() {
  TensorDict out;
  const StateSlots slots = state_slots();
  for (const auto& [name, t] : slots.tensors)
    if (t->defined()) out.emplace_back(name, t->detach().clone());
  for (const auto& [name, v] : slots.numbers) out.emplace_back(name, at::full({}, *v, at::kDouble));
  return out;
}

void FlatOptimizer::load_state(const TensorDict& state) {
  auto misfit = [](const std::string& why) { throw UserError("the checkpoint's optimizer state does not fit: " + why); };
  const StateSlots slots = state_slots();
  std::size_t used = 0;
  auto find = [&](const char* name) -> const at::Tensor* {
    for (const auto& [n, t] : state)
      if (n == name) return ++used, &t;
    return nullptr;
  };
  c10::NoGradGuard no_grad;
  for (const auto& [name, t] : slots.tensors) {
    const at::Tensor* saved = find(name);
    if (!saved) {
      if (t->defined()) misfit(std::string("no '") + name + "'");
      continue;
    }
    if (t->defined() && saved->numel() != t->numel())
      misfit(std::string("'") + name + "' has " + std::to_string(saved->numel()) + " values, this optimizer keeps " +
             std::to_string(t->numel()));
    if (t->defined()) t->copy_(saved->reshape(t->sizes()));
    else *t = saved->to(param_.options()).clone();
  }
  for (const auto& [name, v] : slots.numbers) {
    const at::Tensor* saved = find(name);
    if (!saved || saved->numel() != 1) misfit(std::string("no '") + name + "'");
    *v = saved->item<double>();
  }
  if (used != state.size()) misfit("it has buffers this optimizer does not keep (another optimizer's?)");
}

namespace {

// torch.optim's ValueError, with its wording, for a spec that did not come through an op.
void require(bool ok, const OptimizerSpec& spec, const std::string& what, double value) {
  if (ok) return;
  std::ostringstream os;
  os << spec.type << ": Invalid " << what << ": " << value;
  throw UserError(os.str());
}

}  // namespace

std::unique_ptr<FlatOptimizer> make_flat_optimizer(const std::vector<at::Tensor>& params, const OptimizerSpec& spec) {
  const std::string& t = spec.type;
  if (t != "adamw" && t != "adam" && t != "sgd" && t != "rmsprop" && t != "adagrad")
    throw UserError("optimizer '" + t + "' is not supported (use adamw, adam, sgd, rmsprop or adagrad)");
  require(spec.lr >= 0, spec, "learning rate", spec.lr);
  require(spec.weight_decay >= 0, spec, "weight_decay value", spec.weight_decay);
  if (t == "adamw" || t == "adam") {
    require(spec.eps >= 0, spec, "epsilon value", spec.eps);
    require(spec.beta1 >= 0 && spec.beta1 < 1, spec, "beta parameter at index 0", spec.beta1);
    require(spec.beta2 >= 0 && spec.beta2 < 1, spec, "beta parameter at index 1", spec.beta2);
    return make_flat_adam(params, spec);
  }
  if (t == "sgd") {
    require(spec.momentum >= 0, spec, "momentum value", spec.momentum);
    if (spec.nesterov && (spec.momentum <= 0 || spec.dampening != 0))
      throw UserError("sgd: Nesterov momentum requires a momentum and zero dampening");
    return make_flat_sgd(params, spec);
  }
  if (t == "rmsprop") {
    require(spec.eps >= 0, spec, "epsilon value", spec.eps);
    require(spec.momentum >= 0, spec, "momentum value", spec.momentum);
    require(spec.alpha >= 0, spec, "alpha value", spec.alpha);
    return make_flat_rmsprop(params, spec);
  }
  require(spec.lr_decay >= 0, spec, "lr_decay value", spec.lr_decay);
  require(spec.initial_accumulator_value >= 0, spec, "initial_accumulator_value value", spec.initial_accumulator_value);
  require(spec.eps >= 0, spec, "epsilon value", spec.eps);
  return make_flat_adagrad(params, spec);
}

}  // namespace pipeml
