// Follows sklearn 1.2's model_selection/_split.py (_BaseKFold.split, KFold._iter_test_indices,
// StratifiedKFold._make_test_folds) step for step: every rng call there is one
// NumpyRandomState call here, in the same order.
#include "ops/kfold.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "runtime/numpy_random.h"
#include "runtime/user_error.h"

namespace pipeml::kfold {
namespace {

std::string class_name(int label, const std::vector<std::string>& names) {
  return label >= 0 && static_cast<std::size_t>(label) < names.size() ? names[label] : std::to_string(label);
}

// _BaseKFold's checks, shared by both splitters.
void check_splits(std::size_t n, std::size_t n_splits) {
  if (n_splits < 2) throw std::invalid_argument("kfold: n_splits must be at least 2");
  if (n_splits > n)
    throw UserError("n_splits '" + std::to_string(n_splits) + "' is more than the " + std::to_string(n) +
                    " rows: every fold needs a row to test");
}

// BaseCrossValidator.split: fold i tests the rows whose test_fold is i, trains on the rest.
std::vector<Fold> folds_from(const std::vector<std::size_t>& test_fold, std::size_t n_splits) {
  std::vector<Fold> folds(n_splits);
  for (std::size_t row = 0; row < test_fold.size(); ++row)
    for (std::size_t f = 0; f < n_splits; ++f) (f == test_fold[row] ? folds[f].test : folds[f].train).push_back(row);
  return folds;
}

// The classes of y numbered by first appearance (StratifiedKFold's y_encoded), with the
// label each number stands for and how many rows it has.
struct Encoded {
  std::vector<std::size_t> code;  ///< per row
  std::vector<int> label;         ///< per code
  std::vector<std::size_t> count;  ///< per code
};

Encoded encode(const std::vector<int>& y) {
  Encoded e;
  std::map<int, std::size_t> code_of;
  for (int v : y) {
    auto [it, added] = code_of.emplace(v, e.label.size());
    if (added) {
      e.label.push_back(v);
      e.count.push_back(0);
    }
    e.code.push_back(it->second);
    ++e.count[it->second];
  }
  return e;
}

}  // namespace

std::vector<Fold> kfold(std::size_t n, std::size_t n_splits, bool shuffle, std::uint64_t seed) {
  check_splits(n, n_splits);
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffle) NumpyRandomState(seed).shuffle(order);
  std::vector<std::size_t> test_fold(n);
  std::size_t at = 0;
  for (std::size_t f = 0; f < n_splits; ++f) {
    const std::size_t size = n / n_splits + (f < n % n_splits ? 1 : 0);
    for (std::size_t i = 0; i < size; ++i) test_fold[order[at++]] = f;
  }
  return folds_from(test_fold, n_splits);
}

std::vector<Fold> stratified_kfold(const std::vector<int>& y, std::size_t n_splits, bool shuffle, std::uint64_t seed,
                                   const std::vector<std::string>& class_names) {
  check_splits(y.size(), n_splits);
  // Without shuffle sklearn takes no random_state, so pipe does not even look at the seed.
  std::optional<NumpyRandomState> rng;
  if (shuffle) rng.emplace(seed);
  const Encoded e = encode(y);
  const auto most = std::max_element(e.count.begin(), e.count.end());
  if (*most < n_splits) {
    const int label = e.label[most - e.count.begin()];
    throw UserError("n_splits '" + std::to_string(n_splits) + "' is more than the rows of every class (the most, " +
                    std::to_string(*most) + ", are of class '" + class_name(label, class_names) +
                    "'): a stratified fold tests rows of each class");
  }
  // allocation[f][c]: rows of class c that fold f tests. Dealing the sorted codes round robin
  // (np.bincount(y_order[f::n_splits])) is the same as dealing position j to fold j % n_splits.
  const std::size_t k = e.label.size();
  std::vector<std::size_t> sorted_codes = e.code;
  std::sort(sorted_codes.begin(), sorted_codes.end());
  std::vector<std::vector<std::size_t>> allocation(n_splits, std::vector<std::size_t>(k, 0));
  for (std::size_t j = 0; j < sorted_codes.size(); ++j) ++allocation[j % n_splits][sorted_codes[j]];

  std::vector<std::size_t> test_fold(y.size());
  for (std::size_t c = 0; c < k; ++c) {
    std::vector<std::size_t> folds_for_class;  // np.arange(n_splits).repeat(allocation[:, c])
    for (std::size_t f = 0; f < n_splits; ++f) folds_for_class.insert(folds_for_class.end(), allocation[f][c], f);
    if (rng) rng->shuffle(folds_for_class);
    std::size_t next = 0;  // test_folds[y_encoded == c] = folds_for_class, rows in order
    for (std::size_t row = 0; row < y.size(); ++row)
      if (e.code[row] == c) test_fold[row] = folds_for_class[next++];
  }
  return folds_from(test_fold, n_splits);
}

std::string stratified_warning(const std::vector<int>& y, std::size_t n_splits, const std::vector<std::string>& class_names) {
  const Encoded e = encode(y);
  if (e.count.empty()) return {};
  // The least populated class; of equally small ones, the lowest label.
  std::size_t least = 0;
  for (std::size_t c = 1; c < e.count.size(); ++c)
    if (e.count[c] < e.count[least] || (e.count[c] == e.count[least] && e.label[c] < e.label[least])) least = c;
  if (e.count[least] >= n_splits) return {};
  const std::size_t n = e.count[least];
  return "class '" + class_name(e.label[least], class_names) + "' has only " + std::to_string(n) +
         (n == 1 ? " row" : " rows") + ", fewer than n_splits '" + std::to_string(n_splits) +
         "': some folds test none of it";
}

}  // namespace pipeml::kfold
