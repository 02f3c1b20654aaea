// Checks shared by the data stages: the leakage rules (what must come after the split,
// what may touch only the training part) and plan notes about missing values.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ops/columns.h"
#include "runtime/op.h"

namespace pipeml::rules {

/// Whether a split or kfold stage stratifies: its `stratify` (on by default) for a class
/// target; never for a regression target, which has no classes to keep in proportion.
bool stratifies(const dsl::Stage& stage, bool regression);
/// `stratify: true` written on a splitter while the target is a number: an error at it.
bool check_stratify(const dsl::Stage& stage, PlanState& st);
/// For stages that work per class (resamplers, class losses): false, with an error at
/// the op, when the target is a number.
bool require_classes(const dsl::Stage& stage, PlanState& st, const std::string& what);
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
/// An op that adds or removes training rows by class (SMOTE and the other samplers): read
/// off its schema, as every sampler takes imblearn's `sampling_strategy`.
bool is_resampler(const dsl::Stage& stage);
/// True when no value is missing in the given feature columns; otherwise the same error,
/// counting only those columns.
bool require_complete(const dsl::Stage& stage, PlanState& st, const std::vector<std::size_t>& cols);
/// True when no feature is categorical; otherwise adds "'OP' needs numeric data, but
/// 'color' (3 categories) is categorical" at the op (once: the model does not report
/// them again).
bool require_numeric(const dsl::Stage& stage, PlanState& st);
/// The feature columns that the stage's list parameter `param` names (names and glob
/// patterns), or every column of `request.want` when it is not set. Reports each entry
/// that matches nothing, or a column of the wrong kind, at the entry; nothing on error.
std::optional<std::vector<std::size_t>> planned_columns(const dsl::Stage& stage, const std::string& param, PlanState& st,
                                                        const columns::Request& request);
/// The same selection on a table at run time (throws UserError on a problem).
std::vector<std::size_t> run_columns(const dsl::Stage& stage, const std::string& param, const Table& t,
                                     const columns::Request& request);
/// "'color' (3 categories), 'size' (1 category)" for the given categorical features.
std::string categorical_text(const DataInfo& d, const std::vector<std::size_t>& cols);
/// "" when `cols` are every feature; else " of 'age', 'chol'" (" of 12 columns" when many),
/// for plan notes.
std::string of_columns(const DataInfo& d, const std::vector<std::size_t>& cols);
/// The rows of a part as far as the plan knows them: the given categorical features'
/// codes in each of the part's rows (a Table of those columns, with their categories).
/// Nothing when the part's rows are not known (a stage before added or removed rows).
std::optional<Table> planned_part(const DataInfo& d, const std::string& part, const std::vector<std::size_t>& cols);
/// What an encoder's plan hook fits on: its columns and the training rows' codes in them
/// (all rows when the split is missing or wrong, so no knock-on errors follow).
struct EncoderInput {
  std::vector<std::size_t> cols;
  Table train;     ///< planned_part of the training rows, those columns only
  bool split_ok;   ///< false: the stage stands before the split (already reported)
};
/// The prologue every encoder's plan hook shares: its `columns`, the split rule, and the
/// training rows' categories. Nothing (errors reported, the model told not to repeat
/// them) when the columns are wrong or an earlier stage added or removed training rows.
std::optional<EncoderInput> encoder_input(const dsl::Stage& stage, PlanState& st, const columns::Request& request);

/// One feature after a stage that changes the columns: an earlier feature (its index),
/// or a new numeric one (from < 0) with no missing value.
struct NewFeature {
  std::string name;
  int from = -1;
};
/// Replaces the features (names, kinds, categories, codes and missing values).
void set_features(DataInfo& d, const std::vector<NewFeature>& features);
/// Sets which source rows miss feature `c`, and row_has_missing with it.
void set_missing_rows(DataInfo& d, std::size_t c, std::vector<std::size_t> rows);
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
