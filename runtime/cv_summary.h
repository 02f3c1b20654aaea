// The cross-validation summary: each metric's mean and standard deviation over the folds,
// computed as numpy computes np.mean and np.std (ddof 0: the population std, what users of
// sklearn's cross_validate get from scores.std()), and the table `pipe run` prints.
#pragma once
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace pipeml::cv {

/// np.add.reduce for float64: numpy's pairwise summation (eight partial sums per block of
/// up to 128 values, halves above that), so results equal numpy's to the last bit.
double numpy_sum(const std::vector<double>& values);
/// np.mean(values): numpy_sum / n.
double numpy_mean(const std::vector<double>& values);
/// np.std(values, ddof=ddof): sqrt(numpy_sum((x - mean)^2) / (n - ddof)). ddof 0 is numpy's
/// default (cross-validation's scores.std()); ddof 1 the sample std pandas reports (sweeps).
double numpy_std(const std::vector<double>& values, int ddof = 0);

/// Per metric (in `names` order), the folds' values, their mean and std.
struct Summary {
  std::vector<std::string> names;
  std::vector<std::vector<double>> per_fold;  ///< [metric][fold]
  std::map<std::string, double> mean, std;
};

/// Summarises `folds` (each fold's metric values by name) over the metrics in `names`.
Summary summarize(const std::vector<std::map<std::string, double>>& folds, const std::vector<std::string>& names);

/// The table: one row per metric, one column per fold, then mean ± std.
void print_summary(std::ostream& out, const Summary& s);

}  // namespace pipeml::cv
