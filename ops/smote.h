// SMOTE oversampling as imbalanced-learn 0.10's imblearn.over_sampling.SMOTE with an
// integer random_state: the same sampling_strategy rules and refusals, the same neighbours
// and, through NumpyRandomState, the same random draws, so the synthetic rows equal
// imblearn's to float precision.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/neighbour_search.h"
#include "runtime/table.h"

namespace pipeml::smote {

/// imblearn's sampling_strategy for an over-sampler: which classes get synthetic rows and
/// how many. Build one with named(), ratio_of() or targets_of().
struct Strategy {
  enum class Kind {
    automatic,     ///< 'auto': the same as 'not majority'
    minority,      ///< 'minority': only the smallest class, up to the majority's size (imblearn
                   ///< 0.10's SMOTE parameter check refuses this string although its
                   ///< check_sampling_strategy supports it; pipe takes it)
    not_minority,  ///< 'not minority': every class but the smallest, up to the majority's size
    not_majority,  ///< 'not majority': every class but the largest, up to the majority's size
    all,           ///< 'all': every class up to the majority's size
    ratio,         ///< a float: two classes only; minority rows = ratio * majority rows
    targets,       ///< a dict: class label -> number of rows the class should have
  };
  Kind kind = Kind::automatic;
  double ratio = 0.0;                         ///< for Kind::ratio, in (0, 1]
  std::map<int, std::int64_t> targets;        ///< for Kind::targets: label -> wanted rows

  /// 'auto', 'minority', 'not minority', 'not majority' or 'all'. Throws UserError for
  /// anything else ('majority' included: it only makes sense for under-samplers).
  static Strategy named(const std::string& name);
  /// A ratio (checked by samples_to_generate: it must be in (0, 1]).
  static Strategy ratio_of(double ratio);
  /// A per-class target map, keyed by class label.
  static Strategy targets_of(std::map<int, std::int64_t> targets);
};

/// imblearn's check_sampling_strategy(strategy, y, 'over-sampling'): for each class present
/// (count > 0) that the strategy names, how many rows to synthesize (0 included, as imblearn
/// keeps such entries), keyed and so ordered by label. The majority (or minority) is the
/// lowest label among equally large (small) classes, as Python's max/min pick it. A ratio
/// gives int(majority * ratio - count) rows, truncated as Python's int(). `class_names[l]`,
/// when given, names label l in messages. Throws UserError for fewer than 2 classes, a
/// ratio outside (0, 1], a ratio with more than 2 classes or one that would remove rows,
/// and a target map naming an absent class, a negative count or fewer rows than present.
std::map<int, std::size_t> samples_to_generate(const std::vector<std::size_t>& class_counts, const Strategy& strategy,
                                               const std::vector<std::string>& class_names = {});

/// SMOTE(sampling_strategy, k_neighbors, random_state=seed).fit_resample: `t`'s rows, then
/// for each class to oversample, in label order, its synthetic rows. For a class with rows
/// X_c (in table order): each row's k_neighbors nearest other rows of X_c (exact Euclidean,
/// nearest first, equal distances by lower row), then a fresh RandomState(seed) — imblearn
/// calls check_random_state(int) once per class — draws randint(0, n_c * k, size=n_new)
/// sample indices and uniform(size=n_new) steps; sample s becomes
/// x_i + step * (x_nn - x_i) with i = idx / k and nn the (idx % k)-th neighbour of i,
/// computed in double and stored as float. Throws UserError when the table has no labels,
/// k_neighbors < 1, a feature is NaN or infinite, the strategy is refused, a class to
/// oversample has fewer than k_neighbors + 1 rows, or the seed exceeds 2**32 - 1.
/// With `accelerator`, the neighbour search runs there (see nearest_neighbours).
Table fit_resample(const Table& t, const Strategy& strategy, int k_neighbors, std::uint64_t seed,
                   const NeighbourCandidates* accelerator = nullptr);

/// For each row of `x` (n rows of d doubles, row-major), the k nearest other rows, nearest
/// first: what imblearn keeps of NearestNeighbors(k + 1).kneighbors(x) after dropping the
/// first column (the row itself). Equal distances go to the lower row. sklearn orders such
/// ties by its kd-tree or heap internals and may even list an exact duplicate before the
/// row itself, so with ties at the k-th place the choice can differ from sklearn's (for
/// exact duplicates the synthetic values are the same either way). Returns n * k indices,
/// row-major. Needs n > k. Brute force in cache-sized blocks over all cores; with
/// `accelerator`, the accelerator proposes candidates (k plus a margin for its rounding) and
/// they are re-ranked here exactly as the CPU search re-ranks its own, so both give the same
/// neighbours except where more rows tie than the margin holds.
std::vector<std::uint32_t> nearest_neighbours(const std::vector<double>& x, std::size_t n, std::size_t d,
                                              std::size_t k, const NeighbourCandidates* accelerator = nullptr);

}  // namespace pipeml::smote
