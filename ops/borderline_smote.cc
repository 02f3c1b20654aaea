// Follows imblearn 0.10's BorderlineSMOTE._fit_resample and BaseSMOTE._in_danger_noise.
#include "ops/borderline_smote.h"

#include "ops/nearest_neighbours.h"
#include "ops/smote.h"
#include "runtime/numpy_random.h"
#include "runtime/user_error.h"

namespace pipeml::borderline_smote {
namespace {

// The rows of the class (numbers into it) with at least m / 2, but fewer than m, of their m
// nearest rows in other classes.
std::vector<std::uint32_t> in_danger(const Table& t, const std::vector<double>& all, const smote::ClassRows& c,
                                     int label, std::size_t m) {
  const auto nn = knn::nearest_neighbours(all, t.rows, t.cols(), m, c.index);
  std::vector<std::uint32_t> danger;
  for (std::size_t q = 0; q < c.n; ++q) {
    std::size_t others = 0;
    for (std::size_t j = 0; j < m; ++j) others += t.y[nn[q * m + j]] != label;
    if (static_cast<double>(others) >= static_cast<double>(m) / 2.0 && others < m)
      danger.push_back(static_cast<std::uint32_t>(q));
  }
  return danger;
}

}  // namespace

Table fit_resample(const Table& t, const sampling::Strategy& strategy, int k_neighbors, int m_neighbors, Kind kind,
                   std::uint64_t seed, const std::string& op) {
  smote::check_input(t, op);
  if (k_neighbors < 1) throw UserError("k_neighbors '" + std::to_string(k_neighbors) + "' should be at least 1");
  if (m_neighbors < 1) throw UserError("m_neighbors '" + std::to_string(m_neighbors) + "' should be at least 1");
  const auto counts = t.class_counts();
  const auto to_make = sampling::resolve(counts, strategy, sampling::Type::over, t.class_names, op);
  const std::size_t k = static_cast<std::size_t>(k_neighbors), m = static_cast<std::size_t>(m_neighbors);
  bool any = false;
  for (const auto& [label, n_new] : to_make) any = any || n_new > 0;
  if (!any) return t;
  if (t.rows < m + 1)
    throw UserError("the training part has " + std::to_string(t.rows) + " rows, too few for " + op +
                    " with m_neighbors '" + std::to_string(m) + "': each row needs " + std::to_string(m) +
                    " neighbours, so at least " + std::to_string(m + 1) + " rows (lower m_neighbors)");
  NumpyRandomState seed_check(seed);  // numpy's seed range, refused before the search

  const std::size_t d = t.cols();
  const std::vector<double> all = smote::all_rows(t);
  Table out = t;
  for (const auto& [label, n_new] : to_make) {
    if (n_new == 0) continue;
    const smote::ClassRows c = smote::rows_of_class(t, label);
    const auto danger = in_danger(t, all, c, label, m);
    if (danger.empty()) continue;
    smote::require_neighbours(label, c.n, k, t.class_names, op);
    const auto nn = knn::nearest_neighbours(c.x, c.n, d, k, danger);
    std::vector<double> base;
    base.reserve(danger.size() * d);
    for (auto q : danger) base.insert(base.end(), c.x.begin() + q * d, c.x.begin() + (q + 1) * d);
    if (kind == Kind::borderline_1) {
      smote::append_samples(smote::draw_samples(danger.size(), k, n_new, seed), base, c.x, c.n, nn, k, label, out);
      continue;
    }
    const double f = NumpyRandomState(seed).beta(10.0, 10.0);
    const auto n_same = static_cast<std::size_t>(f * static_cast<double>(n_new + 1));
    const auto n_other = static_cast<std::size_t>((1.0 - f) * static_cast<double>(n_new));
    smote::append_samples(smote::draw_samples(danger.size(), k, n_same, seed), base, c.x, c.n, nn, k, label, out);
    std::vector<double> other;
    other.reserve((t.rows - c.n) * d);
    for (std::size_t i = 0; i < t.rows; ++i)
      if (t.y[i] != label) other.insert(other.end(), t.row(i), t.row(i) + d);
    try {
      smote::append_samples(smote::draw_samples(danger.size(), k, n_other, seed, 0.5), base, other, t.rows - c.n, nn,
                            k, label, out);
    } catch (const std::out_of_range&) {
      throw UserError(op + " 'borderline-2' steps towards other classes' rows by the numbers of same-class "
                      "neighbours (as imbalanced-learn 0.10 does), and " + sampling::class_text(label, t.class_names) +
                      " has more rows (" + std::to_string(c.n) + ") than the other classes together (" +
                      std::to_string(t.rows - c.n) + "): use kind 'borderline-1'");
    }
  }
  return out;
}

}  // namespace pipeml::borderline_smote
