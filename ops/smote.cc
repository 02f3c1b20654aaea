// Follows imblearn 0.10's SMOTE._fit_resample and BaseSMOTE._make_samples /
// _generate_samples. The neighbour search (the only costly part) is ops/nearest_neighbours.
#include "ops/smote.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "ops/nearest_neighbours.h"
#include "runtime/fresh_memory.h"
#include "runtime/numpy_random.h"
#include "runtime/profile.h"
#include "runtime/user_error.h"

namespace pipeml::smote {

namespace {

// Whether every value is finite: v - v is 0 for finite v and NaN for NaN and the
// infinities, a test the compiler vectorises; large tables are split over the cores.
bool all_finite(const std::vector<float>& x) {
  auto scan = [&x](std::size_t a, std::size_t b) {
    int bad = 0;
    for (std::size_t i = a; i < b; ++i) bad |= !(x[i] - x[i] == 0.0f);
    return bad == 0;
  };
  const std::size_t threads =
      std::max<std::size_t>(1, std::min<std::size_t>(std::thread::hardware_concurrency(), x.size() >> 20));
  std::vector<char> ok(threads, 1);
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t)
    pool.emplace_back([&, t] { ok[t] = scan(x.size() * t / threads, x.size() * (t + 1) / threads); });
  ok[0] = scan(0, x.size() / threads);
  for (auto& th : pool) th.join();
  return std::all_of(ok.begin(), ok.end(), [](char c) { return c != 0; });
}

// Runs fn(s0, s1) over [0, n) split in contiguous parts, one per core when the work
// (n * per_item values) is large enough to pay for the threads.
template <typename Fn>
void split_over_cores(std::size_t n, std::size_t per_item, Fn fn) {
  const std::size_t threads =
      std::max<std::size_t>(1, std::min<std::size_t>(std::thread::hardware_concurrency(), n * per_item / (1 << 20)));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(fn, n * t / threads, n * (t + 1) / threads);
  fn(0, n / threads);
  for (auto& th : pool) th.join();
}

}  // namespace

void check_input(const Table& t, const std::string& op) {
  if (t.y.empty() && t.rows > 0) throw UserError(op + " needs class labels but the table has no target column");
  if (all_finite(t.x)) return;
  // Something is not finite: find the first offending value, in row order, for the message.
  const std::size_t d = t.cols();
  for (std::size_t i = 0; i < t.rows; ++i) {
    const float* r = t.row(i);
    for (std::size_t f = 0; f < d; ++f) {
      if (std::isnan(r[f]))
        throw UserError(op + " needs complete data but column '" + t.columns[f] +
                        "' has missing values (NaN): impute them first");
      if (std::isinf(r[f]))
        throw UserError(op + " needs finite data but column '" + t.columns[f] + "' has an infinite value");
    }
  }
}

void require_neighbours(int label, std::size_t rows, std::size_t k, const std::vector<std::string>& class_names,
                        const std::string& op, const std::string& param) {
  if (rows >= k + 1) return;
  throw UserError(sampling::class_text(label, class_names) + " has " + std::to_string(rows) +
                  (rows == 1 ? " row" : " rows") + ", too few for " + op + " with " + param + " '" +
                  std::to_string(k) + "': each row needs " + std::to_string(k) +
                  " neighbours of its class, so at least " + std::to_string(k + 1) + " rows (lower " + param +
                  " or leave the class out of sampling_strategy)");
}

ClassRows rows_of_class(const Table& t, int label) {
  ClassRows c;
  const std::size_t d = t.cols();
  const auto counts = t.class_counts();
  if (label >= 0 && static_cast<std::size_t>(label) < counts.size()) {
    reserve_backed(c.x, counts[label] * d);
    c.index.reserve(counts[label]);
  }
  for (std::size_t i = 0; i < t.rows; ++i) {
    if (t.y[i] != label) continue;
    c.x.insert(c.x.end(), t.row(i), t.row(i) + d);
    c.index.push_back(static_cast<std::uint32_t>(i));
  }
  c.n = c.index.size();
  return c;
}

std::vector<double> all_rows(const Table& t) { return std::vector<double>(t.x.begin(), t.x.end()); }

Draws draw_samples(std::size_t rows, std::size_t k, std::size_t n_new, std::uint64_t seed, double step_size) {
  // check_random_state(int) makes a new RandomState on every call.
  NumpyRandomState rng(seed);
  const auto picks = rng.randint(0, static_cast<std::int64_t>(rows * k), n_new);
  Draws d;
  d.step = rng.uniform(0.0, 1.0, n_new);
  d.base.resize(n_new);
  d.nn_col.resize(n_new);
  for (std::size_t s = 0; s < n_new; ++s) {
    d.base[s] = static_cast<std::size_t>(picks[s]) / k;
    d.nn_col[s] = static_cast<std::size_t>(picks[s]) % k;
    d.step[s] *= step_size;
  }
  return d;
}

void append_samples(const Draws& draws, const std::vector<double>& base_x, const std::vector<double>& nn_x,
                    std::size_t nn_rows, const std::vector<std::uint32_t>& nn, std::size_t k, int label, Table& out) {
  const std::size_t d = out.cols(), n_new = draws.base.size(), first = out.rows;
  for (std::size_t s = 0; s < n_new; ++s)
    if (nn[draws.base[s] * k + draws.nn_col[s]] >= nn_rows)
      throw std::out_of_range("append_samples: a neighbour outside the neighbour rows");
  out.rows += n_new;
  reserve_backed(out.x, out.rows * d);  // a no-op where fit_resample reserved the whole table
  out.x.resize(out.rows * d);
  out.y.resize(out.rows, label);
  // Each sample writes its own row: split them over the cores when there are many.
  split_over_cores(n_new, d, [&](std::size_t s0, std::size_t s1) {
    for (std::size_t s = s0; s < s1; ++s) {
      const double* a = base_x.data() + draws.base[s] * d;
      const double* b = nn_x.data() + std::size_t{nn[draws.base[s] * k + draws.nn_col[s]]} * d;
      float* dst = out.x.data() + (first + s) * d;
      for (std::size_t f = 0; f < d; ++f) dst[f] = static_cast<float>(a[f] + draws.step[s] * (b[f] - a[f]));
    }
  });
}

Table fit_resample(const Table& t, const sampling::Strategy& strategy, int k_neighbors, std::uint64_t seed,
                   const std::string& op, const NeighbourCandidates* accelerator) {
  PhaseTimer timer("smote");
  check_input(t, op);
  timer.mark("check_input");
  if (k_neighbors < 1) throw UserError("k_neighbors '" + std::to_string(k_neighbors) + "' should be at least 1");
  const auto counts = t.class_counts();
  const auto to_make = sampling::resolve(counts, strategy, sampling::Type::over, t.class_names, op);
  const std::size_t k = static_cast<std::size_t>(k_neighbors);

  // Refuse before any work, in the order imblearn would meet the problems.
  bool any = false;
  for (const auto& [label, n_new] : to_make) {
    if (n_new == 0) continue;
    any = true;
    require_neighbours(label, counts[label], k, t.class_names, op);
  }
  if (any) NumpyRandomState seed_check(seed);  // numpy's seed range, refused before the search

  std::size_t total = t.rows;
  for (const auto& [label, n_new] : to_make) total += n_new;
  // The result's storage once, backed over all cores, then t's rows copied in over all cores
  // (copying t and growing it would fault in and copy its rows twice).
  Table out = t.like();
  const std::size_t d = t.cols();
  reserve_backed(out.x, total * d);
  out.x.resize(t.rows * d);
  split_over_cores(t.rows, d, [&](std::size_t r0, std::size_t r1) {
    std::copy(t.x.begin() + r0 * d, t.x.begin() + r1 * d, out.x.begin() + r0 * d);
  });
  out.y.reserve(total);
  out.y = t.y;
  out.rows = t.rows;
  timer.mark("copy_table");
  for (const auto& [label, n_new] : to_make) {
    if (n_new == 0) continue;
    const ClassRows c = rows_of_class(t, label);
    timer.mark("rows_of_class");
    const auto nn = knn::nearest_neighbours_on(accelerator, c.x, c.n, t.cols(), k);
    timer.mark("neighbours");
    const Draws draws = draw_samples(c.n, k, n_new, seed);
    timer.mark("draw");
    append_samples(draws, c.x, c.x, c.n, nn, k, label, out);
    timer.mark("append");
  }
  return out;
}

}  // namespace pipeml::smote
