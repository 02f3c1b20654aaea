// bfloat16 (__nv_bfloat16) for tests/cuda_emu/, as cuda_bf16.h has it: conversions from float
// round to nearest even, as the GPU rounds.
#pragma once
#include <cstdint>
#include <cstring>
struct __nv_bfloat16;
inline __nv_bfloat16 __float2bfloat16(float f);
inline float __bfloat162float(__nv_bfloat16 h);
struct __nv_bfloat16 {
  unsigned short x;
  __nv_bfloat16() = default;
  __nv_bfloat16(float f);  // as CUDA's: round to nearest even
  operator float() const;
};
inline __nv_bfloat16 __float2bfloat16(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  __nv_bfloat16 h;
  if ((u & 0x7fffffffu) > 0x7f800000u) {
    h.x = 0x7fc0;
    return h;
  }
  u += 0x7fffu + ((u >> 16) & 1u);
  h.x = static_cast<unsigned short>(u >> 16);
  return h;
}
inline float __bfloat162float(__nv_bfloat16 h) {
  const std::uint32_t u = static_cast<std::uint32_t>(h.x) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
inline __nv_bfloat16::__nv_bfloat16(float f) : x(__float2bfloat16(f).x) {}
inline __nv_bfloat16::operator float() const { return __bfloat162float(*this); }
