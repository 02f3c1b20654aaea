// standardize against sklearn.preprocessing.StandardScaler (fixtures from
// tests/fixtures/make_data_fixtures.py), plus the refusal of missing values.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "ops/standardize.h"
#include "runtime/user_error.h"

namespace {

using namespace pipeml;
using nlohmann::json;

/// A table from JSON rows, with columns named c0, c1, ...
Table table_of(const json& rows) {
  Table t;
  t.rows = rows.size();
  for (std::size_t c = 0; c < rows.at(0).size(); ++c) t.columns.push_back("c" + std::to_string(c));
  for (const json& row : rows)
    for (const json& v : row) t.x.push_back(static_cast<float>(v.get<double>()));
  return t;
}

Table small_table() {
  Table t;
  t.columns = {"age", "chol"};
  t.rows = 3;
  t.x = {60, 200, 40, 250, 50, 300};
  return t;
}

}  // namespace

TEST_CASE("standardize matches sklearn's StandardScaler", "[standardize]") {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/data_stages/standardize.json");
  REQUIRE(in);
  const json fixture = json::parse(in);
  REQUIRE(fixture["cases"].size() >= 9);
  for (const json& c : fixture["cases"]) {
    const std::string name = c["table"].get<std::string>() + " with_mean=" + c["with_mean"].dump() +
                             " with_std=" + c["with_std"].dump();
    SECTION(name) {
      Table t = table_of(c["x"]);
      const auto scaler = scale::fit(t, c["with_mean"], c["with_std"]);
      const auto mean = c["mean"].get<std::vector<double>>();
      const auto scale = c["scale"].get<std::vector<double>>();
      REQUIRE(scaler.mean.size() == mean.size());
      REQUIRE(scaler.scale.size() == scale.size());
      for (std::size_t k = 0; k < mean.size(); ++k) {
        INFO("column " << k);
        CHECK(scaler.mean[k] == Approx(mean[k]).epsilon(1e-12).margin(1e-12));
        CHECK(scaler.scale[k] == Approx(scale[k]).epsilon(1e-9));
      }
      scale::transform(scaler, t);
      const Table want = table_of(c["transformed"]);
      REQUIRE(t.x.size() == want.x.size());
      for (std::size_t i = 0; i < t.x.size(); ++i) CHECK(t.x[i] == Approx(want.x[i]).epsilon(1e-6).margin(1e-6));
    }
  }
}

TEST_CASE("standardize uses population std and leaves constant columns unscaled", "[standardize]") {
  Table t = small_table();
  t.x[1] = t.x[3] = t.x[5] = 7.5f;  // 'chol' is constant
  const auto scaler = scale::fit(t);
  CHECK(scaler.mean == std::vector<double>{50, 7.5});
  CHECK(scaler.scale[0] == Approx(std::sqrt(200.0 / 3.0)));
  CHECK(scaler.scale[1] == 1.0);
  scale::transform(scaler, t);
  CHECK(t.x[0] == Approx(10.0 / std::sqrt(200.0 / 3.0)));
  CHECK(t.x[1] == 0.0f);
}

TEST_CASE("standardize applies the training statistics to other tables", "[standardize]") {
  const auto scaler = scale::fit(small_table(), true, false);
  CHECK(scaler.scale == std::vector<double>{1, 1});
  Table other = small_table();
  other.x = {0, 0, 50, 250, 100, 500};
  scale::transform(scaler, other);
  CHECK(other.x == std::vector<float>{-50, -250, 0, 0, 50, 250});
}

TEST_CASE("standardize refuses missing and infinite values, naming the column", "[standardize]") {
  Table t = small_table();
  t.x[3] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(scale::fit(t),
                    "cannot standardize column 'chol': it has 1 missing value (add 'op: impute' before 'standardize')");
  t.x[1] = std::numeric_limits<float>::quiet_NaN();
  CHECK_THROWS_WITH(scale::transform(scale::fit(small_table()), t),
                    "cannot standardize column 'chol': it has 2 missing values (add 'op: impute' before 'standardize')");
  t = small_table();
  t.x[0] = -std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(scale::fit(t), "cannot standardize column 'age': it holds an infinite value");
  t.rows = 0;
  t.x.clear();
  CHECK_THROWS_WITH(scale::fit(t), "cannot standardize: there are no training rows to fit on");
}
