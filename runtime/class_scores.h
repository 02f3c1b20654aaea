// Precision, recall and F1 of every class, and their averages, as scikit-learn 1.2's
// precision_recall_fscore_support computes them from the confusion counts (labels
// 0..k-1): the per-class values classification_report lists, and the macro, weighted and
// micro averages of precision_score, recall_score and f1_score with their
// UndefinedMetricWarning texts for several labels.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "runtime/metrics.h"

namespace pipeml::metrics {

/// sklearn's `average` for a multiclass target.
enum class Average { macro, weighted, micro };

/// "macro", "weighted" or "micro"; throws std::invalid_argument for any other text.
Average parse_average(const std::string& name);
const char* average_name(Average a);

/// Per class c (0..k-1): precision, recall and F1 (0.0 where a denominator is 0, as
/// zero_division="warn"), with the counts they come from.
struct ClassScores {
  std::vector<double> precision, recall, f1;
  std::vector<std::size_t> tp, predicted, support;  ///< support: the rows truly of class c
};
ClassScores class_scores(const ConfusionMatrix& cm);

/// precision_score, recall_score and f1_score with `average` over every class, and the
/// warnings those three calls give, in that order.
struct Averaged {
  double precision = 0.0, recall = 0.0, f1 = 0.0;
  std::vector<std::string> warnings;
};
Averaged averaged(const ClassScores& s, Average a);

}  // namespace pipeml::metrics
