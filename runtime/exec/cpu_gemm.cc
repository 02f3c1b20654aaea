// No FMA contraction anywhere in this file: a fused multiply-add rounds once where the
// reference BLAS rounds twice, and pipe promises the same bits as LibTorch's at::mm here.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "runtime/exec/cpu_gemm.h"

#include <cstring>
#include <vector>

namespace pipeml::cpu {
namespace {

// 16 floats: one AVX-512 register, two AVX2 ones or four SSE ones, depending on the clone.
typedef float v16 __attribute__((vector_size(64)));
constexpr std::int64_t kLanes = 16;
constexpr std::int64_t kRows = 8;  // rows of C per tile: 8 independent sums hide the add latency

// Vectors go by reference: passed by value, a 64-byte vector would have a different calling
// convention in each clone (GCC warns so), even though these are always inlined.
#define PIPE_INLINE inline __attribute__((always_inline))

PIPE_INLINE void load(v16& v, const float* p) { std::memcpy(&v, p, sizeof v); }
PIPE_INLINE void store(float* p, const v16& v) { std::memcpy(p, &v, sizeof v); }

// Columns [n0, n0 + 16) of rows [m0, m0 + rows), rows <= kRows. B points at a row-major
// K x 16 panel (the caller's B, or a zero-padded copy for the last partial panel).
template <int rows>
PIPE_INLINE void tile(std::int64_t m0, std::int64_t K, const float* A, std::int64_t a_row, std::int64_t a_col,
                      const float* B, std::int64_t ldb, float* C, std::int64_t ldc, std::int64_t width) {
  v16 acc[rows];
  for (int r = 0; r < rows; ++r) acc[r] = v16{};
  for (std::int64_t k = 0; k < K; ++k) {
    v16 b;
    load(b, B + k * ldb);
    for (int r = 0; r < rows; ++r) {
      const v16 prod = A[(m0 + r) * a_row + k * a_col] * b;
      acc[r] = acc[r] + prod;
    }
  }
  for (int r = 0; r < rows; ++r) {
    if (width == kLanes) {
      store(C + (m0 + r) * ldc, acc[r]);
    } else {
      float tmp[kLanes];
      store(tmp, acc[r]);
      std::memcpy(C + (m0 + r) * ldc, tmp, width * sizeof(float));
    }
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void gemm_impl(
    std::int64_t M, std::int64_t N, std::int64_t K, const float* A, std::int64_t a_row, std::int64_t a_col,
    const float* B, std::int64_t ldb, float* C, std::int64_t ldc, float* panel) {
  for (std::int64_t n0 = 0; n0 < N; n0 += kLanes) {
    const std::int64_t width = N - n0 < kLanes ? N - n0 : kLanes;
    const float* Bp = B + n0;
    std::int64_t ldp = ldb;
    if (width < kLanes) {  // the last, partial panel: copy it zero-padded to full width
      for (std::int64_t k = 0; k < K; ++k) {
        std::memset(panel + k * kLanes, 0, kLanes * sizeof(float));
        std::memcpy(panel + k * kLanes, B + k * ldb + n0, width * sizeof(float));
      }
      Bp = panel;
      ldp = kLanes;
    }
    std::int64_t m0 = 0;
    for (; m0 + kRows <= M; m0 += kRows) tile<kRows>(m0, K, A, a_row, a_col, Bp, ldp, C + n0, ldc, width);
    for (; m0 < M; ++m0) tile<1>(m0, K, A, a_row, a_col, Bp, ldp, C + n0, ldc, width);
  }
}

}  // namespace

void gemm(std::int64_t M, std::int64_t N, std::int64_t K, const float* A, std::int64_t a_row, std::int64_t a_col,
          const float* B, std::int64_t ldb, float* C, std::int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (std::int64_t m = 0; m < M; ++m) std::memset(C + m * ldc, 0, N * sizeof(float));
    return;
  }
  // Scratch for a zero-padded partial panel, only when N is not a multiple of 16.
  thread_local std::vector<float> panel;
  if (N % kLanes && static_cast<std::int64_t>(panel.size()) < K * kLanes) panel.resize(K * kLanes);
  gemm_impl(M, N, K, A, a_row, a_col, B, ldb, C, ldc, panel.data());
}

void transpose(std::int64_t rows, std::int64_t cols, const float* in, float* out) {
  constexpr std::int64_t kBlock = 32;  // cache-sized blocks: both sides stay in L1
  for (std::int64_t r0 = 0; r0 < rows; r0 += kBlock)
    for (std::int64_t c0 = 0; c0 < cols; c0 += kBlock)
      for (std::int64_t r = r0; r < rows && r < r0 + kBlock; ++r)
        for (std::int64_t c = c0; c < cols && c < c0 + kBlock; ++c) out[c * rows + r] = in[r * cols + c];
}

}  // namespace pipeml::cpu
