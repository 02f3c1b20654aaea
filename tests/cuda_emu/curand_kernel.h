// curand's Philox4x32-10 generator (curandStatePhilox4_32_10_t, curand_init, curand4) on the
// CPU for tests/cuda_emu/: the Random123 algorithm curand documents (a 128-bit counter and a
// 64-bit key, ten rounds), with curand_init's subsequence and offset (a counter of four values
// per call, the offset's remainder the position in the first output). Only what the kernels
// use; the numbers' exact values are not compared with curand's.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

struct curandStatePhilox4_32_10_t {
  uint4 ctr, output;
  unsigned int key[2];
  int state;
};

namespace emu::philox {
inline void mulhilo(unsigned int a, unsigned int b, unsigned int& hi, unsigned int& lo) {
  const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<unsigned int>(p >> 32), lo = static_cast<unsigned int>(p);
}
inline uint4 ten_rounds(uint4 c, unsigned int k0, unsigned int k1) {
  for (int r = 0; r < 10; ++r) {
    unsigned int hi0, lo0, hi1, lo1;
    mulhilo(0xD2511F53u, c.x, hi0, lo0);
    mulhilo(0xCD9E8D57u, c.z, hi1, lo1);
    c = uint4{hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0};
    k0 += 0x9E3779B9u, k1 += 0xBB67AE85u;
  }
  return c;
}
// Adds n to the 128-bit counter's low 64 bits (x, y), carrying into z, w.
inline void add_low(uint4& c, std::uint64_t n) {
  const std::uint64_t low = (static_cast<std::uint64_t>(c.y) << 32 | c.x) + n;
  if (low < n && ++c.z == 0) ++c.w;
  c.x = static_cast<unsigned int>(low), c.y = static_cast<unsigned int>(low >> 32);
}
}  // namespace emu::philox

inline void curand_init(unsigned long long seed, unsigned long long subsequence, unsigned long long offset,
                        curandStatePhilox4_32_10_t* s) {
  s->ctr = uint4{0, 0, static_cast<unsigned int>(subsequence), static_cast<unsigned int>(subsequence >> 32)};
  s->key[0] = static_cast<unsigned int>(seed), s->key[1] = static_cast<unsigned int>(seed >> 32);
  emu::philox::add_low(s->ctr, offset / 4);
  s->state = static_cast<int>(offset % 4);
  s->output = emu::philox::ten_rounds(s->ctr, s->key[0], s->key[1]);
}

inline uint4 curand4(curandStatePhilox4_32_10_t* s) {
  const unsigned int o[4] = {s->output.x, s->output.y, s->output.z, s->output.w};
  emu::philox::add_low(s->ctr, 1);
  const uint4 next = emu::philox::ten_rounds(s->ctr, s->key[0], s->key[1]);
  const unsigned int n[4] = {next.x, next.y, next.z, next.w};
  unsigned int r[4];
  for (int i = 0; i < 4; ++i) r[i] = s->state + i < 4 ? o[s->state + i] : n[s->state + i - 4];
  s->output = next;
  return uint4{r[0], r[1], r[2], r[3]};
}
