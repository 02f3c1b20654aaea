// An accelerator's neighbour candidates, re-ranked exactly, give the CPU search's answer:
// checked with a stand-in accelerator that proposes candidates in a scrambled order, and on
// CUDA itself where the machine has it.
// LibTorch's headers first: c10 defines a CHECK macro that catch.hpp must override.
#include <ATen/ATen.h>
#include <torch/cuda.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "ops/nearest_neighbours.h"
#include "runtime/exec/knn.h"
#include "runtime/trainer_api.h"

extern "C" std::string pipe_neighbour_candidates(const double* x, std::size_t n, std::size_t d, std::size_t keep,
                                                 std::uint32_t* out);

namespace {

std::vector<double> random_rows(std::size_t n, std::size_t d, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  std::vector<double> x(n * d);
  for (auto& v : x) v = normal(gen);
  return x;
}

// Brute force, each row's `keep` nearest others, handed over in reverse order.
std::string scrambled_candidates(const double* x, std::size_t n, std::size_t d, std::size_t keep, std::uint32_t* out) {
  std::vector<std::pair<double, std::uint32_t>> all;
  for (std::size_t i = 0; i < n; ++i) {
    all.clear();
    for (std::size_t j = 0; j < n; ++j) {
      if (j == i) continue;
      double s = 0;
      for (std::size_t f = 0; f < d; ++f) s += (x[i * d + f] - x[j * d + f]) * (x[i * d + f] - x[j * d + f]);
      all.emplace_back(s, static_cast<std::uint32_t>(j));
    }
    std::sort(all.begin(), all.end());
    for (std::size_t m = 0; m < keep; ++m) out[i * keep + m] = all[keep - 1 - m].second;
  }
  return {};
}

}  // namespace

using namespace pipeml;

TEST_CASE("accelerator candidates are re-ranked into the CPU search's neighbours", "[smote]") {
  const std::size_t n = 300, d = 7, k = 5;
  const auto x = random_rows(n, d, 11);
  const NeighbourCandidates fake = scrambled_candidates;
  CHECK(knn::nearest_neighbours_on(&fake, x, n, d, k) == knn::nearest_neighbours(x, n, d, k));
  // A failing accelerator is a located user error, not a crash.
  const NeighbourCandidates broken = [](const double*, std::size_t, std::size_t, std::size_t, std::uint32_t*) {
    return std::string("out of memory");
  };
  CHECK_THROWS_WITH(knn::nearest_neighbours_on(&broken, x, n, d, k),
                    "nearest-neighbour search on the GPU failed: out of memory");
}

TEST_CASE("the GPU search's candidates, run on LibTorch's CPU device, agree with the CPU search", "[smote]") {
  // Its two-step selection (group minima, then the nearest groups' members), small groups
  // for small classes, the padding columns and the chunking all run here without a GPU.
  const NeighbourCandidates on_cpu = [](const double* x, std::size_t n, std::size_t d, std::size_t keep,
                                        std::uint32_t* out) {
    neighbour_candidates_on(at::kCPU, x, n, d, keep, out);
    return std::string();
  };
  for (const std::size_t n : {6u, 14u, 50u, 333u, 2000u}) {
    for (const std::size_t k : {1u, 5u}) {
      if (n <= k) continue;
      const std::size_t d = 30;
      const auto x = random_rows(n, d, static_cast<unsigned>(n + k));
      INFO("rows " << n << ", k " << k);
      CHECK(knn::nearest_neighbours_on(&on_cpu, x, n, d, k) == knn::nearest_neighbours(x, n, d, k));
    }
  }
}

TEST_CASE("the CUDA neighbour search agrees with the CPU search", "[smote][cuda]") {
  if (!torch::cuda::is_available()) {
    WARN("skipped: no CUDA GPU here");
    return;
  }
  for (const std::size_t n : {50u, 2000u, 20000u, 150000u}) {  // 150000: several chunks
    const std::size_t d = 30, k = 5;
    const auto x = random_rows(n, d, static_cast<unsigned>(n));
    const NeighbourCandidates cuda = pipe_neighbour_candidates;
    INFO("rows " << n);
    CHECK(knn::nearest_neighbours_on(&cuda, x, n, d, k) == knn::nearest_neighbours(x, n, d, k));
  }
}
