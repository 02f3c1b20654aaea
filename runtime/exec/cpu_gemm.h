// Small dense matrix products for the CPU training engine, summed in a fixed order.
#pragma once
#include <cstdint>

namespace pipeml::cpu {

/// C[m][n] = sum over k = 0, 1, ..., K-1 of A(m, k) * B[k][n], for m < M, n < N, where
/// A(m, k) = A[m * a_row + k * a_col] (any strides: a transpose is free) and B and C are
/// row-major with row strides ldb and ldc. Each element is summed from 0 in order of k with
/// every product and sum rounded to float, never fused into an FMA: the rounding of the
/// reference BLAS that Debian's LibTorch calls, so results match at::mm bit for bit there.
/// Vectorised across n (AVX-512, AVX2 or SSE, picked at load time).
void gemm(std::int64_t M, std::int64_t N, std::int64_t K, const float* A, std::int64_t a_row, std::int64_t a_col,
          const float* B, std::int64_t ldb, float* C, std::int64_t ldc);

/// out[c][r] = in[r][c] for a row-major rows x cols matrix.
void transpose(std::int64_t rows, std::int64_t cols, const float* in, float* out);

}  // namespace pipeml::cpu
