// Train/test splitting that gives the very rows scikit-learn 1.2's train_test_split gives
// for the same sizes and integer random_state: the same size rules, the same refusals and,
// through NumpyRandomState, the same random draws in the same order.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "runtime/numpy_random.h"

namespace pipeml::split {

/// How many rows go to each part.
struct SplitSizes {
  std::size_t n_train = 0, n_test = 0;
};

/// The part sizes for `n` rows, by sklearn's rules (_validate_shuffle_split). Each size is
/// a fraction when below 1 and a number of rows when it is a whole number of at least 1:
/// pipe has one number type, so a count is passed as a double with an integral value, and
/// 1.0 therefore means one row (sklearn would refuse the float 1.0). Absent both, test is
/// 0.25. A test fraction rounds up, a train fraction down; an absent size is the rest.
/// Throws UserError for a size outside (0, 1) that is not a whole number in [1, n), for
/// fractions summing above 1, for sizes adding up to more than n and for an empty train part.
SplitSizes resolve_sizes(std::size_t n, std::optional<double> test_size, std::optional<double> train_size);

/// sklearn.utils._approximate_mode: how many of `n_draws` rows to take from each class so
/// that the proportions of `class_counts` are kept. Floors the exact shares, then hands out
/// the missing rows by largest remainder, breaking ties with rng.choice(ties, replace=False)
/// (a whole permutation of the tied classes per remainder value, as sklearn draws it).
std::vector<std::size_t> approximate_mode(const std::vector<std::size_t>& class_counts, std::size_t n_draws,
                                          NumpyRandomState& rng);

/// Row indices of each part, in the order sklearn returns them.
struct SplitIndices {
  std::vector<std::size_t> train, test;
};

/// The indices train_test_split(X, y, test_size=n_test, train_size=n_train,
/// random_state=seed, stratify=y if stratify else None, shuffle=shuffle) gives:
/// - shuffle off: the first n_train rows, then the next n_test;
/// - shuffle on: test = permutation(n)[:n_test], train = the next n_train of it
///   (ShuffleSplit);
/// - stratify: StratifiedShuffleSplit's draws — per-class train counts, then test counts
///   (approximate_mode), a permutation of each class's rows in label order, then a
///   permutation of the collected train and of the test rows.
/// Throws UserError for stratify without shuffle, a class with a single row when
/// stratifying, or a part with fewer rows than there are classes; and for seeds numpy
/// refuses (above 2**32 - 1).
SplitIndices train_test_split(const std::vector<int>& y, SplitSizes sizes, bool stratify, bool shuffle,
                              std::uint64_t seed);

/// Per class (indexed as `class_counts`), how many rows a stratified train_test_split puts
/// in the train and in the test part: the same counts train_test_split gives, without the
/// rows. Classes with no row get 0 and take no part in the draws (as they are absent from
/// y for sklearn). Same refusals as train_test_split with stratify.
std::pair<std::vector<std::size_t>, std::vector<std::size_t>> stratified_counts(
    const std::vector<std::size_t>& class_counts, SplitSizes sizes, std::uint64_t seed);

}  // namespace pipeml::split
