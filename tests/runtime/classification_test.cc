// runtime/class_scores, log_loss, classification_report, threshold_tuning and the new
// values of evaluate_binary / evaluate_multiclass against scikit-learn 1.2
// (tests/fixtures/classification_cases.json and threshold_tuning_cases.json, written by
// make_classification_fixtures.py): every value to the bit, warnings and the report's text
// byte for byte.
#include "runtime/classification_report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/class_scores.h"
#include "runtime/curves.h"
#include "runtime/log_loss.h"
#include "runtime/metrics.h"
#include "runtime/multiclass_metrics.h"
#include "runtime/threshold_tuning.h"

namespace m = pipeml::metrics;
using nlohmann::json;

namespace {

json cases_of(const char* file) {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/" + file);
  if (!in) throw std::runtime_error(std::string("cannot open fixtures/") + file);
  return json::parse(in).at("cases");
}

const json& cases() {
  static const json all = cases_of("classification_cases.json");
  return all;
}

// A case's labels, its probabilities (one per row for two classes, k per row for more) and k.
struct Labels {
  std::vector<int> y;
  std::vector<double> probs;
  int k;
};

Labels labels_of(const json& c) {
  return {c.at("y_true").get<std::vector<int>>(), c.at("probs").get<std::vector<double>>(), c.at("k").get<int>()};
}

// What the case predicts: prob >= threshold for two classes, np.argmax for more.
std::vector<int> predicted(const json& c) {
  const Labels l = labels_of(c);
  return l.k == 2 ? m::threshold(l.probs, c.at("threshold").get<double>()) : m::argmax(l.probs, l.k);
}

std::vector<std::string> texts(const json& j) { return j.get<std::vector<std::string>>(); }

}  // namespace

TEST_CASE("classification fixture covers warnings, both report headings and clipping", "[metrics][classification]") {
  std::size_t warned = 0, micro_avg = 0, binary = 0;
  for (const json& c : cases()) {
    const json& e = c.at("expected");
    warned += !e.at("macro").at("warnings").empty();
    micro_avg += e.at("report_dict").contains("micro avg");
    binary += c.at("k") == 2;
  }
  CHECK(cases().size() >= 10);
  CHECK(warned >= 3);
  CHECK(micro_avg >= 1);
  CHECK(binary >= 4);
}

TEST_CASE("macro, weighted and micro precision, recall and f1 equal sklearn's", "[metrics][classification]") {
  for (const json& c : cases()) {
    INFO("case: " << c.at("name").get<std::string>());
    const auto y = c.at("y_true").get<std::vector<int>>();
    const m::ClassScores s = m::class_scores(m::confusion_matrix(y, predicted(c), c.at("k").get<int>()));
    for (const char* name : {"macro", "weighted", "micro"}) {
      INFO("average " << name);
      const json& e = c.at("expected").at(name);
      const m::Averaged a = m::averaged(s, m::parse_average(name));
      CHECK(a.precision == e.at("precision").get<double>());
      CHECK(a.recall == e.at("recall").get<double>());
      CHECK(a.f1 == e.at("f1").get<double>());
      CHECK(a.warnings == texts(e.at("warnings")));
    }
  }
}

TEST_CASE("balanced accuracy, average precision and log loss equal sklearn's", "[metrics][classification]") {
  for (const json& c : cases()) {
    INFO("case: " << c.at("name").get<std::string>());
    const json& e = c.at("expected");
    const auto [y, probs, k] = labels_of(c);
    const m::Score ba = m::balanced_accuracy(y, predicted(c));
    CHECK(ba.value == e.at("balanced_accuracy").at("value").get<double>());
    const auto ba_warnings = texts(e.at("balanced_accuracy").at("warnings"));
    CHECK(ba.warning == (ba_warnings.empty() ? "" : ba_warnings.front()));
    const double ap = k == 2 ? m::average_precision(y, probs).value : m::average_precision_ovr(y, probs, k).value;
    CHECK(ap == e.at("average_precision").get<double>());
    const double loss = k == 2 ? m::log_loss_binary(y, probs) : m::log_loss(y, probs, k);
    CHECK(loss == e.at("log_loss").get<double>());
  }
}

TEST_CASE("classification_report equals sklearn's text and dict", "[metrics][classification]") {
  for (const json& c : cases()) {
    INFO("case: " << c.at("name").get<std::string>());
    const json& e = c.at("expected");
    const auto names = c.at("names").get<std::vector<std::string>>();
    const m::ClassificationReport r = m::classification_report(c.at("y_true").get<std::vector<int>>(), predicted(c), names);
    CHECK(m::classification_report_text(r, 4) == e.at("report_text").get<std::string>());
    const json& d = e.at("report_dict");
    auto check_line = [&](const m::ReportLine& l) {
      INFO("line " << l.name);
      const json& want = d.at(l.name);
      CHECK(l.precision == want.at("precision").get<double>());
      CHECK(l.recall == want.at("recall").get<double>());
      CHECK(l.f1 == want.at("f1-score").get<double>());
      CHECK(l.support == want.at("support").get<std::size_t>());
    };
    for (const auto& line : r.classes) check_line(line);
    if (r.micro.name == "accuracy") CHECK(r.micro.precision == d.at("accuracy").get<double>());
    else check_line(r.micro);
    check_line(r.macro);
    check_line(r.weighted);
    CHECK(d.size() == names.size() + 3);
  }
}

TEST_CASE("evaluate reports carry the new metrics and the average asked for", "[metrics][classification]") {
  std::size_t multiclass = 0;
  for (const json& c : cases()) {
    INFO("case: " << c.at("name").get<std::string>());
    const json& e = c.at("expected");
    const auto [y, probs, k] = labels_of(c);
    bool every_class_true = true;
    for (int cls = 0; cls < k; ++cls) every_class_true = every_class_true && std::count(y.begin(), y.end(), cls) > 0;
    if (k == 2) {
      const m::BinaryReport r = m::evaluate_binary(y, probs, c.at("threshold").get<double>());
      CHECK(r.balanced_accuracy == e.at("balanced_accuracy").at("value").get<double>());
      CHECK(r.average_precision == e.at("average_precision").get<double>());
      CHECK(r.log_loss == e.at("log_loss").get<double>());
      continue;
    }
    if (!every_class_true) continue;  // ROC-AUC one-vs-rest refuses it
    ++multiclass;
    for (const char* name : {"macro", "weighted", "micro"}) {
      const m::MulticlassReport r = m::evaluate_multiclass(y, probs, k, m::parse_average(name));
      CHECK(r.precision == e.at(name).at("precision").get<double>());
      CHECK(r.recall == e.at(name).at("recall").get<double>());
      CHECK(r.f1 == e.at(name).at("f1").get<double>());
      CHECK(r.balanced_accuracy == e.at("balanced_accuracy").at("value").get<double>());
      CHECK(r.average_precision == e.at("average_precision").get<double>());
      CHECK(r.log_loss == e.at("log_loss").get<double>());
    }
  }
  CHECK(multiclass >= 4);
}

TEST_CASE("balanced accuracy warns of a class predicted but never true", "[metrics][classification]") {
  const m::Score s = m::balanced_accuracy({0, 0, 1, 1}, {0, 2, 1, 1});
  CHECK(s.warning == "y_pred contains classes not in y_true");
  CHECK(s.value == 0.75);
  CHECK(m::balanced_accuracy({0, 1}, {0, 1}).warning.empty());
  CHECK(m::binary_score("balanced_accuracy", {3, 1, 1, 3}) == 0.75);
  CHECK_THROWS_AS(m::binary_score("roc_auc", {}), std::invalid_argument);
  CHECK_THROWS_AS(m::parse_average("samples"), std::invalid_argument);
}

TEST_CASE("log loss clips at sklearn 1.2.1's eps and refuses bad input", "[metrics][classification]") {
  // -log(eps) for a confident wrong answer: eps is float64's, not 1e-15.
  CHECK(m::log_loss_binary({1}, {0.0}) == -std::log(m::kLogLossEps / ((1 - m::kLogLossEps) + m::kLogLossEps)));
  CHECK_THROWS_AS(m::log_loss_binary({0, 2}, {0.1, 0.2}), std::invalid_argument);
  CHECK_THROWS_AS(m::log_loss({0, 1}, {0.5, 0.5, 0.5}, 3), std::invalid_argument);
  CHECK_THROWS_AS(m::log_loss_binary({}, {}), std::invalid_argument);
}

TEST_CASE("the tuned threshold equals sklearn brute force over every candidate", "[metrics][threshold]") {
  const json all = cases_of("threshold_tuning_cases.json");
  REQUIRE(all.size() >= 8);
  for (const json& c : all) {
    const auto y = c.at("y_true").get<std::vector<int>>();
    const auto probs = c.at("probs").get<std::vector<double>>();
    for (const auto& metric : m::kTunableMetrics) {
      INFO("case: " << c.at("name").get<std::string>() << ", " << metric);
      const json& e = c.at("expected").at(metric);
      const m::TunedThreshold t = m::tune_threshold(y, probs, metric);
      CHECK(t.threshold == e.at("threshold").get<double>());
      CHECK(t.value == e.at("value").get<double>());
      CHECK(t.candidates == e.at("candidates").get<std::size_t>());
      CHECK(t.rows == y.size());
    }
  }
  CHECK_THROWS_AS(m::tune_threshold({0, 1}, {0.2, 0.8}, "roc_auc"), std::invalid_argument);
}
