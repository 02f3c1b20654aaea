// `pipe run` end to end on the heart pipeline (few epochs): the artifacts and their content.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using pipetest::read_file;
using pipetest::run_pipe;
using pipetest::path_exists;

TEST_CASE("pipe run trains, evaluates and writes the artifacts") {
  const pipetest::TempDir tmp;
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run pipelines/heart.yaml --set train.epochs=3 --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("epoch   1/3  train_loss") != std::string::npos);
  CHECK(r.out.find("test (61 rows)\n  threshold 0.5 (fixed)\n  accuracy   0.") != std::string::npos);
  CHECK(r.out.find("  classification report\n") != std::string::npos);
  for (const char* f :
       {"plan.json", "transforms.json", "history.csv", "model.pt", "predictions.csv", "metrics.json", "report.html"})
    CHECK(path_exists(out + "/" + f));
  const auto m = nlohmann::json::parse(read_file(out + "/metrics.json"));
  CHECK(m["device"] == "cpu");
  CHECK(m["train_rows"] == 524);
  const auto& test = m["test"];
  for (const char* k : {"accuracy", "precision", "recall", "f1", "roc_auc"}) {
    CHECK(test[k].get<double>() >= 0.0);
    CHECK(test[k].get<double>() <= 1.0);
  }
  // Even three epochs separate this data well above chance.
  CHECK(test["accuracy"].get<double>() > 0.7);
  std::size_t cm_total = 0;
  for (const auto& row : test["confusion_matrix"])
    for (const auto& c : row) cm_total += c.get<std::size_t>();
  CHECK(cm_total == 61);
  CHECK(test["threshold"] == 0.5);
  CHECK_FALSE(test.contains("threshold_tuning"));
  CHECK(test["classification_report"]["weighted avg"]["support"] == 61);
  CHECK(test["classification_report"]["accuracy"] == test["accuracy"]);
  const std::string history = read_file(out + "/history.csv");
  CHECK(history.rfind("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n1,", 0) == 0);
  CHECK(std::count(history.begin(), history.end(), '\n') == 4);
  // The fitted scaler is kept so that new rows can be transformed the same way.
  const auto t = nlohmann::json::parse(read_file(out + "/transforms.json"));
  CHECK(t["stages"]["standardize"]["mean"].size() == 13);
  const std::string predictions = read_file(out + "/predictions.csv");
  CHECK(predictions.rfind("row,label,prob_1,predicted\n", 0) == 0);
  CHECK(std::count(predictions.begin(), predictions.end(), '\n') == 62);

  // docs/model.md's promise: Python's torch.load reads model.pt, and the model rebuilt
  // from plan.json + transforms.json predicts what pipe predicted, row for row.
  const std::string check = std::string(PIPE_PYTHON) + " '" + PIPE_SOURCE_DIR + "/docs/load_model.py' '" + out + "' '" +
                            PIPE_SHARED_DIR + "/data/processed.cleveland.data' --check 2>&1";
  std::string said;
  FILE* p = popen(check.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) said += buf;
  const int status = pclose(p);
  INFO(said);
  CHECK(status == 0);
  CHECK(said.find("61 test rows: largest difference") != std::string::npos);
}

TEST_CASE("pipe run refuses an output directory that holds another run") {
  const pipetest::TempDir tmp;
  const std::string& out = tmp.str();
  pipetest::write_file(out + "/metrics.json", "{}");
  const auto r = run_pipe("run pipelines/heart.yaml --set train.epochs=1 --out " + out);
  CHECK(r.code == 1);
  CHECK(r.out == "error: output directory '" + out + "' exists and is not empty; pipe never overwrites a run\n");
  CHECK(read_file(out + "/metrics.json") == "{}");
}

TEST_CASE("a saved plan runs only while its inputs are unchanged") {
  const pipetest::TempDir tmp;
  const std::string& dir = tmp.str();
  const std::string yaml = dir + "/heart.yaml";
  std::string text = read_file(std::string(PIPE_SOURCE_DIR) + "/pipelines/heart.yaml");
  const std::string rel = "../../shared/data/processed.cleveland.data";
  text.replace(text.find(rel), rel.size(), std::string(PIPE_SHARED_DIR) + "/data/processed.cleveland.data");
  pipetest::write_file(yaml, text);
  REQUIRE(run_pipe("plan " + yaml + " --set train.epochs=2 -o " + dir + "/heart.plan").code == 0);

  const auto ok = run_pipe("run " + dir + "/heart.plan --out " + dir + "/run1");
  INFO(ok.out);
  CHECK(ok.code == 0);
  CHECK(ok.out.find("epoch   2/2") != std::string::npos);  // the --set recorded in the plan

  const auto extra = run_pipe("run " + dir + "/heart.plan --seed 3");
  CHECK(extra.code == 1);
  CHECK(extra.out.find("a saved plan runs as it was reviewed") != std::string::npos);

  pipetest::write_file(yaml, text + "# edited\n");
  const auto changed = run_pipe("run " + dir + "/heart.plan --out " + dir + "/run2");
  CHECK(changed.code == 1);
  CHECK(changed.out == dir + "/heart.plan: error: '" + yaml + "' changed since this plan was made\n"
                       "  note: review the new plan with 'pipe plan " + yaml + "' and save it again with -o\n1 error\n");
  CHECK_FALSE(path_exists(dir + "/run2"));
}

TEST_CASE("pipe run goes on from the data stages its plan ran on the data") {
  // smote_tomek's counts depend on the values, so planning ran the data stages up to it;
  // the run trains on exactly the rows the plan counted and keeps the fitted transforms.
  const pipetest::TempDir tmp;
  const std::string out = tmp.path("run");
  const auto plan = run_pipe("plan examples/heart_resamplers.yaml");
  REQUIRE(plan.code == 0);
  CHECK(plan.out.find("-> train 280 = {0: 140, 1: 140}") != std::string::npos);
  const auto r = run_pipe("run examples/heart_resamplers.yaml --set train.epochs=1 --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("training on 280 rows x 13 features") != std::string::npos);
  CHECK(nlohmann::json::parse(read_file(out + "/metrics.json"))["train_rows"] == 280);
  const auto t = nlohmann::json::parse(read_file(out + "/transforms.json"));
  CHECK(t["stages"]["impute"]["statistics"].size() == 13);
  CHECK(t["stages"]["standardize"]["mean"].size() == 13);
}
