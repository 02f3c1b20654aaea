// runtime/metrics against scikit-learn 1.2: tests/fixtures/metrics_cases.json holds sklearn's
// values, warnings and refusals (tests/fixtures/make_metrics_fixtures.py writes it), and
// the hand-written cases below pin what the fixture cannot show (exact texts, NaN, bad input).
#include "runtime/metrics.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace m = pipeml::metrics;
using nlohmann::json;
using Catch::Matchers::WithinAbs;

namespace {

constexpr double kTol = 1e-12;

const json& fixture() {
  static const json cases = [] {
    std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/metrics_cases.json");
    if (!in) throw std::runtime_error("cannot open fixtures/metrics_cases.json");
    return json::parse(in).at("cases");
  }();
  return cases;
}

std::vector<int> y_true_of(const json& c) { return c.at("y_true").get<std::vector<int>>(); }

// Predictions as the fixture made them: given, or probs >= threshold.
std::vector<int> y_pred_of(const json& c) {
  if (c.contains("y_pred")) return c.at("y_pred").get<std::vector<int>>();
  return m::threshold(c.at("probs").get<std::vector<double>>(), c.at("threshold").get<double>());
}

// The std::invalid_argument text `f` throws, or "" when it returns normally.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

// Checks that `f` throws std::invalid_argument sharing sklearn's phrase for this refusal.
template <class F>
void check_refused(const json& expected, F&& f) {
  const std::string phrase = expected.at("error").at("contains").get<std::string>();
  const std::string message = error_of(f);
  INFO("expected a refusal containing '" << phrase << "', got '" << message << "'");
  CHECK(lower(message).find(phrase) != std::string::npos);
}

bool refused(const json& expected) { return expected.contains("error"); }

}  // namespace

TEST_CASE("metrics fixture has every kind of case", "[metrics]") {
  const json& cases = fixture();
  REQUIRE(cases.size() >= 20);
  std::size_t warned = 0, roc_refused = 0, prf_refused = 0, with_probs = 0;
  for (const json& c : cases) {
    const json& e = c.at("expected");
    warned += !e.at("precision").value("warning", "").empty();
    prf_refused += refused(e.at("precision"));
    if (c.contains("probs")) {
      ++with_probs;
      roc_refused += refused(e.at("roc_auc"));
    }
  }
  // Guards against a regenerated fixture silently losing the cases that test edge behaviour.
  CHECK(warned >= 3);
  CHECK(roc_refused >= 3);
  CHECK(prf_refused >= 2);
  CHECK(with_probs >= 15);
}

TEST_CASE("confusion matrix and accuracy match sklearn", "[metrics]") {
  for (const json& c : fixture()) {
    INFO("case " << c.at("name").get<std::string>());
    const json& e = c.at("expected");
    const auto y_true = y_true_of(c);
    const auto y_pred = y_pred_of(c);
    const auto cm = m::confusion_matrix(y_true, y_pred, c.at("num_classes").get<int>());
    CHECK(cm.counts == e.at("confusion").get<std::vector<std::vector<std::size_t>>>());
    const double acc = m::accuracy(y_true, y_pred);
    if (e.at("accuracy").is_null()) {
      CHECK(std::isnan(acc));  // sklearn's mean of no samples
    } else {
      CHECK_THAT(acc, WithinAbs(e.at("accuracy").get<double>(), kTol));
    }
  }
}

TEST_CASE("precision, recall and f1 match sklearn's values, warnings and refusals",
          "[metrics]") {
  using Fn = m::Score (*)(const std::vector<int>&, const std::vector<int>&, int);
  const std::pair<const char*, Fn> metrics[] = {
      {"precision", &m::precision}, {"recall", &m::recall}, {"f1", &m::f1}};
  for (const json& c : fixture()) {
    const auto y_true = y_true_of(c);
    const auto y_pred = y_pred_of(c);
    const int positive = c.at("positive").get<int>();
    for (const auto& [name, fn] : metrics) {
      INFO("case " << c.at("name").get<std::string>() << ", " << name);
      const json& e = c.at("expected").at(name);
      if (refused(e)) {
        check_refused(e, [&] { fn(y_true, y_pred, positive); });
        continue;
      }
      m::Score got;
      REQUIRE_NOTHROW(got = fn(y_true, y_pred, positive));
      CHECK_THAT(got.value, WithinAbs(e.at("value").get<double>(), kTol));
      CHECK(got.warning == e.at("warning").get<std::string>());
    }
  }
}

TEST_CASE("roc_auc matches sklearn, ties included", "[metrics]") {
  for (const json& c : fixture()) {
    if (!c.contains("probs")) continue;
    INFO("case " << c.at("name").get<std::string>());
    const json& e = c.at("expected").at("roc_auc");
    const auto y_true = y_true_of(c);
    const auto probs = c.at("probs").get<std::vector<double>>();
    if (refused(e)) {
      check_refused(e, [&] { m::roc_auc(y_true, probs); });
      continue;
    }
    double got = 0.0;
    REQUIRE_NOTHROW(got = m::roc_auc(y_true, probs));
    CHECK_THAT(got, WithinAbs(e.at("value").get<double>(), kTol));
  }
}

TEST_CASE("evaluate_binary reports what the separate sklearn calls give", "[metrics]") {
  std::size_t reported = 0;
  for (const json& c : fixture()) {
    if (!c.contains("probs") || c.at("num_classes") != 2 || c.at("positive") != 1) continue;
    INFO("case " << c.at("name").get<std::string>());
    const json& e = c.at("expected");
    const auto y_true = y_true_of(c);
    const auto probs = c.at("probs").get<std::vector<double>>();
    const double t = c.at("threshold").get<double>();
    const bool any_refused = refused(e.at("roc_auc")) || refused(e.at("precision")) ||
                             refused(e.at("recall")) || refused(e.at("f1"));
    if (any_refused) {
      CHECK_THROWS_AS(m::evaluate_binary(y_true, probs, t), std::invalid_argument);
      continue;
    }
    m::BinaryReport r;
    REQUIRE_NOTHROW(r = m::evaluate_binary(y_true, probs, t));
    ++reported;
    CHECK_THAT(r.accuracy, WithinAbs(e.at("accuracy").get<double>(), kTol));
    CHECK_THAT(r.precision, WithinAbs(e.at("precision").at("value").get<double>(), kTol));
    CHECK_THAT(r.recall, WithinAbs(e.at("recall").at("value").get<double>(), kTol));
    CHECK_THAT(r.f1, WithinAbs(e.at("f1").at("value").get<double>(), kTol));
    CHECK_THAT(r.roc_auc, WithinAbs(e.at("roc_auc").at("value").get<double>(), kTol));
    CHECK(r.cm.counts == e.at("confusion").get<std::vector<std::vector<std::size_t>>>());
    std::vector<std::string> warnings;
    for (const char* name : {"precision", "recall", "f1"}) {
      const std::string w = e.at(name).at("warning").get<std::string>();
      if (!w.empty()) warnings.push_back(w);
    }
    CHECK(r.warnings == warnings);
  }
  CHECK(reported >= 10);
}

TEST_CASE("zero-division warnings carry sklearn's exact text", "[metrics]") {
  const std::vector<int> none{0, 0, 0};
  CHECK(m::precision(none, none).warning ==
        "Precision is ill-defined and being set to 0.0 due to no predicted samples. "
        "Use `zero_division` parameter to control this behavior.");
  CHECK(m::recall(none, none).warning ==
        "Recall is ill-defined and being set to 0.0 due to no true samples. "
        "Use `zero_division` parameter to control this behavior.");
  CHECK(m::f1(none, none).warning ==
        "F-score is ill-defined and being set to 0.0 due to no true nor predicted samples. "
        "Use `zero_division` parameter to control this behavior.");
  CHECK(m::f1(none, none).value == 0.0);
}

TEST_CASE("roc_auc refuses one class with the documented text", "[metrics]") {
  CHECK(error_of([] { m::roc_auc({1, 1, 1}, {0.2, 0.5, 0.9}); }) ==
        "only one class present in y_true; roc auc score is not defined in that case");
  CHECK(error_of([] { m::evaluate_binary({0, 0}, {0.2, 0.9}); }) ==
        "only one class present in y_true; roc auc score is not defined in that case");
}

TEST_CASE("roc_auc refuses empty, non-finite and mismatched input", "[metrics]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(m::roc_auc({}, {}), std::invalid_argument);
  CHECK_THROWS_AS(m::roc_auc({0, 1}, {0.1, nan}), std::invalid_argument);
  CHECK_THROWS_AS(m::roc_auc({0, 1}, {inf, 0.2}), std::invalid_argument);
  CHECK_THROWS_AS(m::roc_auc({0, 1}, {0.1}), std::invalid_argument);
  CHECK_THROWS_AS(m::roc_auc({0, 1, 2}, {0.1, 0.2, 0.3}), std::invalid_argument);
}

TEST_CASE("roc_auc of tied scores does not depend on sample order", "[metrics]") {
  // One positive and one negative share each score: every tie is worth half.
  const double a = m::roc_auc({1, 0, 0, 1}, {0.3, 0.3, 0.7, 0.7});
  const double b = m::roc_auc({0, 1, 1, 0}, {0.3, 0.3, 0.7, 0.7});
  CHECK_THAT(a, WithinAbs(0.5, kTol));
  CHECK_THAT(b, WithinAbs(0.5, kTol));
}

TEST_CASE("threshold is prob >= t", "[metrics]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(m::threshold({0.49, 0.5, 0.51, 0.0, 1.0, nan}, 0.5) == std::vector<int>{0, 1, 1, 0, 1, 0});
  CHECK(m::threshold({}, 0.5).empty());
}

TEST_CASE("confusion_matrix refuses labels outside the classes", "[metrics]") {
  CHECK_THROWS_AS(m::confusion_matrix({0, 2}, {0, 1}, 2), std::invalid_argument);
  CHECK_THROWS_AS(m::confusion_matrix({0, 1}, {-1, 1}, 2), std::invalid_argument);
  CHECK_THROWS_AS(m::confusion_matrix({0, 1}, {0}, 2), std::invalid_argument);
  CHECK_THROWS_AS(m::confusion_matrix({}, {}, 0), std::invalid_argument);
  CHECK_THROWS_AS(m::evaluate_binary({0, 2}, {0.1, 0.9}), std::invalid_argument);
  CHECK(m::confusion_matrix({1, 0, 1}, {1, 1, 0}, 2).counts ==
        std::vector<std::vector<std::size_t>>{{0, 1}, {1, 1}});
}

TEST_CASE("metrics refuse mismatched lengths with sklearn's text", "[metrics]") {
  CHECK(error_of([] { m::precision({0, 1, 1}, {0, 1}); }) ==
        "Found input variables with inconsistent numbers of samples: [3, 2]");
  CHECK_THROWS_AS(m::accuracy({0}, {0, 1}), std::invalid_argument);
  CHECK_THROWS_AS(m::evaluate_binary({0, 1}, {0.5}), std::invalid_argument);
}
