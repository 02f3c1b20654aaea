// smote against imbalanced-learn 0.10 (fixtures from
// tests/fixtures/make_split_smote_fixtures.py): sampling_strategy in every form, synthetic
// rows of small tables (all of them) and of larger generated ones (every row's sum, some
// rows whole), the neighbours of a larger class; then every refusal, message and all.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "ops/nearest_neighbours.h"
#include "ops/smote.h"
#include "runtime/numpy_random.h"
#include "runtime/user_error.h"
#include "tests/ops/resample_helpers.h"

namespace {

using namespace pipeml;
using nlohmann::json;
using pipetest::message_of;
using sampling::Strategy;

std::map<int, std::size_t> samples_to_generate(const std::vector<std::size_t>& counts, const Strategy& s,
                                               const std::vector<std::string>& names = {}) {
  return sampling::resolve(counts, s, sampling::Type::over, names, "smote");
}

json read_fixture(const std::string& name) { return pipetest::read_resample_fixture(name, "split_smote"); }

// pipe stores float32; imblearn's float64 result rounded to float32 is what it should hold.
void check_row(const float* got, const std::vector<double>& want) {
  for (std::size_t f = 0; f < want.size(); ++f)
    CHECK(got[f] == Approx(want[f]).epsilon(1e-6).margin(1e-6));
}

TEST_CASE("samples_to_generate is imblearn's check_sampling_strategy for over-sampling", "[smote]") {
  const json fixture = read_fixture("smote.json");
  const auto& cases = fixture.at("sampling_strategy");
  REQUIRE(cases.size() >= 100);
  std::size_t refused = 0;
  for (const auto& c : cases) {
    INFO(c.dump());
    const auto counts = c.at("counts").get<std::vector<std::size_t>>();
    const auto call = [&] { return samples_to_generate(counts, pipetest::strategy_from(c.at("strategy"))); };
    if (c.contains("imblearn_error")) {
      CHECK_THROWS_AS(call(), UserError);
      ++refused;
      continue;
    }
    std::map<int, std::size_t> want;
    for (const auto& pair : c.at("out")) want[pair.at(0).get<int>()] = pair.at(1).get<std::size_t>();
    CHECK(call() == want);
  }
  CHECK(refused > 30);
}

TEST_CASE("fit_resample gives imblearn's synthetic rows for small tables", "[smote]") {
  const json fixture = read_fixture("smote.json");
  REQUIRE(fixture.at("small").size() == 7);
  for (const auto& c : fixture.at("small")) {
    DYNAMIC_SECTION(c.at("name").get<std::string>()) {
      const Table in = pipetest::table_of(c.at("x"), c.at("y"));
      const Table out = smote::fit_resample(in, pipetest::strategy_from(c.at("strategy")), c.at("k"), c.at("seed"));
      const auto want_y = c.at("y_out").get<std::vector<int>>();
      const auto want_x = c.at("x_out").get<std::vector<std::vector<double>>>();
      REQUIRE(out.rows == in.rows + want_y.size());
      REQUIRE(out.y.size() == out.rows);
      REQUIRE(out.x.size() == out.rows * in.cols());
      CHECK(out.columns == in.columns);
      CHECK(out.class_names == in.class_names);
      // The original rows come first, untouched.
      CHECK(std::vector<float>(out.x.begin(), out.x.begin() + in.x.size()) == in.x);
      CHECK(std::vector<int>(out.y.begin(), out.y.begin() + in.rows) == in.y);
      CHECK(std::vector<int>(out.y.begin() + in.rows, out.y.end()) == want_y);
      for (std::size_t s = 0; s < want_x.size(); ++s) {
        INFO("synthetic row " << s);
        check_row(out.row(in.rows + s), want_x[s]);
      }
    }
  }
}

TEST_CASE("fit_resample matches imblearn on larger generated tables", "[smote]") {
  const json fixture = read_fixture("smote.json");
  REQUIRE(fixture.at("generated").size() == 2);
  for (const auto& c : fixture.at("generated")) {
    DYNAMIC_SECTION(c.at("name").get<std::string>()) {
      const Table in = pipetest::generated_table(c);
      const Table out = smote::fit_resample(in, pipetest::strategy_from(c.at("strategy")), c.at("k"), c.at("seed"));
      const std::size_t n_new = c.at("n_out");
      REQUIRE(out.rows == in.rows + n_new);
      std::vector<std::size_t> y_counts(c.at("y_counts").size(), 0);
      for (std::size_t i = in.rows; i < out.rows; ++i) ++y_counts[out.y[i]];
      CHECK(y_counts == c.at("y_counts").get<std::vector<std::size_t>>());
      // Every synthetic row's sum: one wrong neighbour or step anywhere shows.
      const auto sums = c.at("row_sums").get<std::vector<double>>();
      REQUIRE(sums.size() == n_new);
      std::size_t wrong = 0;
      for (std::size_t s = 0; s < n_new; ++s) {
        double sum = 0.0;
        for (std::size_t f = 0; f < in.cols(); ++f) sum += out.row(in.rows + s)[f];
        if (std::abs(sum - sums[s]) > 2e-4) ++wrong;
      }
      CHECK(wrong == 0);
      for (const auto& row : c.at("sampled_rows")) {
        const std::size_t s = row.at(0);
        INFO("synthetic row " << s);
        const auto values = row.get<std::vector<double>>();
        check_row(out.row(in.rows + s), std::vector<double>(values.begin() + 1, values.end()));
      }
    }
  }
}

TEST_CASE("nearest_neighbours finds sklearn's NearestNeighbors neighbours, nearest first", "[smote]") {
  const json fixture = read_fixture("smote.json");
  const json& c = fixture.at("neighbours").at(0);
  const Table t = pipetest::generated_table(c);
  const int label = c.at("label");
  const std::size_t d = t.cols(), k = c.at("k");
  std::vector<double> x;
  for (std::size_t i = 0; i < t.rows; ++i)
    if (t.y[i] == label) x.insert(x.end(), t.row(i), t.row(i) + d);
  const std::size_t n = x.size() / d;
  REQUIRE(n == c.at("rows").get<std::size_t>());
  const auto nn = knn::nearest_neighbours(x, n, d, k);
  REQUIRE(nn.size() == n * k);
  std::size_t compared = 0;
  for (const auto& row : c.at("neighbours")) {
    const auto want = row.get<std::vector<std::uint32_t>>();
    const std::size_t i = want.at(0);
    INFO("row " << i);
    CHECK(std::vector<std::uint32_t>(nn.begin() + i * k, nn.begin() + (i + 1) * k) ==
          std::vector<std::uint32_t>(want.begin() + 1, want.end()));
    ++compared;
  }
  CHECK(compared == 300);
}

TEST_CASE("nearest_neighbours breaks exact ties by the lower row and never returns the row itself", "[smote]") {
  // Points on a line at 0, 1, 2, 3, 4 plus a duplicate of 2 (row 5): from row 2 the
  // nearest are row 5 (distance 0), then rows 1 and 3 (distance 1, lower first).
  const std::vector<double> x = {0, 1, 2, 3, 4, 2};
  const auto nn = knn::nearest_neighbours(x, 6, 1, 3);
  CHECK(std::vector<std::uint32_t>(nn.begin() + 6, nn.begin() + 9) == std::vector<std::uint32_t>{5, 1, 3});
  CHECK(std::vector<std::uint32_t>(nn.begin() + 15, nn.begin() + 18) == std::vector<std::uint32_t>{2, 1, 3});
  CHECK(std::vector<std::uint32_t>(nn.begin(), nn.begin() + 3) == std::vector<std::uint32_t>{1, 2, 5});
}

TEST_CASE("sampling_strategy's messages", "[smote]") {
  const std::vector<std::string> names{"no", "yes", "maybe"};
  const auto msg = [&](std::vector<std::size_t> counts, const Strategy& s) {
    return message_of([&] { samples_to_generate(counts, s, names); });
  };
  CHECK(msg({5, 0, 0}, Strategy::named("auto")) == "the target needs more than 1 class to oversample, got 1");
  CHECK(msg({30, 12}, Strategy::named("majority")) ==
        "sampling_strategy 'majority' cannot be used with an over-sampler such as smote");
  CHECK(message_of([] { Strategy::named("most"); }) ==
        "sampling_strategy 'most' should be one of 'auto', 'minority', 'majority', 'not minority', 'not majority', "
        "'all', a ratio in (0, 1], the rows wanted per class or a list of classes");
  CHECK(msg({30, 12}, Strategy::classes_of({0})) ==
        "sampling_strategy can list classes only for a cleaning sampler; smote takes the rows wanted per class "
        "instead");
  CHECK(msg({30, 12}, Strategy::ratio_of(1.5)) == "sampling_strategy '1.5' should be in (0, 1] when it is a ratio");
  CHECK(msg({30, 12, 3}, Strategy::ratio_of(0.5)) ==
        "sampling_strategy '0.5' can be a ratio only for 2 classes, got 3: give the rows wanted per class instead");
  CHECK(msg({30, 12}, Strategy::ratio_of(0.4)) ==
        "sampling_strategy '0.4' asks for 12 rows of class 'yes', which has 12 already: increase the ratio so that "
        "smote adds rows");
  CHECK(msg({30, 12}, Strategy::targets_of({{2, 40}})) ==
        "sampling_strategy names class 'maybe', which is not in the data");
  CHECK(msg({30, 12}, Strategy::targets_of({{1, -1}})) ==
        "sampling_strategy asks for '-1' rows of class 'yes': a number of rows cannot be negative");
  CHECK(msg({30, 12}, Strategy::targets_of({{1, 11}})) ==
        "sampling_strategy asks for '11' rows of class 'yes', which has 12 already: an over-sampler can only add "
        "rows");
  // Without names, a class is its label.
  CHECK(message_of([] { samples_to_generate({30, 12}, Strategy::targets_of({{7, 40}})); }) ==
        "sampling_strategy names class '7', which is not in the data");
}

TEST_CASE("samples_to_generate picks the lowest label among equal majorities and minorities", "[smote]") {
  using Map = std::map<int, std::size_t>;
  CHECK(samples_to_generate({9, 12, 12, 5}, Strategy::named("auto")) == Map{{0, 3}, {2, 0}, {3, 7}});
  CHECK(samples_to_generate({5, 12, 5}, Strategy::named("minority")) == Map{{0, 7}});
  CHECK(samples_to_generate({0, 7, 0, 10}, Strategy::named("all")) == Map{{1, 3}, {3, 0}});
  CHECK(samples_to_generate({30, 12}, Strategy::ratio_of(0.75)) == Map{{1, 10}});  // int(22.5 - 12)
}

TEST_CASE("fit_resample's refusals", "[smote]") {
  Table t;
  t.columns = {"age", "ca"};
  t.class_names = {"no", "yes"};
  t.rows = 4;
  t.x = {1, 2, 3, 4, 5, 6, 7, 8};
  t.y = {0, 0, 0, 1};
  const Strategy automatic = Strategy::named("auto");
  CHECK(message_of([&] { smote::fit_resample(t, automatic, 5, 1); }) ==
        "class 'yes' has 1 row, too few for smote with k_neighbors '5': each row needs 5 neighbours of its class, so "
        "at least 6 rows (lower k_neighbors or leave the class out of sampling_strategy)");
  CHECK(message_of([&] { smote::fit_resample(t, automatic, 0, 1); }) == "k_neighbors '0' should be at least 1");
  t.y = {0, 0, 1, 1};
  CHECK(message_of([&] { smote::fit_resample(t, Strategy::targets_of({{1, 4}}), 2, 1); }) ==
        "class 'yes' has 2 rows, too few for smote with k_neighbors '2': each row needs 2 neighbours of its class, so "
        "at least 3 rows (lower k_neighbors or leave the class out of sampling_strategy)");
  CHECK(message_of([&] { smote::fit_resample(t, Strategy::targets_of({{1, 4}}), 1, 4294967296ull); }) ==
        "seed '4294967296' is too large: numpy's RandomState takes seeds from 0 to 4294967295");
  // Nothing to make: no neighbours needed, no refusal (as imblearn).
  CHECK(smote::fit_resample(t, automatic, 5, 1).rows == 4);
  t.x[3] = std::nanf("");
  CHECK(message_of([&] { smote::fit_resample(t, automatic, 1, 1); }) ==
        "smote needs complete data but column 'ca' has missing values (NaN): impute them first");
  t.x[3] = INFINITY;
  CHECK(message_of([&] { smote::fit_resample(t, automatic, 1, 1); }) ==
        "smote needs finite data but column 'ca' has an infinite value");
  t.x[3] = 4;
  t.y.clear();
  CHECK(message_of([&] { smote::fit_resample(t, automatic, 1, 1); }) ==
        "smote needs class labels but the table has no target column");
}

}  // namespace
