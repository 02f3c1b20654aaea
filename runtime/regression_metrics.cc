// sklearn 1.2's regression metrics on one output. sklearn reshapes y to (n, 1) and reduces
// over axis 0, which numpy sums pairwise exactly as np.sum of the 1-D array: numpy_sum.
#include "runtime/regression_metrics.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "runtime/numpy_sum.h"

namespace pipeml::metrics {
namespace {

// check_array's refusals (sklearn.utils.validation), in its words.
void check_values(const std::vector<double>& v) {
  for (double x : v) {
    if (std::isnan(x)) throw std::invalid_argument("Input contains NaN.");
    if (std::isinf(x)) throw std::invalid_argument("Input contains infinity or a value too large for dtype('float64').");
  }
}

// np.average(a, axis=0) of a column: the pairwise sum, then one division.
double mean_of(const std::vector<double>& a) { return numpy_sum(a.data(), a.size()) / static_cast<double>(a.size()); }

}  // namespace

RegressionReport evaluate_regression(const std::vector<double>& y_true, const std::vector<double>& y_pred) {
  if (y_true.size() != y_pred.size())
    throw std::invalid_argument("Found input variables with inconsistent numbers of samples: [" +
                                std::to_string(y_true.size()) + ", " + std::to_string(y_pred.size()) + "]");
  if (y_true.empty())
    throw std::invalid_argument("Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required.");
  check_values(y_true);
  check_values(y_pred);
  const std::size_t n = y_true.size();
  std::vector<double> abs_err(n), sq_err(n);
  for (std::size_t i = 0; i < n; ++i) {
    abs_err[i] = std::abs(y_pred[i] - y_true[i]);  // np.abs(y_pred - y_true)
    const double d = y_true[i] - y_pred[i];        // (y_true - y_pred) ** 2
    sq_err[i] = d * d;
  }
  RegressionReport r;
  r.mae = mean_of(abs_err);
  r.mse = mean_of(sq_err);
  r.rmse = std::sqrt(r.mse);
  if (n < 2) {
    r.r2 = std::numeric_limits<double>::quiet_NaN();
    r.warnings.push_back("R^2 score is not well-defined with less than two samples.");
    return r;
  }
  // numerator = ((y_true - y_pred) ** 2).sum(axis=0); denominator = ((y_true - mean) ** 2).sum(axis=0)
  const double numerator = numpy_sum(sq_err.data(), n);
  const double mean = mean_of(y_true);
  std::vector<double> spread(n);
  for (std::size_t i = 0; i < n; ++i) spread[i] = (y_true[i] - mean) * (y_true[i] - mean);
  const double denominator = numpy_sum(spread.data(), n);
  // force_finite=True: a constant y_true scores 1 when predicted exactly, else 0.
  if (denominator == 0.0) r.r2 = numerator == 0.0 ? 1.0 : 0.0;
  else r.r2 = 1.0 - numerator / denominator;
  return r;
}

}  // namespace pipeml::metrics
