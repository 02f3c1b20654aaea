// SMOTE oversampling as imbalanced-learn 0.10's imblearn.over_sampling.SMOTE with an
// integer random_state: the same sampling_strategy rules and refusals, the same neighbours
// and, through NumpyRandomState, the same random draws, so the synthetic rows equal
// imblearn's to float precision. The pieces SMOTE is made of (BaseSMOTE's _make_samples and
// the checks) are here too, for the variants built on them: borderline_smote, smote_nc,
// smote_tomek and smote_enn.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/sampling_strategy.h"
#include "runtime/neighbour_search.h"
#include "runtime/table.h"

namespace pipeml::smote {

/// SMOTE(sampling_strategy, k_neighbors, random_state=seed).fit_resample: `t`'s rows, then
/// for each class to oversample, in label order, its synthetic rows. For a class with rows
/// X_c (in table order): each row's k_neighbors nearest other rows of X_c (exact Euclidean,
/// nearest first, equal distances by lower row), then a fresh RandomState(seed) — imblearn
/// calls check_random_state(int) once per class — draws randint(0, n_c * k, size=n_new)
/// sample indices and uniform(size=n_new) steps; sample s becomes
/// x_i + step * (x_nn - x_i) with i = idx / k and nn the (idx % k)-th neighbour of i,
/// computed in double and stored as float. Throws UserError when the table has no labels,
/// k_neighbors < 1, a feature is NaN or infinite, the strategy is refused, a class to
/// oversample has fewer than k_neighbors + 1 rows, or the seed exceeds 2**32 - 1. `op`
/// names the stage in messages. With `accelerator`, the neighbour search runs there
/// (knn::nearest_neighbours), with the same result.
Table fit_resample(const Table& t, const sampling::Strategy& strategy, int k_neighbors, std::uint64_t seed,
                   const std::string& op = "smote", const NeighbourCandidates* accelerator = nullptr);

// ---- the pieces ----

/// Refuses a table without labels, and NaN or infinite features (imblearn's check_array),
/// naming `op`: "smote needs complete data but column 'ca' has missing values (NaN) ...".
void check_input(const Table& t, const std::string& op);

/// Refuses a class of `rows` rows that cannot give each row `k` neighbours of its class:
/// "class 'yes' has 3 rows, too few for OP with k_neighbors '5': ...". `param` is the
/// parameter to lower in the advice.
void require_neighbours(int label, std::size_t rows, std::size_t k, const std::vector<std::string>& class_names,
                        const std::string& op, const std::string& param = "k_neighbors");

/// The rows of class `label` in table order: their features as doubles (row-major) and
/// their row numbers in the table.
struct ClassRows {
  std::size_t n = 0;
  std::vector<double> x;
  std::vector<std::uint32_t> index;
};
ClassRows rows_of_class(const Table& t, int label);

/// The features of all rows as doubles, row-major: what imblearn's NearestNeighbors sees.
std::vector<double> all_rows(const Table& t);

/// BaseSMOTE._make_samples' draws from a fresh RandomState(seed): randint(0, rows * k,
/// size=n_new), then uniform(size=n_new) scaled by step_size. Sample s interpolates from
/// base row base[s] towards its nn_col[s]-th neighbour by step[s].
struct Draws {
  std::vector<std::size_t> base, nn_col;
  std::vector<double> step;
};
Draws draw_samples(std::size_t rows, std::size_t k, std::size_t n_new, std::uint64_t seed, double step_size = 1.0);

/// Appends one synthetic row per draw to `out`, labelled `label`: feature f of sample s is
/// base[f] + step * (neighbour[f] - base[f]) in double, stored as float, where base is row
/// draws.base[s] of `base_x` and neighbour is row nn[base * k + nn_col] of `nn_x`. Throws
/// std::out_of_range when that neighbour is not a row of nn_x (nn_rows rows).
void append_samples(const Draws& draws, const std::vector<double>& base_x, const std::vector<double>& nn_x,
                    std::size_t nn_rows, const std::vector<std::uint32_t>& nn, std::size_t k, int label, Table& out);

}  // namespace pipeml::smote
