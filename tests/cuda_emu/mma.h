// WMMA (nvcuda::wmma, 16x16x16, bfloat16 operands, float accumulators) emulated on the CPU for
// tests/cuda_emu/: every lane holds the whole tile (how a real fragment is spread over the
// lanes is unspecified, so correct code cannot depend on it); loads and stores check CUDA's
// rules (a 256-bit aligned pointer, a leading dimension of a multiple of 16 bytes); a store is
// done by lane 0 alone, so a lane that reads it without a __syncwarp reads stale data.
// Elements as a real fragment exposes them (x[num_elements]): an elementwise operation between
// fragments of one type, which share a layout, gives what it gives on the GPU.
#pragma once
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <type_traits>

namespace nvcuda {
namespace wmma {
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };

template <typename Use, int M, int N, int K, typename T, typename Layout = void>
struct fragment {
  static_assert(M == 16 && N == 16 && K == 16, "16x16x16 only");
  static constexpr int num_elements = 256;
  float x[256];  // the name a real fragment gives its elements
};
inline float to_float(float x) { return x; }
inline float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }
template <typename T>
void check(const T* p, unsigned ldm, const char* what) {
  if (reinterpret_cast<std::uintptr_t>(p) % 32) emu::fail(std::string(what) + ": pointer not 256-bit aligned");
  if ((ldm * sizeof(T)) % 16) emu::fail(std::string(what) + ": ldm not a multiple of 16 bytes");
}
template <typename Use, typename T, typename L>
void load_matrix_sync(fragment<Use, 16, 16, 16, T, L>& f, const T* p, unsigned ldm) {
  check(p, ldm, "load_matrix_sync");
  constexpr bool col = std::is_same<L, col_major>::value;
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) f.x[r * 16 + c] = to_float(col ? p[c * ldm + r] : p[r * ldm + c]);
}
inline void load_matrix_sync(fragment<accumulator, 16, 16, 16, float>& f, const float* p, unsigned ldm, layout_t l) {
  check(p, ldm, "load_matrix_sync");
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) f.x[r * 16 + c] = l == mem_col_major ? p[c * ldm + r] : p[r * ldm + c];
}
inline void store_matrix_sync(float* p, const fragment<accumulator, 16, 16, 16, float>& f, unsigned ldm, layout_t l) {
  check(p, ldm, "store_matrix_sync");
  if (emu::lane() != 0) return;
  for (int r = 0; r < 16; ++r)
    for (int c = 0; c < 16; ++c) (l == mem_col_major ? p[c * ldm + r] : p[r * ldm + c]) = f.x[r * 16 + c];
}
template <typename Use, typename T, typename L>
void fill_fragment(fragment<Use, 16, 16, 16, T, L>& f, float v) {
  for (float& e : f.x) e = v;
}
template <typename LA, typename LB>
void mma_sync(fragment<accumulator, 16, 16, 16, float>& d, const fragment<matrix_a, 16, 16, 16, __nv_bfloat16, LA>& a,
              const fragment<matrix_b, 16, 16, 16, __nv_bfloat16, LB>& b, const fragment<accumulator, 16, 16, 16, float>& c) {
  float out[256];
  for (int m = 0; m < 16; ++m) {
    float row[16];
    for (int n = 0; n < 16; ++n) row[n] = c.x[m * 16 + n];
    for (int k = 0; k < 16; ++k) {
      const float x = a.x[m * 16 + k];
      for (int n = 0; n < 16; ++n) row[n] += x * b.x[k * 16 + n];
    }
    for (int n = 0; n < 16; ++n) out[m * 16 + n] = row[n];
  }
  std::memcpy(d.x, out, sizeof out);
}
}  // namespace wmma
}  // namespace nvcuda
