// Random over- and under-sampling as imbalanced-learn 0.10's RandomOverSampler and
// RandomUnderSampler with an integer random_state: the same rows, in the same order, drawn
// by NumpyRandomState exactly as numpy's RandomState draws them (bit for bit).
#pragma once
#include <cstdint>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ops/sampling_strategy.h"
#include "runtime/table.h"

namespace pipeml::random_sampling {

/// RandomOverSampler(sampling_strategy, random_state=seed, shrinkage).fit_resample: `t`'s
/// rows, then for each class to grow, in label order, rows drawn with replacement from that
/// class — one RandomState(seed) for all classes: choice(class rows, n_new, replace=True),
/// which is randint(0, class rows, n_new). With `shrinkage` (a smoothed bootstrap, ROSE)
/// each drawn row gets randn(n_new, d) noise scaled per feature by shrinkage *
/// (4 / ((d + 2) * n)) ** (1 / (d + 4)) * the class's standard deviation (ddof 0), drawn
/// right after that class's rows. Missing values are copied as they are, unless shrinkage
/// is set: then a NaN or infinite feature is refused, as imblearn refuses it. Throws
/// UserError when the table has no labels or the strategy is refused.
Table over_sample(const Table& t, const sampling::Strategy& strategy, std::uint64_t seed,
                  std::optional<double> shrinkage = std::nullopt, const std::string& op = "random_over_sampler");

/// RandomUnderSampler(sampling_strategy, replacement, random_state=seed).fit_resample: the
/// rows grouped by class in label order; a class the strategy targets keeps the rows drawn
/// by choice(range(class rows), n_keep, replace) — permutation(class rows)[:n_keep] without
/// replacement, randint(0, class rows, n_keep) with — from one RandomState(seed); the other
/// classes keep all their rows in table order. Missing values are kept. Throws UserError
/// when the table has no labels or the strategy is refused.
Table under_sample(const Table& t, const sampling::Strategy& strategy, bool replacement, std::uint64_t seed,
                   const std::string& op = "random_under_sampler");

/// The rows over_sample appends without shrinkage, as numbers into the table: which rows
/// are drawn depends on the labels and the seed only, so the plan can follow them.
std::vector<std::size_t> over_sample_rows(const Table& t, const sampling::Strategy& strategy, std::uint64_t seed,
                                          const std::string& op = "random_over_sampler");

/// The rows under_sample keeps, in its order, as numbers into the table.
std::vector<std::size_t> under_sample_rows(const Table& t, const sampling::Strategy& strategy, bool replacement,
                                           std::uint64_t seed, const std::string& op = "random_under_sampler");

}  // namespace pipeml::random_sampling
