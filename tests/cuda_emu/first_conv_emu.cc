// The first convolution's tensor-core kernels (runtime/exec/cuda/first_conv_mma.cu: the
// bfloat16 forward and the weight gradient into .grad) on the CPU, in this folder's emulation,
// against direct convolutions in float64 on the same bfloat16 operands. This checks, on every
// machine, what a GPU cannot show: the taps' and tiles' indexing, each WMMA pointer's
// alignment, shared memory's bounds (AddressSanitizer, where the build has it), barriers
// (threads run in three orders), the last block's addition and the scratch it leaves zero,
// reads of what no thread wrote (NaN-filled memory) and writes outside the outputs (guard
// zones). Speed, and what the hardware rounds differently, the GPU tests check
// (tests/exec/fused_kernels_test.cc).
#include <catch2/catch.hpp>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "runtime/exec/cuda/first_conv.cuh"
#include "runtime/exec/cuda/kernels.h"
#include "tests/cuda_emu/emu_support.h"

namespace k = pipeml::cuda_kernels;
using emutest::bf16;
using emutest::Guarded;
using emutest::rounded;

namespace {

struct Case {
  std::int64_t n, h, w, ci, co;
  bool channels_last_x = false, channels_last_w = false;
  int order = 0;  // emu::set_order
};

// A first convolution's operands: x float32 [n, ci, h, w] and weight [co, ci, 3, 3], in the
// case's layouts, with the strides the kernels are given.
struct Operands {
  k::FirstConv c{};
  Guarded<float> x, weight;
  explicit Operands(const Case& t)
      : x(static_cast<std::size_t>(t.n * t.ci * t.h * t.w)), weight(static_cast<std::size_t>(t.co * t.ci * 9)) {
    c.n = t.n, c.ci = t.ci, c.h = t.h, c.w = t.w, c.co = t.co, c.round_bf16 = true;
    const std::int64_t xs[4] = {t.ci * t.h * t.w, t.h * t.w, t.w, 1}, xs_cl[4] = {t.h * t.w * t.ci, 1, t.w * t.ci, t.ci};
    const std::int64_t ws[4] = {t.ci * 9, 9, 3, 1}, ws_cl[4] = {9 * t.ci, 1, 3 * t.ci, t.ci};
    for (int d = 0; d < 4; ++d)
      c.x_strides[d] = t.channels_last_x ? xs_cl[d] : xs[d], c.w_strides[d] = t.channels_last_w ? ws_cl[d] : ws[d];
    std::mt19937 rng(static_cast<unsigned>(t.n * 1000003 + t.h * 1009 + t.w * 101 + t.ci * 7 + t.co));
    std::normal_distribution<float> normal(0.f, 1.f);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = normal(rng);
    for (std::size_t i = 0; i < weight.size(); ++i) weight[i] = normal(rng) * 0.3f;
  }
  // Tap (i, r, s) of output pixel p as the product sees it (0 in the padding), and weight (o, i, r, s).
  double tap(std::int64_t p, std::int64_t i, int r, int s) const {
    const std::int64_t b = p / (c.h * c.w), y = p / c.w % c.h + r - 1, x_ = p % c.w + s - 1;
    if (y < 0 || y >= c.h || x_ < 0 || x_ >= c.w) return 0;
    return rounded(x.data()[b * c.x_strides[0] + i * c.x_strides[1] + y * c.x_strides[2] + x_ * c.x_strides[3]]);
  }
  double w(std::int64_t o, std::int64_t i, int r, int s) const {
    return rounded(weight.data()[o * c.w_strides[0] + i * c.w_strides[1] + r * c.w_strides[2] + s * c.w_strides[3]]);
  }
};

void check_forward(const Case& t) {
  CAPTURE(t.n, t.h, t.w, t.ci, t.co, t.channels_last_x, t.channels_last_w, t.order);
  emu::set_order(t.order);
  Operands op(t);
  const std::int64_t pixels = t.n * t.h * t.w;
  Guarded<bf16> y(static_cast<std::size_t>(pixels * t.co));
  REQUIRE(k::first_conv_mma_available());  // (the emulation's kernels are compute capability 9.0's)
  REQUIRE(k::first_conv_forward_mma(op.x.data(), op.weight.data(), op.c, y.data(), nullptr) == nullptr);
  int wrong = 0;
  for (std::int64_t p = 0; p < pixels; ++p)
    for (std::int64_t o = 0; o < t.co; ++o) {
      double want = 0, scale = 0;
      for (std::int64_t i = 0; i < t.ci; ++i)
        for (int r = 0; r < 3; ++r)
          for (int s = 0; s < 3; ++s) want += op.tap(p, i, r, s) * op.w(o, i, r, s), scale += std::fabs(op.tap(p, i, r, s) * op.w(o, i, r, s));
      const double got = __bfloat162float(y[static_cast<std::size_t>(p * t.co + o)]);
      // float32 sums, then rounded to bfloat16 once (half a unit: 2^-9 of the value)
      if (!(std::fabs(got - want) <= std::fabs(want) / 256 + scale * 1e-6)) ++wrong;
    }
  CHECK(wrong == 0);
  CHECK(y.guards_intact());
}

void check_weight_grad(const Case& t) {
  CAPTURE(t.n, t.h, t.w, t.ci, t.co, t.channels_last_x, t.channels_last_w, t.order);
  emu::set_order(t.order);
  Operands op(t);
  const std::int64_t pixels = t.n * t.h * t.w, weights = t.co * t.ci * 9;
  std::mt19937 rng(static_cast<unsigned>(pixels + t.co));
  std::normal_distribution<float> normal(0.f, 1.f);
  Guarded<bf16> g(static_cast<std::size_t>(pixels * t.co));  // NHWC [pixel, co]
  for (std::size_t i = 0; i < g.size(); ++i) g[i] = __float2bfloat16(normal(rng));
  // .grad holds an earlier gradient, in the weight's layout (the strides the kernel is given).
  Guarded<float> grad(static_cast<std::size_t>(weights));
  std::vector<float> before(grad.size());
  for (std::size_t i = 0; i < grad.size(); ++i) grad[i] = before[i] = normal(rng);
  k::WeightGrad target{grad.data(), {}};
  for (int d = 0; d < 4; ++d) target.strides[d] = op.c.w_strides[d];
  Guarded<double> scratch(static_cast<std::size_t>(k::first_conv_grad_scratch(t.co, t.ci)));
  for (std::size_t i = 0; i < scratch.size(); ++i) scratch[i] = 0;

  std::vector<double> want(grad.size()), scale(grad.size());
  for (std::int64_t o = 0; o < t.co; ++o)
    for (std::int64_t i = 0; i < t.ci; ++i)
      for (int r = 0; r < 3; ++r)
        for (int s = 0; s < 3; ++s) {
          double sum = 0, abs = 0;
          for (std::int64_t p = 0; p < pixels; ++p) {
            const double term = __bfloat162float(g[static_cast<std::size_t>(p * t.co + o)]) * op.tap(p, i, r, s);
            sum += term, abs += std::fabs(term);
          }
          const std::int64_t at = o * target.strides[0] + i * target.strides[1] + r * target.strides[2] + s * target.strides[3];
          want[static_cast<std::size_t>(at)] = sum, scale[static_cast<std::size_t>(at)] = abs;
        }
  for (const int times : {1, 2}) {  // a second call adds again, from the scratch the first left zero
    CAPTURE(times);
    REQUIRE(k::first_conv_weight_grad(op.x.data(), g.data(), op.c, target, scratch.data(), nullptr) == nullptr);
    int wrong = 0;
    for (std::size_t e = 0; e < grad.size(); ++e) {
      const double expected = before[e] + times * want[e];
      // products of bfloat16 values are exact in float32; their float32 sums err by a few units of
      // 2^-24 of the summed magnitudes
      if (!(std::fabs(grad[e] - expected) <= 1e-6 * (times * scale[e] + std::fabs(before[e])) + 1e-6)) ++wrong;
    }
    CHECK(wrong == 0);
    int left = 0;
    for (std::size_t i = 0; i < scratch.size(); ++i) left += scratch[i] != 0;
    CHECK(left == 0);
  }
  CHECK(grad.guards_intact());
  CHECK(scratch.guards_intact());
}

const std::vector<Case> kCases = {
    {3, 5, 7, 3, 32},                // 105 pixels: the last pass of 32 half empty
    {2, 16, 16, 3, 16, true},        // x channels-last
    {1, 9, 9, 4, 64, false, true},   // four channels (48 taps: three tiles), the weight channels-last
    {2, 8, 8, 1, 48, true, true},    // one channel (one tile of taps)
    {2, 6, 6, 2, 32, false, false, 1},
    {3, 5, 7, 3, 32, false, false, 2},
    {8, 32, 32, 3, 32},              // CIFAR's first layer on 8 images: 256 passes, 64 gradient blocks
};

}  // namespace

TEST_CASE("first_conv_mma: the bfloat16 forward on tensor cores is the direct convolution", "[cuda_emu]") {
  for (const Case& t : kCases) check_forward(t);
}

TEST_CASE("first_conv_mma: the weight gradient adds the direct one into .grad and leaves its scratch zero", "[cuda_emu]") {
  for (const Case& t : kCases) check_weight_grad(t);
}

TEST_CASE("first_conv_mma: what the kernels do not take is refused", "[cuda_emu]") {
  emu::set_order(0);
  Case t{1, 4, 4, 3, 24};  // 24 output channels: not whole 16-wide tiles
  Operands op(t);
  Guarded<bf16> y(16 * 24);
  CHECK(k::first_conv_forward_mma(op.x.data(), op.weight.data(), op.c, y.data(), nullptr) != nullptr);
  op.c.co = 32, op.c.round_bf16 = false;  // float32 operands: the plain kernel's
  CHECK(k::first_conv_forward_mma(op.x.data(), op.weight.data(), op.c, y.data(), nullptr) != nullptr);
  CHECK(k::first_conv_weight_grad(op.x.data(), y.data(), op.c, k::WeightGrad{}, nullptr, nullptr) != nullptr);
}
