#include "ops/scalers.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "runtime/user_error.h"

namespace pipeml::scale {
namespace {

/// Throws when a column has a missing or infinite value, or there are no rows: what the
/// op would compute from them is NaN or inf.
void require_finite(const Table& t, const char* op) {
  for (std::size_t c = 0; c < t.cols(); ++c) {
    std::size_t missing = 0;
    for (std::size_t r = 0; r < t.rows; ++r) {
      const float v = t.row(r)[c];
      if (std::isnan(v)) ++missing;
      else if (std::isinf(v))
        throw UserError(std::string("cannot ") + op + " column '" + t.columns[c] + "': it holds an infinite value");
    }
    if (missing > 0)
      throw UserError(std::string("cannot ") + op + " column '" + t.columns[c] + "': it has " + std::to_string(missing) +
                      " missing value" + (missing == 1 ? "" : "s") + " (add 'op: impute' before '" + op + "')");
  }
}

void require_rows(const Table& t, const char* op) {
  if (t.rows == 0) throw UserError(std::string("cannot ") + op + ": there are no training rows to fit on");
}

void require_width(std::size_t fitted, const Table& t, const char* what) {
  if (fitted != t.cols())
    throw std::invalid_argument(std::string(what) + ": fitted on " + std::to_string(fitted) + " columns, given " +
                                std::to_string(t.cols()));
}

std::vector<double> column(const Table& t, std::size_t c) {
  std::vector<double> values(t.rows);
  for (std::size_t r = 0; r < t.rows; ++r) values[r] = t.row(r)[c];
  return values;
}

/// sklearn's _handle_zeros_in_scale: a range within 10 machine epsilons of zero is 1.
double nonzero(double range) { return range < 10 * DBL_EPSILON ? 1.0 : range; }

/// numpy.median: the middle value, or the mean of the two middle values.
double median(std::vector<double> values) {
  const std::size_t half = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + half, values.end());
  const double upper = values[half];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + half);
  return (lower + upper) / 2.0;
}

}  // namespace

double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  // numpy's _quantile, method 'linear': the virtual index (n - 1) q, and _lerp between
  // its neighbours, computed from the upper one when the weight is at least a half.
  const double index = static_cast<double>(n - 1) * (q / 100.0);
  if (index >= static_cast<double>(n - 1)) return values.back();
  if (index < 0) return values.front();
  const double below = std::floor(index);
  const double gamma = index - below;
  const double a = values[static_cast<std::size_t>(below)], b = values[static_cast<std::size_t>(below) + 1];
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

double normal_ppf(double p) {
  if (!(p > 0)) return p == 0 ? -INFINITY : NAN;
  if (!(p < 1)) return p == 1 ? INFINITY : NAN;
  if (p == 0.5) return 0.0;
  if (p > 0.5) return -normal_ppf(1.0 - p);  // exact: 1 - p is a double for p in (0.5, 1)
  // The normal CDF is 0.5 erfc(-x / sqrt 2), accurate in the lower tail; bisect it down to
  // adjacent doubles (about 60 halvings from [-40, 0]).
  double lo = -40.0, hi = 0.0;
  for (int i = 0; i < 200; ++i) {
    const double mid = lo + (hi - lo) / 2;
    if (mid == lo || mid == hi) break;
    if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p) lo = mid;
    else hi = mid;
  }
  // The closer of the two to p.
  const double at_lo = std::fabs(0.5 * std::erfc(-lo / std::sqrt(2.0)) - p);
  const double at_hi = std::fabs(0.5 * std::erfc(-hi / std::sqrt(2.0)) - p);
  return at_lo < at_hi ? lo : hi;
}

MinMaxScaler fit_min_max(const Table& train, double range_min, double range_max, bool clip) {
  require_finite(train, "min_max_scale");
  require_rows(train, "min_max_scale");
  MinMaxScaler s;
  s.range_min = range_min;
  s.range_max = range_max;
  s.clip = clip;
  for (std::size_t c = 0; c < train.cols(); ++c) {
    const auto values = column(train, c);
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    s.data_min.push_back(*lo);
    s.data_max.push_back(*hi);
    const double scale = (range_max - range_min) / nonzero(*hi - *lo);
    s.scale.push_back(scale);
    s.min.push_back(range_min - *lo * scale);
  }
  return s;
}

void transform(const MinMaxScaler& s, Table& t) {
  require_width(s.scale.size(), t, "scale::transform (min_max)");
  require_finite(t, "min_max_scale");
  for (std::size_t r = 0; r < t.rows; ++r) {
    float* row = t.row(r);
    for (std::size_t c = 0; c < t.cols(); ++c) {
      double v = row[c] * s.scale[c] + s.min[c];
      if (s.clip) v = std::min(std::max(v, s.range_min), s.range_max);
      row[c] = static_cast<float>(v);
    }
  }
}

RobustScaler fit_robust(const Table& train, bool with_centering, bool with_scaling, double q_min, double q_max,
                        bool unit_variance) {
  require_finite(train, "robust_scale");
  require_rows(train, "robust_scale");
  RobustScaler s;
  const double adjust = unit_variance ? normal_ppf(q_max / 100.0) - normal_ppf(q_min / 100.0) : 1.0;
  for (std::size_t c = 0; c < train.cols(); ++c) {
    const auto values = column(train, c);
    s.center.push_back(with_centering ? median(values) : 0.0);
    s.scale.push_back(with_scaling ? nonzero(percentile(values, q_max) - percentile(values, q_min)) / adjust : 1.0);
  }
  return s;
}

void transform(const RobustScaler& s, Table& t) {
  require_width(s.scale.size(), t, "scale::transform (robust)");
  require_finite(t, "robust_scale");
  for (std::size_t r = 0; r < t.rows; ++r) {
    float* row = t.row(r);
    for (std::size_t c = 0; c < t.cols(); ++c) row[c] = static_cast<float>((row[c] - s.center[c]) / s.scale[c]);
  }
}

}  // namespace pipeml::scale
