// The decision threshold chosen on the validation part (evaluate's tune_threshold): the
// candidates are the distinct validation probabilities of class 1 (a row is predicted
// positive when its probability is >= the candidate), the one whose predictions score best
// on the metric wins, and among equal scores the candidate nearest 0.5 (of two equally
// near, the smaller). Every candidate's score is what sklearn's function gives for those
// predictions; tests/fixtures/threshold_tuning_cases.json checks it by brute force.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace pipeml::metrics {

/// The metrics a threshold can be tuned for.
inline const std::vector<std::string> kTunableMetrics = {"accuracy", "balanced_accuracy", "precision", "recall", "f1"};

struct TunedThreshold {
  double threshold = 0.5;
  double value = 0.0;          ///< the metric on the validation rows at `threshold`
  std::size_t candidates = 0;  ///< distinct validation probabilities tried
  std::size_t rows = 0;        ///< validation rows
};

/// Tunes on y_true (labels 0/1) and p1 (probability of class 1). One sort and one walk over
/// the candidates, however many rows. Throws std::invalid_argument for a metric not in
/// kTunableMetrics, and as binary_clf_curve (lengths, no rows, a probability not finite).
TunedThreshold tune_threshold(const std::vector<int>& y_true, const std::vector<double>& p1, const std::string& metric);

}  // namespace pipeml::metrics
