// The search computes all query x candidate distances as |a|^2 + |b|^2 - 2 a.b, the dot
// products in register tiles (R query rows x 16 candidates) like a matrix product, and
// keeps per query a small max-heap of the best candidates seen. The heap keeps k + 2 so
// that the final order can be taken from distances recomputed exactly as sum((a - b)^2):
// the matrix-product form rounds differently, and two extra candidates absorb that.
#include "ops/nearest_neighbours.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <thread>

#include "runtime/profile.h"
#include "runtime/user_error.h"

namespace pipeml::knn {
namespace {


constexpr std::size_t kLanes = 16;             // candidates per packed panel
constexpr std::size_t kRowMultiple = 12;       // query rows padded so every kernel's R divides them
constexpr std::size_t kQueryBlock = 192;       // query rows per task; a multiple of kRowMultiple
constexpr std::size_t kCandidateBlock = 1024;  // candidates per pass (~240 KB at d = 30: stays in L2)
constexpr std::size_t kExtraKept = 2;          // candidates kept beyond k for the exact re-ranking

// The candidates (every row of x) in the layout the tile kernel reads, centred on rounded
// column means so that |a|^2 - 2ab + |b|^2 cancels less.
struct Candidates {
  std::size_t n = 0, d = 0;
  std::vector<double> centre;  // subtracted from candidates and queries alike
  std::vector<double> panels;  // ceil(n / kLanes) x d x kLanes: lane l of panel p is row p * kLanes + l
  std::vector<double> norms;   // |row|^2 of the centred rows; +inf for the padding lanes
};

// The query rows, centred the same way, padded to a multiple of every kernel's R.
struct Queries {
  std::size_t n = 0, n_padded = 0;
  std::vector<double> rows;         // n_padded x d row-major; padding rows are zero
  std::vector<double> norms;        // |row|^2 of the centred rows
  std::vector<std::uint32_t> self;  // the row of x each query is (never its own neighbour)
};

Candidates pack_candidates(const std::vector<double>& x, std::size_t n, std::size_t d) {
  Candidates p;
  p.n = n;
  p.d = d;
  p.centre.assign(d, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t f = 0; f < d; ++f) p.centre[f] += x[i * d + f];
  // A whole-number centre keeps whole-number data whole, so that its distances (and their
  // ties, which such data has many of) come out exact; it still removes large offsets.
  for (auto& c : p.centre) c = std::nearbyint(c / static_cast<double>(n));
  const std::size_t panel_count = (n + kLanes - 1) / kLanes;
  p.panels.assign(panel_count * d * kLanes, 0.0);
  p.norms.assign(panel_count * kLanes, std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < n; ++i) {
    double norm = 0.0;
    for (std::size_t f = 0; f < d; ++f) {
      const double v = x[i * d + f] - p.centre[f];
      p.panels[((i / kLanes) * d + f) * kLanes + i % kLanes] = v;
      norm += v * v;
    }
    p.norms[i] = norm;
  }
  return p;
}

Queries pack_queries(const std::vector<double>& x, const Candidates& c, std::vector<std::uint32_t> self) {
  Queries q;
  const std::size_t d = c.d;
  q.n = self.size();
  q.n_padded = (q.n + kRowMultiple - 1) / kRowMultiple * kRowMultiple;
  q.rows.assign(q.n_padded * d, 0.0);
  q.norms.assign(q.n, 0.0);
  for (std::size_t i = 0; i < q.n; ++i) {
    double norm = 0.0;
    for (std::size_t f = 0; f < d; ++f) {
      const double v = x[std::size_t{self[i]} * d + f] - c.centre[f];
      q.rows[i * d + f] = v;
      norm += v * v;
    }
    q.norms[i] = norm;
  }
  q.self = std::move(self);
  return q;
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
inline __attribute__((always_inline)) void scan_rows(const Candidates& p, const Queries& qs, std::size_t q0,
                                                     std::size_t q1, BestSoFar& best) {
  constexpr std::size_t W = sizeof(V) / sizeof(double);
  static_assert(W * CV == kLanes, "a tile row must cover one panel");
  const std::size_t d = p.d;
  alignas(64) double tile[R][kLanes];
  for (std::size_t c0 = 0; c0 < p.n; c0 += kCandidateBlock) {
    const std::size_t c1 = std::min(p.n, c0 + kCandidateBlock);
    for (std::size_t q = q0; q < q1; q += R) {
      if (q >= qs.n) break;
      const double* qrows = qs.rows.data() + q * d;
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
          if (i >= qs.n) break;
          const std::size_t slot = i - q0;
          const double qn = qs.norms[i];
          const std::size_t self = qs.self[i];
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
            if (dist < worst && base + l != self) {
              best.replace_worst(slot, dist, static_cast<std::uint32_t>(base + l));
              worst = best.worst(slot);
            }
          }
        }
      }
    }
  }
}

using ScanFn = void (*)(const Candidates&, const Queries&, std::size_t, std::size_t, BestSoFar&);

__attribute__((target("avx512f"))) void scan_avx512(const Candidates& p, const Queries& q, std::size_t q0,
                                                     std::size_t q1, BestSoFar& b) {
  scan_rows<Doubles8, 6, 2>(p, q, q0, q1, b);  // 12 of 32 zmm registers accumulate
}
__attribute__((target("avx2,fma"))) void scan_avx2(const Candidates& p, const Queries& q, std::size_t q0,
                                                   std::size_t q1, BestSoFar& b) {
  scan_rows<Doubles4, 3, 4>(p, q, q0, q1, b);  // 12 of 16 ymm registers accumulate
}
void scan_baseline(const Candidates& p, const Queries& q, std::size_t q0, std::size_t q1, BestSoFar& b) {
  scan_rows<Doubles2, 1, 8>(p, q, q0, q1, b);  // SSE2: 8 of 16 xmm registers accumulate
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
void write_neighbours(const std::vector<double>& x, std::size_t d, std::size_t k, const Queries& qs, std::size_t q0,
                      std::size_t rows, const BestSoFar& best, std::vector<std::pair<double, std::uint32_t>>& scratch,
                      std::uint32_t* out) {
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t i = q0 + r;
    const double* row = x.data() + std::size_t{qs.self[i]} * d;
    scratch.clear();
    const std::uint32_t* kept = best.indices(r);
    for (std::size_t m = 0; m < best.keep(); ++m)
      scratch.emplace_back(exact_distance(row, x.data() + std::size_t{kept[m]} * d, d), kept[m]);
    std::partial_sort(scratch.begin(), scratch.begin() + k, scratch.end());
    for (std::size_t m = 0; m < k; ++m) out[i * k + m] = scratch[m].second;
  }
}

}  // namespace

std::vector<std::uint32_t> nearest_neighbours(const std::vector<double>& x, std::size_t n, std::size_t d,
                                              std::size_t k, const std::vector<std::uint32_t>& queries) {
  if (n <= k) throw std::invalid_argument("nearest_neighbours: needs more rows than k");
  if (n >= std::numeric_limits<std::uint32_t>::max()) throw std::length_error("nearest_neighbours: too many rows");
  for (const auto q : queries)
    if (q >= n) throw std::out_of_range("nearest_neighbours: a query is not a row of x");
  std::vector<std::uint32_t> out(queries.size() * k);
  if (k == 0 || queries.empty()) return out;
  const Candidates candidates = pack_candidates(x, n, d);
  const Queries packed = pack_queries(x, candidates, queries);
  static const ScanFn scan = pick_scan();
  const std::size_t keep = std::min(k + kExtraKept, n - 1);
  const std::size_t blocks = (packed.n_padded + kQueryBlock - 1) / kQueryBlock;
  // Threads pay off only when there is real work; small classes run on the calling thread.
  const double work = static_cast<double>(packed.n) * static_cast<double>(n) * static_cast<double>(d + 8);
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
      scan(candidates, packed, q0, q1, bests[t]);
      write_neighbours(x, d, k, packed, q0, std::min(q1, packed.n) - std::min(q0, packed.n), bests[t], scratch[t],
                       out.data());
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& th : pool) th.join();
  return out;
}

std::vector<std::uint32_t> nearest_neighbours(const std::vector<double>& x, std::size_t n, std::size_t d,
                                              std::size_t k) {
  if (n >= std::numeric_limits<std::uint32_t>::max()) throw std::length_error("nearest_neighbours: too many rows");
  std::vector<std::uint32_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = static_cast<std::uint32_t>(i);
  return nearest_neighbours(x, n, d, k, all);
}

// Candidates asked of an accelerator per row: its float arithmetic orders near-equal
// distances differently from exact_distance, so it proposes more than k.
constexpr std::size_t kAcceleratorMargin = 8;

std::vector<std::uint32_t> nearest_neighbours_on(const NeighbourCandidates* accelerator, const std::vector<double>& x,
                                                 std::size_t n, std::size_t d, std::size_t k) {
  if (accelerator == nullptr || !*accelerator || k == 0) return nearest_neighbours(x, n, d, k);
  if (n <= k) throw std::invalid_argument("nearest_neighbours: needs more rows than k");
  if (n >= std::numeric_limits<std::uint32_t>::max()) throw std::length_error("nearest_neighbours: too many rows");
  const std::size_t keep = std::min(k + kAcceleratorMargin, n - 1);
  PhaseTimer timer("knn");
  std::vector<std::uint32_t> candidates(n * keep);
  const std::string error = (*accelerator)(x.data(), n, d, keep, candidates.data());
  if (!error.empty()) throw UserError("nearest-neighbour search on the GPU failed: " + error);
  timer.mark("accelerator");
  std::vector<std::uint32_t> out(n * k);
  const std::size_t threads =
      std::max<std::size_t>(1, std::min<std::size_t>(std::thread::hardware_concurrency(), n / 4096 + 1));
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
  timer.mark("rerank");
  return out;
}

}  // namespace pipeml::knn
