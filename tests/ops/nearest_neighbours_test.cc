// knn::nearest_neighbours against a plain exact search: all rows and subsets of them as
// queries, whole-number data full of ties, and sizes that span the blocked kernel's
// query and candidate blocks and its threads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "ops/nearest_neighbours.h"
#include "runtime/numpy_random.h"

namespace {

using namespace pipeml;

// The k nearest rows of x other than `self`, by exact squared distance, then lower index.
std::vector<std::uint32_t> brute_force(const std::vector<double>& x, std::size_t n, std::size_t d, std::size_t k,
                                       std::size_t self) {
  std::vector<std::pair<double, std::uint32_t>> all;
  for (std::size_t j = 0; j < n; ++j) {
    if (j == self) continue;
    double s = 0.0;
    for (std::size_t f = 0; f < d; ++f) s += (x[self * d + f] - x[j * d + f]) * (x[self * d + f] - x[j * d + f]);
    all.emplace_back(s, static_cast<std::uint32_t>(j));
  }
  std::partial_sort(all.begin(), all.begin() + k, all.end());
  std::vector<std::uint32_t> out;
  for (std::size_t m = 0; m < k; ++m) out.push_back(all[m].second);
  return out;
}

std::vector<double> random_rows(std::size_t n, std::size_t d, std::uint64_t seed, bool whole) {
  NumpyRandomState rs(seed);
  std::vector<double> x(n * d);
  for (auto& v : x) v = whole ? static_cast<double>(rs.randint(-3, 4)) : static_cast<float>(rs.random_sample() * 8 - 4);
  return x;
}

void check_queries(const std::vector<double>& x, std::size_t n, std::size_t d, std::size_t k,
                   const std::vector<std::uint32_t>& queries) {
  const auto nn = knn::nearest_neighbours(x, n, d, k, queries);
  REQUIRE(nn.size() == queries.size() * k);
  std::size_t wrong = 0;
  for (std::size_t q = 0; q < queries.size(); ++q)
    if (std::vector<std::uint32_t>(nn.begin() + q * k, nn.begin() + (q + 1) * k) != brute_force(x, n, d, k, queries[q]))
      ++wrong;
  CHECK(wrong == 0);
}

TEST_CASE("nearest_neighbours of a subset of the rows is an exact search among all rows", "[knn]") {
  for (const bool whole : {false, true}) {
    DYNAMIC_SECTION((whole ? "whole numbers (ties)" : "floats")) {
      const std::size_t n = 2600, d = 7;
      const auto x = random_rows(n, d, whole ? 3 : 4, whole);
      std::vector<std::uint32_t> every_third, all(n);
      std::iota(all.begin(), all.end(), 0u);
      for (std::uint32_t i = 5; i < n; i += 3) every_third.push_back(i);
      std::vector<std::uint32_t> shuffled(all.begin(), all.begin() + 500);
      NumpyRandomState(9).shuffle(shuffled);
      check_queries(x, n, d, 3, every_third);
      check_queries(x, n, d, 1, all);
      check_queries(x, n, d, 10, shuffled);
      // The all-rows overload is the subset overload with every row.
      CHECK(knn::nearest_neighbours(x, n, d, 4) == knn::nearest_neighbours(x, n, d, 4, all));
    }
  }
}

TEST_CASE("nearest_neighbours: no queries, k 0, and its refusals", "[knn]") {
  const std::vector<double> x = {0, 1, 2, 3};
  CHECK(knn::nearest_neighbours(x, 4, 1, 2, {}).empty());
  CHECK(knn::nearest_neighbours(x, 4, 1, 0, {1, 2}).empty());
  CHECK(knn::nearest_neighbours(x, 4, 1, 3, {0}) == std::vector<std::uint32_t>{1, 2, 3});
  CHECK_THROWS_AS(knn::nearest_neighbours(x, 4, 1, 4, {0}), std::invalid_argument);
  CHECK_THROWS_AS(knn::nearest_neighbours(x, 4, 1, 1, {4}), std::out_of_range);
}

}  // namespace
