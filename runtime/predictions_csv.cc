#include "runtime/predictions_csv.h"

#include <fmt/format.h>

#include "runtime/multiclass_metrics.h"

namespace pipeml {

std::string predictions_csv(const Table& rows, const std::vector<std::size_t>* ids, const std::vector<std::string>& names,
                            bool cross_entropy, double threshold, const std::vector<double>& outputs) {
  const auto id = [&](std::size_t i) { return ids ? std::to_string((*ids)[i]) : std::string(); };
  if (rows.regression) {
    const bool known = rows.target.size() == rows.rows;
    std::string csv = known ? "row,target,predicted\n" : "row,predicted\n";
    for (std::size_t i = 0; i < rows.rows; ++i)
      csv += known ? fmt::format("{},{},{:.9g}\n", id(i), rows.target[i], outputs[i]) : fmt::format("{},{:.9g}\n", id(i), outputs[i]);
    return csv;
  }
  const bool labelled = rows.y.size() == rows.rows;
  const auto label = [&](std::size_t i) { return labelled ? "," + names.at(rows.y[i]) : std::string(); };
  std::string csv = labelled ? "row,label" : "row";
  if (cross_entropy) {  // a probability per class, the most probable predicted
    const std::size_t k = names.size();
    for (const auto& n : names) csv += ",prob_" + n;
    csv += ",predicted\n";
    const std::vector<int> predicted = metrics::argmax(outputs, static_cast<int>(k));
    for (std::size_t i = 0; i < rows.rows; ++i) {
      csv += id(i) + label(i);
      for (std::size_t c = 0; c < k; ++c) csv += fmt::format(",{:.9g}", outputs[i * k + c]);
      csv += "," + names.at(predicted[i]) + "\n";
    }
    return csv;
  }
  csv += ",prob_" + names.at(1) + ",predicted\n";
  for (std::size_t i = 0; i < rows.rows; ++i)
    csv += fmt::format("{}{},{:.9g},{}\n", id(i), label(i), outputs[i], names.at(outputs[i] >= threshold ? 1 : 0));
  return csv;
}

}  // namespace pipeml
