// random_over_sampler and random_under_sampler against imbalanced-learn 0.10's
// RandomOverSampler and RandomUnderSampler (fixtures from make_resample_fixtures.py): the
// same rows in the same order, bit for bit (the smoothed bootstrap's too, rounded to float32),
// then missing values and the refusals.
#include <catch2/catch.hpp>

#include <cmath>

#include "ops/random_sampling.h"
#include "tests/ops/resample_helpers.h"

namespace {

using namespace pipeml;
using pipetest::message_of;
using sampling::Strategy;

TEST_CASE("random samplers give imblearn's rows, in imblearn's order", "[random_sampling]") {
  const auto fixture = pipetest::read_resample_fixture("random_samplers.json");
  std::size_t over = 0, under = 0, exact = 0;
  for (const auto& c : fixture.at("cases")) {
    const std::string sampler = c.at("sampler");
    DYNAMIC_SECTION(sampler << ": " << c.at("name").get<std::string>()) {
      const Table in = pipetest::input_of(c);
      const auto& p = c.at("params");
      const std::uint64_t seed = p.at("random_state");
      Table out;
      if (sampler == "random_over_sampler") {
        std::optional<double> shrinkage;
        if (p.contains("shrinkage")) shrinkage = p.at("shrinkage").get<double>();
        out = random_sampling::over_sample(in, pipetest::strategy_of(c), seed, shrinkage);
      } else {
        out = random_sampling::under_sample(in, pipetest::strategy_of(c), p.value("replacement", false), seed);
      }
      pipetest::check_output(c, in, out, true);
    }
    (sampler == "random_over_sampler" ? over : under) += 1;
    exact += c.contains("indices");
  }
  CHECK(over == 6);
  CHECK(under == 6);
  CHECK(exact == 10);  // all but the two smoothed bootstraps are the input's rows, exactly
}

Table with_missing() {
  Table t;
  t.columns = {"age", "ca"};
  t.class_names = {"no", "yes"};
  t.rows = 5;
  t.x = {1, 2, 3, NAN, 5, 6, 7, 8, 9, NAN};
  t.y = {0, 0, 0, 1, 1};
  return t;
}

TEST_CASE("random samplers copy missing values; the smoothed bootstrap refuses them", "[random_sampling]") {
  const Table t = with_missing();
  const Table over = random_sampling::over_sample(t, Strategy::named("auto"), 1);
  REQUIRE(over.rows == 6);
  CHECK(over.y.back() == 1);
  CHECK(std::isnan(over.row(5)[1]));  // class 'yes' has NaN in 'ca' in both its rows
  CHECK(random_sampling::under_sample(t, Strategy::named("auto"), false, 1).rows == 4);
  CHECK(message_of([&] { random_sampling::over_sample(t, Strategy::named("auto"), 1, 0.5); }) ==
        "random_over_sampler with shrinkage needs complete data but column 'ca' has missing values (NaN): impute "
        "them first");
}

TEST_CASE("random samplers' refusals", "[random_sampling]") {
  Table t = with_missing();
  CHECK(message_of([&] { random_sampling::under_sample(t, Strategy::named("minority"), false, 1); }) ==
        "sampling_strategy 'minority' cannot be used with an under-sampler such as random_under_sampler");
  CHECK(message_of([&] { random_sampling::over_sample(t, Strategy::targets_of({{0, 2}}), 1); }) ==
        "sampling_strategy asks for '2' rows of class 'no', which has 3 already: an over-sampler can only add rows");
  CHECK(message_of([&] { random_sampling::under_sample(t, Strategy::targets_of({{1, 3}}), false, 1); }) ==
        "sampling_strategy asks for '3' rows of class 'yes', which has 2: an under-sampler can only remove rows");
  CHECK(message_of([&] { random_sampling::over_sample(t, Strategy::named("auto"), 4294967296ull); }) ==
        "seed '4294967296' is too large: numpy's RandomState takes seeds from 0 to 4294967295");
  t.y.clear();
  CHECK(message_of([&] { random_sampling::over_sample(t, Strategy::named("auto"), 1); }) ==
        "random_over_sampler needs class labels but the table has no target column");
}

}  // namespace
