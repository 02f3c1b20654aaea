// Scaling features by their range (sklearn's MinMaxScaler) or by their median and
// quantiles (RobustScaler), fitted on X_train and applied to every part. StandardScaler
// is ops/standardize.h.
#pragma once
#include <vector>

#include "runtime/table.h"

namespace pipeml::scale {

/// transform computes x * scale + min per column (sklearn's scale_ and min_), then clips
/// to the feature range when `clip`.
struct MinMaxScaler {
  double range_min = 0.0, range_max = 1.0;
  bool clip = false;
  std::vector<double> data_min, data_max;
  std::vector<double> scale, min;
};

/// Learns each column's minimum and maximum. A constant column (range below 10 machine
/// epsilons) gets scale range_max - range_min, as sklearn's _handle_zeros_in_scale.
/// Throws UserError when a column has a missing or infinite value or there are no rows.
MinMaxScaler fit_min_max(const Table& train, double range_min, double range_max, bool clip);
void transform(const MinMaxScaler& scaler, Table& t);

/// transform computes (x - center) / scale per column.
struct RobustScaler {
  std::vector<double> center;  ///< per column; all 0 without centering
  std::vector<double> scale;   ///< per column; all 1 without scaling
};

/// Learns each column's median (numpy's) and the difference between its quantiles
/// q_min and q_max (numpy.percentile, linear interpolation); a zero range scales by 1.
/// unit_variance divides the range by that of the standard normal between the same
/// quantiles. Throws UserError as fit_min_max.
RobustScaler fit_robust(const Table& train, bool with_centering, bool with_scaling, double q_min, double q_max,
                        bool unit_variance);
void transform(const RobustScaler& scaler, Table& t);

/// numpy.percentile(values, q) with the default linear method (values need not be sorted).
double percentile(std::vector<double> values, double q);
/// The standard normal's quantile function (scipy.stats.norm.ppf) for p in (0, 1).
double normal_ppf(double p);

}  // namespace pipeml::scale
