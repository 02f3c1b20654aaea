// Follows imblearn 0.10's RandomOverSampler._fit_resample (with its smoothed bootstrap) and
// RandomUnderSampler._fit_resample.
#include "ops/random_sampling.h"

#include <cmath>
#include <map>

#include "ops/smote.h"
#include "runtime/numpy_random.h"
#include "runtime/user_error.h"

namespace pipeml::random_sampling {
namespace {

void require_labels(const Table& t, const std::string& op) {
  if (t.y.empty() && t.rows > 0) throw UserError(op + " needs class labels but the table has no target column");
}

std::vector<std::size_t> rows_of(const Table& t, int label) {
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < t.rows; ++i)
    if (t.y[i] == label) rows.push_back(i);
  return rows;
}

// np.std(X[rows], axis=0): numpy sums a column of a C-ordered array row by row.
std::vector<double> class_std(const Table& t, const std::vector<std::size_t>& rows) {
  const std::size_t d = t.cols();
  const double n = static_cast<double>(rows.size());
  std::vector<double> mean(d, 0.0), var(d, 0.0);
  for (auto i : rows)
    for (std::size_t f = 0; f < d; ++f) mean[f] += t.row(i)[f];
  for (auto& m : mean) m /= n;
  for (auto i : rows)
    for (std::size_t f = 0; f < d; ++f) {
      const double diff = t.row(i)[f] - mean[f];
      var[f] += diff * diff;
    }
  for (auto& v : var) v = std::sqrt(v / n);
  return var;
}

// RandomOverSampler's draws: for each class to grow, in label order, its rows drawn with
// replacement from `rng`; `after(label, class rows, drawn)` runs after each class's draws
// (the smoothed bootstrap draws its noise there, from the same rng).
template <typename After>
std::vector<std::size_t> draw_copies(const Table& t, const std::map<int, std::size_t>& to_make, NumpyRandomState& rng,
                                     After after) {
  std::vector<std::size_t> drawn;
  for (const auto& [label, n_new] : to_make) {
    const auto rows = rows_of(t, label);
    const std::size_t first = drawn.size();
    for (auto p : rng.choice_with_replacement(rows.size(), n_new)) drawn.push_back(rows[static_cast<std::size_t>(p)]);
    after(rows, first, drawn);
  }
  return drawn;
}

}  // namespace

std::vector<std::size_t> over_sample_rows(const Table& t, const sampling::Strategy& strategy, std::uint64_t seed,
                                          const std::string& op) {
  require_labels(t, op);
  const auto to_make = sampling::resolve(t.class_counts(), strategy, sampling::Type::over, t.class_names, op);
  NumpyRandomState rng(seed);
  return draw_copies(t, to_make, rng, [](const auto&, std::size_t, const auto&) {});
}

Table over_sample(const Table& t, const sampling::Strategy& strategy, std::uint64_t seed,
                  std::optional<double> shrinkage, const std::string& op) {
  require_labels(t, op);
  if (!shrinkage) {
    std::vector<std::size_t> all(t.rows);
    for (std::size_t i = 0; i < t.rows; ++i) all[i] = i;
    const auto drawn = over_sample_rows(t, strategy, seed, op);
    all.insert(all.end(), drawn.begin(), drawn.end());
    return t.take(all);
  }
  if (!(*shrinkage >= 0.0)) throw UserError("shrinkage '" + std::to_string(*shrinkage) + "' should be at least 0");
  smote::check_input(t, op + " with shrinkage");
  const auto to_make = sampling::resolve(t.class_counts(), strategy, sampling::Type::over, t.class_names, op);
  NumpyRandomState rng(seed);
  const std::size_t d = t.cols();
  // (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4)), as Python computes it.
  const double smoothing = std::pow(4.0 / static_cast<double>((d + 2) * t.rows), 1.0 / static_cast<double>(d + 4));
  std::vector<std::vector<float>> noisy;  // the drawn rows with their noise, in order
  draw_copies(t, to_make, rng, [&](const std::vector<std::size_t>& rows, std::size_t first, const auto& drawn) {
    std::vector<double> scale = class_std(t, rows);
    for (auto& v : scale) v = *shrinkage * smoothing * v;
    // randn(n_new, d).dot(diag(scale)) + X[drawn]: one product per value, then the row.
    for (std::size_t s = first; s < drawn.size(); ++s) {
      const float* src = t.row(drawn[s]);
      std::vector<float> row(d);
      for (std::size_t f = 0; f < d; ++f) row[f] = static_cast<float>(rng.standard_normal() * scale[f] + src[f]);
      noisy.push_back(std::move(row));
    }
  });
  Table out = t;
  out.x.reserve((t.rows + noisy.size()) * d);
  for (const auto& row : noisy) out.x.insert(out.x.end(), row.begin(), row.end());
  for (const auto& [label, n_new] : to_make) out.y.insert(out.y.end(), n_new, label);
  out.rows += noisy.size();
  return out;
}

std::vector<std::size_t> under_sample_rows(const Table& t, const sampling::Strategy& strategy, bool replacement,
                                           std::uint64_t seed, const std::string& op) {
  require_labels(t, op);
  const auto counts = t.class_counts();
  const auto to_keep = sampling::resolve(counts, strategy, sampling::Type::under, t.class_names, op);
  NumpyRandomState rng(seed);
  std::vector<std::size_t> kept;
  for (std::size_t label = 0; label < counts.size(); ++label) {
    if (counts[label] == 0) continue;
    const auto rows = rows_of(t, static_cast<int>(label));
    const auto target = to_keep.find(static_cast<int>(label));
    if (target == to_keep.end()) {
      kept.insert(kept.end(), rows.begin(), rows.end());
      continue;
    }
    const auto picks = replacement ? rng.choice_with_replacement(rows.size(), target->second)
                                   : rng.choice_without_replacement(rows.size(), target->second);
    for (auto p : picks) kept.push_back(rows[static_cast<std::size_t>(p)]);
  }
  return kept;
}

Table under_sample(const Table& t, const sampling::Strategy& strategy, bool replacement, std::uint64_t seed,
                   const std::string& op) {
  return t.take(under_sample_rows(t, strategy, replacement, seed, op));
}

}  // namespace pipeml::random_sampling
