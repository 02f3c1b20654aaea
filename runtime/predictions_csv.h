// predictions.csv, the one layout `pipe run` (the test rows) and `pipe predict` (new rows)
// write: a line per row with its data row, its true class or value when known, the
// model's probabilities (or predicted value) and the predicted class.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "runtime/table.h"

namespace pipeml {

/// `outputs` per row as the trainer gives them: the probability of class 1, every class's
/// (row-major) with `cross_entropy`, or the predicted value for a regression table. `ids`:
/// each row's 0-based row in the data file (header not counted), or null when unknown
/// (the column is then empty). The label (target) column is there when `rows` has labels
/// (target values). Class 1 is predicted where its probability is >= `threshold`; with
/// cross_entropy the most probable class is.
std::string predictions_csv(const Table& rows, const std::vector<std::size_t>* ids, const std::vector<std::string>& class_names,
                            bool cross_entropy, double threshold, const std::vector<double>& outputs);

}  // namespace pipeml
