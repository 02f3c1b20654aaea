// smote_nc against imbalanced-learn 0.10's SMOTENC (fixtures from make_resample_fixtures.py):
// integer-coded categorical columns listed in any order, binary and three classes, a ratio,
// rows per class, a minority whose continuous columns do not vary (median std 0): the same
// synthetic rows, categories and tie-breaks included; every synthetic row's continuous part
// lies between a class row and one of its nearest same-class rows and its categories are
// values of the column; then the refusals.
#include <catch2/catch.hpp>

#include <set>

#include "ops/smote_nc.h"
#include "tests/ops/resample_helpers.h"

namespace {

using namespace pipeml;
using pipetest::message_of;
using sampling::Strategy;

TEST_CASE("smote_nc gives imblearn's synthetic rows", "[smote_nc]") {
  const auto fixture = pipetest::read_resample_fixture("smote_nc.json");
  std::size_t compared = 0;
  for (const auto& c : fixture.at("cases")) {
    DYNAMIC_SECTION(c.at("name").get<std::string>()) {
      const Table in = pipetest::input_of(c);
      const auto& p = c.at("params");
      const auto cats = p.at("categorical_features").get<std::vector<std::size_t>>();
      const Table out = smote_nc::fit_resample(in, cats, pipetest::strategy_of(c), p.value("k_neighbors", 5),
                                               p.at("random_state").get<std::uint64_t>());
      pipetest::check_output(c, in, out);
      for (auto col : cats) {
        std::set<float> values;
        for (std::size_t i = 0; i < in.rows; ++i) values.insert(in.row(i)[col]);
        for (std::size_t i = in.rows; i < out.rows; ++i) CHECK(values.count(out.row(i)[col]) == 1);
      }
    }
    ++compared;
  }
  CHECK(compared == 5);
}

TEST_CASE("smote_nc's refusals", "[smote_nc]") {
  Table t;
  t.columns = {"age", "cp"};
  t.class_names = {"no", "yes"};
  t.rows = 4;
  t.x = {1, 0, 2, 1, 3, 2, 4, 1};
  t.y = {0, 0, 1, 1};
  const auto automatic = Strategy::named("auto");
  CHECK(message_of([&] { smote_nc::fit_resample(t, {0, 1}, automatic, 1, 0); }) ==
        "smote_nc needs a continuous column, but all 2 are categorical: use random_over_sampler for categorical data");
  CHECK(message_of([&] { smote_nc::fit_resample(t, {1, 1}, automatic, 1, 0); }) ==
        "smote_nc: column 'cp' is listed twice as categorical");
  CHECK(message_of([&] { smote_nc::fit_resample(t, {1}, Strategy::targets_of({{1, 3}}), 2, 0); }) ==
        "class 'yes' has 2 rows, too few for smote_nc with k_neighbors '2': each row needs 2 neighbours of its class, "
        "so at least 3 rows (lower k_neighbors or leave the class out of sampling_strategy)");
  const Table out = smote_nc::fit_resample(t, {1}, Strategy::targets_of({{1, 3}}), 1, 0);
  REQUIRE(out.rows == 5);
  CHECK((out.row(4)[1] == 2.0f || out.row(4)[1] == 1.0f));  // the category of the row or its neighbour
}

}  // namespace
