// Input checks the metric functions share, with scikit-learn 1.2's texts where it has one,
// so every metric refuses bad input with the same words.
#pragma once
#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace pipeml::metrics {

/// sklearn's check_consistent_length: throws std::invalid_argument "Found input variables
/// with inconsistent numbers of samples: [n_true, n_other]".
void check_lengths(std::size_t n_true, std::size_t n_other);

/// Scores of a binary ranking metric: as many as labels, at least one, every one finite.
/// Throws std::invalid_argument otherwise.
void check_scores(const std::vector<int>& y_true, const std::vector<double>& scores);

/// "[0, 2]": labels as Python prints a list, for error texts.
std::string format_labels(const std::set<int>& labels);

}  // namespace pipeml::metrics
