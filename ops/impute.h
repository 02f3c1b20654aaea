// Filling missing values (NaN) with a statistic of the training rows, as sklearn's
// SimpleImputer(missing_values=np.nan) fitted on X_train, or dropping the rows instead.
#pragma once
#include <cstddef>
#include <string>
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

/// An imputer for some columns of tables, categorical ones included, which keeps what it
/// fills in by column name and category name (sklearn's statistics_ of a text column).
struct ColumnImputer {
  Strategy strategy = Strategy::mean;
  std::vector<std::string> columns;
  std::vector<char> categorical;        ///< per column
  std::vector<float> values;            ///< per numeric column: its fill value
  std::vector<std::string> categories;  ///< per categorical column: its fill category (else empty)
};

/// fit() on the columns `cols` of `train`. A categorical column takes most_frequent (the
/// most frequent category; of equally frequent ones the first in the column's order, the
/// smallest as sklearn) or constant (`fill_category`); mean and median throw UserError
/// for it. Not for drop_rows.
ColumnImputer fit_columns(const Table& train, const std::vector<std::size_t>& cols, Strategy strategy, double fill_value,
                          const std::string& fill_category);

/// Fills the missing values of the imputer's columns of `t` (found by name). A fill
/// category that a column does not have yet joins its categories first (codes renumbered
/// to keep them sorted).
void transform(const ColumnImputer& imputer, Table& t);

/// Indices of the rows that have at least one missing value, in order.
std::vector<std::size_t> rows_with_missing(const Table& t);

/// Indices of the rows that have no missing value, in order.
std::vector<std::size_t> rows_without_missing(const Table& t);

/// `t` without the rows that have a missing value (labels kept with their rows).
Table drop_missing_rows(const Table& t);

}  // namespace pipeml::impute
