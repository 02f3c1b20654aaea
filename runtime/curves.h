// The ROC and precision-recall curves of a binary classifier's scores, and the average
// precision, as scikit-learn 1.2 computes them (_binary_clf_curve, roc_curve,
// precision_recall_curve, average_precision_score): the same points, thresholds, order and
// warnings, to the bit. tests/fixtures/curve_cases.json comes from sklearn itself
// (make_curve_fixtures.py). The report page plots these.
#pragma once
#include <string>
#include <vector>

#include "runtime/metrics.h"

namespace pipeml::metrics {

/// One point per distinct score, by decreasing score: how many samples scored >= that
/// threshold are negative (fps) and positive (tps). Counts are whole numbers held as
/// doubles, as sklearn returns them; tps.back() is the number of positives.
struct ClfCurve {
  std::vector<double> fps, tps, thresholds;
};

/// sklearn's _binary_clf_curve: samples equal to `positive` are positive, all others
/// negative. Throws std::invalid_argument when the lengths differ, y_true is empty, or a
/// score is not finite.
ClfCurve binary_clf_curve(const std::vector<int>& y_true, const std::vector<double>& scores, int positive = 1);

/// sklearn's roc_curve. It starts at (0, 0) with the threshold thresholds[1] + 1 (sklearn
/// 1.2's choice; 1.3 uses infinity). With drop_intermediate, points collinear with their
/// neighbours are dropped, as sklearn's default. Without negatives (or positives) fpr (or
/// tpr) is all NaN and `warnings` holds sklearn's UndefinedMetricWarning text.
struct RocCurve {
  std::vector<double> fpr, tpr, thresholds;
  std::vector<std::string> warnings;
};
RocCurve roc_curve(const std::vector<int>& y_true, const std::vector<double>& scores, int positive = 1,
                   bool drop_intermediate = true);

/// sklearn's precision_recall_curve: by increasing threshold (decreasing recall), then the
/// final point precision 1, recall 0 without a threshold, so precision and recall have one
/// value more than thresholds. Without positives recall is 1 everywhere, with sklearn's
/// warning in `warnings`.
struct PrecisionRecallCurve {
  std::vector<double> precision, recall, thresholds;
  std::vector<std::string> warnings;
};
PrecisionRecallCurve precision_recall_curve(const std::vector<int>& y_true, const std::vector<double>& scores,
                                            int positive = 1);

/// sklearn's average_precision_score for a binary y_true: -sum(diff(recall) * precision[:-1])
/// over the precision-recall curve, summed as numpy does. `warning` is the curve's (no
/// positive sample). Throws as binary_clf_curve, and as sklearn when y_true holds more than
/// two labels or two without `positive`.
Score average_precision(const std::vector<int>& y_true, const std::vector<double>& scores, int positive = 1);

}  // namespace pipeml::metrics
