// What every resampler op shares (smote and its variants, adasyn, the random samplers, the
// cleaners and the combinations): reading sampling_strategy against the data's classes, the
// checks each plan hook starts with, and the training part's class counts after the stage.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ops/cleaning.h"
#include "ops/sampling_strategy.h"
#include "runtime/op.h"

namespace pipeml::resampler {

/// The sampling_strategy names each kind of sampler takes (imblearn 0.10's, plus 'minority'
/// for over-samplers, which check_sampling_strategy supports).
const std::vector<std::string>& over_names();
const std::vector<std::string>& under_names();  ///< also the cleaners'

/// The schema of sampling_strategy for an over-sampler (a name, a ratio in (0, 1] or rows
/// per class), an under-sampler (the same) or a cleaner (a name or a list of classes).
dsl::ParamSpec strategy_param(sampling::Type type);
/// The schema of `part` (a resampler touches the training part only) and of `seed`.
dsl::ParamSpec part_param();
dsl::ParamSpec seed_param();
/// SMOTE's k_neighbors (smote and the ops built on it).
dsl::ParamSpec k_neighbors_param();
/// EditedNearestNeighbours' n_neighbors and kind_sel (edited_nearest_neighbours, smote_enn).
dsl::ParamSpec enn_n_neighbors_param();
dsl::ParamSpec enn_kind_sel_param();
cleaning::KindSel kind_sel_of(const dsl::Stage& s);

/// The label of the class written `name` in the data: the same text, else the same number
/// ("1" names a class written "1.0"); -1 when there is none.
int label_of(const std::string& name, const std::vector<std::string>& class_names);

/// The stage's sampling_strategy for data with these classes: a name, a ratio, rows per
/// class (keyed by the class as written in the data) or a list of classes. Throws UserError
/// for a class that is not in the data (plan hooks use planned_strategy, which points at it).
sampling::Strategy strategy_of(const dsl::Stage& s, const std::vector<std::string>& class_names);

/// The checks every resampler's plan hook starts with: the seed recorded (when the op has
/// one), 'part: train', after the split (else "'OP' before 'split' <leakage_why>"), and
/// complete data when `needs_complete`. Returns the training part when the hook may go on.
PartInfo* training_part(const dsl::Stage& s, PlanState& st, const std::string& leakage_why, bool needs_complete);

/// sampling::resolve of the stage's sampling_strategy on the training counts: a class name
/// not in the data is an error at its key (naming the classes, with a did-you-mean), a
/// refused strategy an error at sampling_strategy. Nothing when either happened.
std::optional<std::map<int, std::size_t>> planned_targets(const dsl::Stage& s, PlanState& st, sampling::Type type);

/// Plan-time check that a class of `rows` training rows gives each row `k` neighbours:
/// "class '1' has 3 training rows, too few for k_neighbors 5 (the default): smote needs
/// k_neighbors + 1 rows of each class it grows", at the parameter (at the op when it is
/// the default) with the largest value that works. False when it reported.
bool check_neighbours(const dsl::Stage& s, PlanState& st, const std::string& param, int label, std::size_t rows);

/// The common plan of the samplers that grow classes by interpolating (smote, smote_nc,
/// adasyn, smote_tomek, smote_enn): the training part, its checks (complete data), the
/// targets, and each class to grow able to give its rows `param` neighbours. Returns the
/// class counts the targets make, or nothing when the plan hook should stop.
std::optional<std::vector<std::size_t>> interpolation_counts(const dsl::Stage& s, PlanState& st,
                                                             const std::string& param);

/// The plan of smote followed by a cleaner (smote_tomek, smote_enn): interpolation_counts,
/// then the counts from the data, with a note of what each step did (`cleaner` names the
/// second).
void plan_smote_then_clean(const dsl::Stage& s, PlanState& st, const std::string& cleaner);

/// The training part now has these class counts (its source rows are no longer known).
void set_train_counts(PlanState& st, const std::vector<std::size_t>& counts);

/// For a sampler whose rows depend on the labels and the seed only (the random samplers):
/// while the plan knows the training part's source rows, `pick` gets them as a table of
/// labels (no features) and returns the rows the stage's output is made of (numbers into
/// that table, repeats allowed); the plan then keeps following the source rows (so that,
/// say, impute's drop_rows after it is counted exactly). Sets the class counts either way.
void set_train_rows(PlanState& st, const std::vector<std::size_t>& counts,
                    const std::function<std::vector<std::size_t>(const Table& labels)>& pick);

/// For a sampler whose counts depend on the values (a cleaner, adasyn, borderline_smote):
/// runs the data stages through `s` on the real data (planned_tables) and takes the
/// training part's counts from the result; then adds the plan note `note(before)` makes
/// from the counts before the stage, and one that says they were counted on the data.
/// When that cannot be done (an earlier error, or the stage's own), forgets the data so
/// later stages stay quiet, and returns false.
bool counts_from_data(const dsl::Stage& s, PlanState& st,
                      const std::function<std::string(const std::vector<std::size_t>& before)>& note);

/// "20 rows added to class '1', 5 removed from class '0'": what the stage did to the
/// training counts, for its plan note.
std::string change_text(const std::vector<std::size_t>& before, const std::vector<std::size_t>& after,
                        const std::vector<std::string>& class_names);

}  // namespace pipeml::resampler
