// kfold against scikit-learn 1.2 (fixtures from tests/fixtures/make_kfold_fixtures.py):
// every fold's train and test rows, in order, for KFold and StratifiedKFold with and
// without shuffle, several seeds and class mixes; then sklearn's refusals and its warning,
// in pipe's words.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "ops/kfold.h"
#include "runtime/user_error.h"
#include "tests/message_of.h"

namespace {

using pipetest::message_of;

using namespace pipeml;
using nlohmann::json;

json read_fixture() {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/kfold_cases.json");
  REQUIRE(in);
  return json::parse(in);
}

std::vector<kfold::Fold> folds_of(const json& c) {
  const auto y = c.at("y").get<std::vector<int>>();
  const auto n_splits = c.at("n_splits").get<std::size_t>();
  const bool shuffle = c.at("shuffle");
  // Without shuffle sklearn takes no seed; pipe's is then ignored, so any value does.
  const std::uint64_t seed = c.at("seed").is_null() ? 12345 : c.at("seed").get<std::uint64_t>();
  return c.at("stratify") ? kfold::stratified_kfold(y, n_splits, shuffle, seed) : kfold::kfold(y.size(), n_splits, shuffle, seed);
}

}  // namespace

TEST_CASE("kfold and stratified_kfold give sklearn's folds, rows in sklearn's order", "[kfold]") {
  const json fixture = read_fixture();
  std::size_t compared = 0, stratified = 0, unshuffled = 0;
  for (const auto& c : fixture.at("cases")) {
    if (c.contains("sklearn_error")) continue;
    DYNAMIC_SECTION(c.at("name").get<std::string>()) {
      const auto folds = folds_of(c);
      REQUIRE(folds.size() == c.at("folds").size());
      for (std::size_t f = 0; f < folds.size(); ++f) {
        INFO("fold " << f);
        CHECK(folds[f].train == c.at("folds")[f].at("train").get<std::vector<std::size_t>>());
        CHECK(folds[f].test == c.at("folds")[f].at("test").get<std::vector<std::size_t>>());
      }
    }
    ++compared;
    stratified += c.at("stratify").get<bool>();
    unshuffled += !c.at("shuffle").get<bool>();
  }
  // The fixture covers both splitters, shuffled and not (the heart cases need the data file).
  CHECK(compared >= 16);
  CHECK(stratified >= 10);
  CHECK(unshuffled >= 4);
}

TEST_CASE("stratified_kfold on the heart labels: the counts pipe plan shows", "[kfold]") {
  const json fixture = read_fixture();
  const json& c = fixture.at("cases").at(0);
  REQUIRE(c.at("name") == "heart stratified 5 seed 42");
  const auto y = c.at("y").get<std::vector<int>>();
  const auto folds = kfold::stratified_kfold(y, 5, true, 42);
  std::vector<std::size_t> test_rows, ones;
  for (const auto& f : folds) {
    test_rows.push_back(f.test.size());
    std::size_t n = 0;
    for (auto r : f.test) n += y[r];
    ones.push_back(n);
  }
  CHECK(test_rows == std::vector<std::size_t>{61, 61, 61, 60, 60});
  // The sorted labels dealt round robin: 164 zeros give folds 1-4 33 each and fold 5 32;
  // the 139 ones then start at fold 5 (position 164), so fold 4 gets one fewer.
  CHECK(ones == std::vector<std::size_t>{28, 28, 28, 27, 28});
}

TEST_CASE("every row is tested by exactly one fold and trained on by the others", "[kfold]") {
  const std::vector<int> y = {3, 1, 1, 3, 3, 2, 1, 3, 3, 1, 2, 2, 3, 1};
  for (bool stratify : {false, true}) {
    const auto folds = stratify ? kfold::stratified_kfold(y, 3, true, 7) : kfold::kfold(y.size(), 3, true, 7);
    std::vector<int> tested(y.size(), 0);
    for (const auto& f : folds) {
      CHECK(f.train.size() + f.test.size() == y.size());
      for (auto r : f.test) ++tested[r];
    }
    CHECK(tested == std::vector<int>(y.size(), 1));
  }
}

TEST_CASE("kfold refuses what sklearn refuses, in pipe's words", "[kfold]") {
  const json fixture = read_fixture();
  std::size_t refused = 0;
  for (const auto& c : fixture.at("cases")) {
    if (!c.contains("sklearn_error")) continue;
    INFO(c.at("name"));
    CHECK_THROWS_AS(folds_of(c), UserError);
    ++refused;
  }
  CHECK(refused == 3);
  const std::vector<int> five = {0, 1, 0, 1, 1};
  CHECK(message_of([&] { kfold::kfold(5, 6, true, 0); }) == "n_splits '6' is more than the 5 rows: every fold needs a row to test");
  CHECK(message_of([&] { kfold::stratified_kfold(five, 6, false, 0); }) ==
        "n_splits '6' is more than the 5 rows: every fold needs a row to test");
  CHECK(message_of([&] { kfold::stratified_kfold({0, 0, 0, 1, 1, 1, 1, 0}, 5, true, 0, {"no", "yes"}); }) ==
        "n_splits '5' is more than the rows of every class (the most, 4, are of class 'no'): a stratified fold tests "
        "rows of each class");
  CHECK_THROWS_AS(kfold::kfold(5, 1, true, 0), std::invalid_argument);
  // numpy refuses seeds above 2**32 - 1; unshuffled, the seed is not used at all.
  CHECK(message_of([&] { kfold::kfold(5, 2, true, 4294967296ull); }) ==
        "seed '4294967296' is too large: numpy's RandomState takes seeds from 0 to 4294967295");
  CHECK(kfold::stratified_kfold(five, 2, false, 4294967296ull).size() == 2);
}

TEST_CASE("stratified_warning is sklearn's warning about a small class", "[kfold]") {
  const json fixture = read_fixture();
  std::size_t warned = 0;
  for (const auto& c : fixture.at("cases")) {
    if (c.contains("sklearn_error") || !c.at("stratify").get<bool>()) continue;
    INFO(c.at("name"));
    const auto w = kfold::stratified_warning(c.at("y").get<std::vector<int>>(), c.at("n_splits"));
    CHECK(w.empty() == !c.contains("warning"));
    warned += !w.empty();
  }
  CHECK(warned == 2);
  CHECK(kfold::stratified_warning({0, 0, 0, 0, 1, 0, 0, 0}, 3, {"healthy", "sick"}) ==
        "class 'sick' has only 1 row, fewer than n_splits '3': some folds test none of it");
  // Of two equally small classes, the first label is named.
  CHECK(kfold::stratified_warning({4, 2, 4, 2, 7, 7, 7, 7}, 5) ==
        "class '2' has only 2 rows, fewer than n_splits '5': some folds test none of it");
  CHECK(kfold::stratified_warning({0, 1, 0, 1}, 2).empty());
}
