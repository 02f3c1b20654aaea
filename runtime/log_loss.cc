// In sklearn's order: clip, (binary: the rows [1 - p, p]), divide each row by its numpy
// sum, -log of the true class's entry (xlogy with one-hot labels adds exact zeros only),
// then np.average over the rows: numpy's pairwise sum divided by the count.
#include "runtime/log_loss.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "runtime/metrics_checks.h"
#include "runtime/numpy_sum.h"

namespace pipeml::metrics {
namespace {

// `rows` already clipped, k per row.
double mean_loss(const std::vector<int>& y_true, std::vector<double> rows, std::size_t k) {
  std::vector<double> loss(y_true.size());
  for (std::size_t r = 0; r < y_true.size(); ++r) {
    double* row = rows.data() + r * k;
    const double sum = numpy_sum(row, k);
    for (std::size_t c = 0; c < k; ++c) row[c] = row[c] / sum;
    loss[r] = -std::log(row[static_cast<std::size_t>(y_true[r])]);
  }
  return numpy_sum(loss.data(), loss.size()) / static_cast<double>(loss.size());
}

// `width` probabilities per row (1: the binary p(class 1)), labels 0..k-1.
void check(const std::vector<int>& y_true, const std::vector<double>& probs, std::size_t width, std::size_t k) {
  check_lengths(y_true.size(), probs.size() / width);
  if (probs.size() % width != 0) throw std::invalid_argument("probabilities are not rows of " + std::to_string(width));
  if (y_true.empty()) throw std::invalid_argument("y_true is empty; log loss is not defined without samples");
  for (int y : y_true)
    if (y < 0 || static_cast<std::size_t>(y) >= k)
      throw std::invalid_argument("label " + std::to_string(y) + " is outside 0.." + std::to_string(k - 1));
  for (double p : probs)
    if (!std::isfinite(p)) throw std::invalid_argument("Input contains NaN, infinity or a value too large for dtype('float64').");
}

}  // namespace

double log_loss_binary(const std::vector<int>& y_true, const std::vector<double>& p1, double eps) {
  check(y_true, p1, 1, 2);
  std::vector<double> rows(2 * p1.size());
  for (std::size_t i = 0; i < p1.size(); ++i) {
    const double p = std::clamp(p1[i], eps, 1 - eps);
    rows[2 * i] = 1 - p, rows[2 * i + 1] = p;
  }
  return mean_loss(y_true, std::move(rows), 2);
}

double log_loss(const std::vector<int>& y_true, const std::vector<double>& probs, int k, double eps) {
  if (k < 2) throw std::invalid_argument("log_loss needs 2 or more classes, got " + std::to_string(k));
  check(y_true, probs, static_cast<std::size_t>(k), static_cast<std::size_t>(k));
  std::vector<double> rows(probs.size());
  for (std::size_t i = 0; i < probs.size(); ++i) rows[i] = std::clamp(probs[i], eps, 1 - eps);
  return mean_loss(y_true, std::move(rows), static_cast<std::size_t>(k));
}

}  // namespace pipeml::metrics
