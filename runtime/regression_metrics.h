// Regression metrics for the evaluate stage, defined to give the same numbers, warnings
// and failures as scikit-learn 1.2 (mean_absolute_error, mean_squared_error with squared
// True and False, r2_score). tests/fixtures/regression_metrics_cases.json comes from sklearn.
#pragma once
#include <string>
#include <vector>

namespace pipeml::metrics {

/// Everything the evaluate stage reports for a regression model.
struct RegressionReport {
  double mae = 0.0;
  double mse = 0.0;
  double rmse = 0.0;  ///< sqrt(mse), as mean_squared_error(squared=False)
  double r2 = 0.0;    ///< NaN with a warning below two samples; 1 or 0 for a constant y_true
  std::vector<std::string> warnings;  ///< sklearn's warning texts
};

/// Scores predictions against the truth. The sums are numpy's pairwise sums, in sklearn's
/// order of operations, so every value agrees with sklearn's to the bit. Throws
/// std::invalid_argument with sklearn's texts when the lengths differ, the input is empty,
/// or a value is NaN or infinite.
RegressionReport evaluate_regression(const std::vector<double>& y_true, const std::vector<double>& y_pred);

}  // namespace pipeml::metrics
