// torch.optim's algorithms for many small parameters at the cost of a few big ones.
#pragma once
#include <ATen/core/Tensor.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "runtime/exec/tensor_dict.h"
#include "runtime/train_spec.h"

namespace pipeml {

/// The base of pipe's optimizers: each runs one torch.optim algorithm over one flat buffer
/// instead of tensor by tensor. The constructor moves the parameters' data and gradients into
/// flat buffers and leaves each parameter (and its .grad) a view of its slice, so that
/// autograd — or CpuMlpStep, which writes the gradients itself — fills the flat gradient, and
/// a step is a handful of kernels whatever the number of tensors (for the heart MLP 9 instead
/// of 90 for AdamW, which were a large part of a step).
///
/// Each element sees the operations of Python's default path in its order: the single-tensor
/// loop on the CPU (the default there in 1.13 and 2.x), the multi-tensor (_foreach) one on
/// CUDA (2.x's default there), whose kernels round differently. The CPU paths were checked bit
/// for bit against torch.optim 1.13 (tests/fixtures/make_optimizer_fixtures.py); AdamW's CUDA
/// path against 2.11 on an H100. One difference by design: every parameter is stepped each
/// time, so a parameter that got no gradient still moves (weight decay, momentum), where
/// Python would skip it; in an MLP every parameter gets a gradient.
class FlatOptimizer {
 public:
  virtual ~FlatOptimizer() = default;
  FlatOptimizer(const FlatOptimizer&) = delete;
  FlatOptimizer& operator=(const FlatOptimizer&) = delete;

  /// Zeroes every gradient with one kernel (optimizer.zero_grad(set_to_none=False)), or with
  /// none where the last step left them zero (pipe's fused Adam kernel zeroes each gradient
  /// once it has read it: a kernel less per step, in a CUDA graph too).
  void zero_grad();
  /// One optimizer.step() at learning rate `lr` (the scheduler's lr for this step).
  virtual void step(double lr) = 0;
  /// Whether step_on_device exists (Adam and AdamW): the update that a CUDA graph can hold.
  virtual bool capturable() const { return false; }
  /// One step whose every number stays on the device — the rate a 0-d tensor the caller sets
  /// between steps, the step count a tensor — as torch.optim's `capturable=True` writes it, so
  /// that a captured graph replays it correctly. Not mixed with step(double) in one run.
  virtual void step_on_device(const at::Tensor& /*lr*/) { throw std::logic_error("not capturable"); }
  /// From now on step_on_device on CUDA is one kernel of pipe's with torch.optim's fused=True
  /// formula where there is one (Adam and AdamW in a build with pipe's CUDA kernels: one kernel
  /// instead of about twenty), which rounds a little differently from the multi-kernel update.
  /// Returns whether this optimizer has it.
  virtual bool use_fused_step() { return false; }
  /// What a scheduler that cycles momentum (OneCycleLR, CyclicLR) writes into the param
  /// group before the next step: beta1 for Adam and AdamW, momentum for SGD and RMSprop;
  /// nothing for Adagrad, which has no momentum.
  virtual void set_momentum(double) {}
  /// Every parameter's gradient as one flat buffer (each parameter's .grad is a view of it):
  /// where clipping works elementwise over all gradients at once.
  const at::Tensor& flat_grad() const { return grad_; }
  /// Every parameter as one flat buffer (each parameter is a view of it): what data-parallel
  /// training broadcasts from rank 0 once, so that every rank starts from the same weights.
  const at::Tensor& flat_param() const { return param_; }
  /// What carries over from one step to the next — the moments, momentum buffers, step counts
  /// (0-d float64 tensors) — by name, copied, for a checkpoint that training resumes from.
  /// Scratch buffers are left out.
  TensorDict save_state();
  /// Puts back what save_state gave. Throws UserError when it does not fit this optimizer
  /// (a buffer it keeps is missing, one of another size or an unknown name is there).
  void load_state(const TensorDict& state);

 protected:
  /// The members save_state and load_state carry: tensors (an undefined one — a buffer made at
  /// a later step — is saved once it exists) and numbers.
  struct StateSlots {
    std::vector<std::pair<const char*, at::Tensor*>> tensors;
    std::vector<std::pair<const char*, double*>> numbers;
  };
  virtual StateSlots state_slots() = 0;
  /// `params` must be on one device, float32, and not be moved afterwards (to(), set_data).
  explicit FlatOptimizer(const std::vector<at::Tensor>& params);
  /// A state buffer of the parameters' size, device and type, filled with `value`.
  at::Tensor state(double value = 0) const;
  bool on_cuda() const { return param_.is_cuda(); }

  at::Tensor param_, grad_;
  bool grad_zeroed_ = false;  ///< the last step left grad_ zero (zero_grad skips its fill)
};

/// The optimizer `spec.type` names, over `params`. A UserError for an unknown type or a
/// parameter that torch.optim would refuse (ValueError there; the ops refuse them at validate
/// time already).
std::unique_ptr<FlatOptimizer> make_flat_optimizer(const std::vector<at::Tensor>& params, const OptimizerSpec& spec);

// One per algorithm (flat_adam.cc, flat_sgd.cc, flat_rmsprop.cc, flat_adagrad.cc), for
// make_flat_optimizer; `spec` has been checked.
std::unique_ptr<FlatOptimizer> make_flat_adam(const std::vector<at::Tensor>& params, const OptimizerSpec& spec);
std::unique_ptr<FlatOptimizer> make_flat_sgd(const std::vector<at::Tensor>& params, const OptimizerSpec& spec);
std::unique_ptr<FlatOptimizer> make_flat_rmsprop(const std::vector<at::Tensor>& params, const OptimizerSpec& spec);
std::unique_ptr<FlatOptimizer> make_flat_adagrad(const std::vector<at::Tensor>& params, const OptimizerSpec& spec);

}  // namespace pipeml
