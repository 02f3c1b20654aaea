// The validation values a training control can watch (reduce_lr_on_plateau, train's
// early_stopping and checkpoints): one rule for all of them.
#pragma once
#include <string>

#include "runtime/op.h"

namespace pipeml {

/// Checks that `monitor` is a value this run's validation produces (val_loss, and
/// val_accuracy for a classifier or val_mae for regression) and that there is a validation
/// part to compute it on; reports a located error at `at` otherwise, naming `who` ("'early_stopping'
/// monitors ..."). Returns whether it is fine.
bool check_monitor(const std::string& monitor, const std::string& who, const dsl::Loc& at, PlanState& st);

/// "min" or "max": `mode` itself, or for "auto" what suits the monitor (max for accuracy).
std::string resolve_mode(const std::string& mode, const std::string& monitor);

/// A note when `mode` counts the opposite direction of what `monitor` usually wants.
void note_unusual_mode(const std::string& mode, const std::string& monitor, PlanState& st);

}  // namespace pipeml
