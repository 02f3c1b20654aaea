// Multiclass end to end on examples/heart_multiclass.yaml (UCI 'num' 0-4, five classes):
// the plan, a short run with its artifacts (a probability per class, a 5 x 5 confusion
// matrix, macro metrics equal to the functions checked against sklearn), load_model.py
// reproducing the probabilities, and the located errors of class weights and thresholds.
#include <catch2/catch.hpp>

#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/multiclass_metrics.h"
#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using pipetest::errors_of;
using pipetest::read_file;
using pipetest::replaced;
using pipetest::run_pipe;

namespace {

const std::string kHeart = std::string(PIPE_SHARED_DIR) + "/data/processed.cleveland.data";

// heart_yaml() with five classes and cross_entropy; loss op at line 24, its next line 25.
std::string multiclass_yaml() {
  return replaced(replaced(pipetest::heart_yaml(), "    target_threshold: 0\n", ""), "op: bce_with_logits", "op: cross_entropy");
}

}  // namespace

TEST_CASE("pipe plan shows five classes, five outputs and macro metrics", "[multiclass]") {
  const auto r = run_pipe("plan examples/heart_multiclass.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == pipetest::golden("heart_multiclass.plan.txt", r.out));
  CHECK(r.out.find("-> train 227 = {0: 123, 1: 41, 2: 27, 3: 26, 4: 10}") != std::string::npos);
  CHECK(r.out.find("-> train 615 = {0: 123, 1: 123, 2: 123, 3: 123, 4: 123}") != std::string::npos);
  CHECK(r.out.find("note: 13 inputs from the data; 5 outputs for 5 classes") != std::string::npos);
  CHECK(r.out.find("8    Linear(32, 5)") != std::string::npos);
}

TEST_CASE("a multiclass run writes every class's probability and scores them as sklearn", "[multiclass]") {
  const pipetest::TempDir tmp;
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run examples/heart_multiclass.yaml --set train.epochs=3 --set evaluate.average=weighted "
                          "--set 'evaluate.metrics=[accuracy, f1, balanced_accuracy, log_loss]' --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("test (76 rows, 5 classes; precision, recall, f1: weighted averages)\n") != std::string::npos);
  CHECK(r.out.find("  classification report\n") != std::string::npos);
  CHECK(r.out.find("                0      1      2      3      4\n") != std::string::npos);

  std::istringstream lines(read_file(out + "/predictions.csv"));
  std::string line;
  std::getline(lines, line);
  CHECK(line == "row,label,prob_0,prob_1,prob_2,prob_3,prob_4,predicted");
  std::vector<int> truth;
  std::vector<double> probs;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string field;
    std::getline(fields, field, ',');
    std::getline(fields, field, ',');
    truth.push_back(std::stoi(field));
    for (int c = 0; c < 5; ++c) std::getline(fields, field, ','), probs.push_back(static_cast<double>(std::stof(field)));
  }
  REQUIRE(truth.size() == 76);
  const auto expected = pipeml::metrics::evaluate_multiclass(truth, probs, 5, pipeml::metrics::Average::weighted);
  const auto m = json::parse(read_file(out + "/metrics.json"));
  CHECK(m["test"]["accuracy"] == expected.accuracy);
  CHECK(m["test"]["f1"] == expected.f1);
  CHECK(m["test"]["balanced_accuracy"] == expected.balanced_accuracy);
  CHECK(m["test"]["log_loss"] == expected.log_loss);
  CHECK(m["test"]["average"] == "weighted");
  CHECK(m["test"]["classification_report"]["weighted avg"]["f1-score"] == expected.f1);
  CHECK(m["test"]["confusion_matrix"].size() == 5);
  CHECK_FALSE(m["test"].contains("threshold"));

  const std::string command = std::string(PIPE_PYTHON) + " '" + PIPE_SOURCE_DIR + "/docs/load_model.py' '" + out + "' '" +
                              kHeart + "' --check 2>&1";
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string said;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) said += buf;
  INFO(said);
  CHECK(pclose(p) == 0);
  CHECK(said.find("76 test rows: largest difference from pipe's probabilities") != std::string::npos);
}

TEST_CASE("class weights and thresholds that do not fit the classes are located errors", "[multiclass]") {
  SECTION("a weight per class") {
    CHECK(errors_of(replaced(multiclass_yaml(), "op: cross_entropy\n", "op: cross_entropy\n  weight: [1, 2]\n")) ==
          "t.yaml:25:11: error: 'weight' has 2 values, but there are 5 classes ('0', '1', '2', '3', and '4')\n"
          "    weight: [1, 2]\n"
          "            ^\n"
          "  note: give one weight per class, in that order\n");
  }
  SECTION("weight and balanced") {
    CHECK(errors_of(replaced(multiclass_yaml(), "op: cross_entropy\n",
                             "op: cross_entropy\n  weight: [1, 2, 1, 1, 1]\n  class_weight: balanced\n")) ==
          "t.yaml:25:11: error: 'weight' and 'class_weight: balanced' both set the class weights\n"
          "    weight: [1, 2, 1, 1, 1]\n"
          "            ^\n"
          "  note: keep one of them\n");
  }
  SECTION("a threshold with a probability per class") {
    CHECK(errors_of(multiclass_yaml() + "evaluate:\n  threshold: 0.3\n") ==
          "t.yaml:36:14: error: 'threshold' applies to one probability, but the model gives one per class\n"
          "    threshold: 0.3\n"
          "               ^~~\n"
          "  note: remove 'threshold': the predicted class is the most probable one\n");
  }
  SECTION("a threshold tuned with a probability per class") {
    CHECK(errors_of(replaced(multiclass_yaml(), "    test_size: 0.2\n", "    test_size: 0.2\n    validation_size: 0.2\n") +
                    "evaluate:\n  tune_threshold: f1\n") ==
          "t.yaml:37:19: error: 'tune_threshold' applies to one probability, but the model gives one per class\n"
          "    tune_threshold: f1\n"
          "                    ^~\n"
          "  note: remove 'tune_threshold': the predicted class is the most probable one\n");
  }
  SECTION("an average for the classes is accepted") {
    CHECK(errors_of(multiclass_yaml() + "evaluate:\n  average: micro\n").empty());
  }
  SECTION("balanced weights are shown in the plan") {
    const auto plan = errors_of(replaced(multiclass_yaml(), "op: cross_entropy\n", "op: cross_entropy\n  class_weight: balanced\n"));
    CHECK(plan.empty());
  }
}
