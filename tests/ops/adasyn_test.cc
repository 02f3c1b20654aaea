// adasyn against imbalanced-learn 0.10's ADASYN (fixtures from make_resample_fixtures.py):
// binary and three classes, a ratio and rows per class, larger generated tables (every
// synthetic row's sum), the case imblearn refuses; every synthetic row lies between a class
// row and one of its nearest same-class rows; numpy's pairwise sum, which decides the
// rounded row counts; then the refusals.
#include <catch2/catch.hpp>

#include "ops/adasyn.h"
#include "runtime/numpy_sum.h"
#include "tests/ops/resample_helpers.h"

namespace {

using namespace pipeml;
using pipetest::message_of;
using sampling::Strategy;

Table resampled(const nlohmann::json& c, const Table& in) {
  const auto& p = c.at("params");
  return adasyn::fit_resample(in, pipetest::strategy_of(c), p.value("n_neighbors", 5),
                              p.at("random_state").get<std::uint64_t>());
}

TEST_CASE("adasyn gives imblearn's synthetic rows", "[adasyn]") {
  const auto fixture = pipetest::read_resample_fixture("adasyn.json");
  std::size_t compared = 0;
  for (const auto& c : fixture.at("cases")) {
    DYNAMIC_SECTION(c.at("name").get<std::string>()) {
      const Table in = c.contains("x") ? pipetest::input_of(c) : pipetest::generated_table(c);
      if (c.contains("imblearn_error")) {
        CHECK(message_of([&] { resampled(c, in); }) ==
              "no row of class 'c1' has a row of another class among its 5 nearest neighbours, so adasyn cannot weigh "
              "its rows: use smote instead");
      } else {
        const Table out = resampled(c, in);
        if (c.contains("row_sums")) pipetest::check_summary(c, in, out);
        else pipetest::check_output(c, in, out);
        CHECK(pipetest::off_segment_rows(in, out, in.rows, c.at("params").value("n_neighbors", 5)) == 0);
      }
    }
    ++compared;
  }
  CHECK(compared == 7);
}

TEST_CASE("numpy_sum adds as numpy's pairwise sum does, bit for bit", "[adasyn]") {
  const auto fixture = pipetest::read_resample_fixture("numpy_draws.json");
  std::size_t inexact = 0;  // cases where a plain left-to-right sum differs: the test can fail
  for (const auto& c : fixture.at("sums")) {
    const std::size_t n = c.at("n");
    NumpyRandomState rs(c.at("seed").get<std::uint64_t>());
    std::vector<double> a(n);
    if (c.at("kind") == "random") {
      for (auto& v : a) v = rs.random_sample() * 2000 - 1000;
    } else {
      const auto ints = rs.randint(0, 8, n);
      for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<double>(ints[i]) / 7;
    }
    INFO(c.at("kind").get<std::string>() << " n " << n);
    CHECK(pipeml::numpy_sum(a.data(), n) == c.at("sum").get<double>());
    double plain = 0.0;
    for (double v : a) plain += v;
    inexact += plain != c.at("sum").get<double>();
  }
  CHECK(inexact > 5);
}

TEST_CASE("adasyn's refusals", "[adasyn]") {
  Table t;
  t.columns = {"x", "ca"};
  t.class_names = {"no", "yes"};
  t.rows = 6;
  t.x = {0, 0, 1, 0, 0, 1, 1, 1, 0.5f, 0.5f, 0.4f, 0.6f};
  t.y = {0, 0, 0, 0, 1, 1};
  CHECK(message_of([&] { adasyn::fit_resample(t, Strategy::named("auto"), 2, 0); }) ==
        "class 'yes' has 2 rows, too few for adasyn with n_neighbors '2': each row needs 2 neighbours of its class, so "
        "at least 3 rows (lower n_neighbors or leave the class out of sampling_strategy)");
  // The two rows of 'yes' are each other's nearest: nothing to weigh them by.
  CHECK(message_of([&] { adasyn::fit_resample(t, Strategy::named("auto"), 1, 0); }) ==
        "no row of class 'yes' has a row of another class among its 1 nearest neighbours, so adasyn cannot weigh its "
        "rows: use smote instead");
  // Moved next to a 'no' row, the second row of 'yes' takes all 2 rows wanted.
  t.x[10] = 0.9f;
  t.x[11] = 0.9f;
  const Table out = adasyn::fit_resample(t, Strategy::named("auto"), 1, 0);
  CHECK(out.rows == 8);
  CHECK(out.class_counts() == std::vector<std::size_t>{4, 4});
  // One row wanted, split half and half between the two rows: both round to 0 (half to even).
  t.x[8] = 0.05f;
  t.x[9] = 0.05f;
  CHECK(message_of([&] { adasyn::fit_resample(t, Strategy::targets_of({{1, 3}}), 1, 0); }) ==
        "adasyn would make no rows of class 'yes': each row's share of the 1 wanted rounds to 0");
}

}  // namespace
