// impute against sklearn.impute.SimpleImputer (fixtures from
// tests/fixtures/make_data_fixtures.py), plus drop_rows and the errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "ops/impute.h"
#include "tests/ops/categorical_tables.h"
#include "runtime/user_error.h"

namespace {

using namespace pipeml;
using nlohmann::json;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// A table from JSON rows (null is missing), with columns named c0, c1, ...
Table table_of(const json& rows) {
  Table t;
  t.rows = rows.size();
  for (std::size_t c = 0; c < rows.at(0).size(); ++c) t.columns.push_back("c" + std::to_string(c));
  for (const json& row : rows)
    for (const json& v : row) t.x.push_back(v.is_null() ? kNaN : static_cast<float>(v.get<double>()));
  return t;
}

Table small_table() {
  Table t;
  t.columns = {"age", "ca", "thal"};
  t.class_names = {"0", "1"};
  t.rows = 4;
  t.x = {63, 0, kNaN, 67, kNaN, 3, 37, 2, 7, 41, kNaN, kNaN};
  t.y = {0, 1, 0, 1};
  return t;
}

impute::Strategy strategy_of(const std::string& name) {
  if (name == "median") return impute::Strategy::median;
  if (name == "most_frequent") return impute::Strategy::most_frequent;
  if (name == "constant") return impute::Strategy::constant;
  return impute::Strategy::mean;
}

}  // namespace

TEST_CASE("impute matches sklearn's SimpleImputer", "[impute]") {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/data_stages/impute.json");
  REQUIRE(in);
  const json fixture = json::parse(in);
  REQUIRE(fixture["cases"].size() >= 16);
  for (const json& c : fixture["cases"]) {
    const std::string name = c["table"].get<std::string>() + " " + c["strategy"].get<std::string>();
    SECTION(name) {
      Table t = table_of(c["x"]);
      const auto imputer = impute::fit(t, strategy_of(c["strategy"]), c["fill_value"]);
      const auto expected = c["statistics"].get<std::vector<double>>();
      REQUIRE(imputer.statistics.size() == expected.size());
      for (std::size_t k = 0; k < expected.size(); ++k) {
        INFO("column " << k);
        // The inputs are float32 values; sklearn's float64 statistic, rounded to float32,
        // is what pipe should store (the mean may differ in the last bit from summation order).
        if (c["strategy"] == "mean") CHECK(imputer.statistics[k] == Approx(expected[k]).epsilon(1e-7));
        else CHECK(imputer.statistics[k] == static_cast<float>(expected[k]));
      }
      impute::transform(imputer, t);
      const Table want = table_of(c["transformed"]);
      REQUIRE(t.x.size() == want.x.size());
      for (std::size_t i = 0; i < t.x.size(); ++i) CHECK(t.x[i] == Approx(want.x[i]).epsilon(1e-7));
    }
  }
}

TEST_CASE("impute takes its statistics from the table it is fitted on only", "[impute]") {
  const Table train = small_table();
  const auto imputer = impute::fit(train, impute::Strategy::median);
  CHECK(imputer.statistics == std::vector<float>{52, 1, 5});
  Table other = small_table();
  other.x = {kNaN, kNaN, kNaN, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  impute::transform(imputer, other);
  CHECK(other.x == std::vector<float>{52, 1, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("most_frequent takes the smallest of equally frequent values", "[impute]") {
  Table t = small_table();
  t.x = {5, 1, 2, 5, 1, 2, 3, 9, 2, 3, kNaN, 1};
  const auto imputer = impute::fit(t, impute::Strategy::most_frequent);
  CHECK(imputer.statistics == std::vector<float>{3, 1, 2});
}

TEST_CASE("constant fills with fill_value, even a column with no value", "[impute]") {
  Table t = small_table();
  t.x[1] = t.x[7] = kNaN;  // column 'ca' now has no value at all
  const auto imputer = impute::fit(t, impute::Strategy::constant, -1.0);
  CHECK(imputer.statistics == std::vector<float>{-1, -1, -1});
  impute::transform(imputer, t);
  CHECK(t.x == std::vector<float>{63, -1, -1, 67, -1, 3, 37, -1, 7, 41, -1, -1});
}

TEST_CASE("impute refuses a column it cannot take a statistic of", "[impute]") {
  Table t = small_table();
  t.x[1] = t.x[7] = kNaN;
  CHECK_THROWS_WITH(impute::fit(t, impute::Strategy::mean),
                    "cannot impute column 'ca' with strategy 'mean': it has no value in the training rows");
  CHECK_THROWS_WITH(impute::fit(t, impute::Strategy::most_frequent),
                    "cannot impute column 'ca' with strategy 'most_frequent': it has no value in the training rows");
  t = small_table();
  t.x[3] = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(impute::fit(t, impute::Strategy::median), "cannot impute column 'age': it holds an infinite value");
}

TEST_CASE("drop_rows removes the rows with a missing value, labels and all", "[impute]") {
  const Table t = small_table();
  CHECK(impute::rows_with_missing(t) == std::vector<std::size_t>{0, 1, 3});
  const Table kept = impute::drop_missing_rows(t);
  CHECK(kept.rows == 1);
  CHECK(kept.x == std::vector<float>{37, 2, 7});
  CHECK(kept.y == std::vector<int>{0});
  CHECK(kept.columns == t.columns);
  CHECK(kept.class_names == t.class_names);

  Table through_transform = t;
  const auto imputer = impute::fit(t, impute::Strategy::drop_rows);
  CHECK(imputer.statistics.empty());
  impute::transform(imputer, through_transform);
  CHECK(through_transform.x == kept.x);
  CHECK(through_transform.y == kept.y);
}

TEST_CASE("impute fills categorical columns as SimpleImputer fills text columns", "[impute][categorical]") {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/features/impute_categorical.json");
  REQUIRE(in);
  const json fixture = json::parse(in);
  REQUIRE(fixture["cases"].size() == 6);
  for (const json& c : fixture["cases"]) {
    const std::string name = c["table"].get<std::string>() + " " + c["strategy"].get<std::string>() + " " +
                             c["fill_category"].get<std::string>();
    SECTION(name) {
      const auto order = c["order"].get<std::vector<std::string>>();
      Table t = pipetest::categorical_tables({c["columns"]}, order)[0];
      std::vector<std::size_t> cols(order.size());
      for (std::size_t k = 0; k < cols.size(); ++k) cols[k] = k;
      const auto imputer = impute::fit_columns(t, cols, strategy_of(c["strategy"]), 0.0, c["fill_category"]);
      CHECK(imputer.columns == order);
      CHECK(imputer.categories == c["statistics"].get<std::vector<std::string>>());
      impute::transform(imputer, t);
      const auto want = c["transformed"];
      for (std::size_t r = 0; r < t.rows; ++r)
        for (std::size_t k = 0; k < order.size(); ++k) {
          INFO("row " << r << " column " << order[k]);
          CHECK(pipetest::category_at(t, r, k) == want[r][k].get<std::string>());
        }
      // A constant category joins the column's categories, which stay sorted.
      for (std::size_t k = 0; k < order.size(); ++k) {
        auto sorted = t.categories[k];
        columns::sort_categories(sorted);
        CHECK(sorted == t.categories[k]);
      }
    }
  }
}

TEST_CASE("impute's column imputer fills numeric and categorical columns by name", "[impute][categorical]") {
  Table train;
  train.columns = {"age", "region", "n"};
  train.kinds = {ColumnKind::numeric, ColumnKind::categorical, ColumnKind::numeric};
  train.categories = {{}, {"east", "north", "west"}, {}};
  train.rows = 4;
  train.x = {30, 1, kNaN, kNaN, 2, 5, 50, kNaN, 7, 40, 1, 9};
  const auto median = impute::fit_columns(train, {0, 2}, impute::Strategy::median, 0, "missing_value");
  CHECK(median.values == std::vector<float>{40, 7});
  CHECK_THROWS_WITH(impute::fit_columns(train, {1}, impute::Strategy::mean, 0, "m"),
                    "cannot impute categorical column 'region' with strategy 'mean'");
  const auto constant = impute::fit_columns(train, {0, 1}, impute::Strategy::constant, -1.0, "none");
  // Another table with the same columns in another order: found by name.
  Table other;
  other.columns = {"region", "age"};
  other.kinds = {ColumnKind::categorical, ColumnKind::numeric};
  other.categories = {{"east", "north", "west"}, {}};
  other.rows = 2;
  other.x = {kNaN, kNaN, 2, 3};
  impute::transform(constant, other);
  CHECK(other.categories[0] == std::vector<std::string>{"east", "none", "north", "west"});
  CHECK(other.x == std::vector<float>{1, -1, 3, 3});  // 'west' moved from 2 to 3
}
