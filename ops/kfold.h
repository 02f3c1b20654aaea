// k-fold cross-validation folds that are the very folds scikit-learn 1.2's KFold and
// StratifiedKFold(n_splits, shuffle, random_state) give for an integer random_state: the
// same fold sizes, the same per-class allocation, the same refusals and, through
// NumpyRandomState, the same random draws in the same order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pipeml::kfold {

/// One fold: the rows it trains on and the rows it is tested on, each in increasing order
/// (sklearn returns both through a boolean mask, so sorted).
struct Fold {
  std::vector<std::size_t> train, test;
};

/// KFold(n_splits, shuffle=shuffle, random_state=seed).split(X) for `n` rows: arange(n),
/// shuffled with RandomState(seed) when asked; the first n % n_splits folds take
/// n / n_splits + 1 consecutive rows of it as their test part, the others n / n_splits.
/// Throws UserError when n_splits > n (sklearn's refusal) and for seeds numpy refuses;
/// std::invalid_argument when n_splits < 2 (the schema keeps that from users).
std::vector<Fold> kfold(std::size_t n, std::size_t n_splits, bool shuffle, std::uint64_t seed);

/// StratifiedKFold(n_splits, shuffle=shuffle, random_state=seed).split(X, y): the classes
/// are numbered in order of first appearance in y; the sorted numbering is dealt round robin
/// over the folds, which fixes how many rows of each class each fold tests; each class's
/// rows, in row order, get their folds in blocks (fold 0's first), the blocks shuffled per
/// class in that class order when asked. Throws UserError when n_splits > n, or when every
/// class has fewer rows than n_splits; std::invalid_argument when n_splits < 2.
/// Messages name a class by class_names[label] when given, else by its label.
std::vector<Fold> stratified_kfold(const std::vector<int>& y, std::size_t n_splits, bool shuffle, std::uint64_t seed,
                                   const std::vector<std::string>& class_names = {});

/// The warning StratifiedKFold gives when the least populated class of y has fewer rows
/// than n_splits (some folds then test none of it), in pipe's words; empty otherwise.
std::string stratified_warning(const std::vector<int>& y, std::size_t n_splits,
                               const std::vector<std::string>& class_names = {});

}  // namespace pipeml::kfold
