// Scaling features to zero mean and unit variance, as sklearn's StandardScaler fitted on
// X_train: the statistics come from the training rows and are applied to every part.
#pragma once
#include <vector>

#include "runtime/table.h"

namespace pipeml::scale {

/// A fitted scaler: transform computes (x - mean) / scale per column.
struct StandardScaler {
  std::vector<double> mean;   ///< per column; all 0 when fitted with with_mean = false
  std::vector<double> scale;  ///< per column; all 1 when fitted with with_std = false
};

/// Learns each column's mean and population standard deviation (ddof = 0) in double, as
/// StandardScaler: a (near-)constant column gets scale 1.0. Throws UserError when a column
/// has a missing or infinite value (impute first) or there are no rows.
StandardScaler fit(const Table& train, bool with_mean = true, bool with_std = true);

/// Scales `t` in place. Throws UserError when a column has a missing value.
void transform(const StandardScaler& scaler, Table& t);

}  // namespace pipeml::scale
