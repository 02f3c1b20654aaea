#include "runtime/cv_summary.h"

#include "runtime/numpy_sum.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ostream>

namespace pipeml::cv {
double numpy_sum(const std::vector<double>& values) { return pipeml::numpy_sum(values.data(), values.size()); }

double numpy_mean(const std::vector<double>& values) { return numpy_sum(values) / static_cast<double>(values.size()); }

double numpy_std(const std::vector<double>& values, int ddof) {
  const double mean = numpy_mean(values);
  std::vector<double> squares;
  for (double v : values) squares.push_back((v - mean) * (v - mean));
  return std::sqrt(numpy_sum(squares) / static_cast<double>(static_cast<int>(values.size()) - ddof));
}

Summary summarize(const std::vector<std::map<std::string, double>>& folds, const std::vector<std::string>& names) {
  Summary s;
  s.names = names;
  for (const auto& name : names) {
    std::vector<double> values;
    for (const auto& f : folds) values.push_back(f.at(name));
    s.mean[name] = numpy_mean(values);
    s.std[name] = numpy_std(values);
    s.per_fold.push_back(std::move(values));
  }
  return s;
}

void print_summary(std::ostream& out, const Summary& s) {
  const std::size_t k = s.per_fold.empty() ? 0 : s.per_fold.front().size();
  out << fmt::format("\ncross-validation: {} folds, each scored on its own test part (std: np.std, ddof 0)\n", k);
  std::size_t width = 10;  // the longest metric name (balanced_accuracy) widens the column
  for (const auto& name : s.names) width = std::max(width, name.size());
  out << fmt::format("  {:<{}}", "metric", width);
  for (std::size_t f = 0; f < k; ++f) out << fmt::format("  {:>7}", fmt::format("fold {}", f + 1));
  out << "    mean \u00b1 std\n";
  for (std::size_t m = 0; m < s.names.size(); ++m) {
    out << fmt::format("  {:<{}}", s.names[m], width);
    for (double v : s.per_fold[m]) out << fmt::format("  {:>7.4f}", v);
    out << fmt::format("    {:.4f} \u00b1 {:.4f}\n", s.mean.at(s.names[m]), s.std.at(s.names[m]));
  }
}

}  // namespace pipeml::cv
