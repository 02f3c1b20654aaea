// gaussian_noise: the course's MixedAugmentedDataset order, the noise's distribution and
// determinism for a seed.
#include <catch2/catch.hpp>

#include <cmath>

#include "ops/gaussian_noise.h"
#include "runtime/rng.h"
#include "runtime/user_error.h"

namespace {

using namespace pipeml;

/// rows x cols values i * cols + c, labels i % 2.
Table counting_table(std::size_t rows, std::size_t cols) {
  Table t;
  for (std::size_t c = 0; c < cols; ++c) t.columns.push_back("f" + std::to_string(c));
  t.class_names = {"0", "1"};
  t.rows = rows;
  for (std::size_t i = 0; i < rows * cols; ++i) t.x.push_back(static_cast<float>(i));
  for (std::size_t i = 0; i < rows; ++i) t.y.push_back(static_cast<int>(i % 2));
  return t;
}

}  // namespace

TEST_CASE("augment puts the originals first, then each row's copies in order", "[gaussian_noise]") {
  const Table t = counting_table(4, 3);
  const Table out = noise::augment(t, 0.03, 2, 42);
  REQUIRE(out.rows == 12);
  CHECK(out.columns == t.columns);
  CHECK(out.class_names == t.class_names);
  CHECK(std::vector<float>(out.x.begin(), out.x.begin() + 12) == t.x);
  CHECK(out.y == std::vector<int>{0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1});
  // The draws go row by row, copy by copy, feature by feature.
  Rng rng(42);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t a = 0; a < 2; ++a)
      for (std::size_t c = 0; c < 3; ++c) {
        const float expected = static_cast<float>(t.row(i)[c] + 0.03 * rng.normal());
        CHECK(out.row(4 + i * 2 + a)[c] == expected);
      }
}

TEST_CASE("augment's noise has mean 0 and the given std", "[gaussian_noise]") {
  const Table t = counting_table(2000, 5);
  const double noise_std = 0.5;
  const Table out = noise::augment(t, noise_std, 3, 7);
  REQUIRE(out.rows == 8000);
  double sum = 0.0, squares = 0.0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < t.rows; ++i)
    for (std::size_t a = 0; a < 3; ++a)
      for (std::size_t c = 0; c < t.cols(); ++c) {
        const double noise = static_cast<double>(out.row(t.rows + i * 3 + a)[c]) - t.row(i)[c];
        sum += noise;
        squares += noise * noise;
        ++n;
      }
  const double mean = sum / n;
  const double std = std::sqrt(squares / n - mean * mean);
  // 30,000 draws: the mean's standard error is 0.5 / sqrt(30000) = 0.0029; the std's is 0.002.
  CHECK(std::abs(mean) < 4 * noise_std / std::sqrt(static_cast<double>(n)));
  CHECK(std == Approx(noise_std).epsilon(0.02));
}

TEST_CASE("augment is deterministic for a seed", "[gaussian_noise]") {
  const Table t = counting_table(50, 4);
  CHECK(noise::augment(t, 0.1, 2, 123).x == noise::augment(t, 0.1, 2, 123).x);
  CHECK(noise::augment(t, 0.1, 2, 123).x != noise::augment(t, 0.1, 2, 124).x);
}

TEST_CASE("augment with no copies or no noise", "[gaussian_noise]") {
  const Table t = counting_table(5, 2);
  const Table same = noise::augment(t, 0.3, 0, 1);
  CHECK(same.rows == 5);
  CHECK(same.x == t.x);
  CHECK(same.y == t.y);
  const Table copies = noise::augment(t, 0.0, 1, 1);
  CHECK(std::vector<float>(copies.x.begin() + 10, copies.x.end()) == t.x);
  Table unlabelled = t;
  unlabelled.y.clear();
  CHECK(noise::augment(unlabelled, 0.1, 2, 1).y.empty());
}

TEST_CASE("augment refuses a negative std or count", "[gaussian_noise]") {
  const Table t = counting_table(2, 2);
  CHECK_THROWS_WITH(noise::augment(t, -0.5, 1, 1), "expected a finite 'noise_std' >= 0, got '-0.5'");
  CHECK_THROWS_WITH(noise::augment(t, 0.1, -1, 1), "expected 'num_augments' >= 0, got '-1'");
}
