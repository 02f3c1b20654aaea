// sklearn 1.2's log_loss: the mean over the rows of -log(probability of the true class),
// after clipping every probability to [eps, 1 - eps] and dividing each row by its sum.
// tests/fixtures/log_loss_cases.json comes from sklearn (make_log_loss_fixtures.py).
#pragma once
#include <cfloat>
#include <vector>

namespace pipeml::metrics {

/// sklearn 1.2.1's default eps="auto": np.finfo(float64).eps for float64 probabilities.
/// (Up to sklearn 1.1 the default was 1e-15.)
inline constexpr double kLogLossEps = DBL_EPSILON;

/// Binary: p1[i] is the probability of class 1, y_true labels 0/1 (sklearn's 1-D y_pred,
/// with labels=[0, 1]). Throws std::invalid_argument when the lengths differ, y_true is
/// empty, a label is not 0 or 1, or a probability is not finite.
double log_loss_binary(const std::vector<int>& y_true, const std::vector<double>& p1, double eps = kLogLossEps);

/// k classes: `probs` is rows x k, row-major; labels 0..k-1 (sklearn's labels=range(k)).
/// Throws as log_loss_binary.
double log_loss(const std::vector<int>& y_true, const std::vector<double>& probs, int k, double eps = kLogLossEps);

}  // namespace pipeml::metrics
