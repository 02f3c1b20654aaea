// SMOTE-NC as imbalanced-learn 0.10's SMOTENC with an integer random_state: SMOTE on mixed
// continuous and categorical columns. pipe's Table holds numbers only, so a categorical
// column is one whose values are category codes (integers, or any numbers): its categories
// are its distinct values, and a synthetic row takes one of them, never a value between.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/sampling_strategy.h"
#include "runtime/table.h"

namespace pipeml::smote_nc {

/// SMOTENC(categorical_features, sampling_strategy, k_neighbors,
/// random_state=seed).fit_resample: `t`'s rows, then for each class to oversample, in label
/// order, its synthetic rows. As imblearn:
/// - m is the median, over the continuous columns, of the standard deviation (ddof 0) of
///   the minority class (the fewest rows; among equals the one whose first row comes first);
/// - neighbours are found in the continuous columns plus, per categorical column, one
///   column per category (its distinct values, ascending) holding m / 2 for the row's
///   category: a differing category adds m^2 / 2 to the squared distance (nothing when
///   m is 0);
/// - SMOTE's draws (smote::draw_samples) interpolate the continuous columns;
/// - each categorical column takes the category most common among the k_neighbors
///   neighbours of the row drawn (not the row itself); ties (numpy.isclose of the summed
///   one-hot columns) are broken by a fresh RandomState(seed): permutation of all
///   (synthetic row, tied category) pairs, the first pair of each row wins, one categorical
///   column after another.
/// `categorical` lists column numbers (in the order given: it orders the tie-breaking
/// draws). Throws UserError as smote::fit_resample does, and when `categorical` names a
/// column twice, a column the table does not have, or every column.
Table fit_resample(const Table& t, const std::vector<std::size_t>& categorical, const sampling::Strategy& strategy,
                   int k_neighbors, std::uint64_t seed, const std::string& op = "smote_nc");

}  // namespace pipeml::smote_nc
