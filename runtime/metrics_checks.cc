#include "runtime/metrics_checks.h"

#include <cmath>
#include <stdexcept>

namespace pipeml::metrics {

void check_lengths(std::size_t n_true, std::size_t n_other) {
  if (n_true != n_other) {
    throw std::invalid_argument(
        "Found input variables with inconsistent numbers of samples: [" +
        std::to_string(n_true) + ", " + std::to_string(n_other) + "]");
  }
}

void check_scores(const std::vector<int>& y_true, const std::vector<double>& scores) {
  check_lengths(y_true.size(), scores.size());
  if (y_true.empty()) throw std::invalid_argument("y_true is empty; a ranking score or curve is not defined without samples");
  for (double s : scores) {
    if (!std::isfinite(s)) throw std::invalid_argument("scores contain NaN or infinity");
  }
}

std::string format_labels(const std::set<int>& labels) {
  std::string out = "[";
  for (int label : labels) out += (out.size() > 1 ? ", " : "") + std::to_string(label);
  return out + "]";
}

}  // namespace pipeml::metrics
