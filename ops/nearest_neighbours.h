// Exact k nearest neighbours, as imbalanced-learn's samplers use scikit-learn's
// NearestNeighbors(k + 1).fit(X).kneighbors(X_query)[:, 1:] with X_query rows of X: for each
// query row, the k nearest other rows of X. The one search every resampler uses (SMOTE and
// its variants, ADASYN, Tomek links, edited nearest neighbours): a brute force in cache-sized
// blocks, written like a small matrix product, dispatched at run time to AVX-512 / AVX2 code,
// over all cores. Memory is O(n d), never O(n^2).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/neighbour_search.h"

namespace pipeml::knn {

/// For each row of `x` (n rows of d doubles, row-major), the k nearest other rows, nearest
/// first: what imblearn keeps of NearestNeighbors(k + 1).kneighbors(x) after dropping the
/// first column (the row itself). Equal distances go to the lower row. sklearn orders such
/// ties by its kd-tree or heap internals and may even list an exact duplicate before the
/// row itself, so with ties at the k-th place the choice can differ from sklearn's (for
/// exact duplicates the synthetic values are the same either way). Returns n * k indices,
/// row-major. Needs n > k.
std::vector<std::uint32_t> nearest_neighbours(const std::vector<double>& x, std::size_t n, std::size_t d,
                                              std::size_t k);

/// The same for the rows of `x` listed in `queries` (indices into x, any order): for query q
/// the k nearest rows of x other than queries[q] itself, as indices into x. Returns
/// queries.size() * k indices, row-major. Needs n > k.
std::vector<std::uint32_t> nearest_neighbours(const std::vector<double>& x, std::size_t n, std::size_t d,
                                              std::size_t k, const std::vector<std::uint32_t>& queries);

/// The same as the first form, the search done by `accelerator` when given (a GPU, through
/// libpipe_exec.so): it proposes candidates (k plus a margin for its rounding), re-ranked
/// here exactly as the CPU search re-ranks its own, so both give the same neighbours except
/// where more rows tie than the margin holds. Throws UserError when the accelerator fails.
std::vector<std::uint32_t> nearest_neighbours_on(const NeighbourCandidates* accelerator, const std::vector<double>& x,
                                                 std::size_t n, std::size_t d, std::size_t k);

}  // namespace pipeml::knn
