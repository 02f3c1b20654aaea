// Checks shared by the data stages: the leakage rules (what must come after the split,
// what may touch only the training part) and plan notes about missing values.
#pragma once
#include <string>

#include "runtime/op.h"

namespace pipeml::rules {

/// 'split' and 'kfold': the stages that make the training and test parts.
bool is_splitter(const dsl::Stage& stage);
/// The first split or kfold stage before `stage` in the pipeline, or null.
const dsl::Stage* earlier_splitter(const dsl::Stage& stage, const PlanState& st);
/// True when the data has been split; otherwise adds "'OP' before 'split' ..." (or
/// 'kfold') at the op when a splitter comes later (a failed or missing split is reported
/// elsewhere, once).
bool require_split(const dsl::Stage& stage, PlanState& st, const std::string& why);
/// True when no value is missing; otherwise adds "'OP' needs complete data ..." at the op.
bool require_complete(const dsl::Stage& stage, PlanState& st);
/// The ops that add or remove training rows by class (SMOTE and the other samplers).
bool is_resampler(const std::string& op);
/// True when the data is loaded (an earlier stage failed or is missing otherwise).
bool has_data(const PlanState& st);
/// For resamplers and augmenters: the `part` parameter must be the training part.
bool require_train_part(const dsl::Stage& stage, PlanState& st);
/// For fitted transforms: `fit_on` must be the training part.
bool require_fit_on_train(const dsl::Stage& stage, PlanState& st);
/// "'ca' (4), 'thal' (2)" for the columns that still have missing values.
std::string missing_columns_text(const DataInfo& d);
std::size_t total_missing(const DataInfo& d);

}  // namespace pipeml::rules
