#include "runtime/exec/cpu_dropout.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <vector>

#include "runtime/exec/torch_compat.h"

namespace pipeml::cpu {
namespace {

constexpr int kN = at::MERSENNE_STATE_N, kM = at::MERSENNE_STATE_M;

// 16 lanes of 32 bits: one AVX-512 register, two AVX2 or four SSE ones, per clone. Written
// out with vector types because -O2 does not vectorise these loops by itself.
typedef std::uint32_t u16v __attribute__((vector_size(64)));
constexpr int kLanes = 16;
// Vectors go by reference: passed by value, a 64-byte vector would have a different calling
// convention in each clone (GCC warns so), even though these are always inlined.
#define PIPE_INLINE inline __attribute__((always_inline))

PIPE_INLINE void load(u16v& v, const std::uint32_t* p) { std::memcpy(&v, p, sizeof v); }
PIPE_INLINE void store(std::uint32_t* p, const u16v& v) { std::memcpy(p, &v, sizeof v); }

// at::mt19937's twist: of word u's top bit and word v's low 31, shifted, xor MATRIX_A if v is odd.
template <typename T>
PIPE_INLINE void twisted(T& out, const T& u, const T& v) {
  out = (((u & at::UMASK) | (v & at::LMASK)) >> 1) ^ ((v & 1u) * at::MATRIX_A);
}

// s[i] = s[i + offset] ^ twist(s[i], s[i + 1]) for i in [begin, end), 16 words at a time.
// Lanes of 16 are safe: a block reads its own old words before writing them, and `offset`
// (+397, or -227) never reaches into the block being written.
PIPE_INLINE void twist_range(std::uint32_t* s, int begin, int end, int offset) {
  int i = begin;
  for (; i + kLanes <= end; i += kLanes) {
    u16v u, v, far, t;
    load(u, s + i);
    load(v, s + i + 1);
    load(far, s + i + offset);
    twisted(t, u, v);
    t ^= far;
    store(s + i, t);
  }
  for (; i < end; ++i) {
    std::uint32_t t;
    twisted(t, s[i], s[i + 1]);
    s[i] = s[i + offset] ^ t;
  }
}

// at::mt19937's next_state(): words 0..226 read only old words (i + 397, i + 1); words
// 227..622 read word i - 227, which is already new; the last wraps around to the new word 0.
__attribute__((target_clones("avx512f", "avx2", "default"))) void twist(std::uint32_t* s) {
  twist_range(s, 0, kN - kM, kM);
  twist_range(s, kN - kM, kN - 1, kM - kN);
  std::uint32_t t;
  twisted(t, s[kN - 1], s[0]);
  s[kN - 1] = s[kM - 1] ^ t;
}

template <typename T>
PIPE_INLINE void temper_word(T& y) {  // at::mt19937::operator()'s tempering
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void temper(const std::uint32_t* s, std::uint32_t* out,
                                                                        std::int64_t n) {
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    u16v y;
    load(y, s + i);
    temper_word(y);
    store(out + i, y);
  }
  for (; i < n; ++i) {
    std::uint32_t y = s[i];
    temper_word(y);
    out[i] = y;
  }
}

// n outputs of at::mt19937::operator(), in bulk, leaving `engine` where n calls would. A call
// decrements left_ and, on reaching 0, twists and restarts at word 0 with left_ = 624.
void generate(at::mt19937& engine, std::uint32_t* out, std::int64_t n) {
  at::mt19937_data_pod d = engine.data();
  while (n > 0) {
    if (d.left_ == 1) {
      twist(d.state_.data());
      d.left_ = kN + 1;
      d.next_ = 0;
    }
    const std::int64_t take = std::min<std::int64_t>(n, d.left_ - 1);
    temper(d.state_.data() + d.next_, out, take);
    d.next_ += static_cast<std::uint32_t>(take);
    d.left_ -= static_cast<int>(take);
    out += take;
    n -= take;
  }
  engine.set_data(d);
}

// Element i keeps when u < keep, u = (low 53 bits of (w[2i] << 32 | w[2i+1])) * 2^-53 as in
// at::uniform_real_distribution<double>; since the scaling is exact, that is the integer
// test bits < threshold = ceil(keep * 2^53), done here on the two 32-bit halves.
__attribute__((target_clones("avx512f", "avx2", "default"))) void select(const std::uint32_t* w, float* out,
                                                                        std::int64_t n, std::uint64_t threshold,
                                                                        float value) {
  const auto t_hi = static_cast<std::uint32_t>(threshold >> 32), t_lo = static_cast<std::uint32_t>(threshold);
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    u16v a, b;
    load(a, w + 2 * i);
    load(b, w + 2 * i + kLanes);
    const u16v even{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30};
    const u16v hi = __builtin_shuffle(a, b, even) & 0x1fffffu, lo = __builtin_shuffle(a, b, even + 1u);
    const u16v keep = (u16v)((hi < t_hi) | ((hi == t_hi) & (lo < t_lo)));  // lanes of all ones or zeros
    const u16v result = keep & bits;
    std::memcpy(out + i, &result, sizeof result);
  }
  for (; i < n; ++i) {
    const std::uint64_t b = (static_cast<std::uint64_t>(w[2 * i] & 0x1fffffu) << 32) | w[2 * i + 1];
    out[i] = b < threshold ? value : 0.0f;
  }
}

// ATen's CPU bernoulli_(keep) element by element, in memory order: random64() is two
// mt19937 outputs, high word first. The engine is copied out and back under the generator's
// lock, as ATen's kernel holds it.
void draw(float* out, std::int64_t n, double keep, float value, const at::Generator& gen) {
  thread_local std::vector<std::uint32_t> words;
  words.resize(2 * n);
  const auto threshold = static_cast<std::uint64_t>(std::ceil(std::ldexp(keep, 53)));
  auto* impl = at::check_generator<at::CPUGeneratorImpl>(gen);
  std::lock_guard<std::mutex> lock(impl->mutex_);
  at::mt19937 engine = impl->engine();
  generate(engine, words.data(), 2 * n);
  impl->set_engine(engine);
  select(words.data(), out, n, threshold, value);
}

}  // namespace

bool bernoulli_matches_aten() {
  static const bool matches = [] {
    at::Generator a = torch_compat::cpu_generator(20240531), b = torch_compat::cpu_generator(20240531);
    bool same = true;
    for (std::int64_t n : {1, 311, 312, 313, 4099}) {  // across twists and odd word counts
      at::Tensor expected = at::empty({n}, at::kFloat).bernoulli_(0.7, a).div_(0.7);
      at::Tensor mine = at::empty({n}, at::kFloat);
      draw(mine.data_ptr<float>(), n, 0.7, 1.0f / static_cast<float>(0.7), b);
      same = same && at::equal(expected, mine);
    }
    // Both generators must also be left in the same state.
    return same && at::equal(at::empty({64}, at::kLong).random_(a), at::empty({64}, at::kLong).random_(b));
  }();
  return matches;
}

void dropout_noise(at::Tensor& noise, double p, const at::Generator& gen) {
  const double keep = 1 - p;
  if (!bernoulli_matches_aten()) {
    noise.bernoulli_(keep, gen).div_(keep);
    return;
  }
  // div_(keep) on a float tensor divides by keep rounded to float: 1 -> 1/keep, 0 -> 0.
  draw(noise.data_ptr<float>(), noise.numel(), keep, 1.0f / static_cast<float>(keep), gen);
}

}  // namespace pipeml::cpu
