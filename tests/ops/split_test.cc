// split against scikit-learn 1.2 (fixtures from tests/fixtures/make_split_smote_fixtures.py):
// part sizes, _approximate_mode with its random tie breaking, and train_test_split's train
// and test rows, in order, for the UCI heart labels and synthetic label vectors; then every
// refusal, message and all.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "ops/split.h"
#include "runtime/user_error.h"
#include "tests/message_of.h"

namespace {

using pipetest::message_of;

using namespace pipeml;
using nlohmann::json;
using split::SplitSizes;

json read_fixture(const std::string& name) {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/split_smote/" + name);
  REQUIRE(in);
  return json::parse(in);
}

std::optional<double> optional_size(const json& v) {
  if (v.is_null()) return std::nullopt;
  return v.get<double>();
}

SplitSizes sizes_of(const json& c) {
  return split::resolve_sizes(c.at("y").size(), optional_size(c.at("test_size")), optional_size(c.at("train_size")));
}

std::vector<std::size_t> counts_in(const std::vector<std::size_t>& rows, const std::vector<int>& y, std::size_t k) {
  std::vector<std::size_t> c(k, 0);
  for (auto r : rows) ++c[y[r]];
  return c;
}

TEST_CASE("resolve_sizes gives sklearn's part sizes and refuses what it refuses", "[split]") {
  const json fixture = read_fixture("split.json");
  REQUIRE(fixture.at("sizes").size() >= 20);
  for (const auto& c : fixture.at("sizes")) {
    INFO(c.dump());
    const auto call = [&] {
      return split::resolve_sizes(c.at("n"), optional_size(c.at("test_size")), optional_size(c.at("train_size")));
    };
    if (c.contains("sklearn_error")) {
      CHECK_THROWS_AS(call(), UserError);
    } else {
      const SplitSizes s = call();
      CHECK(s.n_train == c.at("n_train").get<std::size_t>());
      CHECK(s.n_test == c.at("n_test").get<std::size_t>());
    }
  }
}

TEST_CASE("resolve_sizes: whole numbers are rows, fractions round as sklearn", "[split]") {
  CHECK(split::resolve_sizes(303, 0.2, std::nullopt).n_test == 61);  // ceil(60.6)
  CHECK(split::resolve_sizes(303, std::nullopt, 0.7).n_train == 212);  // floor(212.1)
  CHECK(split::resolve_sizes(303, 1.0, std::nullopt).n_test == 1);  // 1.0 is one row, not 100 %
  const SplitSizes both = split::resolve_sizes(10, 3, 5);  // two rows belong to neither part
  CHECK(both.n_train == 5);
  CHECK(both.n_test == 3);
  const SplitSizes dflt = split::resolve_sizes(10, std::nullopt, std::nullopt);
  CHECK(dflt.n_test == 3);
  CHECK(dflt.n_train == 7);
}

TEST_CASE("resolve_sizes' messages", "[split]") {
  const auto msg = [](std::size_t n, std::optional<double> test, std::optional<double> train) {
    return message_of([&] { split::resolve_sizes(n, test, train); });
  };
  CHECK(msg(10, 1.5, std::nullopt) ==
        "test_size '1.5' should be either a fraction in (0, 1) or a whole number of rows, at least 1 and below 10 "
        "(the number of rows)");
  CHECK(msg(10, 10, std::nullopt) ==
        "test_size '10' should be either a fraction in (0, 1) or a whole number of rows, at least 1 and below 10 "
        "(the number of rows)");
  CHECK(msg(10, std::nullopt, 0.0) ==
        "train_size '0' should be either a fraction in (0, 1) or a whole number of rows, at least 1 and below 10 "
        "(the number of rows)");
  CHECK(msg(10, 0.6, 0.5) ==
        "test_size '0.6' and train_size '0.5' add up to 1.1, more than all the rows: reduce test_size and/or "
        "train_size");
  CHECK(msg(10, 0.5, 6) ==
        "test_size '0.5' and train_size '6' ask for 11 rows but there are only 10: reduce test_size and/or "
        "train_size");
  CHECK(msg(1, std::nullopt, std::nullopt) ==
        "with 1 row, the default test_size 0.25 leaves the train part empty: adjust test_size or train_size");
  CHECK(msg(3, 0.99, std::nullopt) ==
        "with 3 rows, test_size '0.99' leaves the train part empty: adjust test_size or train_size");
  CHECK(msg(10, 0.3, 0.05) ==
        "with 10 rows, test_size '0.3' and train_size '0.05' leave the train part empty: adjust test_size or "
        "train_size");
}

TEST_CASE("approximate_mode matches sklearn's, ties and draws included", "[split]") {
  const json fixture = read_fixture("split.json");
  REQUIRE(fixture.at("approximate_mode").size() >= 10);
  for (const auto& c : fixture.at("approximate_mode")) {
    INFO(c.dump());
    NumpyRandomState rng(c.at("seed").get<std::uint64_t>());
    const auto got = split::approximate_mode(c.at("counts").get<std::vector<std::size_t>>(), c.at("n_draws"), rng);
    CHECK(got == c.at("out").get<std::vector<std::size_t>>());
    // The tie breaking consumed exactly what sklearn's did.
    CHECK(rng.random_sample() == c.at("next_sample").get<double>());
  }
}

TEST_CASE("train_test_split gives sklearn's rows in sklearn's order", "[split]") {
  const json fixture = read_fixture("split.json");
  std::size_t compared = 0;
  for (const auto& c : fixture.at("splits")) {
    if (c.contains("sklearn_error")) continue;
    DYNAMIC_SECTION(c.at("name").get<std::string>()) {
      const auto y = c.at("y").get<std::vector<int>>();
      const auto parts = split::train_test_split(y, sizes_of(c), c.at("stratify"), c.at("shuffle"), c.at("seed"));
      CHECK(parts.train == c.at("train").get<std::vector<std::size_t>>());
      CHECK(parts.test == c.at("test").get<std::vector<std::size_t>>());
    }
    ++compared;
  }
  CHECK(compared >= 15);
}

TEST_CASE("the heart data split as sklearn splits it (test_size 0.2, stratified, seed 42)", "[split]") {
  const json fixture = read_fixture("split.json");
  const json& c = fixture.at("splits").at(0);
  REQUIRE(c.at("name") == "heart stratified 0.2 seed 42");
  const auto y = c.at("y").get<std::vector<int>>();
  REQUIRE(y.size() == 303);
  const SplitSizes sizes = split::resolve_sizes(303, 0.2, std::nullopt);
  const auto parts = split::train_test_split(y, sizes, true, true, 42);
  CHECK(parts.train.size() == 242);
  CHECK(parts.test.size() == 61);
  CHECK(counts_in(parts.train, y, 2) == std::vector<std::size_t>{131, 111});
  CHECK(counts_in(parts.test, y, 2) == std::vector<std::size_t>{33, 28});
  CHECK(parts.train == c.at("train").get<std::vector<std::size_t>>());
  CHECK(parts.test == c.at("test").get<std::vector<std::size_t>>());
  const auto [train_counts, test_counts] = split::stratified_counts({164, 139}, sizes, 42);
  CHECK(train_counts == std::vector<std::size_t>{131, 111});
  CHECK(test_counts == std::vector<std::size_t>{33, 28});
}

TEST_CASE("stratified_counts agrees with the rows of every stratified split", "[split]") {
  const json fixture = read_fixture("split.json");
  bool saw_absent_label = false;
  for (const auto& c : fixture.at("splits")) {
    if (c.contains("sklearn_error") || !c.at("stratify").get<bool>()) continue;
    INFO(c.at("name"));
    const auto y = c.at("y").get<std::vector<int>>();
    std::vector<std::size_t> class_counts;
    for (int v : y) {
      if (static_cast<std::size_t>(v) >= class_counts.size()) class_counts.resize(v + 1, 0);
      ++class_counts[v];
    }
    saw_absent_label |= std::count(class_counts.begin(), class_counts.end(), 0) > 0;
    const auto [train, test] = split::stratified_counts(class_counts, sizes_of(c), c.at("seed"));
    const std::size_t k = class_counts.size();
    CHECK(train == counts_in(c.at("train").get<std::vector<std::size_t>>(), y, k));
    CHECK(test == counts_in(c.at("test").get<std::vector<std::size_t>>(), y, k));
  }
  CHECK(saw_absent_label);  // labels 1 and 4 only: 0, 2 and 3 take no part
}

TEST_CASE("train_test_split refuses what sklearn refuses", "[split]") {
  const json fixture = read_fixture("split.json");
  std::size_t refused = 0;
  for (const auto& c : fixture.at("splits")) {
    if (!c.contains("sklearn_error")) continue;
    INFO(c.at("name") << ": sklearn says " << c.at("sklearn_error"));
    const auto y = c.at("y").get<std::vector<int>>();
    CHECK_THROWS_AS(split::train_test_split(y, sizes_of(c), c.at("stratify"), c.at("shuffle"), c.at("seed")),
                    UserError);
    ++refused;
  }
  CHECK(refused == 4);
}

TEST_CASE("train_test_split's messages", "[split]") {
  const auto msg = [](std::vector<int> y, SplitSizes s, bool stratify, bool shuffle, std::uint64_t seed) {
    return message_of([&] { split::train_test_split(y, s, stratify, shuffle, seed); });
  };
  CHECK(msg({0, 0, 1, 1}, {2, 2}, true, false, 1) ==
        "a stratified split needs shuffle: set shuffle to true, or stratify to false to keep the row order");
  CHECK(msg({0, 0, 0, 1, 0, 0, 2, 2}, {4, 4}, true, true, 1) ==
        "the least populated class in y (label '1') has only 1 member, which is too few: a stratified split needs "
        "at least 2 rows of every class");
  CHECK(msg({0, 0, 1, 1, 2, 2}, {4, 2}, true, true, 1) ==
        "the test part would have 2 rows, fewer than the 3 classes: a stratified split needs a row of every class "
        "in each part");
  CHECK(msg({0, 0, 1, 1, 2, 2}, {1, 4}, true, true, 1) ==
        "the train part would have 1 row, fewer than the 3 classes: a stratified split needs a row of every class "
        "in each part");
  CHECK(msg({0, 1, 0, 1}, {2, 2}, false, true, 4294967296ull) ==
        "seed '4294967296' is too large: numpy's RandomState takes seeds from 0 to 4294967295");
  // stratified_counts refuses the same way, without the rows.
  CHECK(message_of([] { split::stratified_counts({5, 1, 0}, {3, 3}, 0); }) ==
        "the least populated class in y (label '1') has only 1 member, which is too few: a stratified split needs "
        "at least 2 rows of every class");
  CHECK(message_of([] { split::stratified_counts({5, 0, 4}, {7, 1}, 0); }) ==
        "the test part would have 1 row, fewer than the 2 classes: a stratified split needs a row of every class "
        "in each part");
}

TEST_CASE("train_test_split without shuffle keeps the row order and draws nothing", "[split]") {
  const auto parts = split::train_test_split({0, 1, 0, 1, 1, 0, 1}, {4, 2}, false, false, 99ull << 40);
  CHECK(parts.train == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(parts.test == std::vector<std::size_t>{4, 5});
}

}  // namespace
