// What the optimizer ops (adamw, adam, sgd, rmsprop, adagrad) share: reading PyTorch's
// parameters into OptimizerSpec, with torch.optim's own checks as located errors.
#pragma once
#include "runtime/op.h"

namespace pipeml::optimizer_params {

/// The type, lr and weight_decay every torch.optim optimizer has. Starts from a fresh
/// OptimizerSpec, so that nothing of another optimizer's defaults is left in the plan.
OptimizerSpec& begin(const dsl::Stage& s, PlanState& st, const char* type);

/// Adam's and AdamW's `betas`: two numbers, each in [0, 1) (torch: "Invalid beta parameter
/// at index i"), the error at the one at fault. False after an error.
bool read_betas(const dsl::Stage& s, PlanState& st, OptimizerSpec& o);

}  // namespace pipeml::optimizer_params
