#include "ops/standardize.h"

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "runtime/user_error.h"

namespace pipeml::scale {
namespace {

/// Throws when a column has a missing or infinite value: the mean would be NaN or inf,
/// and every value of the column with it.
void require_finite(const Table& t) {
  for (std::size_t c = 0; c < t.cols(); ++c) {
    std::size_t missing = 0;
    for (std::size_t r = 0; r < t.rows; ++r) {
      const float v = t.row(r)[c];
      if (std::isnan(v)) ++missing;
      else if (std::isinf(v)) throw UserError("cannot standardize column '" + t.columns[c] + "': it holds an infinite value");
    }
    if (missing > 0)
      throw UserError("cannot standardize column '" + t.columns[c] + "': it has " + std::to_string(missing) + " missing value" +
                      (missing == 1 ? "" : "s") + " (add 'op: impute' before 'standardize')");
  }
}

/// sklearn's _is_constant_feature: the variance is within the rounding error of the
/// two-pass algorithm, so the column is constant and dividing by its std would blow up noise.
bool is_constant(double variance, double mean, double n) {
  const double upper_bound = n * DBL_EPSILON * variance + (n * mean * DBL_EPSILON) * (n * mean * DBL_EPSILON);
  return variance <= upper_bound;
}

}  // namespace

StandardScaler fit(const Table& train, bool with_mean, bool with_std) {
  require_finite(train);
  if (train.rows == 0) throw UserError("cannot standardize: there are no training rows to fit on");
  const double n = static_cast<double>(train.rows);
  StandardScaler scaler;
  for (std::size_t c = 0; c < train.cols(); ++c) {
    double sum = 0.0;
    for (std::size_t r = 0; r < train.rows; ++r) sum += train.row(r)[c];
    const double mean = sum / n;
    // Two passes, as sklearn's _incremental_mean_and_var: the squared deviations, less the
    // rounding error of the mean (the deviations' own sum), over n (ddof = 0).
    double deviations = 0.0, squares = 0.0;
    for (std::size_t r = 0; r < train.rows; ++r) {
      const double d = train.row(r)[c] - mean;
      deviations += d;
      squares += d * d;
    }
    const double variance = (squares - deviations * deviations / n) / n;
    scaler.mean.push_back(with_mean ? mean : 0.0);
    scaler.scale.push_back(!with_std || is_constant(variance, mean, n) ? 1.0 : std::sqrt(variance));
  }
  return scaler;
}

void transform(const StandardScaler& scaler, Table& t) {
  if (scaler.mean.size() != t.cols() || scaler.scale.size() != t.cols())
    throw std::invalid_argument("scale::transform: fitted on " + std::to_string(scaler.mean.size()) + " columns, given " +
                                std::to_string(t.cols()));
  require_finite(t);
  for (std::size_t r = 0; r < t.rows; ++r) {
    float* row = t.row(r);
    for (std::size_t c = 0; c < t.cols(); ++c) row[c] = static_cast<float>((row[c] - scaler.mean[c]) / scaler.scale[c]);
  }
}

}  // namespace pipeml::scale
