// runtime/multiclass_metrics against scikit-learn 1.2 (tests/fixtures/
// multiclass_metrics_cases.json, written by make_multiclass_metrics_fixtures.py): accuracy,
// macro precision / recall / F1 and the confusion matrix to the bit, with sklearn's
// warnings; one-vs-rest ROC-AUC to 1e-12 (sklearn integrates with np.trapz); refusals by text.
#include "runtime/multiclass_metrics.h"

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace m = pipeml::metrics;
using nlohmann::json;

TEST_CASE("multiclass metrics equal sklearn's macro averages", "[metrics][multiclass]") {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/multiclass_metrics_cases.json");
  REQUIRE(in);
  const json cases = json::parse(in).at("cases");
  REQUIRE(cases.size() >= 10);
  for (const json& c : cases) {
    INFO("case: " << c.at("name").get<std::string>());
    const auto y = c.at("y_true").get<std::vector<int>>();
    const auto probs = c.at("probs").get<std::vector<double>>();
    const int k = c.at("k").get<int>();
    const json& want = c.at("expected");
    if (want.contains("error")) {
      std::string got;
      try {
        m::evaluate_multiclass(y, probs, k);
      } catch (const std::invalid_argument& e) {
        got = e.what();
      }
      CHECK(got == want.at("error").get<std::string>());
      continue;
    }
    const m::MulticlassReport r = m::evaluate_multiclass(y, probs, k);
    CHECK(r.accuracy == want.at("accuracy").get<double>());
    CHECK(r.precision == want.at("precision").get<double>());
    CHECK(r.recall == want.at("recall").get<double>());
    CHECK(r.f1 == want.at("f1").get<double>());
    CHECK(std::abs(r.roc_auc - want.at("roc_auc").get<double>()) <= 1e-12);
    CHECK(r.cm.counts == want.at("confusion_matrix").get<std::vector<std::vector<std::size_t>>>());
    CHECK(r.warnings == want.at("warnings").get<std::vector<std::string>>());
  }
}

TEST_CASE("argmax takes the first of tied classes, as numpy", "[metrics][multiclass]") {
  CHECK(m::argmax({0.4, 0.4, 0.2, 0.1, 0.3, 0.6}, 3) == std::vector<int>{0, 2});
}
