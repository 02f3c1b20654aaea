#include "runtime/scores.h"

#include "runtime/multiclass_metrics.h"
#include "runtime/regression_metrics.h"

namespace pipeml::metrics {

std::vector<double> positive_probs(const std::vector<double>& outputs, bool per_class) {
  if (!per_class) return outputs;
  std::vector<double> p1;
  for (std::size_t i = 1; i < outputs.size(); i += 2) p1.push_back(outputs[i]);
  return p1;
}

namespace {

// The classifier reports share their fields' names: both fill the same table.
template <typename Report>
void take_classifier(Scores& s, const Report& m) {
  s.values = {{"accuracy", m.accuracy},
              {"precision", m.precision},
              {"recall", m.recall},
              {"f1", m.f1},
              {"roc_auc", m.roc_auc},
              {"balanced_accuracy", m.balanced_accuracy},
              {"average_precision", m.average_precision},
              {"log_loss", m.log_loss}};
  s.warnings = m.warnings;
  s.cm = m.cm;
}

}  // namespace

Scores score_outputs(const Table& rows, const std::vector<double>& outputs, const OutputLayout& layout, double threshold,
                     Average average) {
  Scores s;
  if (layout.regression) {
    const RegressionReport r = evaluate_regression(rows.target, outputs);
    s.values = {{"mae", r.mae}, {"mse", r.mse}, {"rmse", r.rmse}, {"r2", r.r2}};
    s.warnings = r.warnings;
  } else if (layout.per_class && layout.classes > 2) {
    const int k = static_cast<int>(layout.classes);
    take_classifier(s, evaluate_multiclass(rows.y, outputs, k, average));
    s.multiclass = true;
    s.predicted = argmax(outputs, k);
  } else {
    const std::vector<double> p1 = positive_probs(outputs, layout.per_class);
    take_classifier(s, evaluate_binary(rows.y, p1, threshold));
    s.predicted = metrics::threshold(p1, threshold);
  }
  return s;
}

}  // namespace pipeml::metrics
