// runtime/curves against scikit-learn 1.2 (tests/fixtures/curve_cases.json, written by
// make_curve_fixtures.py): _binary_clf_curve, roc_curve with and without
// drop_intermediate, precision_recall_curve and average_precision_score, every value to the
// bit (a null in the fixture is sklearn's NaN) and every warning by text.
#include "runtime/curves.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace m = pipeml::metrics;
using nlohmann::json;

namespace {

const json& cases() {
  static const json all = [] {
    std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/curve_cases.json");
    if (!in) throw std::runtime_error("cannot open fixtures/curve_cases.json");
    return json::parse(in).at("cases");
  }();
  return all;
}

// Equal to the bit, NaN where the fixture has null; reports the first difference.
void check_same(const std::vector<double>& got, const json& want, const char* what) {
  INFO(what);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("index " << i);
    if (want[i].is_null()) CHECK(std::isnan(got[i]));
    else CHECK(got[i] == want[i].get<double>());
  }
}

std::vector<std::string> warnings_of(const json& e) { return e.at("warnings").get<std::vector<std::string>>(); }

}  // namespace

TEST_CASE("curve fixture has ties, one-class inputs and tiny inputs", "[metrics][curves]") {
  REQUIRE(cases().size() >= 15);
  std::size_t tied = 0, warned = 0, tiny = 0;
  for (const json& c : cases()) {
    const json& e = c.at("expected");
    tied += e.at("clf_curve").at("tps").size() < c.at("y_true").size();
    warned += !warnings_of(e.at("pr")).empty() || !warnings_of(e.at("roc")).empty();
    tiny += c.at("y_true").size() <= 3;
  }
  CHECK(tied >= 4);
  CHECK(warned >= 2);
  CHECK(tiny >= 3);
}

TEST_CASE("binary_clf_curve, roc_curve and precision_recall_curve equal sklearn's", "[metrics][curves]") {
  for (const json& c : cases()) {
    INFO("case: " << c.at("name").get<std::string>());
    const auto y = c.at("y_true").get<std::vector<int>>();
    const auto scores = c.at("scores").get<std::vector<double>>();
    const int positive = c.at("positive").get<int>();
    const json& e = c.at("expected");

    const m::ClfCurve clf = m::binary_clf_curve(y, scores, positive);
    check_same(clf.fps, e.at("clf_curve").at("fps"), "fps");
    check_same(clf.tps, e.at("clf_curve").at("tps"), "tps");
    check_same(clf.thresholds, e.at("clf_curve").at("thresholds"), "clf thresholds");

    for (const auto& [key, drop] : {std::pair<const char*, bool>{"roc", true}, {"roc_all_points", false}}) {
      INFO(key);
      const m::RocCurve roc = m::roc_curve(y, scores, positive, drop);
      check_same(roc.fpr, e.at(key).at("fpr"), "fpr");
      check_same(roc.tpr, e.at(key).at("tpr"), "tpr");
      check_same(roc.thresholds, e.at(key).at("thresholds"), "roc thresholds");
      CHECK(roc.warnings == warnings_of(e.at(key)));
    }

    const m::PrecisionRecallCurve pr = m::precision_recall_curve(y, scores, positive);
    check_same(pr.precision, e.at("pr").at("precision"), "precision");
    check_same(pr.recall, e.at("pr").at("recall"), "recall");
    check_same(pr.thresholds, e.at("pr").at("thresholds"), "pr thresholds");
    CHECK(pr.warnings == warnings_of(e.at("pr")));
  }
}

TEST_CASE("average_precision equals sklearn's average_precision_score", "[metrics][curves]") {
  for (const json& c : cases()) {
    INFO("case: " << c.at("name").get<std::string>());
    const json& e = c.at("expected").at("average_precision");
    const m::Score ap = m::average_precision(c.at("y_true").get<std::vector<int>>(),
                                             c.at("scores").get<std::vector<double>>(), c.at("positive").get<int>());
    CHECK(ap.value == e.at("value").get<double>());
    const auto warned = warnings_of(e);
    CHECK(ap.warning == (warned.empty() ? "" : warned.front()));
  }
}

TEST_CASE("drop_intermediate keeps the corners only", "[metrics][curves]") {
  // Scores 0.9..0.2: the points after 0.8 and 0.6 lie on straight runs of the curve.
  const m::RocCurve r = m::roc_curve({1, 1, 0, 0, 1, 0}, {0.9, 0.8, 0.7, 0.6, 0.5, 0.4});
  CHECK(r.thresholds == std::vector<double>{1.9, 0.9, 0.8, 0.6, 0.5, 0.4});
  CHECK(r.fpr == std::vector<double>{0, 0, 0, 2.0 / 3, 2.0 / 3, 1});
}

TEST_CASE("curves refuse bad input", "[metrics][curves]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_AS(m::roc_curve({}, {}), std::invalid_argument);
  CHECK_THROWS_AS(m::precision_recall_curve({0, 1}, {0.1, nan}), std::invalid_argument);
  CHECK_THROWS_AS(m::binary_clf_curve({0, 1}, {0.1}), std::invalid_argument);
  auto error_of = [](auto f) -> std::string {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error_of([] { m::average_precision({0, 2, 0}, {0.1, 0.9, 0.4}); }) ==
        "pos_label=1 is not a valid label. It should be one of [0, 2]");
  CHECK(error_of([] { m::average_precision({0, 1, 2}, {0.1, 0.9, 0.4}); }) == "multiclass format is not supported");
}
