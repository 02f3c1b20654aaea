// evaluate end to end: the threshold tuned on the validation part (printed, in metrics.json,
// used by predictions.csv and every test metric), the classification report, the new
// metrics and history.csv's train metric; and the located errors of tune_threshold and average.
#include <catch2/catch.hpp>

#include <sstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "runtime/metrics.h"
#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using pipetest::errors_of;
using pipetest::read_file;
using pipetest::replaced;
using pipetest::run_pipe;

namespace {

// heart_yaml() with a validation part: evaluate's lines start at 37.
std::string with_validation() {
  return replaced(pipetest::heart_yaml(), "    test_size: 0.2\n", "    test_size: 0.2\n    validation_size: 0.2\n");
}

// predictions.csv's labels (as 0/1) and probabilities of class 1.
void read_predictions(const std::string& csv, std::vector<int>& y, std::vector<double>& p, std::vector<int>& predicted) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // row,label,prob_1,predicted
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string row, label, prob, pred;
    std::getline(fields, row, ',');
    std::getline(fields, label, ',');
    std::getline(fields, prob, ',');
    std::getline(fields, pred, ',');
    y.push_back(std::stoi(label));
    p.push_back(static_cast<double>(std::stof(prob)));  // a float32 output, written with 9 digits
    predicted.push_back(std::stoi(pred));
  }
}

}  // namespace

TEST_CASE("a threshold tuned on the validation part decides the test predictions and metrics", "[evaluate]") {
  const pipetest::TempDir tmp;
  pipetest::write_file(tmp.path("t.yaml"),
                       with_validation() + "evaluate:\n  tune_threshold: f1\n"
                                           "  metrics: [accuracy, balanced_accuracy, f1, average_precision, log_loss]\n");
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run " + tmp.path("t.yaml") + " --set train.epochs=3 --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  const json test = json::parse(read_file(out + "/metrics.json")).at("test");
  const json& tuning = test.at("threshold_tuning");
  CHECK(tuning.at("metric") == "f1");
  CHECK(tuning.at("validation_rows") == 49);
  CHECK(tuning.at("candidates").get<std::size_t>() <= 49);
  CHECK(tuning.at("candidates").get<std::size_t>() > 10);
  const double t = test.at("threshold").get<double>();
  CHECK(r.out.find(fmt::format("  threshold {:.4f} (tuned on the validation part's 49 rows for f1: {:.4f})\n", t,
                               tuning.at("validation_value").get<double>())) != std::string::npos);
  // predictions.csv predicts at the tuned threshold, and the test metrics are its predictions'.
  std::vector<int> y, predicted;
  std::vector<double> p;
  read_predictions(read_file(out + "/predictions.csv"), y, p, predicted);
  REQUIRE(y.size() == 61);
  CHECK(predicted == pipeml::metrics::threshold(p, t));
  const pipeml::metrics::BinaryReport m = pipeml::metrics::evaluate_binary(y, p, t);
  CHECK(test.at("accuracy").get<double>() == m.accuracy);
  CHECK(test.at("balanced_accuracy").get<double>() == m.balanced_accuracy);
  CHECK(test.at("f1").get<double>() == m.f1);
  CHECK(test.at("average_precision").get<double>() == m.average_precision);
  CHECK(test.at("log_loss").get<double>() == m.log_loss);
  CHECK_FALSE(test.contains("precision"));
  CHECK(test.at("classification_report").at("accuracy").get<double>() == m.accuracy);
  CHECK(test.at("classification_report").at("1").at("support") == 28);
  CHECK(r.out.find("  classification report\n                precision    recall  f1-score   support\n") != std::string::npos);
  CHECK(r.out.find("\n      accuracy                         ") != std::string::npos);
  CHECK(r.out.find("  balanced_accuracy 0.") != std::string::npos);
  const std::string history = read_file(out + "/history.csv");
  CHECK(history.rfind("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n1,", 0) == 0);
}

TEST_CASE("tune_threshold and average where they cannot apply are located errors", "[evaluate]") {
  SECTION("no validation part") {
    CHECK(errors_of(pipetest::heart_yaml() + "evaluate:\n  tune_threshold: f1\n") ==
          "t.yaml:37:19: error: 'tune_threshold' chooses the threshold on the validation part, and there is none\n"
          "    tune_threshold: f1\n"
          "                    ^~\n"
          "  note: give 'split' a validation_size (e.g. validation_size: 0.2)\n");
  }
  SECTION("kfold's folds") {
    CHECK(errors_of(replaced(pipetest::heart_yaml(), "  - op: split\n    test_size: 0.2\n", "  - op: kfold\n") +
                    "evaluate:\n  tune_threshold: accuracy\n") ==
          "t.yaml:36:19: error: 'tune_threshold' chooses the threshold on the validation part, and there is none\n"
          "    tune_threshold: accuracy\n"
          "                    ^~~~~~~~\n"
          "  note: kfold's folds have no validation part: use 'split' with a validation_size, or a fixed 'threshold'\n");
  }
  SECTION("beside a fixed threshold") {
    CHECK(errors_of(with_validation() + "evaluate:\n  tune_threshold: f1\n  threshold: 0.3\n") ==
          "t.yaml:39:14: error: 'threshold' and 'tune_threshold' both set the decision threshold\n"
          "    threshold: 0.3\n"
          "               ^~~\n"
          "  note: remove 'threshold' (tune_threshold chooses it on the validation part) or 'tune_threshold'\n");
  }
  SECTION("a metric it cannot tune for") {
    const std::string said = errors_of(with_validation() + "evaluate:\n  tune_threshold: roc_auc\n");
    CHECK(said.rfind("t.yaml:38:19: error: ", 0) == 0);
    CHECK(said.find("balanced_accuracy") != std::string::npos);
  }
  SECTION("average with two classes") {
    CHECK(errors_of(pipetest::heart_yaml() + "evaluate:\n  average: weighted\n") ==
          "t.yaml:37:12: error: 'average' combines the classes' precision, recall and f1, but the target has two "
          "classes: the scores are the positive class's\n"
          "    average: weighted\n"
          "             ^~~~~~~~\n"
          "  note: remove 'average'\n");
  }
  SECTION("valid with a validation part") {
    CHECK(errors_of(with_validation() + "evaluate:\n  tune_threshold: balanced_accuracy\n").empty());
  }
}

TEST_CASE("pipe plan notes the threshold tuning", "[evaluate]") {
  const pipetest::TempDir tmp;
  pipetest::write_file(tmp.path("t.yaml"), with_validation() + "evaluate:\n  tune_threshold: f1\n");
  const auto r = run_pipe("plan " + tmp.path("t.yaml"), false);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("    note: decision threshold: tuned for f1 on the validation part's 49 rows (each distinct "
                   "probability tried; among equal scores the one nearest 0.5)\n") != std::string::npos);
}
