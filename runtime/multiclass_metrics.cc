// The multiclass report as sklearn 1.2 computes it: per-class precision, recall and F1 from
// the confusion counts and their averages (class_scores.cc), balanced accuracy and log loss,
// and ROC-AUC and average precision one-vs-rest: each class's binary score against the
// rest, averaged as np.average (numpy_sum).
#include "runtime/multiclass_metrics.h"

#include <cmath>
#include <stdexcept>

#include "runtime/curves.h"
#include "runtime/log_loss.h"
#include "runtime/numpy_sum.h"

namespace pipeml::metrics {
namespace {

double mean_of(const std::vector<double>& v) { return numpy_sum(v.data(), v.size()) / static_cast<double>(v.size()); }

// Column c of rows x k probabilities, and whether each row is of class c.
void one_vs_rest(const std::vector<int>& y_true, const std::vector<double>& probs, std::size_t k, std::size_t c,
                 std::vector<int>& is_c, std::vector<double>& score) {
  const std::size_t n = y_true.size();
  is_c.assign(n, 0), score.assign(n, 0.0);
  for (std::size_t r = 0; r < n; ++r) is_c[r] = y_true[r] == static_cast<int>(c), score[r] = probs[r * k + c];
}

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

MulticlassReport evaluate_multiclass(const std::vector<int>& y_true, const std::vector<double>& probs, int k,
                                     Average average) {
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

  const Averaged averages = averaged(class_scores(report.cm), average);
  report.precision = averages.precision;
  report.recall = averages.recall;
  report.f1 = averages.f1;
  report.warnings = averages.warnings;
  const Score balanced = balanced_accuracy(y_true, y_pred);
  report.balanced_accuracy = balanced.value;
  if (!balanced.warning.empty()) report.warnings.push_back(balanced.warning);
  report.log_loss = log_loss(y_true, probs, k);

  for (std::size_t c = 0; c < width; ++c) {
    std::size_t truth = 0;
    for (std::size_t o = 0; o < width; ++o) truth += report.cm.counts[c][o];
    // sklearn with labels=range(k) scores each class against the rest, and fails there.
    if (truth == 0) throw std::invalid_argument("Only one class present in y_true. ROC AUC score is not defined in that case.");
  }
  std::vector<double> auc(width);
  std::vector<int> is_c;
  std::vector<double> score;
  for (std::size_t c = 0; c < width; ++c) {
    one_vs_rest(y_true, probs, width, c, is_c, score);
    auc[c] = roc_auc(is_c, score);
  }
  report.roc_auc = mean_of(auc);
  report.average_precision = average_precision_ovr(y_true, probs, k).value;
  return report;
}

Score average_precision_ovr(const std::vector<int>& y_true, const std::vector<double>& probs, int k) {
  const std::size_t width = static_cast<std::size_t>(k);
  if (k < 2 || probs.size() != y_true.size() * width)
    throw std::invalid_argument("average_precision_ovr needs rows of " + std::to_string(k) + " probabilities, one per label");
  std::vector<double> ap(width);
  std::vector<int> is_c;
  std::vector<double> score;
  Score out;
  for (std::size_t c = 0; c < width; ++c) {
    one_vs_rest(y_true, probs, width, c, is_c, score);
    Score s = average_precision(is_c, score, 1);
    ap[c] = s.value;
    if (out.warning.empty()) out.warning = s.warning;
  }
  out.value = mean_of(ap);
  return out;
}

}  // namespace pipeml::metrics
