// sklearn's _prf_divide and _warn_prf in its order of operations: the divisions are of
// exact counts, and averages are numpy's (np.average: a pairwise sum divided by the count,
// or for weights sum(values * weights) / sum(weights)), so every value agrees to the bit.
#include "runtime/class_scores.h"

#include <stdexcept>

#include "runtime/numpy_sum.h"

namespace pipeml::metrics {
namespace {

// _warn_prf's texts: "in labels with" for several results, "due to" for micro's one.
std::string undefined(const char* what, const char* modifier, bool one_result) {
  return std::string(what) + " ill-defined and being set to 0.0 " + (one_result ? "due to" : "in labels with") +
         " no " + modifier + " samples. Use `zero_division` parameter to control this behavior.";
}

double divide(std::size_t num, std::size_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

double mean_of(const std::vector<double>& v) { return numpy_sum(v.data(), v.size()) / static_cast<double>(v.size()); }

// np.average(values, weights=w): sum(values * w) / sum(w), both sums numpy's.
double weighted_mean(const std::vector<double>& v, const std::vector<std::size_t>& w) {
  std::vector<double> products(v.size()), weights(w.begin(), w.end());
  for (std::size_t i = 0; i < v.size(); ++i) products[i] = v[i] * weights[i];
  return numpy_sum(products.data(), products.size()) / numpy_sum(weights.data(), weights.size());
}

}  // namespace

Average parse_average(const std::string& name) {
  if (name == "macro") return Average::macro;
  if (name == "weighted") return Average::weighted;
  if (name == "micro") return Average::micro;
  throw std::invalid_argument("average must be macro, weighted or micro, got '" + name + "'");
}

const char* average_name(Average a) {
  return a == Average::macro ? "macro" : a == Average::weighted ? "weighted" : "micro";
}

ClassScores class_scores(const ConfusionMatrix& cm) {
  const std::size_t k = cm.counts.size();
  ClassScores s;
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t pred = 0, truth = 0;
    for (std::size_t o = 0; o < k; ++o) pred += cm.counts[o][c], truth += cm.counts[c][o];
    s.tp.push_back(cm.counts[c][c]);
    s.predicted.push_back(pred);
    s.support.push_back(truth);
    s.precision.push_back(divide(cm.counts[c][c], pred));
    s.recall.push_back(divide(cm.counts[c][c], truth));
    s.f1.push_back(f1_of(s.precision.back(), s.recall.back()));
  }
  return s;
}

Averaged averaged(const ClassScores& s, Average a) {
  Averaged out;
  if (a == Average::micro) {  // one result from the summed counts
    std::size_t tp = 0, pred = 0, truth = 0;
    for (std::size_t c = 0; c < s.tp.size(); ++c) tp += s.tp[c], pred += s.predicted[c], truth += s.support[c];
    out.precision = divide(tp, pred);
    out.recall = divide(tp, truth);
    out.f1 = f1_of(out.precision, out.recall);
    if (pred == 0) out.warnings.push_back(undefined("Precision is", "predicted", true));
    if (truth == 0) out.warnings.push_back(undefined("Recall is", "true", true));
    if (pred == 0 && truth == 0) out.warnings.push_back(undefined("F-score is", "true nor predicted", true));
    return out;
  }
  bool no_predicted = false, no_true = false, neither = false;
  std::size_t total_true = 0;
  for (std::size_t c = 0; c < s.tp.size(); ++c) {
    no_predicted = no_predicted || s.predicted[c] == 0;
    no_true = no_true || s.support[c] == 0;
    neither = neither || (s.predicted[c] == 0 && s.support[c] == 0);
    total_true += s.support[c];
  }
  // Three separate sklearn calls, each warning once for its own zero denominators.
  if (no_predicted) out.warnings.push_back(undefined("Precision is", "predicted", false));
  if (no_true) out.warnings.push_back(undefined("Recall is", "true", false));
  if (neither) out.warnings.push_back(undefined("F-score is", "true nor predicted", false));
  if (a == Average::macro) {
    out.precision = mean_of(s.precision), out.recall = mean_of(s.recall), out.f1 = mean_of(s.f1);
  } else if (total_true == 0) {  // weighted without any true sample: sklearn's zero_division values
    out.precision = out.recall = out.f1 = 0.0;
  } else {
    out.precision = weighted_mean(s.precision, s.support);
    out.recall = weighted_mean(s.recall, s.support);
    out.f1 = weighted_mean(s.f1, s.support);
  }
  return out;
}

}  // namespace pipeml::metrics
