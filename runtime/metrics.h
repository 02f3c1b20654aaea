// Binary classification metrics for the evaluate stage, defined to give the same numbers,
// warnings and failures as scikit-learn 1.2 (accuracy_score, precision_score, recall_score,
// f1_score, roc_auc_score, confusion_matrix), so a pipe run can be checked against the
// course's Python reference. tests/fixtures/metrics_cases.json is produced by sklearn itself.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace pipeml::metrics {

/// Counts of samples by class: counts[true_label][predicted_label].
struct ConfusionMatrix {
  std::vector<std::vector<std::size_t>> counts;
};

/// A score sklearn may call ill-defined. When it does (a zero denominator) `value` is 0.0
/// and `warning` holds sklearn's UndefinedMetricWarning text; otherwise `warning` is empty.
struct Score {
  double value = 0.0;
  std::string warning;
};

/// Confusion matrix over the labels 0..num_classes-1 (sklearn's `labels=range(num_classes)`).
/// Throws std::invalid_argument when the lengths differ, num_classes < 1, or a label lies
/// outside 0..num_classes-1 (sklearn would silently drop such samples; here it is a bug).
ConfusionMatrix confusion_matrix(const std::vector<int>& y_true, const std::vector<int>& y_pred,
                                 int num_classes);

/// Fraction of samples whose prediction equals the truth; NaN for empty input, as sklearn.
/// Throws std::invalid_argument when the lengths differ.
double accuracy(const std::vector<int>& y_true, const std::vector<int>& y_pred);

/// tp / (tp + fp) for class `positive`; 0.0 with a warning when nothing is predicted positive.
/// Throws std::invalid_argument, as sklearn's average='binary' does, when the lengths differ,
/// more than two labels occur, or two occur and neither is `positive`.
Score precision(const std::vector<int>& y_true, const std::vector<int>& y_pred,
                int positive = 1);

/// tp / (tp + fn) for class `positive`; 0.0 with a warning when no sample is truly positive.
/// Throws as precision().
Score recall(const std::vector<int>& y_true, const std::vector<int>& y_pred, int positive = 1);

/// Harmonic mean of precision and recall, 0.0 when both are 0. Warns, as sklearn's f1_score,
/// only when there are neither true nor predicted positives. Throws as precision().
Score f1(const std::vector<int>& y_true, const std::vector<int>& y_pred, int positive = 1);

/// sklearn's F-beta with beta 1 from a precision and a recall, in its order of operations:
/// (1 + 1) * precision * recall / (precision + recall), 0 when both are 0.
double f1_of(double precision, double recall);

/// The confusion counts of binary predictions (positive class 1).
struct BinaryCounts {
  std::size_t tp = 0, fp = 0, fn = 0, tn = 0;
};

/// What accuracy, balanced_accuracy, precision, recall or f1 (by that name) gives for
/// predictions with these counts, 0 where sklearn's zero_division makes it 0; NaN for
/// accuracy and balanced_accuracy without any row. Throws std::invalid_argument for another name.
double binary_score(const std::string& metric, const BinaryCounts& c);

/// sklearn's balanced_accuracy_score: the mean of each class's recall over the classes of
/// y_true. A class predicted but absent from y_true is left out, with sklearn's warning
/// "y_pred contains classes not in y_true" (a UserWarning); NaN for empty input. Labels
/// are 0 or more. Throws std::invalid_argument when the lengths differ or a label is negative.
Score balanced_accuracy(const std::vector<int>& y_true, const std::vector<int>& y_pred);
/// The same from the confusion matrix over labels 0..k-1 (a label in neither y_true nor
/// y_pred is no class of sklearn's, so it is left out without a warning).
Score balanced_accuracy(const ConfusionMatrix& cm);

/// Area under the ROC curve, the larger of the two labels in y_true being positive. Tied
/// scores form one ROC point, so the value is exact with ties (sklearn's roc_auc_score).
/// Throws std::invalid_argument when the lengths differ, a score is not finite, y_true has
/// more than two classes, or only one ("only one class present in y_true; roc auc score is
/// not defined in that case").
double roc_auc(const std::vector<int>& y_true, const std::vector<double>& scores);

/// Hard predictions: 1 where prob >= t, else 0 (the course's `(prob >= 0.5)`; NaN gives 0).
std::vector<int> threshold(const std::vector<double>& probs, double t);

/// Everything the evaluate stage reports for a binary classifier.
struct BinaryReport {
  double accuracy = 0.0;
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  double roc_auc = 0.0;
  double balanced_accuracy = 0.0;
  double average_precision = 0.0;
  double log_loss = 0.0;
  ConfusionMatrix cm;                 ///< 2x2, [true][pred], labels 0 and 1.
  /// sklearn's warnings from precision, recall, f1, balanced accuracy and average precision,
  /// in that order. Only precision's can occur in practice: the others warn only without
  /// positives (or negatives) in y_true, which ROC-AUC refuses.
  std::vector<std::string> warnings;
};

/// Thresholds `probs` at `t` and scores the predictions against y_true (labels 0/1, positive
/// class 1); ROC-AUC, average precision and log loss use the probabilities. Throws std::invalid_argument as the functions
/// above, including when y_true holds one class only, since ROC-AUC is then undefined.
BinaryReport evaluate_binary(const std::vector<int>& y_true, const std::vector<double>& probs,
                             double t = 0.5);

}  // namespace pipeml::metrics
