// runtime/regression_metrics against scikit-learn 1.2: every value of
// tests/fixtures/regression_metrics_cases.json (make_regression_metrics_fixtures.py) must
// come out to the bit, with sklearn's warnings and refusal texts.
#include "runtime/regression_metrics.h"

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace m = pipeml::metrics;
using nlohmann::json;

namespace {

json cases() {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/regression_metrics_cases.json");
  if (!in) throw std::runtime_error("cannot open fixtures/regression_metrics_cases.json");
  return json::parse(in).at("cases");
}

// sklearn's value; NaN where the fixture holds null (JSON has no NaN).
double value_of(const json& v) { return v.is_null() ? std::nan("") : v.get<double>(); }

// The fixture's inputs: numbers, or "nan" / "inf" / "-inf" as strings.
std::vector<double> values_of(const json& list) {
  std::vector<double> out;
  for (const json& v : list) out.push_back(v.is_string() ? std::stod(v.get<std::string>()) : v.get<double>());
  return out;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

TEST_CASE("regression metrics equal sklearn's to the bit", "[metrics][regression]") {
  const json all = cases();
  REQUIRE(all.size() >= 15);
  for (const json& c : all) {
    INFO("case: " << c.at("name").get<std::string>());
    const auto y_true = values_of(c.at("y_true"));
    const auto y_pred = values_of(c.at("y_pred"));
    const json& want = c.at("expected");
    if (want.contains("error")) {
      std::string got;
      try {
        m::evaluate_regression(y_true, y_pred);
      } catch (const std::invalid_argument& e) {
        got = e.what();
      }
      CHECK(got == want.at("error").get<std::string>());
      continue;
    }
    const m::RegressionReport r = m::evaluate_regression(y_true, y_pred);
    CHECK(same(r.mae, value_of(want.at("mae"))));
    CHECK(same(r.mse, value_of(want.at("mse"))));
    CHECK(same(r.rmse, value_of(want.at("rmse"))));
    CHECK(same(r.r2, value_of(want.at("r2"))));
    CHECK(r.warnings == want.at("warnings").get<std::vector<std::string>>());
  }
}

TEST_CASE("regression metrics refuse empty input as sklearn does", "[metrics][regression]") {
  CHECK_THROWS_WITH(m::evaluate_regression({}, {}),
                    "Found array with 0 sample(s) (shape=(0,)) while a minimum of 1 is required.");
}
