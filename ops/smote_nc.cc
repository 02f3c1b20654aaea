// Follows imblearn 0.10's SMOTENC._fit_resample and SMOTENC._generate_samples.
#include "ops/smote_nc.h"

#include <algorithm>
#include <cmath>

#include "ops/nearest_neighbours.h"
#include "ops/smote.h"
#include "runtime/numpy_random.h"
#include "runtime/user_error.h"

namespace pipeml::smote_nc {
namespace {

// The class with the fewest rows, among equals the one seen first in the table: what
// min(Counter(y), key=...) picks.
int minority_by_first_row(const Table& t, const std::vector<std::size_t>& counts) {
  int best = -1;
  std::vector<char> seen(counts.size(), 0);
  for (std::size_t i = 0; i < t.rows; ++i) {
    const int label = t.y[i];
    if (seen[label]) continue;
    seen[label] = 1;
    if (best < 0 || counts[label] < counts[best]) best = label;
  }
  return best;
}

// np.median(np.sqrt(X_minority.var(axis=0))) over the continuous columns.
double median_std(const Table& t, int minority, const std::vector<std::size_t>& continuous) {
  std::vector<double> mean(continuous.size(), 0.0), var(continuous.size(), 0.0);
  double n = 0;
  for (std::size_t i = 0; i < t.rows; ++i) {
    if (t.y[i] != minority) continue;
    n += 1;
    for (std::size_t c = 0; c < continuous.size(); ++c) mean[c] += t.row(i)[continuous[c]];
  }
  for (auto& m : mean) m /= n;
  for (std::size_t i = 0; i < t.rows; ++i) {
    if (t.y[i] != minority) continue;
    for (std::size_t c = 0; c < continuous.size(); ++c) {
      const double diff = t.row(i)[continuous[c]] - mean[c];
      var[c] += diff * diff;
    }
  }
  for (auto& v : var) v = std::sqrt(v / n);
  std::sort(var.begin(), var.end());
  const std::size_t m = var.size();
  return m % 2 ? var[m / 2] : (var[m / 2 - 1] + var[m / 2]) / 2.0;
}

// A categorical column: its categories (distinct values, ascending) and, per row, the
// number of its category.
struct Categories {
  std::vector<float> values;
  std::vector<std::uint32_t> code;
};

Categories categories_of(const Table& t, std::size_t col) {
  Categories c;
  for (std::size_t i = 0; i < t.rows; ++i) c.values.push_back(t.row(i)[col]);
  std::sort(c.values.begin(), c.values.end());
  c.values.erase(std::unique(c.values.begin(), c.values.end()), c.values.end());
  c.code.resize(t.rows);
  for (std::size_t i = 0; i < t.rows; ++i)
    c.code[i] = static_cast<std::uint32_t>(std::lower_bound(c.values.begin(), c.values.end(), t.row(i)[col]) -
                                           c.values.begin());
  return c;
}

}  // namespace

Table fit_resample(const Table& t, const std::vector<std::size_t>& categorical, const sampling::Strategy& strategy,
                   int k_neighbors, std::uint64_t seed, const std::string& op) {
  smote::check_input(t, op);
  if (k_neighbors < 1) throw UserError("k_neighbors '" + std::to_string(k_neighbors) + "' should be at least 1");
  const std::size_t d = t.cols();
  std::vector<char> is_categorical(d, 0);
  for (auto c : categorical) {
    if (c >= d) throw UserError(op + ": categorical column " + std::to_string(c) + " is not in the table");
    if (is_categorical[c]) throw UserError(op + ": column '" + t.columns[c] + "' is listed twice as categorical");
    is_categorical[c] = 1;
  }
  std::vector<std::size_t> continuous;
  for (std::size_t f = 0; f < d; ++f)
    if (!is_categorical[f]) continuous.push_back(f);
  if (continuous.empty())
    throw UserError(op + " needs a continuous column, but all " + std::to_string(d) +
                    " are categorical: use random_over_sampler for categorical data");
  const auto counts = t.class_counts();
  const auto to_make = sampling::resolve(counts, strategy, sampling::Type::over, t.class_names, op);
  const std::size_t k = static_cast<std::size_t>(k_neighbors);
  bool any = false;
  for (const auto& [label, n_new] : to_make) {
    if (n_new == 0) continue;
    any = true;
    smote::require_neighbours(label, counts[label], k, t.class_names, op);
  }
  if (!any) return t;
  NumpyRandomState seed_check(seed);  // numpy's seed range, refused before the search

  const double m = median_std(t, minority_by_first_row(t, counts), continuous);
  const double half = m / 2.0;  // the one-hot entries of the encoding
  std::vector<Categories> cats;
  std::size_t width = continuous.size();
  for (auto c : categorical) {
    cats.push_back(categories_of(t, c));
    width += cats.back().values.size();
  }
  Table out = t;
  for (const auto& [label, n_new] : to_make) {
    if (n_new == 0) continue;
    std::vector<std::uint32_t> rows;
    for (std::size_t i = 0; i < t.rows; ++i)
      if (t.y[i] == label) rows.push_back(static_cast<std::uint32_t>(i));
    const std::size_t n = rows.size();
    // The encoded rows the neighbours are found in, and their continuous part alone.
    std::vector<double> encoded(n * width, 0.0), cont(n * continuous.size());
    for (std::size_t r = 0; r < n; ++r) {
      const float* src = t.row(rows[r]);
      double* dst = encoded.data() + r * width;
      for (std::size_t c = 0; c < continuous.size(); ++c) dst[c] = cont[r * continuous.size() + c] = src[continuous[c]];
      std::size_t offset = continuous.size();
      for (const auto& cat : cats) {
        dst[offset + cat.code[rows[r]]] = half;
        offset += cat.values.size();
      }
    }
    const auto nn = knn::nearest_neighbours(encoded, n, width, k);
    const smote::Draws draws = smote::draw_samples(n, k, n_new, seed);
    // The continuous columns, interpolated as SMOTE does, into a table of those columns.
    Table made;
    made.columns.assign(continuous.size(), "");
    smote::append_samples(draws, cont, cont, n, nn, k, label, made);
    const std::size_t first = out.rows;
    out.rows += n_new;
    out.x.resize(out.rows * d);
    out.y.resize(out.rows, label);
    for (std::size_t s = 0; s < n_new; ++s)
      for (std::size_t c = 0; c < continuous.size(); ++c) out.row(first + s)[continuous[c]] = made.row(s)[c];
    // Each categorical column: the most common category among the drawn row's neighbours.
    NumpyRandomState rng(seed);
    for (std::size_t f = 0; f < categorical.size(); ++f) {
      const Categories& cat = cats[f];
      const std::size_t nc = cat.values.size();
      // The summed one-hot columns (m / 2 each, or 1 when m is 0), added neighbour by neighbour.
      const double unit = m == 0.0 ? 1.0 : half;
      std::vector<std::pair<std::uint32_t, std::uint32_t>> tied;  // (synthetic row, category), row-major
      std::vector<double> sums(nc);
      for (std::size_t s = 0; s < n_new; ++s) {
        std::fill(sums.begin(), sums.end(), 0.0);
        for (std::size_t j = 0; j < k; ++j) sums[cat.code[rows[nn[draws.base[s] * k + j]]]] += unit;
        const double top = *std::max_element(sums.begin(), sums.end());
        for (std::size_t c = 0; c < nc; ++c)
          if (std::abs(sums[c] - top) <= 1e-8 + 1e-5 * std::abs(top))  // numpy.isclose
            tied.emplace_back(static_cast<std::uint32_t>(s), static_cast<std::uint32_t>(c));
      }
      rng.shuffle(tied);
      std::vector<char> done(n_new, 0);
      for (const auto& [s, c] : tied) {
        if (done[s]) continue;
        done[s] = 1;
        out.row(first + s)[categorical[f]] = cat.values[c];
      }
    }
  }
  return out;
}

}  // namespace pipeml::smote_nc
