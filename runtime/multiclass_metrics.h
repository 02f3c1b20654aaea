// Metrics of a classifier of three or more classes, defined to give the same numbers,
// warnings and failures as scikit-learn 1.2: accuracy_score, precision / recall / f1_score
// with average='macro', roc_auc_score(multi_class='ovr', average='macro') and
// confusion_matrix. tests/fixtures/multiclass_metrics_cases.json comes from sklearn.
#pragma once
#include <string>
#include <vector>

#include "runtime/metrics.h"

namespace pipeml::metrics {

/// Everything the evaluate stage reports for a multiclass classifier.
struct MulticlassReport {
  double accuracy = 0.0;
  double precision = 0.0;  ///< macro: the mean of the per-class values
  double recall = 0.0;
  double f1 = 0.0;
  double roc_auc = 0.0;  ///< one-vs-rest, macro
  ConfusionMatrix cm;    ///< k x k, [true][pred]
  std::vector<std::string> warnings;  ///< sklearn's UndefinedMetricWarning texts, in call order
};

/// The predicted class of each row: the first class of highest probability (np.argmax).
/// `probs` is rows x k, row-major.
std::vector<int> argmax(const std::vector<double>& probs, int k);

/// Scores rows x k class probabilities (row-major, each row summing to 1) against labels
/// 0..k-1. Throws std::invalid_argument with sklearn's texts: lengths that differ, a label
/// outside 0..k-1, a class missing from y_true (ROC-AUC one-vs-rest is then undefined),
/// scores that are not finite or do not sum to 1.
MulticlassReport evaluate_multiclass(const std::vector<int>& y_true, const std::vector<double>& probs, int k);

}  // namespace pipeml::metrics
