// The linear head's kernels (runtime/exec/cuda/linear_head.cu: flatten → linear on an NHWC
// activation, forward and backward) on the CPU, in this folder's emulation, against float64
// products on the same operands (the weight rounded to bfloat16 where x is bfloat16, as
// autocast rounds it): the columns' mapping from the weight's (c, h, w) order to x's (h, w, c),
// the per-output sums kept in registers up to 16, 32 and 64 outputs, the warps' sums, rows and
// columns that are not a multiple of anything, and nothing read or written outside.
#include <catch2/catch.hpp>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "runtime/exec/cuda/kernels.h"
#include "tests/cuda_emu/emu_support.h"

namespace k = pipeml::cuda_kernels;
using emutest::bf16;
using emutest::Guarded;
using emutest::rounded;

namespace {

struct HeadCase {
  std::int64_t n, c, h, w, o;
  bool bias;
};

template <typename T>
float as_float(T v) {
  return static_cast<float>(v);
}

// Runs both directions for T (float or bf16) and compares with float64 sums.
template <typename T>
void check_head(const HeadCase& t, int order) {
  CAPTURE(t.n, t.c, t.h, t.w, t.o, t.bias, order, sizeof(T));
  emu::set_order(order);
  const bool bf16_ops = sizeof(T) == 2;
  const std::int64_t cols = t.c * t.h * t.w;
  std::mt19937 rng(static_cast<unsigned>(t.n * 7919 + cols * 31 + t.o));
  std::normal_distribution<float> normal(0.f, 1.f);
  Guarded<T> x(static_cast<std::size_t>(t.n * cols)), out(static_cast<std::size_t>(t.n * t.o)),
      g(static_cast<std::size_t>(t.n * t.o)), grad_x(static_cast<std::size_t>(t.n * cols));
  Guarded<float> weight(static_cast<std::size_t>(t.o * cols)), bias(static_cast<std::size_t>(t.o)),
      grad_w(static_cast<std::size_t>(t.o * cols)), grad_b(static_cast<std::size_t>(t.o));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(normal(rng));
  for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<T>(normal(rng));
  for (std::size_t i = 0; i < weight.size(); ++i) weight[i] = normal(rng) * 0.1f, grad_w[i] = 0.5f;
  for (std::size_t i = 0; i < bias.size(); ++i) bias[i] = normal(rng), grad_b[i] = 0.25f;
  const auto operand = [&](float v) -> double { return bf16_ops ? rounded(v) : v; };
  // x's row r, column j (NHWC: position j / c, channel j % c) meets the weight's column
  // (j % c) * h * w + j / c.
  const auto weight_at = [&](std::int64_t o, std::int64_t j) {
    return operand(weight[static_cast<std::size_t>(o * cols + j % t.c * (t.h * t.w) + j / t.c)]);
  };
  const k::LinearHead s{t.n, t.h, t.w, t.c, t.o};
  const k::Dtype dtype = bf16_ops ? k::Dtype::bf16 : k::Dtype::f32;
  REQUIRE(k::linear_head_forward(dtype, x.data(), weight.data(), t.bias ? bias.data() : nullptr, s, out.data(), nullptr) ==
          nullptr);
  REQUIRE(k::linear_head_backward(dtype, x.data(), weight.data(), g.data(), s, grad_x.data(), grad_w.data(),
                                  t.bias ? grad_b.data() : nullptr, nullptr) == nullptr);
  // float32 sums of up to a few thousand products: a relative 1e-5 of the row's magnitude; a
  // bfloat16 output is rounded once more (2^-8).
  const double rounding = bf16_ops ? 1.0 / 256 : 1e-5;
  int wrong_out = 0, wrong_x = 0, wrong_w = 0, wrong_b = 0;
  for (std::int64_t r = 0; r < t.n; ++r)
    for (std::int64_t o = 0; o < t.o; ++o) {
      double want = t.bias ? operand(bias[static_cast<std::size_t>(o)]) : 0.0, scale = std::abs(want);
      for (std::int64_t j = 0; j < cols; ++j) {
        const double p = as_float(x[static_cast<std::size_t>(r * cols + j)]) * weight_at(o, j);
        want += p, scale += std::abs(p);
      }
      wrong_out += !(std::abs(as_float(out[static_cast<std::size_t>(r * t.o + o)]) - want) <= rounding * scale + 1e-6);
    }
  for (std::int64_t r = 0; r < t.n; ++r)
    for (std::int64_t j = 0; j < cols; ++j) {
      double want = 0, scale = 0;
      for (std::int64_t o = 0; o < t.o; ++o) {
        const double p = as_float(g[static_cast<std::size_t>(r * t.o + o)]) * weight_at(o, j);
        want += p, scale += std::abs(p);
      }
      wrong_x += !(std::abs(as_float(grad_x[static_cast<std::size_t>(r * cols + j)]) - want) <= rounding * scale + 1e-6);
    }
  for (std::int64_t o = 0; o < t.o; ++o) {
    double bsum = 0.25, bscale = 0.25;
    for (std::int64_t r = 0; r < t.n; ++r) {
      const double v = as_float(g[static_cast<std::size_t>(r * t.o + o)]);
      bsum += v, bscale += std::abs(v);
    }
    if (t.bias) wrong_b += !(std::abs(grad_b[static_cast<std::size_t>(o)] - bsum) <= 1e-5 * bscale);
    for (std::int64_t j = 0; j < cols; ++j) {  // j in x's order; grad_w in the weight's
      double want = 0.5, scale = 0.5;
      for (std::int64_t r = 0; r < t.n; ++r) {
        const double p = as_float(g[static_cast<std::size_t>(r * t.o + o)]) * as_float(x[static_cast<std::size_t>(r * cols + j)]);
        want += p, scale += std::abs(p);
      }
      const float got = grad_w[static_cast<std::size_t>(o * cols + j % t.c * (t.h * t.w) + j / t.c)];
      wrong_w += !(std::abs(got - want) <= 1e-5 * scale);
    }
  }
  CHECK(wrong_out == 0);
  CHECK(wrong_x == 0);
  CHECK(wrong_w == 0);
  CHECK(wrong_b == 0);
  CHECK((x.guards_intact() && out.guards_intact() && grad_x.guards_intact() && grad_w.guards_intact() &&
         grad_b.guards_intact() && weight.guards_intact()));
  if (!t.bias) CHECK(grad_b[0] == 0.25f);  // no bias: its .grad untouched
}

}  // namespace

TEST_CASE("linear_head: flatten then linear on NHWC, forward and backward, against float64", "[cuda_emu]") {
  // CIFAR's head (a smaller batch); a ragged one (rows and columns multiples of nothing, one
  // output); 40 and 64 outputs (the 64-sum instantiation), 20 (the 32-sum one).
  const std::vector<HeadCase> cases{{6, 128, 4, 4, 10, true}, {5, 6, 3, 5, 1, false}, {3, 8, 2, 2, 40, true},
                                    {4, 16, 3, 3, 20, false}, {2, 24, 1, 1, 64, true}};
  int order = 0;
  for (const HeadCase& t : cases) {
    check_head<float>(t, order % 3);
    check_head<bf16>(t, (order + 1) % 3);
    ++order;
  }
}

TEST_CASE("linear_head: shapes the kernels do not take are refused", "[cuda_emu]") {
  Guarded<float> buf(64);
  const k::LinearHead too_many{1, 1, 1, 1, k::kLinearHeadMaxOut + 1}, empty{0, 1, 1, 1, 1};
  CHECK(k::linear_head_forward(k::Dtype::f32, buf.data(), buf.data(), nullptr, too_many, buf.data(), nullptr) != nullptr);
  CHECK(k::linear_head_forward(k::Dtype::f32, buf.data(), buf.data(), nullptr, empty, buf.data(), nullptr) != nullptr);
}
