// Follows imblearn 0.10's SMOTE._fit_resample / BaseSMOTE._make_samples and
// utils._validation.check_sampling_strategy. The neighbour search (the only costly part)
// is a blocked brute force written like a small matrix product, dispatched at run time to
// AVX-512 / AVX2 code when the CPU has it, over all cores.
#include "ops/smote.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <thread>

#include "runtime/numpy_random.h"
#include "runtime/user_error.h"

namespace pipeml::smote {
namespace {

std::string number_text(double v) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// How messages name a class: its name in the source, or its label when names are unknown.
std::string class_text(int label, const std::vector<std::string>& names) {
  if (label >= 0 && static_cast<std::size_t>(label) < names.size()) return "class '" + names[label] + "'";
  return "class '" + std::to_string(label) + "'";
}

// The classes present in y (count > 0) as imblearn's _count_class_sample sees them.
struct ClassStats {
  std::map<int, std::size_t> counts;  // label -> rows, labels ascending
  int majority = -1, minority = -1;   // the first largest / smallest label, as Python's max / min
  std::size_t majority_rows = 0;
};

ClassStats stats_of(const std::vector<std::size_t>& class_counts) {
  ClassStats s;
  for (std::size_t c = 0; c < class_counts.size(); ++c)
    if (class_counts[c] > 0) s.counts[static_cast<int>(c)] = class_counts[c];
  std::size_t fewest = std::numeric_limits<std::size_t>::max();
  for (const auto& [label, rows] : s.counts) {
    if (rows > s.majority_rows) s.majority_rows = rows, s.majority = label;
    if (rows < fewest) fewest = rows, s.minority = label;
  }
  return s;
}

std::map<int, std::size_t> up_to_majority(const ClassStats& s, bool (*wanted)(int label, const ClassStats&)) {
  std::map<int, std::size_t> out;
  for (const auto& [label, rows] : s.counts)
    if (wanted(label, s)) out[label] = s.majority_rows - rows;
  return out;
}

std::map<int, std::size_t> from_ratio(const ClassStats& s, double ratio, const std::vector<std::string>& names) {
  if (!(ratio > 0.0 && ratio <= 1.0))
    throw UserError("sampling_strategy '" + number_text(ratio) + "' should be in (0, 1] when it is a ratio");
  if (s.counts.size() != 2)
    throw UserError("sampling_strategy '" + number_text(ratio) + "' can be a ratio only for 2 classes, got " +
                    std::to_string(s.counts.size()) + ": give the rows wanted per class instead");
  std::map<int, std::size_t> out;
  for (const auto& [label, rows] : s.counts) {
    if (label == s.majority) continue;
    // Python's int() truncates toward zero.
    const double delta = std::trunc(static_cast<double>(s.majority_rows) * ratio - static_cast<double>(rows));
    if (delta <= 0.0)
      throw UserError("sampling_strategy '" + number_text(ratio) + "' asks for " +
                      number_text(static_cast<double>(rows) + delta) + " rows of " + class_text(label, names) +
                      ", which has " + std::to_string(rows) + " already: increase the ratio so that smote adds rows");
    out[label] = static_cast<std::size_t>(delta);
  }
  return out;
}

std::map<int, std::size_t> from_targets(const ClassStats& s, const std::map<int, std::int64_t>& targets,
                                        const std::vector<std::string>& names) {
  for (const auto& [label, wanted] : targets)
    if (!s.counts.count(label))
      throw UserError("sampling_strategy names " + class_text(label, names) + ", which is not in the data");
  for (const auto& [label, wanted] : targets)
    if (wanted < 0)
      throw UserError("sampling_strategy asks for '" + std::to_string(wanted) + "' rows of " +
                      class_text(label, names) + ": a number of rows cannot be negative");
  std::map<int, std::size_t> out;
  for (const auto& [label, wanted] : targets) {
    const std::size_t rows = s.counts.at(label);
    if (static_cast<std::size_t>(wanted) < rows)
      throw UserError("sampling_strategy asks for '" + std::to_string(wanted) + "' rows of " +
                      class_text(label, names) + ", which has " + std::to_string(rows) +
                      " already: an over-sampler can only add rows");
    out[label] = static_cast<std::size_t>(wanted) - rows;
  }
  return out;
}

// imblearn refuses NaN and infinity in X (check_array's force_all_finite).
void check_finite(const Table& t) {
  const std::size_t d = t.cols();
  for (std::size_t i = 0; i < t.rows; ++i) {
    const float* r = t.row(i);
    for (std::size_t f = 0; f < d; ++f) {
      if (std::isnan(r[f]))
        throw UserError("smote needs complete data but column '" + t.columns[f] +
                        "' has missing values (NaN): impute them first");
      if (std::isinf(r[f]))
        throw UserError("smote needs finite data but column '" + t.columns[f] + "' has an infinite value");
    }
  }
}

// ---- exact k nearest neighbours ----
// For n rows the search computes all n^2 distances as |a|^2 + |b|^2 - 2 a.b, the dot
// products in register tiles (R query rows x 16 candidates) like a matrix product, and
// keeps per query a small max-heap of the best candidates seen. The heap keeps k + 2 so
// that the final order can be taken from distances recomputed exactly as sum((a - b)^2):
// the matrix-product form rounds differently, and two extra candidates absorb that.

constexpr std::size_t kLanes = 16;             // candidates per packed panel
constexpr std::size_t kRowMultiple = 12;       // query rows padded so every kernel's R divides them
constexpr std::size_t kQueryBlock = 192;       // query rows per task; a multiple of kRowMultiple
constexpr std::size_t kCandidateBlock = 1024;  // candidates per pass (~240 KB at d = 30: stays in L2)
constexpr std::size_t kExtraKept = 2;          // candidates kept beyond k for the exact re-ranking

// The rows in the two layouts the tile kernel reads, centred on rounded column means so
// that |a|^2 - 2ab + |b|^2 cancels less.
struct PackedRows {
  std::size_t n = 0, d = 0, n_padded = 0;
  std::vector<double> rows;    // n_padded x d row-major; padding rows are zero
  std::vector<double> panels;  // ceil(n / kLanes) x d x kLanes: lane l of panel p is row p * kLanes + l
  std::vector<double> norms;   // |row|^2 of the centred rows; +inf for the padding lanes
};

PackedRows pack(const std::vector<double>& x, std::size_t n, std::size_t d) {
  PackedRows p;
  p.n = n;
  p.d = d;
  p.n_padded = (n + kRowMultiple - 1) / kRowMultiple * kRowMultiple;
  std::vector<double> centre(d, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t f = 0; f < d; ++f) centre[f] += x[i * d + f];
  // A whole-number centre keeps whole-number data whole, so that its distances (and their
  // ties, which such data has many of) come out exact; it still removes large offsets.
  for (auto& c : centre) c = std::nearbyint(c / static_cast<double>(n));
  p.rows.assign(p.n_padded * d, 0.0);
  const std::size_t panel_count = (n + kLanes - 1) / kLanes;
  p.panels.assign(panel_count * d * kLanes, 0.0);
  p.norms.assign(panel_count * kLanes, std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < n; ++i) {
    double norm = 0.0;
    for (std::size_t f = 0; f < d; ++f) {
      const double v = x[i * d + f] - centre[f];
      p.rows[i * d + f] = v;
      p.panels[((i / kLanes) * d + f) * kLanes + i % kLanes] = v;
      norm += v * v;
    }
    p.norms[i] = norm;
  }
  return p;
}

// Per query row of a block: a max-heap, by (distance, index), of the best candidates so far.
// Candidates arrive in increasing index order, so "closer than the worst kept" is the whole
// admission test and equal distances keep the lower index.
class BestSoFar {
 public:
  explicit BestSoFar(std::size_t keep) : keep_(keep), dist_(kQueryBlock * keep), index_(kQueryBlock * keep) {}
  void reset() {
    std::fill(dist_.begin(), dist_.end(), std::numeric_limits<double>::infinity());
    std::fill(index_.begin(), index_.end(), std::numeric_limits<std::uint32_t>::max());
  }
  double worst(std::size_t r) const { return dist_[r * keep_]; }
  const std::uint32_t* indices(std::size_t r) const { return index_.data() + r * keep_; }
  std::size_t keep() const { return keep_; }
  // Replaces the worst kept candidate of row r by (dist, j) and restores the heap.
  void replace_worst(std::size_t r, double dist, std::uint32_t j) {
    double* hd = dist_.data() + r * keep_;
    std::uint32_t* hi = index_.data() + r * keep_;
    std::size_t pos = 0;
    for (;;) {
      const std::size_t left = 2 * pos + 1;
      if (left >= keep_) break;
      std::size_t big = left;
      if (left + 1 < keep_ && after(hd[left + 1], hi[left + 1], hd[left], hi[left])) big = left + 1;
      if (!after(hd[big], hi[big], dist, j)) break;
      hd[pos] = hd[big];
      hi[pos] = hi[big];
      pos = big;
    }
    hd[pos] = dist;
    hi[pos] = j;
  }

 private:
  static bool after(double da, std::uint32_t ia, double db, std::uint32_t ib) {
    return da > db || (da == db && ia > ib);
  }
  std::size_t keep_;
  std::vector<double> dist_;
  std::vector<std::uint32_t> index_;
};

typedef double Doubles8 __attribute__((vector_size(64)));
typedef double Doubles4 __attribute__((vector_size(32)));
typedef double Doubles2 __attribute__((vector_size(16)));

// The smallest lane, by halving (the compiler turns each step into one shuffle and one min).
inline __attribute__((always_inline)) double smallest_lane(const Doubles2& v) { return v[0] < v[1] ? v[0] : v[1]; }
inline __attribute__((always_inline)) double smallest_lane(const Doubles4& v) {
  const Doubles2 lo = __builtin_shufflevector(v, v, 0, 1), hi = __builtin_shufflevector(v, v, 2, 3);
  const auto low = lo < hi ? lo : hi;
  return smallest_lane(low);
}
inline __attribute__((always_inline)) double smallest_lane(const Doubles8& v) {
  const Doubles4 lo = __builtin_shufflevector(v, v, 0, 1, 2, 3), hi = __builtin_shufflevector(v, v, 4, 5, 6, 7);
  const auto low = lo < hi ? lo : hi;
  return smallest_lane(low);
}

// Scans every candidate for query rows [q0, q1) (q1 - q0 a multiple of R) into `best`.
// V is a vector of W doubles; a tile is R rows x CV vectors = R x 16 dot products.
template <typename V, int R, int CV>
inline __attribute__((always_inline)) void scan_rows(const PackedRows& p, std::size_t q0, std::size_t q1,
                                                     BestSoFar& best) {
  constexpr std::size_t W = sizeof(V) / sizeof(double);
  static_assert(W * CV == kLanes, "a tile row must cover one panel");
  const std::size_t d = p.d;
  alignas(64) double tile[R][kLanes];
  for (std::size_t c0 = 0; c0 < p.n; c0 += kCandidateBlock) {
    const std::size_t c1 = std::min(p.n, c0 + kCandidateBlock);
    for (std::size_t q = q0; q < q1; q += R) {
      if (q >= p.n) break;
      const double* qrows = p.rows.data() + q * d;
      for (std::size_t base = c0; base < c1; base += kLanes) {
        const double* panel = p.panels.data() + (base / kLanes) * d * kLanes;
        // The accumulators must live in registers: the loops over r and v are unrolled fully.
        V acc[R][CV] = {};
        for (std::size_t f = 0; f < d; ++f) {
          V c[CV];
#pragma GCC unroll 8
          for (int v = 0; v < CV; ++v) std::memcpy(&c[v], panel + f * kLanes + v * W, sizeof(V));
#pragma GCC unroll 8
          for (int r = 0; r < R; ++r) {
            const double b = qrows[r * d + f];  // scalar * vector broadcasts b
#pragma GCC unroll 8
            for (int v = 0; v < CV; ++v) acc[r][v] += b * c[v];
          }
        }
        // Distances, and a cheap test whether any of them can enter the row's best list:
        // most tiles change nothing once the lists have filled.
        const std::size_t valid = std::min(kLanes, p.n - base);
        V cn[CV];
        for (int v = 0; v < CV; ++v) std::memcpy(&cn[v], p.norms.data() + base + v * W, sizeof(V));
        for (int r = 0; r < R; ++r) {
          const std::size_t i = q + r;
          if (i >= p.n) break;
          const std::size_t slot = i - q0;
          const double qn = p.norms[i];
          V closest = V{} + std::numeric_limits<double>::infinity();
          for (int v = 0; v < CV; ++v) {
            const V dist = qn + cn[v] - 2.0 * acc[r][v];
            std::memcpy(&tile[r][v * W], &dist, sizeof(V));
            closest = dist < closest ? dist : closest;
          }
          if (!(smallest_lane(closest) < best.worst(slot))) continue;
          double worst = best.worst(slot);
          for (std::size_t l = 0; l < valid; ++l) {
            const double dist = tile[r][l];
            if (dist < worst && base + l != i) {
              best.replace_worst(slot, dist, static_cast<std::uint32_t>(base + l));
              worst = best.worst(slot);
            }
          }
        }
      }
    }
  }
}

using ScanFn = void (*)(const PackedRows&, std::size_t, std::size_t, BestSoFar&);

__attribute__((target("avx512f"))) void scan_avx512(const PackedRows& p, std::size_t q0, std::size_t q1,
                                                     BestSoFar& b) {
  scan_rows<Doubles8, 6, 2>(p, q0, q1, b);  // 12 of 32 zmm registers accumulate
}
__attribute__((target("avx2,fma"))) void scan_avx2(const PackedRows& p, std::size_t q0, std::size_t q1,
                                                   BestSoFar& b) {
  scan_rows<Doubles4, 3, 4>(p, q0, q1, b);  // 12 of 16 ymm registers accumulate
}
void scan_baseline(const PackedRows& p, std::size_t q0, std::size_t q1, BestSoFar& b) {
  scan_rows<Doubles2, 1, 8>(p, q0, q1, b);  // SSE2: 8 of 16 xmm registers accumulate
}

ScanFn pick_scan() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return scan_avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return scan_avx2;
  return scan_baseline;
}

double exact_distance(const double* a, const double* b, std::size_t d) {
  double s = 0.0;
  for (std::size_t f = 0; f < d; ++f) {
    const double diff = a[f] - b[f];
    s += diff * diff;
  }
  return s;
}

// Re-ranks the kept candidates of query rows [q0, q0 + rows) by exact distance, then index.
void write_neighbours(const std::vector<double>& x, std::size_t d, std::size_t k, std::size_t q0, std::size_t rows,
                      const BestSoFar& best, std::vector<std::pair<double, std::uint32_t>>& scratch,
                      std::uint32_t* out) {
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t i = q0 + r;
    scratch.clear();
    const std::uint32_t* kept = best.indices(r);
    for (std::size_t m = 0; m < best.keep(); ++m)
      scratch.emplace_back(exact_distance(x.data() + i * d, x.data() + std::size_t{kept[m]} * d, d), kept[m]);
    std::partial_sort(scratch.begin(), scratch.begin() + k, scratch.end());
    for (std::size_t m = 0; m < k; ++m) out[i * k + m] = scratch[m].second;
  }
}

// Candidates kept per row when an accelerator searches: its float arithmetic orders
// near-equal distances differently from exact_distance, so it proposes more than k.
constexpr std::size_t kAcceleratorMargin = 8;

std::vector<std::uint32_t> rerank_candidates(const std::vector<double>& x, std::size_t n, std::size_t d, std::size_t k,
                                             const NeighbourCandidates& accelerator) {
  const std::size_t keep = std::min(k + kAcceleratorMargin, n - 1);
  std::vector<std::uint32_t> candidates(n * keep);
  const std::string error = accelerator(x.data(), n, d, keep, candidates.data());
  if (!error.empty()) throw UserError("nearest-neighbour search on the GPU failed: " + error);
  std::vector<std::uint32_t> out(n * k);
  const std::size_t threads = std::max<std::size_t>(1, std::min<std::size_t>(std::thread::hardware_concurrency(), n / 4096 + 1));
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    std::vector<std::pair<double, std::uint32_t>> scratch(keep);
    for (std::size_t i; (i = next.fetch_add(1)) < n;) {
      const std::uint32_t* c = candidates.data() + i * keep;
      for (std::size_t m = 0; m < keep; ++m)
        scratch[m] = {exact_distance(x.data() + i * d, x.data() + std::size_t{c[m]} * d, d), c[m]};
      std::partial_sort(scratch.begin(), scratch.begin() + k, scratch.end());
      for (std::size_t m = 0; m < k; ++m) out[i * k + m] = scratch[m].second;
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  return out;
}

}  // namespace

Strategy Strategy::named(const std::string& name) {
  Strategy s;
  if (name == "auto") s.kind = Kind::automatic;
  else if (name == "minority") s.kind = Kind::minority;
  else if (name == "not minority") s.kind = Kind::not_minority;
  else if (name == "not majority") s.kind = Kind::not_majority;
  else if (name == "all") s.kind = Kind::all;
  else if (name == "majority")
    throw UserError("sampling_strategy 'majority' cannot be used with an over-sampler such as smote");
  else
    throw UserError("sampling_strategy '" + name +
                    "' should be one of 'auto', 'minority', 'not minority', 'not majority', 'all', a ratio in (0, 1] "
                    "or the rows wanted per class");
  return s;
}

Strategy Strategy::ratio_of(double ratio) {
  Strategy s;
  s.kind = Kind::ratio;
  s.ratio = ratio;
  return s;
}

Strategy Strategy::targets_of(std::map<int, std::int64_t> targets) {
  Strategy s;
  s.kind = Kind::targets;
  s.targets = std::move(targets);
  return s;
}

std::map<int, std::size_t> samples_to_generate(const std::vector<std::size_t>& class_counts, const Strategy& strategy,
                                               const std::vector<std::string>& class_names) {
  const ClassStats s = stats_of(class_counts);
  if (s.counts.size() <= 1)
    throw UserError("the target needs more than 1 class to oversample, got " + std::to_string(s.counts.size()));
  using Kind = Strategy::Kind;
  switch (strategy.kind) {
    case Kind::automatic:
    case Kind::not_majority:
      return up_to_majority(s, [](int l, const ClassStats& st) { return l != st.majority; });
    case Kind::minority:
      return up_to_majority(s, [](int l, const ClassStats& st) { return l == st.minority; });
    case Kind::not_minority:
      return up_to_majority(s, [](int l, const ClassStats& st) { return l != st.minority; });
    case Kind::all:
      return up_to_majority(s, [](int, const ClassStats&) { return true; });
    case Kind::ratio:
      return from_ratio(s, strategy.ratio, class_names);
    case Kind::targets:
      return from_targets(s, strategy.targets, class_names);
  }
  throw std::logic_error("samples_to_generate: unknown strategy kind");
}

Table fit_resample(const Table& t, const Strategy& strategy, int k_neighbors, std::uint64_t seed,
                   const NeighbourCandidates* accelerator) {
  if (t.y.empty() && t.rows > 0) throw UserError("smote needs class labels but the table has no target column");
  if (k_neighbors < 1) throw UserError("k_neighbors '" + std::to_string(k_neighbors) + "' should be at least 1");
  check_finite(t);
  const auto counts = t.class_counts();
  const auto to_make = samples_to_generate(counts, strategy, t.class_names);
  const std::size_t k = static_cast<std::size_t>(k_neighbors);

  // Refuse before any work, in the order imblearn would meet the problems.
  bool any = false;
  for (const auto& [label, n_new] : to_make) {
    if (n_new == 0) continue;
    any = true;
    if (counts[label] < k + 1)
      throw UserError(class_text(label, t.class_names) + " has " + std::to_string(counts[label]) +
                      (counts[label] == 1 ? " row" : " rows") + ", too few for smote with k_neighbors '" + std::to_string(k) + "': each row needs " +
                      std::to_string(k) + " neighbours of its class, so at least " + std::to_string(k + 1) +
                      " rows (lower k_neighbors or leave the class out of sampling_strategy)");
  }
  if (any) NumpyRandomState seed_check(seed);  // numpy's seed range, refused before the search

  const std::size_t d = t.cols();
  std::size_t total = t.rows;
  for (const auto& [label, n_new] : to_make) total += n_new;
  Table out;
  out.columns = t.columns;
  out.class_names = t.class_names;
  out.rows = total;
  out.x.reserve(total * d);
  out.x = t.x;
  out.y = t.y;
  out.x.resize(total * d);
  out.y.resize(total);

  std::size_t next_row = t.rows;
  std::vector<double> xc;
  for (const auto& [label, n_new] : to_make) {
    if (n_new == 0) continue;
    const std::size_t n = counts[label];
    xc.resize(n * d);
    for (std::size_t i = 0, r = 0; i < t.rows; ++i) {
      if (t.y[i] != label) continue;
      const float* src = t.row(i);
      for (std::size_t f = 0; f < d; ++f) xc[r * d + f] = src[f];
      ++r;
    }
    const auto nn = nearest_neighbours(xc, n, d, k, accelerator);
    // check_random_state(int) makes a new RandomState for every class.
    NumpyRandomState rng(seed);
    const auto picks = rng.randint(0, static_cast<std::int64_t>(n * k), n_new);
    const auto steps = rng.uniform(0.0, 1.0, n_new);
    for (std::size_t s = 0; s < n_new; ++s) {
      const std::size_t i = static_cast<std::size_t>(picks[s]) / k;
      const std::size_t j = nn[static_cast<std::size_t>(picks[s])];
      const double* a = xc.data() + i * d;
      const double* b = xc.data() + j * d;
      float* dst = out.x.data() + next_row * d;
      for (std::size_t f = 0; f < d; ++f) {
        const double diff = b[f] - a[f];
        dst[f] = static_cast<float>(a[f] + steps[s] * diff);
      }
      out.y[next_row++] = label;
    }
  }
  return out;
}

std::vector<std::uint32_t> nearest_neighbours(const std::vector<double>& x, std::size_t n, std::size_t d,
                                              std::size_t k, const NeighbourCandidates* accelerator) {
  if (n <= k) throw std::invalid_argument("nearest_neighbours: needs more rows than k");
  if (n >= std::numeric_limits<std::uint32_t>::max()) throw std::length_error("nearest_neighbours: too many rows");
  std::vector<std::uint32_t> out(n * k);
  if (k == 0) return out;
  if (accelerator != nullptr && *accelerator) return rerank_candidates(x, n, d, k, *accelerator);
  const PackedRows packed = pack(x, n, d);
  static const ScanFn scan = pick_scan();
  const std::size_t keep = std::min(k + kExtraKept, n - 1);
  const std::size_t blocks = (packed.n_padded + kQueryBlock - 1) / kQueryBlock;
  // Threads pay off only when there is real work; small classes run on the calling thread.
  const double work = static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(d + 8);
  std::size_t threads = work < 2e7 ? 1 : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, blocks);
  std::vector<BestSoFar> bests(threads, BestSoFar(keep));
  std::vector<std::vector<std::pair<double, std::uint32_t>>> scratch(threads);
  for (auto& s : scratch) s.reserve(keep);
  std::atomic<std::size_t> next_block{0};
  auto worker = [&](std::size_t t) {
    for (std::size_t b; (b = next_block.fetch_add(1)) < blocks;) {
      const std::size_t q0 = b * kQueryBlock, q1 = std::min(packed.n_padded, q0 + kQueryBlock);
      bests[t].reset();
      scan(packed, q0, q1, bests[t]);
      write_neighbours(x, d, k, q0, std::min(q1, n) - std::min(q0, n), bests[t], scratch[t], out.data());
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& th : pool) th.join();
  return out;
}

}  // namespace pipeml::smote
