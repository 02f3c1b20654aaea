// numpy's legacy numpy.random.RandomState, draw for draw, so that a random stage given an
// integer seed picks the same rows as scikit-learn / imbalanced-learn given the same
// random_state (they turn an int into RandomState(seed) through check_random_state).
// Only the methods those libraries' split and resampling code paths call are here. The legacy
// stream is frozen by numpy (identical since 1.16), so matching it once is enough.
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace pipeml {

/// MT19937 seeded as numpy.random.RandomState(seed) seeds it for an integer seed, with the
/// legacy RandomState ways of turning 32-bit words into doubles and bounded integers.
class NumpyRandomState {
 public:
  /// Largest seed numpy accepts for an integer seed (2**32 - 1).
  static constexpr std::uint64_t kMaxSeed = 0xFFFFFFFFull;

  /// RandomState(seed). Throws UserError when seed > 2**32 - 1, which numpy refuses too.
  explicit NumpyRandomState(std::uint64_t seed);

  /// The next tempered 32-bit MT19937 word.
  std::uint32_t next32();
  /// Two words, the first one drawn in the high half (as numpy's mt19937_next64).
  std::uint64_t next64();

  /// random_sample(): (a * 2**26 + b) / 2**53 with a, b the top 27 and 26 bits of two words.
  double random_sample();
  /// uniform(low, high): low + (high - low) * random_sample().
  double uniform(double low, double high);
  /// uniform(low, high, size): `size` draws in order.
  std::vector<double> uniform(double low, double high, std::size_t size);

  /// randint(low, high) with the default int64 dtype: masked rejection sampling on
  /// [0, high - 1 - low] with 32-bit words when that range fits in 32 bits, 64-bit words
  /// otherwise. Throws std::invalid_argument when low >= high (numpy: "low >= high").
  std::int64_t randint(std::int64_t low, std::int64_t high);
  /// randint(low, high, size=size): the same, `size` times in order (size 0 draws nothing).
  std::vector<std::int64_t> randint(std::int64_t low, std::int64_t high, std::size_t size);

  /// numpy's random_interval(max): uniform on [0, max] by masked rejection; what shuffle uses.
  std::uint64_t random_interval(std::uint64_t max);

  /// permutation(n): a shuffled arange(n).
  std::vector<std::int64_t> permutation(std::size_t n);

  /// shuffle(x) for a 1-d array or list: Fisher-Yates from the back, j = random_interval(i).
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i-- > 1;) {
      const std::size_t j = static_cast<std::size_t>(random_interval(i));
      if (i != j) std::swap(v[i], v[j]);
    }
  }

  /// choice(pop, size, replace=False) without p: permutation(pop)[:size], so it always
  /// consumes a whole permutation of `pop`. Throws std::invalid_argument when size > pop.
  std::vector<std::int64_t> choice_without_replacement(std::size_t pop, std::size_t size);
  /// choice(pop, size, replace=True) without p: randint(0, pop, size). Throws
  /// std::invalid_argument when pop is 0 and size is not.
  std::vector<std::int64_t> choice_with_replacement(std::size_t pop, std::size_t size);

  /// standard_normal() (also randn): the legacy polar Box-Muller method, which makes two
  /// normals from one accepted pair of uniforms and keeps the second for the next call.
  double standard_normal();
  /// standard_gamma(shape) for shape >= 0: legacy Marsaglia-Tsang for shape > 1, the
  /// exponential for 1, and the legacy rejection method for shape < 1.
  double standard_gamma(double shape);
  /// beta(a, b) for a, b > 0: Johnk's algorithm when both are <= 1, else the ratio of two
  /// standard_gamma draws (numpy's legacy_beta). What BorderlineSMOTE's borderline-2 draws.
  double beta(double a, double b);

 private:
  static constexpr int kStateWords = 624;
  void regenerate();

  std::uint32_t key_[kStateWords];
  int pos_ = kStateWords;
  bool has_gauss_ = false;  ///< standard_normal keeps the second draw of each pair
  double gauss_ = 0.0;
};

}  // namespace pipeml
