// Macro averages as sklearn 1.2 computes them: per-class precision, recall and F1 from the
// multilabel confusion counts (0 with a warning where a denominator is 0), then
// np.average over the classes, which numpy sums pairwise (numpy_sum). ROC-AUC one-vs-rest
// is the binary ROC-AUC of each class against the rest, averaged the same way.
#include "runtime/multiclass_metrics.h"

#include <cmath>
#include <stdexcept>

#include "runtime/numpy_sum.h"

namespace pipeml::metrics {
namespace {

const char* const kPrecisionWarning =
    "Precision is ill-defined and being set to 0.0 in labels with no predicted samples. "
    "Use `zero_division` parameter to control this behavior.";
const char* const kRecallWarning =
    "Recall is ill-defined and being set to 0.0 in labels with no true samples. "
    "Use `zero_division` parameter to control this behavior.";
const char* const kF1Warning =
    "F-score is ill-defined and being set to 0.0 in labels with no true nor predicted samples. "
    "Use `zero_division` parameter to control this behavior.";

double mean_of(const std::vector<double>& v) { return numpy_sum(v.data(), v.size()) / static_cast<double>(v.size()); }

}  // namespace

std::vector<int> argmax(const std::vector<double>& probs, int k) {
  const std::size_t width = static_cast<std::size_t>(k), rows = probs.size() / width;
  std::vector<int> out(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    int best = 0;
    for (int c = 1; c < k; ++c)
      if (probs[r * width + c] > probs[r * width + best]) best = c;
    out[r] = best;
  }
  return out;
}

MulticlassReport evaluate_multiclass(const std::vector<int>& y_true, const std::vector<double>& probs, int k) {
  const std::size_t width = static_cast<std::size_t>(k), n = y_true.size();
  if (k < 3) throw std::invalid_argument("evaluate_multiclass needs 3 or more classes, got " + std::to_string(k));
  if (probs.size() != n * width)
    throw std::invalid_argument("Found input variables with inconsistent numbers of samples: [" + std::to_string(n) +
                                ", " + std::to_string(probs.size() / width) + "]");
  for (double p : probs)
    if (!std::isfinite(p)) throw std::invalid_argument("Input contains NaN, infinity or a value too large for dtype('float64').");
  // sklearn: np.allclose(1, y_score.sum(axis=1)) (rtol 1e-5, atol 1e-8).
  for (std::size_t r = 0; r < n; ++r) {
    double sum = 0;
    for (std::size_t c = 0; c < width; ++c) sum += probs[r * width + c];
    if (!(std::abs(sum - 1.0) <= 1e-8 + 1e-5 * std::abs(sum)))
      throw std::invalid_argument(
          "Target scores need to be probabilities for multiclass roc_auc, i.e. they should sum up to 1.0 over classes");
  }
  MulticlassReport report;
  const std::vector<int> y_pred = argmax(probs, k);
  report.cm = confusion_matrix(y_true, y_pred, k);  // first: it refuses labels outside 0..k-1
  report.accuracy = accuracy(y_true, y_pred);

  std::vector<double> precision(width), recall(width), f1(width);
  bool no_predicted = false, no_true = false, neither = false;
  for (std::size_t c = 0; c < width; ++c) {
    std::size_t tp = report.cm.counts[c][c], pred = 0, truth = 0;
    for (std::size_t o = 0; o < width; ++o) pred += report.cm.counts[o][c], truth += report.cm.counts[c][o];
    precision[c] = pred == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(pred);
    recall[c] = truth == 0 ? 0.0 : static_cast<double>(tp) / static_cast<double>(truth);
    const double denom = precision[c] + recall[c];  // beta^2 * precision + recall, beta = 1
    f1[c] = 2.0 * precision[c] * recall[c] / (denom == 0.0 ? 1.0 : denom);
    no_predicted = no_predicted || pred == 0;
    no_true = no_true || truth == 0;
    neither = neither || (pred == 0 && truth == 0);
  }
  // Three separate sklearn calls, each warning once for its own zero denominators.
  if (no_predicted) report.warnings.push_back(kPrecisionWarning);
  if (no_true) report.warnings.push_back(kRecallWarning);
  if (neither) report.warnings.push_back(kF1Warning);
  report.precision = mean_of(precision);
  report.recall = mean_of(recall);
  report.f1 = mean_of(f1);

  for (std::size_t c = 0; c < width; ++c) {
    std::size_t truth = 0;
    for (std::size_t o = 0; o < width; ++o) truth += report.cm.counts[c][o];
    // sklearn with labels=range(k) scores each class against the rest, and fails there.
    if (truth == 0) throw std::invalid_argument("Only one class present in y_true. ROC AUC score is not defined in that case.");
  }
  std::vector<double> auc(width);
  for (std::size_t c = 0; c < width; ++c) {
    std::vector<int> is_c(n);
    std::vector<double> score(n);
    for (std::size_t r = 0; r < n; ++r) is_c[r] = y_true[r] == static_cast<int>(c), score[r] = probs[r * width + c];
    auc[c] = roc_auc(is_c, score);
  }
  report.roc_auc = mean_of(auc);
  return report;
}

}  // namespace pipeml::metrics
