// Follows imblearn 0.10's TomekLinks._fit_resample / is_tomek,
// EditedNearestNeighbours._fit_resample, and SMOTETomek / SMOTEENN._fit_resample.
#include "ops/cleaning.h"

#include "ops/nearest_neighbours.h"
#include "ops/smote.h"
#include "runtime/user_error.h"

namespace pipeml::cleaning {
namespace {

// NearestNeighbors(k + 1).fit(X) needs k + 1 rows: every row's k neighbours among the others.
void require_rows(const Table& t, std::size_t k, const std::string& op, const std::string& param) {
  if (t.rows >= k + 1) return;
  throw UserError("the training part has " + std::to_string(t.rows) + (t.rows == 1 ? " row" : " rows") +
                  ", too few for " + op + (param.empty() ? "" : " with " + param + " '" + std::to_string(k) + "'") +
                  ": each row needs " + std::to_string(k) + (k == 1 ? " neighbour" : " neighbours") +
                  ", so at least " + std::to_string(k + 1) + " rows");
}

}  // namespace

std::vector<std::size_t> tomek_links(const Table& t, const sampling::Strategy& strategy, const std::string& op) {
  smote::check_input(t, op);
  const auto targeted = sampling::resolve(t.class_counts(), strategy, sampling::Type::clean, t.class_names, op);
  require_rows(t, 1, op, "");
  const auto nn = knn::nearest_neighbours(smote::all_rows(t), t.rows, t.cols(), 1);
  std::vector<std::size_t> kept;
  kept.reserve(t.rows);
  for (std::size_t i = 0; i < t.rows; ++i) {
    const std::size_t j = nn[i];
    const bool link = t.y[j] != t.y[i] && nn[j] == i;
    if (!(link && targeted.count(t.y[i]))) kept.push_back(i);
  }
  return kept;
}

std::vector<std::size_t> edited_nearest_neighbours(const Table& t, const sampling::Strategy& strategy,
                                                   int n_neighbors, KindSel kind_sel, const std::string& op) {
  smote::check_input(t, op);
  if (n_neighbors < 1) throw UserError("n_neighbors '" + std::to_string(n_neighbors) + "' should be at least 1");
  const auto counts = t.class_counts();
  const auto targeted = sampling::resolve(counts, strategy, sampling::Type::clean, t.class_names, op);
  const std::size_t k = static_cast<std::size_t>(n_neighbors);
  require_rows(t, k, op, "n_neighbors");
  // One search for the rows of every targeted class.
  std::vector<std::uint32_t> queries;
  for (std::size_t i = 0; i < t.rows; ++i)
    if (targeted.count(t.y[i])) queries.push_back(static_cast<std::uint32_t>(i));
  const auto nn = knn::nearest_neighbours(smote::all_rows(t), t.rows, t.cols(), k, queries);
  std::vector<char> keep(t.rows, 1);
  std::vector<std::size_t> votes(counts.size());
  for (std::size_t q = 0; q < queries.size(); ++q) {
    const std::size_t i = queries[q];
    const std::uint32_t* hood = nn.data() + q * k;
    if (kind_sel == KindSel::all) {
      for (std::size_t m = 0; m < k; ++m)
        if (t.y[hood[m]] != t.y[i]) keep[i] = 0;
    } else {
      std::fill(votes.begin(), votes.end(), 0);
      for (std::size_t m = 0; m < k; ++m) ++votes[t.y[hood[m]]];
      // scipy.stats.mode: the most common label, the lowest among ties.
      std::size_t mode = 0;
      for (std::size_t c = 1; c < votes.size(); ++c)
        if (votes[c] > votes[mode]) mode = c;
      keep[i] = static_cast<int>(mode) == t.y[i];
    }
  }
  std::vector<std::size_t> kept;
  for (std::size_t label = 0; label < counts.size(); ++label)
    for (std::size_t i = 0; i < t.rows; ++i)
      if (t.y[i] == static_cast<int>(label) && keep[i]) kept.push_back(i);
  return kept;
}

Table smote_tomek(const Table& t, const sampling::Strategy& strategy, int k_neighbors, std::uint64_t seed,
                  std::vector<std::size_t>* kept) {
  const Table grown = smote::fit_resample(t, strategy, k_neighbors, seed, "smote_tomek");
  const auto rows = tomek_links(grown, sampling::Strategy::named("all"), "smote_tomek");
  if (kept) *kept = rows;
  return grown.take(rows);
}

Table smote_enn(const Table& t, const sampling::Strategy& strategy, int k_neighbors, int n_neighbors,
                KindSel kind_sel, std::uint64_t seed, std::vector<std::size_t>* kept) {
  const Table grown = smote::fit_resample(t, strategy, k_neighbors, seed, "smote_enn");
  const auto rows = edited_nearest_neighbours(grown, sampling::Strategy::named("all"), n_neighbors, kind_sel, "smote_enn");
  if (kept) *kept = rows;
  return grown.take(rows);
}

}  // namespace pipeml::cleaning
