// Written from the MT19937 reference algorithm and the behaviour of numpy's legacy
// RandomState (mt19937 seeding by Knuth's linear recurrence, 53-bit doubles from two words,
// masked rejection for bounded integers); checked against numpy's own output by
// tests/ops/numpy_random_test.cc.
#include "runtime/numpy_random.h"

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "runtime/user_error.h"

namespace pipeml {
namespace {

constexpr int kN = 624;
constexpr int kM = 397;
constexpr std::uint32_t kMatrixA = 0x9908b0dfu;
constexpr std::uint32_t kUpper = 0x80000000u;
constexpr std::uint32_t kLower = 0x7fffffffu;

// The smallest all-ones bit mask covering `max`: the range masked rejection draws from.
std::uint64_t covering_mask(std::uint64_t max) {
  std::uint64_t m = max;
  m |= m >> 1;
  m |= m >> 2;
  m |= m >> 4;
  m |= m >> 8;
  m |= m >> 16;
  m |= m >> 32;
  return m;
}

}  // namespace

NumpyRandomState::NumpyRandomState(std::uint64_t seed) {
  if (seed > kMaxSeed)
    throw UserError("seed '" + std::to_string(seed) + "' is too large: numpy's RandomState takes seeds from 0 to " +
                    std::to_string(kMaxSeed));
  // An int seed goes through init_genrand (not init_by_array) in RandomState.
  std::uint32_t s = static_cast<std::uint32_t>(seed);
  for (int i = 0; i < kN; ++i) {
    key_[i] = s;
    s = 1812433253u * (s ^ (s >> 30)) + static_cast<std::uint32_t>(i + 1);
  }
  pos_ = kN;
}

void NumpyRandomState::regenerate() {
  auto twist = [](std::uint32_t a, std::uint32_t b, std::uint32_t far) {
    const std::uint32_t y = (a & kUpper) | (b & kLower);
    return far ^ (y >> 1) ^ ((0u - (y & 1u)) & kMatrixA);
  };
  int i = 0;
  for (; i < kN - kM; ++i) key_[i] = twist(key_[i], key_[i + 1], key_[i + kM]);
  for (; i < kN - 1; ++i) key_[i] = twist(key_[i], key_[i + 1], key_[i + kM - kN]);
  key_[kN - 1] = twist(key_[kN - 1], key_[0], key_[kM - 1]);
  pos_ = 0;
}

std::uint32_t NumpyRandomState::next32() {
  if (pos_ == kN) regenerate();
  std::uint32_t y = key_[pos_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

std::uint64_t NumpyRandomState::next64() {
  const std::uint64_t high = next32();
  return (high << 32) | next32();
}

double NumpyRandomState::random_sample() {
  const std::uint32_t a = next32() >> 5, b = next32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double NumpyRandomState::uniform(double low, double high) { return low + (high - low) * random_sample(); }

std::vector<double> NumpyRandomState::uniform(double low, double high, std::size_t size) {
  std::vector<double> out(size);
  for (auto& v : out) v = uniform(low, high);
  return out;
}

std::int64_t NumpyRandomState::randint(std::int64_t low, std::int64_t high) { return randint(low, high, 1)[0]; }

std::vector<std::int64_t> NumpyRandomState::randint(std::int64_t low, std::int64_t high, std::size_t size) {
  if (low >= high) throw std::invalid_argument("randint: low >= high");
  std::vector<std::int64_t> out(size);
  // numpy draws on the closed range [low, high - 1] as unsigned offsets from low.
  const std::uint64_t range = static_cast<std::uint64_t>(high) - 1 - static_cast<std::uint64_t>(low);
  const std::uint64_t off = static_cast<std::uint64_t>(low);
  const std::uint64_t mask = covering_mask(range);
  for (auto& v : out) {
    std::uint64_t draw;
    if (range == 0) {
      draw = 0;  // numpy draws nothing for a one-value range
    } else if (range == 0xFFFFFFFFull) {
      draw = next32();
    } else if (range < 0xFFFFFFFFull) {
      // numpy's "buffered" 32-bit path keeps no bits between elements for 32-bit words:
      // every attempt is one fresh word.
      while ((draw = next32() & mask) > range) {
      }
    } else if (range == ~0ull) {
      draw = next64();
    } else {
      while ((draw = next64() & mask) > range) {
      }
    }
    v = static_cast<std::int64_t>(off + draw);
  }
  return out;
}

std::uint64_t NumpyRandomState::random_interval(std::uint64_t max) {
  if (max == 0) return 0;
  const std::uint64_t mask = covering_mask(max);
  std::uint64_t value;
  if (max <= 0xFFFFFFFFull) {
    while ((value = next32() & mask) > max) {
    }
  } else {
    while ((value = next64() & mask) > max) {
    }
  }
  return value;
}

std::vector<std::int64_t> NumpyRandomState::permutation(std::size_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), std::int64_t{0});
  shuffle(v);
  return v;
}

std::vector<std::int64_t> NumpyRandomState::choice_without_replacement(std::size_t pop, std::size_t size) {
  if (size > pop) throw std::invalid_argument("choice: cannot take a larger sample than population when replace=False");
  auto v = permutation(pop);
  v.resize(size);
  return v;
}

std::vector<std::int64_t> NumpyRandomState::choice_with_replacement(std::size_t pop, std::size_t size) {
  if (pop == 0) {
    if (size == 0) return {};
    throw std::invalid_argument("choice: a cannot be empty unless no samples are taken");
  }
  return randint(0, static_cast<std::int64_t>(pop), size);
}

double NumpyRandomState::standard_normal() {
  if (has_gauss_) {
    has_gauss_ = false;
    return gauss_;
  }
  double x1, x2, r2;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

double NumpyRandomState::standard_gamma(double shape) {
  if (shape == 1.0) return -std::log(1.0 - random_sample());  // the legacy exponential
  if (shape == 0.0) return 0.0;
  if (shape < 1.0) {
    for (;;) {
      const double u = random_sample();
      const double v = -std::log(1.0 - random_sample());
      if (u <= 1.0 - shape) {
        const double x = std::pow(u, 1.0 / shape);
        if (x <= v) return x;
      } else {
        const double y = -std::log((1.0 - u) / shape);
        const double x = std::pow(1.0 - shape + shape * y, 1.0 / shape);
        if (x <= v + y) return x;
      }
    }
  }
  const double b = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * b);
  for (;;) {
    double x, v;
    do {
      x = standard_normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = random_sample();
    if (u < 1.0 - 0.0331 * (x * x) * (x * x)) return b * v;
    if (std::log(u) < 0.5 * x * x + b * (1.0 - v + std::log(v))) return b * v;
  }
}

double NumpyRandomState::beta(double a, double b) {
  if (a <= 1.0 && b <= 1.0) {
    for (;;) {
      const double u = random_sample(), v = random_sample();
      const double x = std::pow(u, 1.0 / a), y = std::pow(v, 1.0 / b);
      if (x + y <= 1.0 && u + v > 0.0) {
        if (x + y > 0.0) return x / (x + y);
        // Both powers underflowed: the same ratio through logarithms.
        double log_x = std::log(u) / a, log_y = std::log(v) / b;
        const double log_m = log_x > log_y ? log_x : log_y;
        log_x -= log_m;
        log_y -= log_m;
        return std::exp(log_x - std::log(std::exp(log_x) + std::exp(log_y)));
      }
    }
  }
  const double ga = standard_gamma(a);
  const double gb = standard_gamma(b);
  return ga / (ga + gb);
}

}  // namespace pipeml
