// Regression end to end on examples/regression.yaml (a number target: house prices): the
// plan, a short run, its artifacts, docs/load_model.py reproducing the predictions, and
// every misuse of classes with a number target as an exact, located message.
#include <catch2/catch.hpp>

#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/regression_metrics.h"
#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using pipetest::errors_of;
using pipetest::read_file;
using pipetest::replaced;
using pipetest::run_pipe;

namespace {

const std::string kHouses = std::string(PIPE_SOURCE_DIR) + "/examples/data/houses.csv";

// Line numbers the tests point at: load_csv 4, path 5, target 6, target_type 7, split 8,
// impute 10, one_hot_encode 11, standardize 12, model 13, loss op 17, evaluate 22 (metrics 23).
std::string houses_yaml(const std::string& data = kHouses) {
  return R"(pipeline: houses
seed: 42
data:
  - op: load_csv
    path: )" + data + R"(
    target: price_k
    target_type: number
  - op: split
    test_size: 0.2
  - op: impute
  - op: one_hot_encode
  - op: standardize
model:
  op: mlp
  hidden: [16]
loss:
  op: mse
optimizer:
  op: adamw
train:
  epochs: 2
evaluate:
  metrics: [mae, r2]
)";
}

pipetest::Result python(const std::string& args) {
  pipetest::Result r;
  FILE* p = popen((std::string(PIPE_PYTHON) + " " + args + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) r.out += buf;
  r.code = pclose(p);
  return r;
}

}  // namespace

TEST_CASE("pipe plan shows a regression pipeline: rows without classes, one output", "[regression]") {
  const auto r = run_pipe("plan examples/regression.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == pipetest::golden("regression.plan.txt", r.out));
  CHECK(r.out.find("note: target 'price_k' is a number (regression): mean 288.6, std 133.4, from 39.6 to 581.4") !=
        std::string::npos);
  CHECK(r.out.find("    -> train 272 rows\n    -> validation 48 rows\n    -> test 80 rows\n") != std::string::npos);
  CHECK(r.out.find("note: not stratified: the target is a number") != std::string::npos);
  CHECK(r.out.find("note: 8 inputs from the data; 1 output: the predicted 'price_k'") != std::string::npos);
  const auto j = json::parse(run_pipe("plan examples/regression.yaml --format json", false).out);
  CHECK(j["target"] == json({{"name", "price_k"}, {"type", "number"}}));
  CHECK(j["classes"] == json::array());
  CHECK(j["stages"][1]["parts"][0] == json({{"name", "train"}, {"rows", 272}, {"class_counts", json::array()}}));
}

TEST_CASE("a regression run learns, scores as sklearn does, and load_model.py reproduces it", "[regression]") {
  const pipetest::TempDir tmp;
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run examples/regression.yaml --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("training on 272 rows x 8 features, 150 epochs") != std::string::npos);
  CHECK(r.out.find("val_mae ") != std::string::npos);
  CHECK(r.out.find("test (80 rows, target 'price_k')\n  mae ") != std::string::npos);
  CHECK(r.out.find("confusion") == std::string::npos);

  CHECK(read_file(out + "/history.csv").rfind("epoch,train_loss,train_mae,val_loss,val_mae,lr,seconds\n1,", 0) == 0);
  // The metrics are those of the predictions written (float32 values, printed to round-trip).
  std::istringstream lines(read_file(out + "/predictions.csv"));
  std::string line;
  std::getline(lines, line);
  CHECK(line == "row,target,predicted");
  std::vector<double> truth, predicted;
  while (std::getline(lines, line)) {
    const auto a = line.find(','), b = line.rfind(',');
    truth.push_back(std::stod(line.substr(a + 1, b - a - 1)));
    predicted.push_back(static_cast<double>(std::stof(line.substr(b + 1))));
  }
  REQUIRE(truth.size() == 80);
  const auto expected = pipeml::metrics::evaluate_regression(truth, predicted);
  const auto m = json::parse(read_file(out + "/metrics.json"));
  CHECK(m["test"]["mae"] == expected.mae);
  CHECK(m["test"]["rmse"] == expected.rmse);
  CHECK(m["test"]["r2"] == expected.r2);
  CHECK_FALSE(m["test"].contains("mse"));  // only what `metrics:` asks for
  CHECK(m["test"]["target"] == "price_k");
  // The prices carry noise of std 15 around a smooth function: a model that learned it
  // explains most of the variance.
  CHECK(expected.r2 > 0.9);
  CHECK(expected.mae < 25);

  const auto t = json::parse(read_file(out + "/transforms.json"));
  CHECK(t["target"] == json({{"name", "price_k"}, {"type", "number"}}));
  const auto check = python("'" + std::string(PIPE_SOURCE_DIR) + "/docs/load_model.py' '" + out + "' '" + kHouses + "' --check");
  INFO(check.out);
  CHECK(check.code == 0);
  CHECK(check.out.find("80 test rows: largest difference from pipe's predictions (relative)") != std::string::npos);
}

TEST_CASE("a regression pipeline with kfold reports each fold and mean +- std", "[regression]") {
  const pipetest::TempDir tmp;
  std::string yaml = replaced(houses_yaml(), "  - op: split\n    test_size: 0.2\n", "  - op: kfold\n    n_splits: 3\n");
  pipetest::write_file(tmp.path("h.yaml"), yaml);
  const auto r = run_pipe("run " + tmp.path("h.yaml") + " --device cpu --out " + tmp.path("run"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  const auto m = json::parse(read_file(tmp.path("run") + "/metrics.json"));
  CHECK(m["folds"].size() == 3);
  CHECK(m["mean"].contains("r2"));
  CHECK(m["std"].contains("mae"));
  CHECK(m["folds"][0]["test"]["rows"] == 134);  // KFold(3) of 400 rows: 134, 133, 133
  CHECK(m["folds"][2]["test"]["rows"] == 133);
}

TEST_CASE("classes asked of a number target are located errors", "[regression]") {
  SECTION("stratify written out") {
    CHECK(errors_of(replaced(houses_yaml(), "    test_size: 0.2\n", "    test_size: 0.2\n    stratify: true\n")) ==
          "t.yaml:10:15: error: 'stratify' keeps class proportions, but the target 'price_k' is a number (regression)\n"
          "      stratify: true\n"
          "                ^~~~\n"
          "  note: remove 'stratify' (a number target is never stratified), or read the target as classes\n");
  }
  SECTION("a resampler") {
    CHECK(errors_of(replaced(houses_yaml(), "  - op: standardize\n", "  - op: standardize\n  - op: smote\n")) ==
          "t.yaml:13:9: error: 'smote' balances classes, but the target 'price_k' is a number (target_type: number on "
          "load_csv)\n"
          "    - op: smote\n"
          "          ^~~~~\n"
          "  note: remove it: regression has no classes to work with\n");
  }
  SECTION("a classification loss") {
    CHECK(errors_of(replaced(houses_yaml(), "op: mse", "op: bce_with_logits")) ==
          "t.yaml:17:7: error: 'bce_with_logits' needs two classes, but the target 'price_k' is a number (regression)\n"
          "    op: bce_with_logits\n"
          "        ^~~~~~~~~~~~~~~\n"
          "  note: use a regression loss: 'mse', 'l1', 'huber' or 'smooth_l1'\n");
  }
  SECTION("a classifier's metric") {
    CHECK(errors_of(replaced(houses_yaml(), "[mae, r2]", "[mae, f1]")) ==
          "t.yaml:23:18: error: 'f1' scores a classifier, but the target 'price_k' is a number\n"
          "    metrics: [mae, f1]\n"
          "                   ^~\n"
          "  note: expected 'mae', 'mse', 'rmse', or 'r2'\n");
  }
  SECTION("a decision threshold") {
    CHECK(errors_of(replaced(houses_yaml(), "evaluate:\n", "evaluate:\n  threshold: 0.3\n")) ==
          "t.yaml:23:14: error: 'threshold' turns a probability into a class, but the target 'price_k' is a number "
          "(regression)\n"
          "    threshold: 0.3\n"
          "               ^~~\n"
          "  note: remove 'threshold'\n");
  }
  SECTION("a tuned threshold") {
    CHECK(errors_of(replaced(houses_yaml(), "evaluate:\n", "evaluate:\n  tune_threshold: f1\n")) ==
          "t.yaml:23:19: error: 'tune_threshold' chooses where a probability becomes a class, but the target 'price_k' "
          "is a number (regression)\n"
          "    tune_threshold: f1\n"
          "                    ^~\n"
          "  note: remove 'tune_threshold'\n");
  }
  SECTION("an average over classes") {
    CHECK(errors_of(replaced(houses_yaml(), "evaluate:\n", "evaluate:\n  average: micro\n")) ==
          "t.yaml:23:12: error: 'average' combines the classes' precision, recall and f1, but the target 'price_k' is "
          "a number (regression)\n"
          "    average: micro\n"
          "             ^~~~~\n"
          "  note: remove 'average'\n");
  }
  SECTION("a threshold on the loader") {
    CHECK(errors_of(replaced(houses_yaml(), "    target_type: number\n", "    target_type: number\n    target_threshold: 300\n")) ==
          "t.yaml:8:23: error: 'target_threshold' makes classes, but 'target_type' is number (regression)\n"
          "      target_threshold: 300\n"
          "                        ^~~\n"
          "  note: remove 'target_threshold' to predict the number, or 'target_type' to predict the classes\n");
  }
  SECTION("a regression loss on classes") {
    const std::string yaml = replaced(pipetest::heart_yaml(), "op: bce_with_logits", "op: huber");
    CHECK(errors_of(yaml) ==
          "t.yaml:25:7: error: 'huber' is a regression loss, but 'num' holds classes\n"
          "    op: huber\n"
          "        ^~~~~\n"
          "  note: predict the number with 'target_type: number' on load_csv, or use 'bce_with_logits' for two classes\n");
  }
}

TEST_CASE("a number target that is not a number, missing or constant is refused at its line", "[regression]") {
  const pipetest::TempDir tmp;
  auto errors_with = [&](const std::string& csv) {
    pipetest::write_file(tmp.path("h.csv"), csv);
    return errors_of(houses_yaml(tmp.path("h.csv")));
  };
  const std::string header = "area_m2,rooms,age_years,distance_km,neighbourhood,price_k\n";
  const std::string good = "81.6,2,58,0.46,suburb,194.5\n42.5,2,6,0.54,suburb,150.4\n";
  const std::string at = "t.yaml:5:11: error: " + tmp.path("h.csv");
  CHECK(errors_with(header + good + "51.9,2,56,26.98,suburb,cheap\n").rfind(
            at + ":4: column 'price_k': 'cheap' is not a number, and the target is read as numbers (target_type: number)\n", 0) == 0);
  CHECK(errors_with(header + good + "51.9,2,56,26.98,suburb,\n").rfind(at + ":4: column 'price_k': the target value is missing\n", 0) == 0);
  CHECK(errors_with(header + good + "51.9,2,56,26.98,suburb,1e400\n").rfind(at + ":4: column 'price_k': the target value is infinite ('1e400')\n", 0) == 0);
  CHECK(errors_with(header + "81.6,2,58,0.46,suburb,7\n42.5,2,6,0.54,suburb,7.0\n").rfind(
            at + ": target 'price_k' has a single value: every row has 7, so there is nothing to learn\n", 0) == 0);
}
