// cast_weights_bf16 and add_bf16_grads (runtime/exec/cuda/bf16_weights.cu) on the CPU, in this
// folder's emulation: each of several tensors laid end to end cast (or its gradient added) value
// for value as __float2bfloat16 and a float32 addition make them, a tensor without a gradient
// left alone, and nothing written outside.
#include <catch2/catch.hpp>
#include <cuda_runtime.h>

#include <cstdint>
#include <random>
#include <vector>

#include "runtime/exec/cuda/kernels.h"
#include "tests/cuda_emu/emu_support.h"

namespace k = pipeml::cuda_kernels;
using emutest::bf16;
using emutest::Guarded;

TEST_CASE("bf16_weights: several weights cast in one kernel, their gradients added in one", "[cuda_emu]") {
  emu::set_order(2);
  // A CIFAR block's 3x3 weights (18,432 and 73,728 values) and a small odd one: more values
  // than the kernel's threads, so each loops; tensors split inside blocks.
  const std::vector<std::int64_t> sizes{64 * 32 * 9, 77, 128 * 64 * 9};
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::vector<Guarded<float>> weight, grad;
  std::vector<Guarded<bf16>> cast, grad_bf16;
  for (const std::int64_t n : sizes) {
    const auto size = static_cast<std::size_t>(n);
    weight.emplace_back(size), grad.emplace_back(size), cast.emplace_back(size), grad_bf16.emplace_back(size);
    for (std::size_t i = 0; i < size; ++i)
      weight.back()[i] = normal(rng), grad.back()[i] = normal(rng), grad_bf16.back()[i] = __float2bfloat16(normal(rng));
  }
  k::WeightCasts casts{};
  casts.count = static_cast<int>(sizes.size());
  for (std::size_t t = 0; t < sizes.size(); ++t) casts.weight[t] = weight[t].data(), casts.bf16[t] = cast[t].data(), casts.n[t] = sizes[t];
  REQUIRE(k::cast_weights_bf16(casts, nullptr) == nullptr);
  // The second tensor got no gradient (n 0, a null source): its .grad stays as it was.
  const std::vector<float> before(grad[1].data(), grad[1].data() + grad[1].size());
  std::vector<std::vector<float>> want(sizes.size());
  for (std::size_t t = 0; t < sizes.size(); ++t)
    for (std::size_t i = 0; i < grad[t].size(); ++i) want[t].push_back(t == 1 ? grad[t][i] : grad[t][i] + __bfloat162float(grad_bf16[t][i]));
  k::GradAdds adds{};
  adds.count = static_cast<int>(sizes.size());
  for (std::size_t t = 0; t < sizes.size(); ++t)
    if (t != 1) adds.grad_bf16[t] = grad_bf16[t].data(), adds.grad[t] = grad[t].data(), adds.n[t] = sizes[t];
  REQUIRE(k::add_bf16_grads(adds, nullptr) == nullptr);
  for (std::size_t t = 0; t < sizes.size(); ++t) {
    CAPTURE(t);
    int wrong_cast = 0, wrong_grad = 0;
    for (std::size_t i = 0; i < cast[t].size(); ++i) {
      wrong_cast += cast[t][i].x != __float2bfloat16(weight[t][i]).x;
      wrong_grad += grad[t][i] != want[t][i];
    }
    CHECK(wrong_cast == 0);
    CHECK(wrong_grad == 0);
    CHECK((cast[t].guards_intact() && grad[t].guards_intact()));
  }
  CHECK(k::cast_weights_bf16(k::WeightCasts{}, nullptr) != nullptr);  // no tensors
}
