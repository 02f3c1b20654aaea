// The first convolution's kernel (runtime/exec/cuda/kernels.cu: first_conv_forward, float32 or
// bfloat16 out, with or without the im2col matrix the weight's gradient is a GEMM on) on the
// CPU, in this folder's emulation, against direct convolutions in float64 on the same
// operands. This checks, on every machine, what a GPU cannot show: the taps' indexing through
// any strides, the im2col rows and their zero padding, shared memory's bounds (AddressSanitizer,
// where the build has it), barriers (threads run in three orders), reads of what no thread
// wrote (NaN-filled memory) and writes outside the outputs (guard zones). Speed, and what the
// hardware rounds differently, the GPU tests check (tests/exec/fused_kernels_test.cc).
#include <catch2/catch.hpp>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <type_traits>

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
// case's layouts, with the strides the kernel is given.
struct Operands {
  k::FirstConv c{};
  Guarded<float> x, weight;
  Operands(const Case& t, bool round_bf16)
      : x(static_cast<std::size_t>(t.n * t.ci * t.h * t.w)), weight(static_cast<std::size_t>(t.co * t.ci * 9)) {
    c.n = t.n, c.ci = t.ci, c.h = t.h, c.w = t.w, c.co = t.co, c.round_bf16 = round_bf16;
    const std::int64_t xs[4] = {t.ci * t.h * t.w, t.h * t.w, t.w, 1}, xs_cl[4] = {t.h * t.w * t.ci, 1, t.w * t.ci, t.ci};
    const std::int64_t ws[4] = {t.ci * 9, 9, 3, 1}, ws_cl[4] = {9 * t.ci, 1, 3 * t.ci, t.ci};
    for (int d = 0; d < 4; ++d)
      c.x_strides[d] = t.channels_last_x ? xs_cl[d] : xs[d], c.w_strides[d] = t.channels_last_w ? ws_cl[d] : ws[d];
    std::mt19937 rng(static_cast<unsigned>(t.n * 1000003 + t.h * 1009 + t.w * 101 + t.ci * 7 + t.co));
    std::normal_distribution<float> normal(0.f, 1.f);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = normal(rng);
    for (std::size_t i = 0; i < weight.size(); ++i) weight[i] = normal(rng) * 0.3f;
  }
  float operand(float v) const { return c.round_bf16 ? rounded(v) : v; }
  // Tap (i, r, s) of output pixel p as the product sees it (0 in the padding), and weight (o, i, r, s).
  float tap(std::int64_t p, std::int64_t i, int r, int s) const {
    const std::int64_t b = p / (c.h * c.w), y = p / c.w % c.h + r - 1, x_ = p % c.w + s - 1;
    if (y < 0 || y >= c.h || x_ < 0 || x_ >= c.w) return 0;
    return operand(x.data()[b * c.x_strides[0] + i * c.x_strides[1] + y * c.x_strides[2] + x_ * c.x_strides[3]]);
  }
  double w(std::int64_t o, std::int64_t i, int r, int s) const {
    return operand(weight.data()[o * c.w_strides[0] + i * c.w_strides[1] + r * c.w_strides[2] + s * c.w_strides[3]]);
  }
};

template <typename T>
double value(T v) {
  if constexpr (std::is_same_v<T, bf16>) return __bfloat162float(v);
  else return v;
}

// y (and cols, `with_cols`) of one call against the direct convolution and the taps.
template <typename T>
void check_forward(const Case& t, bool with_cols) {
  constexpr bool is_bf16 = std::is_same_v<T, bf16>;
  CAPTURE(t.n, t.h, t.w, t.ci, t.co, t.channels_last_x, t.channels_last_w, t.order, is_bf16, with_cols);
  emu::set_order(t.order);
  const Operands op(t, is_bf16);
  const std::int64_t pixels = t.n * t.h * t.w, width = k::first_conv_cols_width(t.ci);
  Guarded<T> y(static_cast<std::size_t>(pixels * t.co)), cols(static_cast<std::size_t>(pixels * width));
  REQUIRE(k::first_conv_forward(is_bf16 ? k::Dtype::bf16 : k::Dtype::f32, op.x.data(), op.weight.data(), op.c, y.data(),
                                with_cols ? cols.data() : nullptr, nullptr) == nullptr);
  int wrong = 0, wrong_cols = 0;
  for (std::int64_t p = 0; p < pixels; ++p) {
    for (std::int64_t o = 0; o < t.co; ++o) {
      double want = 0, scale = 0;
      for (std::int64_t i = 0; i < t.ci; ++i)
        for (int r = 0; r < 3; ++r)
          for (int s = 0; s < 3; ++s) want += op.tap(p, i, r, s) * op.w(o, i, r, s), scale += std::fabs(op.tap(p, i, r, s) * op.w(o, i, r, s));
      const double got = value(y[static_cast<std::size_t>(p * t.co + o)]);
      // float32 sums (a few units of 2^-24 of the summed magnitudes), then, for bfloat16, rounded
      // once (half a unit: 2^-9 of the value)
      if (!(std::fabs(got - want) <= (is_bf16 ? std::fabs(want) / 256 : 0) + scale * 1e-6)) ++wrong;
    }
    if (!with_cols) continue;
    for (std::int64_t k = 0; k < width; ++k) {  // the taps in the weight's (ci, kh, kw) order, then zeros: exactly
      const double want = k < 9 * t.ci ? op.tap(p, k / 9, static_cast<int>(k % 9 / 3), static_cast<int>(k % 3)) : 0.0;
      if (value(cols[static_cast<std::size_t>(p * width + k)]) != want) ++wrong_cols;
    }
  }
  CHECK(wrong == 0);
  CHECK(wrong_cols == 0);
  CHECK(y.guards_intact());
  CHECK(cols.guards_intact());  // (untouched without cols)
}

const std::vector<Case> kCases = {
    {3, 5, 7, 3, 32},                // 105 pixels: the last block part empty
    {2, 16, 16, 3, 16, true},        // x channels-last
    {1, 9, 9, 4, 64, false, true},   // four channels (36 taps, 40 columns), the weight channels-last
    {2, 8, 8, 1, 48, true, true},    // one channel (9 taps, 16 columns)
    {2, 6, 6, 2, 24, false, false, 1},
    {3, 5, 7, 3, 8, false, false, 2},
    {4, 32, 32, 3, 32},              // CIFAR's first layer on 4 images: 4,096 pixels over 16 blocks
};

}  // namespace

TEST_CASE("first_conv: the float32 forward and its im2col matrix are the direct convolution's", "[cuda_emu]") {
  for (const Case& t : kCases) check_forward<float>(t, true);
  check_forward<float>(kCases[0], false);
}

TEST_CASE("first_conv: the bfloat16 forward on rounded operands, and its im2col matrix", "[cuda_emu]") {
  for (const Case& t : kCases) check_forward<bf16>(t, true);
  for (const Case& t : kCases) check_forward<bf16>(t, false);  // as in evaluation: no weight gradient, no matrix
}

TEST_CASE("first_conv: what the kernel does not take is refused", "[cuda_emu]") {
  emu::set_order(0);
  // 12 and 72 outputs, 5 inputs, none (the kernel's rule is runtime/kernel_shapes.h's, the plan's)
  for (const Case t : {Case{1, 4, 4, 3, 12}, Case{1, 4, 4, 5, 16}, Case{1, 4, 4, 3, 72}, Case{1, 4, 4, 0, 16}}) {
    CAPTURE(t.ci, t.co);
    const Operands op(t, false);
    Guarded<float> y(static_cast<std::size_t>(16 * t.co));
    CHECK(k::first_conv_forward(k::Dtype::f32, op.x.data(), op.weight.data(), op.c, y.data(), nullptr, nullptr) != nullptr);
    CHECK(y.guards_intact());
  }
}
