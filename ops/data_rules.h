// Checks shared by the data stages: the leakage rules (what must come after the split,
// what may touch only the training part) and plan notes about missing values.
#pragma once
#include <string>

#include "runtime/op.h"

namespace pipeml::rules {

/// True when the data has been split; otherwise adds "'OP' before 'split' ..." at the op
/// when a split comes later (a failed or missing split is reported elsewhere, once).
bool require_split(const dsl::Stage& stage, PlanState& st, const std::string& why);
/// True when no value is missing; otherwise adds "'OP' needs complete data ..." at the op.
bool require_complete(const dsl::Stage& stage, PlanState& st);
/// True when the data is loaded (an earlier stage failed or is missing otherwise).
bool has_data(const PlanState& st);
/// After a stage that failed: the data is unknown from here on, as after a failed load, so
/// the stages after it say nothing more (one mistake, one error).
void forget_data(PlanState& st);
/// For resamplers and augmenters: the `part` parameter must be the training part.
bool require_train_part(const dsl::Stage& stage, PlanState& st);
/// For fitted transforms: `fit_on` must be the training part.
bool require_fit_on_train(const dsl::Stage& stage, PlanState& st);
/// "'ca' (4), 'thal' (2)" for the columns that still have missing values.
std::string missing_columns_text(const DataInfo& d);
std::size_t total_missing(const DataInfo& d);

}  // namespace pipeml::rules
