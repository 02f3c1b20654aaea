// A model's outputs scored against the truth, whatever the task, with the functions that
// equal scikit-learn's: what `pipe run` reports of its test part and `pipe predict` of a
// file that holds the target. One place reads the outputs' layout and picks the metrics.
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "runtime/class_scores.h"
#include "runtime/metrics.h"
#include "runtime/table.h"

namespace pipeml::metrics {

/// How a model's outputs are laid out: a regression's value per row; else one probability
/// of class 1 per row (bce_with_logits), or `classes` per row (`per_class`: cross_entropy).
struct OutputLayout {
  bool regression = false;
  std::size_t classes = 2;
  bool per_class = false;
};

/// The probability of class 1 per row of a two-class model: the output itself, or the
/// second of each row's two.
std::vector<double> positive_probs(const std::vector<double>& outputs, bool per_class);

struct Scores {
  std::map<std::string, double> values;  ///< every metric of the task, by its name in `evaluate`
  std::vector<std::string> warnings;     ///< sklearn's, in call order
  bool multiclass = false;               ///< three or more classes: precision, recall, f1 averaged
  ConfusionMatrix cm;                    ///< classifiers: [true][predicted]
  std::vector<int> predicted;            ///< classifiers: the predicted class per row
};

/// Scores `outputs` against `rows`' labels (or targets): two classes at `threshold`, more
/// by the most probable with `average`. Throws std::invalid_argument as the metric
/// functions do (lengths, a missing class, outputs that are not finite).
Scores score_outputs(const Table& rows, const std::vector<double>& outputs, const OutputLayout& layout, double threshold,
                     Average average);

}  // namespace pipeml::metrics
