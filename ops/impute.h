// Filling missing values (NaN) with a statistic of the training rows, as sklearn's
// SimpleImputer(missing_values=np.nan) fitted on X_train, or dropping the rows instead.
#pragma once
#include <cstddef>
#include <vector>

#include "runtime/table.h"

namespace pipeml::impute {

/// SimpleImputer's strategies, plus drop_rows (pandas' dropna).
enum class Strategy { mean, median, most_frequent, constant, drop_rows };

/// A fitted imputer: one fill value per column (none for drop_rows).
struct Imputer {
  Strategy strategy = Strategy::mean;
  double fill_value = 0.0;        ///< the value for Strategy::constant
  std::vector<float> statistics;  ///< per column: what replaces a missing value
};

/// Learns the fill values from the non-missing values of each column of `train`: their
/// mean, their median (numpy's: the mean of the two middle values when even), the most
/// frequent (the smallest of equally frequent ones, as sklearn) or `fill_value`.
/// Throws UserError for a column with no value at all (sklearn would silently drop it)
/// or with an infinite value (sklearn refuses those too).
Imputer fit(const Table& train, Strategy strategy, double fill_value = 0.0);

/// Replaces every NaN of `t` by its column's statistic; for drop_rows, drops those rows.
void transform(const Imputer& imputer, Table& t);

/// Indices of the rows that have at least one missing value, in order.
std::vector<std::size_t> rows_with_missing(const Table& t);

/// `t` without the rows that have a missing value (labels kept with their rows).
Table drop_missing_rows(const Table& t);

}  // namespace pipeml::impute
