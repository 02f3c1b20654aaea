// torch.optim.AdamW for many small parameters at the cost of a few big ones.
#pragma once
#include <ATen/core/Tensor.h>

#include <vector>

#include "runtime/train_spec.h"

namespace pipeml {

/// AdamW with torch.optim.AdamW's arithmetic (decoupled weight decay, bias-corrected moments,
/// optional amsgrad), run over one flat buffer instead of tensor by tensor. The constructor
/// moves the parameters' data and gradients into flat buffers and leaves each parameter (and
/// its .grad) a view of its slice, so that autograd accumulates straight into the flat
/// gradient and a step is ~9 kernels whatever the number of tensors: for the heart MLP 9
/// instead of 90, which were a large part of a step. Each element sees the operations of
/// Python's default path in its order: the single-tensor loop on the CPU, the multi-tensor
/// (_foreach) one on CUDA, whose kernels round differently; the results were checked bit for
/// bit against torch.optim.AdamW on the heart recipe, on the CPU (1.13) and on an H100 (2.11).
/// One difference by design: every parameter is stepped each time, so a parameter that got
/// no gradient still decays, where Python with set_to_none would skip it; in an MLP every
/// parameter gets a gradient.
class FlatAdamW {
 public:
  /// `params` must be on one device, float32, and not be moved afterwards (to(), set_data).
  FlatAdamW(const std::vector<at::Tensor>& params, const OptimizerSpec& spec);
  /// Zeroes every gradient with one kernel (optimizer.zero_grad(set_to_none=False)).
  void zero_grad();
  /// One optimizer.step() at learning rate `lr` (the scheduler's lr for this epoch).
  void step(double lr);
  /// Sets beta1, the first moment's coefficient, for the next steps: what OneCycleLR's
  /// momentum cycling writes into param_groups[0]['betas'][0]. torch's bias correction uses
  /// the current beta1 at each step (1 - beta1 ** step), and so does step().
  void set_momentum(double beta1) { spec_.beta1 = beta1; }

 private:
  void update_single_tensor(double lr, double step_size, double bias_correction2_sqrt);
  void update_multi_tensor(double lr, double step_size, double bias_correction2_sqrt);

  OptimizerSpec spec_;
  double steps_ = 0;  // Python keeps the step count as a float tensor and reads it with item()
  at::Tensor param_, grad_, exp_avg_, exp_avg_sq_, max_exp_avg_sq_, denom_;
};

}  // namespace pipeml
