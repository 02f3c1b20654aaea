// Metrics of a classifier of three or more classes, defined to give the same numbers,
// warnings and failures as scikit-learn 1.2: accuracy_score, balanced_accuracy_score,
// precision / recall / f1_score with average macro, weighted or micro,
// roc_auc_score(multi_class='ovr', average='macro'), average_precision_score of the
// one-vs-rest indicator matrix (macro), log_loss and confusion_matrix.
// tests/fixtures/multiclass_metrics_cases.json comes from sklearn.
#pragma once
#include <string>
#include <vector>

#include "runtime/class_scores.h"
#include "runtime/metrics.h"

namespace pipeml::metrics {

/// Everything the evaluate stage reports for a multiclass classifier.
struct MulticlassReport {
  double accuracy = 0.0;
  double precision = 0.0;  ///< averaged as asked (macro: the mean of the per-class values)
  double recall = 0.0;
  double f1 = 0.0;
  double roc_auc = 0.0;  ///< one-vs-rest, macro
  double balanced_accuracy = 0.0;
  double average_precision = 0.0;  ///< one-vs-rest, macro
  double log_loss = 0.0;
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
MulticlassReport evaluate_multiclass(const std::vector<int>& y_true, const std::vector<double>& probs, int k,
                                     Average average = Average::macro);

/// sklearn's average_precision_score(label_binarize(y_true, classes=range(k)), probs,
/// average='macro'): each class's average precision against the rest, then their mean.
/// sklearn 1.2 takes no multiclass y_true here, so the one-vs-rest matrix is what it scores.
Score average_precision_ovr(const std::vector<int>& y_true, const std::vector<double>& probs, int k);

}  // namespace pipeml::metrics
