// The confusion counts at every candidate come from the ROC walk (binary_clf_curve: at the
// threshold thresholds[j], the rows scored >= it are fps[j] negatives and tps[j] positives),
// and binary_score turns them into the metric with the arithmetic of the metric functions.
#include "runtime/threshold_tuning.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "runtime/curves.h"
#include "runtime/metrics.h"

namespace pipeml::metrics {

TunedThreshold tune_threshold(const std::vector<int>& y_true, const std::vector<double>& p1, const std::string& metric) {
  if (std::find(kTunableMetrics.begin(), kTunableMetrics.end(), metric) == kTunableMetrics.end())
    throw std::invalid_argument("cannot tune a threshold for '" + metric + "'");
  const ClfCurve curve = binary_clf_curve(y_true, p1, 1);
  const auto positives = static_cast<std::size_t>(curve.tps.back()), negatives = static_cast<std::size_t>(curve.fps.back());
  TunedThreshold best;
  best.rows = y_true.size();
  best.candidates = curve.thresholds.size();
  for (std::size_t j = 0; j < curve.thresholds.size(); ++j) {
    BinaryCounts c;
    c.tp = static_cast<std::size_t>(curve.tps[j]);
    c.fp = static_cast<std::size_t>(curve.fps[j]);
    c.fn = positives - c.tp;
    c.tn = negatives - c.fp;
    const double t = curve.thresholds[j], value = binary_score(metric, c);
    const bool better = j == 0 || value > best.value ||
                        (value == best.value && (std::abs(t - 0.5) < std::abs(best.threshold - 0.5) ||
                                                 (std::abs(t - 0.5) == std::abs(best.threshold - 0.5) && t < best.threshold)));
    if (better) best.threshold = t, best.value = value;
  }
  return best;
}

}  // namespace pipeml::metrics
