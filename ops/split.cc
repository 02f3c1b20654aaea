// Follows sklearn 1.2's model_selection/_split.py (train_test_split, ShuffleSplit and
// StratifiedShuffleSplit._iter_indices) and utils._approximate_mode call for call: every
// rng call there is one NumpyRandomState call here, in the same order.
#include "ops/split.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include "runtime/user_error.h"

namespace pipeml::split {
namespace {

// A user's number as Python's repr would print it (shortest round trip): 0.25, 400, 1.5.
std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string rows_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

// What a size means: a fraction of the rows, or a number of rows.
enum class SizeKind { fraction, count };

// sklearn's "float in (0, 1)" or "int in [1, n)" rule for one size.
SizeKind check_size(const char* name, double v, std::size_t n) {
  if (v > 0.0 && v < 1.0) return SizeKind::fraction;
  if (v >= 1.0 && v == std::floor(v) && v < static_cast<double>(n)) return SizeKind::count;
  throw UserError(std::string(name) + " '" + number_text(v) +
                  "' should be either a fraction in (0, 1) or a whole number of rows, at least 1 and below " +
                  std::to_string(n) + " (the number of rows)");
}

// The classes present in y, in sorted order (np.unique), with their rows in row order.
std::map<int, std::vector<std::size_t>> rows_by_class(const std::vector<int>& y) {
  std::map<int, std::vector<std::size_t>> by_class;
  for (std::size_t i = 0; i < y.size(); ++i) by_class[y[i]].push_back(i);
  return by_class;
}

// StratifiedShuffleSplit's refusals, given the row counts of the present classes.
void check_stratifiable(const std::vector<int>& labels, const std::vector<std::size_t>& counts, SplitSizes sizes) {
  for (std::size_t c = 0; c < counts.size(); ++c)
    if (counts[c] < 2)
      throw UserError("the least populated class in y (label '" + std::to_string(labels[c]) +
                      "') has only 1 member, which is too few: a stratified split needs at least 2 rows of "
                      "every class");
  const std::size_t k = counts.size();
  if (sizes.n_train < k)
    throw UserError("the train part would have " + rows_text(sizes.n_train) + ", fewer than the " +
                    std::to_string(k) + " classes: a stratified split needs a row of every class in each part");
  if (sizes.n_test < k)
    throw UserError("the test part would have " + rows_text(sizes.n_test) + ", fewer than the " + std::to_string(k) +
                    " classes: a stratified split needs a row of every class in each part");
}

// The first two draws of StratifiedShuffleSplit: per-class train counts, then test counts
// taken from what the train part leaves.
std::pair<std::vector<std::size_t>, std::vector<std::size_t>> class_shares(const std::vector<std::size_t>& counts,
                                                                          SplitSizes sizes, NumpyRandomState& rng) {
  auto n_train = approximate_mode(counts, sizes.n_train, rng);
  std::vector<std::size_t> remaining(counts.size());
  for (std::size_t c = 0; c < counts.size(); ++c) remaining[c] = counts[c] - n_train[c];
  auto n_test = approximate_mode(remaining, sizes.n_test, rng);
  return {std::move(n_train), std::move(n_test)};
}

std::vector<std::size_t> shuffled(const std::vector<std::size_t>& rows, NumpyRandomState& rng) {
  std::vector<std::size_t> out = rows;
  rng.shuffle(out);  // rng.permutation(list) shuffles a copy of the list
  return out;
}

}  // namespace

SplitSizes resolve_sizes(std::size_t n, std::optional<double> test_size, std::optional<double> train_size) {
  const bool defaulted = !test_size && !train_size;
  if (defaulted) test_size = 0.25;
  std::optional<SizeKind> test_kind, train_kind;
  if (test_size) test_kind = check_size("test_size", *test_size, n);
  if (train_size) train_kind = check_size("train_size", *train_size, n);
  if (test_kind == SizeKind::fraction && train_kind == SizeKind::fraction && *test_size + *train_size > 1.0)
    throw UserError("test_size '" + number_text(*test_size) + "' and train_size '" + number_text(*train_size) +
                    "' add up to " + number_text(*test_size + *train_size) +
                    ", more than all the rows: reduce test_size and/or train_size");

  const double rows = static_cast<double>(n);
  double n_test = 0.0, n_train = 0.0;
  if (test_size) n_test = test_kind == SizeKind::fraction ? std::ceil(*test_size * rows) : *test_size;
  if (train_size) n_train = train_kind == SizeKind::fraction ? std::floor(*train_size * rows) : *train_size;
  if (!train_size) n_train = rows - n_test;
  if (!test_size) n_test = rows - n_train;

  if (n_train + n_test > rows)
    throw UserError("test_size '" + number_text(*test_size) + "' and train_size '" + number_text(*train_size) +
                    "' ask for " + number_text(n_train + n_test) + " rows but there are only " + std::to_string(n) +
                    ": reduce test_size and/or train_size");
  if (n_train == 0.0) {
    std::string given;
    if (defaulted) given = "the default test_size 0.25";
    if (test_size && !defaulted) given = "test_size '" + number_text(*test_size) + "'";
    if (train_size) given += (given.empty() ? "" : " and ") + std::string("train_size '") + number_text(*train_size) + "'";
    const bool both = test_size && train_size;
    throw UserError("with " + rows_text(n) + ", " + given + (both ? " leave" : " leaves") +
                    " the train part empty: adjust test_size or train_size");
  }
  return SplitSizes{static_cast<std::size_t>(n_train), static_cast<std::size_t>(n_test)};
}

std::vector<std::size_t> approximate_mode(const std::vector<std::size_t>& class_counts, std::size_t n_draws,
                                          NumpyRandomState& rng) {
  const std::size_t k = class_counts.size();
  double total = 0.0;
  for (auto c : class_counts) total += static_cast<double>(c);
  // The exact shares, floored; sklearn computes count / total * n_draws in float64.
  std::vector<double> remainder(k);
  std::vector<std::size_t> taken(k);
  double floored_sum = 0.0;
  for (std::size_t c = 0; c < k; ++c) {
    const double share = static_cast<double>(class_counts[c]) / total * static_cast<double>(n_draws);
    const double floored = std::floor(share);
    taken[c] = static_cast<std::size_t>(floored);
    remainder[c] = share - floored;
    floored_sum += floored;
  }
  auto need = static_cast<long long>(static_cast<double>(n_draws) - floored_sum);
  if (need <= 0) return taken;

  // Largest remainders first; classes with equal remainders are picked at random.
  std::vector<double> values = remainder;
  std::sort(values.begin(), values.end(), [](double a, double b) { return a > b; });
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (double value : values) {
    std::vector<std::size_t> ties;
    for (std::size_t c = 0; c < k; ++c)
      if (remainder[c] == value) ties.push_back(c);
    const std::size_t add_now = std::min<std::size_t>(ties.size(), static_cast<std::size_t>(need));
    for (auto pick : rng.choice_without_replacement(ties.size(), add_now)) ++taken[ties[pick]];
    need -= static_cast<long long>(add_now);
    if (need == 0) break;
  }
  return taken;
}

SplitIndices train_test_split(const std::vector<int>& y, SplitSizes sizes, bool stratify, bool shuffle,
                              std::uint64_t seed) {
  const std::size_t n = y.size();
  if (sizes.n_train + sizes.n_test > n) throw std::invalid_argument("train_test_split: sizes exceed the rows");
  SplitIndices out;
  if (!shuffle) {
    if (stratify)
      throw UserError("a stratified split needs shuffle: set shuffle to true, or stratify to false to keep the row order");
    for (std::size_t i = 0; i < sizes.n_train; ++i) out.train.push_back(i);
    for (std::size_t i = sizes.n_train; i < sizes.n_train + sizes.n_test; ++i) out.test.push_back(i);
    return out;
  }
  if (!stratify) {
    NumpyRandomState rng(seed);
    const auto perm = rng.permutation(n);
    out.test.assign(perm.begin(), perm.begin() + sizes.n_test);
    out.train.assign(perm.begin() + sizes.n_test, perm.begin() + sizes.n_test + sizes.n_train);
    return out;
  }

  const auto by_class = rows_by_class(y);
  std::vector<int> labels;
  std::vector<std::size_t> counts;
  for (const auto& [label, rows] : by_class) {
    labels.push_back(label);
    counts.push_back(rows.size());
  }
  check_stratifiable(labels, counts, sizes);
  NumpyRandomState rng(seed);
  const auto [n_train, n_test] = class_shares(counts, sizes, rng);
  std::size_t c = 0;
  for (const auto& [label, rows] : by_class) {
    const auto perm = rng.permutation(rows.size());
    for (std::size_t i = 0; i < n_train[c]; ++i) out.train.push_back(rows[perm[i]]);
    for (std::size_t i = n_train[c]; i < n_train[c] + n_test[c]; ++i) out.test.push_back(rows[perm[i]]);
    ++c;
  }
  out.train = shuffled(out.train, rng);
  out.test = shuffled(out.test, rng);
  return out;
}

std::pair<std::vector<std::size_t>, std::vector<std::size_t>> stratified_counts(
    const std::vector<std::size_t>& class_counts, SplitSizes sizes, std::uint64_t seed) {
  std::size_t n = 0;
  std::vector<int> labels;
  std::vector<std::size_t> present;
  for (std::size_t c = 0; c < class_counts.size(); ++c) {
    n += class_counts[c];
    if (class_counts[c] == 0) continue;
    labels.push_back(static_cast<int>(c));
    present.push_back(class_counts[c]);
  }
  if (sizes.n_train + sizes.n_test > n) throw std::invalid_argument("stratified_counts: sizes exceed the rows");
  check_stratifiable(labels, present, sizes);
  NumpyRandomState rng(seed);
  const auto [n_train, n_test] = class_shares(present, sizes, rng);
  std::vector<std::size_t> train(class_counts.size(), 0), test(class_counts.size(), 0);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    train[labels[i]] = n_train[i];
    test[labels[i]] = n_test[i];
  }
  return {train, test};
}

}  // namespace pipeml::split
