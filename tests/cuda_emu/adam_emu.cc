// Adam's and AdamW's fused step (runtime/exec/cuda/kernels.cu: adam_step) on the CPU, in this
// folder's emulation: every value as torch.optim's fused=True formula makes it in float32, the
// step count advanced once by the last block, its scratch left zero, and each gradient zeroed
// once read (the next step's zero_grad then has nothing to do: FlatOptimizer::zero_grad).
#include <catch2/catch.hpp>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "runtime/exec/cuda/kernels.h"
#include "tests/cuda_emu/emu_support.h"

namespace k = pipeml::cuda_kernels;
using emutest::Guarded;

TEST_CASE("adam_step: torch's fused formula on every value, the count advanced once, the gradients zeroed", "[cuda_emu]") {
  // 5,000 values: 20 blocks; 300,000: more than the 1,056 blocks' threads, so each loops.
  for (const std::int64_t n : {5000, 300000})
    for (const bool decoupled : {false, true})
      for (const bool amsgrad : {false, true}) {
        CAPTURE(n, decoupled, amsgrad);
        emu::set_order(n % 3 == 0 ? 1 : 0);
        std::mt19937 rng(static_cast<unsigned>(n + decoupled * 2 + amsgrad));
        std::normal_distribution<float> normal(0.f, 1.f);
        const auto size = static_cast<std::size_t>(n);
        Guarded<float> param(size), grad(size), m(size), v(size), vmax(size), lr(1), step(1);
        Guarded<unsigned int> arrived(1);
        for (std::size_t i = 0; i < size; ++i)
          param[i] = normal(rng), grad[i] = normal(rng), m[i] = normal(rng) * 0.1f, v[i] = std::fabs(normal(rng)) * 0.01f,
          vmax[i] = v[i] * 1.5f;
        lr[0] = 0.003f, step[0] = 4, arrived[0] = 0;
        const std::vector<float> p0(param.data(), param.data() + size), g0(grad.data(), grad.data() + size),
            m0(m.data(), m.data() + size), v0(v.data(), v.data() + size), vmax0(vmax.data(), vmax.data() + size);
        k::AdamStep a{param.data(), grad.data(), m.data(), v.data(), amsgrad ? vmax.data() : nullptr, lr.data(), step.data(),
                      arrived.data(), 0.9, 0.999, 0.01, 1e-8, decoupled, n};
        REQUIRE(k::adam_step(a, nullptr) == nullptr);
        // The step's scalars in double, as the kernel works them out; each value's update in float32.
        const double t = 5, rate = 0.003f;
        const auto step_size = static_cast<float>(rate / (1 - std::pow(0.9, t)));
        const auto bc2_sqrt = static_cast<float>(std::sqrt(1 - std::pow(0.999, t)));
        const float b1 = 0.9f, b2 = 0.999f, wd = 0.01f, eps = 1e-8f, lr32 = static_cast<float>(rate);
        int wrong = 0, nonzero = 0;
        for (std::size_t i = 0; i < size; ++i) {
          float p = p0[i], g = g0[i];
          if (decoupled) p -= lr32 * wd * p;
          else g += p * wd;
          const float mi = b1 * m0[i] + (1 - b1) * g, vi = b2 * v0[i] + (1 - b2) * g * g;
          const float second = amsgrad ? std::fmax(vmax0[i], vi) : vi;
          const float want = p - step_size * mi / (std::sqrt(second) / bc2_sqrt + eps);
          wrong += std::fabs(param[i] - want) > 1e-6f * std::fabs(want) + 1e-7f || m[i] != mi || v[i] != vi ||
                   (amsgrad && vmax[i] != second);
          nonzero += grad[i] != 0.f;
        }
        CHECK(wrong == 0);
        CHECK(nonzero == 0);
        CHECK(step[0] == 5.f);
        CHECK(arrived[0] == 0u);
        CHECK((param.guards_intact() && grad.guards_intact() && m.guards_intact() && v.guards_intact()));
      }
}
