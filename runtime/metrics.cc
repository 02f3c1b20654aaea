// Binary metrics as scikit-learn 1.2 computes them. The arithmetic follows sklearn's order
// of operations (e.g. f1 from the rounded precision and recall) so results agree to the bit,
// and the warning texts are sklearn's, so a reader can match them to the Python reference.
#include "runtime/metrics.h"

#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>

#include "runtime/curves.h"
#include "runtime/metrics_checks.h"

namespace pipeml::metrics {
namespace {

// sklearn's texts (UndefinedMetricWarning), for a single binary label.
const char* const kPrecisionWarning =
    "Precision is ill-defined and being set to 0.0 due to no predicted samples. "
    "Use `zero_division` parameter to control this behavior.";
const char* const kRecallWarning =
    "Recall is ill-defined and being set to 0.0 due to no true samples. "
    "Use `zero_division` parameter to control this behavior.";
const char* const kF1Warning =
    "F-score is ill-defined and being set to 0.0 due to no true nor predicted samples. "
    "Use `zero_division` parameter to control this behavior.";

// What precision, recall and f1 need: the positive class's true positives, predicted
// positives and actual positives.
struct Counts {
  std::size_t tp = 0;
  std::size_t pred_pos = 0;
  std::size_t true_pos = 0;
};

// sklearn's average='binary' validation: more than two labels, or two labels without the
// positive one, mean the caller is not asking a binary question, so it refuses. One label
// (or none) is accepted; the zero-division rules then decide.
Counts binary_counts(const std::vector<int>& y_true, const std::vector<int>& y_pred,
                     int positive) {
  check_lengths(y_true.size(), y_pred.size());
  std::set<int> labels(y_true.begin(), y_true.end());
  labels.insert(y_pred.begin(), y_pred.end());
  if (labels.size() > 2) {
    throw std::invalid_argument("Target is multiclass but the metric is binary; labels present: " +
                                format_labels(labels));
  }
  if (labels.size() == 2 && labels.count(positive) == 0) {
    throw std::invalid_argument("pos_label=" + std::to_string(positive) +
                                " is not a valid label. It should be one of " +
                                format_labels(labels));
  }
  Counts c;
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    const bool is_true = y_true[i] == positive;
    const bool is_pred = y_pred[i] == positive;
    c.tp += is_true && is_pred;
    c.pred_pos += is_pred;
    c.true_pos += is_true;
  }
  return c;
}

// sklearn's _prf_divide with zero_division="warn": 0.0 instead of a division by zero.
double divide(std::size_t num, std::size_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

}  // namespace

ConfusionMatrix confusion_matrix(const std::vector<int>& y_true, const std::vector<int>& y_pred,
                                 int num_classes) {
  check_lengths(y_true.size(), y_pred.size());
  if (num_classes < 1) {
    throw std::invalid_argument("confusion_matrix needs num_classes >= 1, got " +
                                std::to_string(num_classes));
  }
  const auto k = static_cast<std::size_t>(num_classes);
  ConfusionMatrix cm{std::vector<std::vector<std::size_t>>(k, std::vector<std::size_t>(k, 0))};
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    for (int label : {y_true[i], y_pred[i]}) {
      if (label < 0 || label >= num_classes) {
        throw std::invalid_argument("label " + std::to_string(label) + " at sample " +
                                    std::to_string(i) + " is outside 0.." +
                                    std::to_string(num_classes - 1));
      }
    }
    ++cm.counts[static_cast<std::size_t>(y_true[i])][static_cast<std::size_t>(y_pred[i])];
  }
  return cm;
}

double accuracy(const std::vector<int>& y_true, const std::vector<int>& y_pred) {
  check_lengths(y_true.size(), y_pred.size());
  if (y_true.empty()) return std::numeric_limits<double>::quiet_NaN();  // numpy's mean of []
  std::size_t correct = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) correct += y_true[i] == y_pred[i];
  return static_cast<double>(correct) / static_cast<double>(y_true.size());
}

Score precision(const std::vector<int>& y_true, const std::vector<int>& y_pred, int positive) {
  const Counts c = binary_counts(y_true, y_pred, positive);
  return {divide(c.tp, c.pred_pos), c.pred_pos == 0 ? kPrecisionWarning : ""};
}

Score recall(const std::vector<int>& y_true, const std::vector<int>& y_pred, int positive) {
  const Counts c = binary_counts(y_true, y_pred, positive);
  return {divide(c.tp, c.true_pos), c.true_pos == 0 ? kRecallWarning : ""};
}

Score f1(const std::vector<int>& y_true, const std::vector<int>& y_pred, int positive) {
  const Counts c = binary_counts(y_true, y_pred, positive);
  const double p = divide(c.tp, c.pred_pos);
  const double r = divide(c.tp, c.true_pos);
  // Same expression as sklearn's (1 + beta2) * precision * recall / denom, beta2 = 1, so
  // the rounding matches too; a zero denominator means p = r = 0 and gives 0.
  const double denom = p + r;
  const double value = 2.0 * p * r / (denom == 0.0 ? 1.0 : denom);
  // sklearn warns for the F-score alone only when precision and recall are both undefined.
  return {value, c.true_pos == 0 && c.pred_pos == 0 ? kF1Warning : ""};
}

double roc_auc(const std::vector<int>& y_true, const std::vector<double>& scores) {
  check_scores(y_true, scores);
  const std::set<int> classes(y_true.begin(), y_true.end());
  if (classes.size() == 1) {
    throw std::invalid_argument(
        "only one class present in y_true; roc auc score is not defined in that case");
  }
  if (classes.size() > 2) {
    throw std::invalid_argument("roc_auc is binary but y_true has classes " +
                                format_labels(classes));
  }
  const int positive = *classes.rbegin();  // sklearn binarizes with the larger label as 1

  // One ROC point per run of equal scores (the curve's walk by decreasing score), so a tie
  // contributes a diagonal segment (half credit) rather than an order-dependent staircase.
  // Trapezoids are summed as integers (twice the area in count units) and divided once at
  // the end, so the only rounding is the final division.
  const ClfCurve c = binary_clf_curve(y_true, scores, positive);
  std::uint64_t tp_before = 0, fp_before = 0, twice_area = 0;
  for (std::size_t i = 0; i < c.tps.size(); ++i) {
    const auto tp = static_cast<std::uint64_t>(c.tps[i]), fp = static_cast<std::uint64_t>(c.fps[i]);
    twice_area += (fp - fp_before) * (tp + tp_before);
    tp_before = tp, fp_before = fp;
  }
  return static_cast<double>(twice_area) / (2.0 * static_cast<double>(tp_before) *
                                            static_cast<double>(fp_before));
}

std::vector<int> threshold(const std::vector<double>& probs, double t) {
  std::vector<int> out(probs.size());
  for (std::size_t i = 0; i < probs.size(); ++i) out[i] = probs[i] >= t ? 1 : 0;
  return out;
}

BinaryReport evaluate_binary(const std::vector<int>& y_true, const std::vector<double>& probs,
                             double t) {
  check_lengths(y_true.size(), probs.size());
  const std::vector<int> y_pred = threshold(probs, t);
  BinaryReport report;
  report.cm = confusion_matrix(y_true, y_pred, 2);  // first: it rejects labels other than 0/1
  report.accuracy = accuracy(y_true, y_pred);
  report.roc_auc = roc_auc(y_true, probs);
  // Collect each warning as sklearn would emit it from three separate calls.
  auto take = [&report](Score s) {
    if (!s.warning.empty()) report.warnings.push_back(std::move(s.warning));
    return s.value;
  };
  report.precision = take(precision(y_true, y_pred, 1));
  report.recall = take(recall(y_true, y_pred, 1));
  report.f1 = take(f1(y_true, y_pred, 1));
  return report;
}

}  // namespace pipeml::metrics
