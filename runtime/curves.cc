// sklearn 1.2's curves, step by step in its order of operations: the cumulative counts are
// exact integers, so every ratio and the average precision's numpy sum round as sklearn's.
#include "runtime/curves.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>

#include "runtime/metrics_checks.h"
#include "runtime/numpy_sum.h"

namespace pipeml::metrics {
namespace {

const char* const kNoNegativesWarning =
    "No negative samples in y_true, false positive value should be meaningless";
const char* const kNoPositivesWarning =
    "No positive samples in y_true, true positive value should be meaningless";
const char* const kNoPositiveClassWarning =
    "No positive class found in y_true, recall is set to one for all thresholds.";

// counts / counts.back(), or NaN everywhere (with `warning`) when the total is 0.
std::vector<double> rates(const std::vector<double>& counts, const char* warning, std::vector<std::string>& warnings) {
  std::vector<double> out(counts.size(), std::numeric_limits<double>::quiet_NaN());
  if (counts.back() <= 0) {
    warnings.push_back(warning);
    return out;
  }
  for (std::size_t i = 0; i < counts.size(); ++i) out[i] = counts[i] / counts.back();
  return out;
}

}  // namespace

ClfCurve binary_clf_curve(const std::vector<int>& y_true, const std::vector<double>& scores, int positive) {
  check_scores(y_true, scores);
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Within a run of equal scores the order does not matter: the run is one point.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  ClfCurve c;
  double tp = 0, fp = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    (y_true[order[i]] == positive ? tp : fp) += 1;
    const bool last_of_run = i + 1 == order.size() || scores[order[i + 1]] != scores[order[i]];
    if (!last_of_run) continue;
    c.fps.push_back(fp);
    c.tps.push_back(tp);
    c.thresholds.push_back(scores[order[i]]);
  }
  return c;
}

RocCurve roc_curve(const std::vector<int>& y_true, const std::vector<double>& scores, int positive,
                   bool drop_intermediate) {
  ClfCurve c = binary_clf_curve(y_true, scores, positive);
  if (drop_intermediate && c.fps.size() > 2) {
    // sklearn keeps the ends and every point where np.diff(_, 2) of fps or tps is nonzero:
    // a corner. The second differences of whole numbers are exact.
    ClfCurve kept;
    const std::size_t n = c.fps.size();
    for (std::size_t i = 0; i < n; ++i) {
      const bool corner = i == 0 || i + 1 == n || c.fps[i + 1] - 2 * c.fps[i] + c.fps[i - 1] != 0 ||
                          c.tps[i + 1] - 2 * c.tps[i] + c.tps[i - 1] != 0;
      if (!corner) continue;
      kept.fps.push_back(c.fps[i]);
      kept.tps.push_back(c.tps[i]);
      kept.thresholds.push_back(c.thresholds[i]);
    }
    c = std::move(kept);
  }
  // The extra first point makes the curve start at (0, 0).
  c.fps.insert(c.fps.begin(), 0.0);
  c.tps.insert(c.tps.begin(), 0.0);
  c.thresholds.insert(c.thresholds.begin(), c.thresholds.front() + 1);
  RocCurve r;
  r.fpr = rates(c.fps, kNoNegativesWarning, r.warnings);
  r.tpr = rates(c.tps, kNoPositivesWarning, r.warnings);
  r.thresholds = std::move(c.thresholds);
  return r;
}

PrecisionRecallCurve precision_recall_curve(const std::vector<int>& y_true, const std::vector<double>& scores,
                                            int positive) {
  const ClfCurve c = binary_clf_curve(y_true, scores, positive);
  const std::size_t n = c.tps.size();
  PrecisionRecallCurve pr;
  // Reversed, so that recall decreases; then the final point (precision 1, recall 0).
  for (std::size_t j = n; j-- > 0;) {
    const double predicted = c.tps[j] + c.fps[j];
    pr.precision.push_back(predicted != 0 ? c.tps[j] / predicted : 0.0);
    pr.recall.push_back(c.tps.back() == 0 ? 1.0 : c.tps[j] / c.tps.back());
    pr.thresholds.push_back(c.thresholds[j]);
  }
  if (c.tps.back() == 0) pr.warnings.push_back(kNoPositiveClassWarning);
  pr.precision.push_back(1.0);
  pr.recall.push_back(0.0);
  return pr;
}

Score average_precision(const std::vector<int>& y_true, const std::vector<double>& scores, int positive) {
  check_scores(y_true, scores);
  const std::set<int> labels(y_true.begin(), y_true.end());
  if (labels.size() > 2) throw std::invalid_argument("multiclass format is not supported");
  if (labels.size() == 2 && labels.count(positive) == 0)
    throw std::invalid_argument("pos_label=" + std::to_string(positive) + " is not a valid label. It should be one of " +
                                format_labels(labels));
  const PrecisionRecallCurve pr = precision_recall_curve(y_true, scores, positive);
  // The step function's integral, as sklearn: -np.sum(np.diff(recall) * precision[:-1]).
  std::vector<double> steps(pr.recall.size() - 1);
  for (std::size_t i = 0; i + 1 < pr.recall.size(); ++i) steps[i] = (pr.recall[i + 1] - pr.recall[i]) * pr.precision[i];
  Score s;
  s.value = -numpy_sum(steps.data(), steps.size());
  if (!pr.warnings.empty()) s.warning = pr.warnings.front();
  return s;
}

}  // namespace pipeml::metrics
