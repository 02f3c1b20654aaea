// min_max_scale and robust_scale against sklearn's MinMaxScaler and RobustScaler, numpy's
// percentile and scipy's norm.ppf (fixtures from tests/fixtures/make_feature_fixtures.py),
// plus the refusal of missing values.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "ops/scalers.h"
#include "runtime/user_error.h"

namespace {

using namespace pipeml;
using nlohmann::json;

json fixture(const std::string& name) {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/features/" + name);
  REQUIRE(in);
  return json::parse(in);
}

Table table_of(const json& rows) {
  Table t;
  t.rows = rows.size();
  for (std::size_t c = 0; c < rows.at(0).size(); ++c) t.columns.push_back("c" + std::to_string(c));
  for (const json& row : rows)
    for (const json& v : row) t.x.push_back(static_cast<float>(v.get<double>()));
  return t;
}

void check_close(const std::vector<double>& got, const json& want, double eps) {
  REQUIRE(got.size() == want.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    INFO("column " << k);
    CHECK(got[k] == Approx(want[k].get<double>()).epsilon(eps).margin(eps));
  }
}

void check_table(const Table& t, const json& want) {
  const Table w = table_of(want);
  REQUIRE(t.x.size() == w.x.size());
  for (std::size_t i = 0; i < t.x.size(); ++i) {
    INFO("value " << i);
    CHECK(t.x[i] == Approx(w.x[i]).epsilon(1e-6).margin(1e-6));
  }
}

}  // namespace

TEST_CASE("min_max_scale matches sklearn's MinMaxScaler", "[min_max_scale]") {
  const json f = fixture("min_max.json");
  REQUIRE(f["cases"].size() == 16);
  for (const json& c : f["cases"]) {
    SECTION(c["table"].get<std::string>() + " feature_range=" + c["feature_range"].dump() + " clip=" + c["clip"].dump()) {
      Table train = table_of(c["train"]), test = table_of(c["test"]);
      const auto s = scale::fit_min_max(train, c["feature_range"][0], c["feature_range"][1], c["clip"]);
      check_close(s.data_min, c["data_min"], 0);
      check_close(s.data_max, c["data_max"], 0);
      check_close(s.scale, c["scale"], 1e-15);
      check_close(s.min, c["min"], 1e-15);
      scale::transform(s, train);
      check_table(train, c["train_transformed"]);
      scale::transform(s, test);
      check_table(test, c["test_transformed"]);
    }
  }
}

TEST_CASE("robust_scale matches sklearn's RobustScaler", "[robust_scale]") {
  const json f = fixture("robust.json");
  REQUIRE(f["cases"].size() == 36);
  for (const json& c : f["cases"]) {
    SECTION(c["table"].get<std::string>() + " with_centering=" + c["with_centering"].dump() + " with_scaling=" +
            c["with_scaling"].dump() + " quantile_range=" + c["quantile_range"].dump() + " unit_variance=" +
            c["unit_variance"].dump()) {
      Table train = table_of(c["train"]), test = table_of(c["test"]);
      const auto s = scale::fit_robust(train, c["with_centering"], c["with_scaling"], c["quantile_range"][0],
                                       c["quantile_range"][1], c["unit_variance"]);
      check_close(s.center, c["center"], 1e-15);
      check_close(s.scale, c["scale"], 1e-13);
      scale::transform(s, train);
      check_table(train, c["train_transformed"]);
      scale::transform(s, test);
      check_table(test, c["test_transformed"]);
    }
  }
}

TEST_CASE("percentile is numpy's linear percentile, normal_ppf is scipy's norm.ppf", "[robust_scale]") {
  const json f = fixture("robust.json");
  REQUIRE(f["percentile"].size() == 5);
  for (const json& c : f["percentile"]) {
    const auto values = c["values"].get<std::vector<double>>();
    for (std::size_t i = 0; i < c["q"].size(); ++i) {
      INFO(values.size() << " values, q " << c["q"][i]);
      CHECK(scale::percentile(values, c["q"][i]) == c["percentiles"][i].get<double>());
    }
  }
  REQUIRE(f["normal_ppf"].size() == 22);
  for (const json& c : f["normal_ppf"]) {
    INFO("p " << c["p"]);
    CHECK(scale::normal_ppf(c["p"]) == Approx(c["ppf"].get<double>()).epsilon(1e-14));
  }
  CHECK(scale::normal_ppf(0) == -std::numeric_limits<double>::infinity());
  CHECK(scale::normal_ppf(1) == std::numeric_limits<double>::infinity());
}

TEST_CASE("the scalers refuse missing and infinite values, naming the column", "[min_max_scale][robust_scale]") {
  Table t;
  t.columns = {"age", "chol"};
  t.rows = 2;
  t.x = {1, std::nanf(""), 2, 3};
  CHECK_THROWS_WITH(scale::fit_min_max(t, 0, 1, false),
                    "cannot min_max_scale column 'chol': it has 1 missing value (add 'op: impute' before 'min_max_scale')");
  CHECK_THROWS_WITH(scale::fit_robust(t, true, true, 25, 75, false),
                    "cannot robust_scale column 'chol': it has 1 missing value (add 'op: impute' before 'robust_scale')");
  t.x[1] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(scale::fit_min_max(t, 0, 1, false), "cannot min_max_scale column 'chol': it holds an infinite value");
  t.rows = 0;
  t.x.clear();
  CHECK_THROWS_WITH(scale::fit_robust(t, true, true, 25, 75, false), "cannot robust_scale: there are no training rows to fit on");
  // Fitted on one table, a missing value in another is refused too.
  Table ok;
  ok.columns = {"age"};
  ok.rows = 2;
  ok.x = {1, 3};
  const auto s = scale::fit_min_max(ok, -1, 1, false);
  ok.x[1] = std::nanf("");
  CHECK_THROWS_WITH(scale::transform(s, ok),
                    "cannot min_max_scale column 'age': it has 1 missing value (add 'op: impute' before 'min_max_scale')");
}
