// Follows imblearn 0.10's ADASYN._fit_resample.
#include "ops/adasyn.h"

#include <algorithm>
#include <cmath>

#include "ops/nearest_neighbours.h"
#include "ops/smote.h"
#include "runtime/numpy_random.h"
#include "runtime/numpy_sum.h"
#include "runtime/user_error.h"

namespace pipeml::adasyn {

Table fit_resample(const Table& t, const sampling::Strategy& strategy, int n_neighbors, std::uint64_t seed,
                   const std::string& op) {
  smote::check_input(t, op);
  if (n_neighbors < 1) throw UserError("n_neighbors '" + std::to_string(n_neighbors) + "' should be at least 1");
  const auto counts = t.class_counts();
  const auto to_make = sampling::resolve(counts, strategy, sampling::Type::over, t.class_names, op);
  const std::size_t k = static_cast<std::size_t>(n_neighbors), d = t.cols();
  for (const auto& [label, n_new] : to_make)
    if (n_new > 0) smote::require_neighbours(label, counts[label], k, t.class_names, op, "n_neighbors");
  NumpyRandomState rng(seed);  // one for all classes, made before any work

  const std::vector<double> all = smote::all_rows(t);
  Table out = t;
  for (const auto& [label, n_wanted] : to_make) {
    if (n_wanted == 0) continue;
    const smote::ClassRows c = smote::rows_of_class(t, label);
    // How much each row is among other classes: the share of its neighbours that are.
    const auto near = knn::nearest_neighbours(all, t.rows, d, k, c.index);
    std::vector<double> ratio(c.n);
    for (std::size_t q = 0; q < c.n; ++q) {
      std::size_t others = 0;
      for (std::size_t j = 0; j < k; ++j) others += t.y[near[q * k + j]] != label;
      ratio[q] = static_cast<double>(others) / static_cast<double>(k);
    }
    const double total = numpy_sum(ratio.data(), c.n);
    if (total == 0.0)
      throw UserError("no row of " + sampling::class_text(label, t.class_names) +
                      " has a row of another class among its " + std::to_string(k) +
                      " nearest neighbours, so " + op + " cannot weigh its rows: use smote instead");
    std::vector<std::size_t> per_row(c.n);
    std::size_t n_new = 0;
    for (std::size_t q = 0; q < c.n; ++q) {
      per_row[q] = static_cast<std::size_t>(std::nearbyint(ratio[q] / total * static_cast<double>(n_wanted)));
      n_new += per_row[q];
    }
    if (n_new == 0)
      throw UserError(op + " would make no rows of " + sampling::class_text(label, t.class_names) +
                      ": each row's share of the " + std::to_string(n_wanted) + " wanted rounds to 0");
    const auto nn = knn::nearest_neighbours(c.x, c.n, d, k);
    smote::Draws draws;
    draws.base.reserve(n_new);
    for (std::size_t q = 0; q < c.n; ++q) draws.base.insert(draws.base.end(), per_row[q], q);
    for (auto col : rng.choice_with_replacement(k, n_new)) draws.nn_col.push_back(static_cast<std::size_t>(col));
    draws.step = rng.uniform(0.0, 1.0, n_new);
    smote::append_samples(draws, c.x, c.x, c.n, nn, k, label, out);
  }
  return out;
}

}  // namespace pipeml::adasyn
