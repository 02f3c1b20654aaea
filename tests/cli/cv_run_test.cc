// `pipe run` on a cross-validated pipeline (examples/heart_cv.yaml, two epochs): a fresh
// model per fold with its artifacts in fold-N/, tested on sklearn's folds, and
// metrics.json's mean and std over the folds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using pipetest::entries;
using pipetest::read_file;
using pipetest::run_pipe;

namespace {

// The first column of predictions.csv: each test row's row in the data file.
std::vector<std::size_t> predicted_rows(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::size_t> rows;
  while (std::getline(in, line)) rows.push_back(std::stoul(line.substr(0, line.find(','))));
  return rows;
}

}  // namespace

TEST_CASE("pipe run cross-validates: a model per fold, each fold's artifacts, mean and std") {
  const pipetest::TempDir tmp;
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run examples/heart_cv.yaml --set train.epochs=2 --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("fold 1/5: training on 524 rows x 13 features, 2 epochs\n", 0) == 0);
  CHECK(r.out.find("fold 5/5: training on 528 rows x 13 features, 2 epochs\n") != std::string::npos);
  CHECK(r.out.find("fold 4/5: test 60 rows  accuracy ") != std::string::npos);
  CHECK(r.out.find("cross-validation: 5 folds, each scored on its own test part (std: np.std, ddof 0)\n"
                   "  metric       fold 1   fold 2   fold 3   fold 4   fold 5    mean \u00b1 std\n") != std::string::npos);

  CHECK(entries(out) ==
        std::set<std::string>{"plan.json", "metrics.json", "report.html", "fold-1", "fold-2", "fold-3", "fold-4", "fold-5"});
  for (int f = 1; f <= 5; ++f)
    CHECK(entries(out + "/fold-" + std::to_string(f)) ==
          std::set<std::string>{"transforms.json", "history.csv", "model.pt", "predictions.csv", "metrics.json"});

  // Each fold tests the rows sklearn's StratifiedKFold(5, shuffle=True, random_state=42) gives it.
  std::ifstream fixture(std::string(PIPE_TEST_DIR) + "/fixtures/kfold_cases.json");
  const json heart = json::parse(fixture).at("cases").at(0);
  REQUIRE(heart.at("name") == "heart stratified 5 seed 42");
  for (int f = 1; f <= 5; ++f) {
    INFO("fold " << f);
    CHECK(predicted_rows(read_file(out + "/fold-" + std::to_string(f) + "/predictions.csv")) ==
          heart.at("folds")[f - 1].at("test").get<std::vector<std::size_t>>());
  }
  // Fitted afresh per fold: the scalers learned different means.
  const auto t1 = json::parse(read_file(out + "/fold-1/transforms.json"));
  const auto t2 = json::parse(read_file(out + "/fold-2/transforms.json"));
  CHECK(t1["stages"]["standardize"]["mean"].size() == 13);
  CHECK(t1["stages"]["standardize"]["mean"] != t2["stages"]["standardize"]["mean"]);

  const auto m = json::parse(read_file(out + "/metrics.json"));
  REQUIRE(m["folds"].size() == 5);
  CHECK(m["std_ddof"] == 0);
  std::vector<std::size_t> train_rows, test_rows;
  for (const auto& f : m["folds"]) {
    train_rows.push_back(f["train_rows"]);
    test_rows.push_back(f["test"]["rows"]);
  }
  CHECK(train_rows == std::vector<std::size_t>{524, 524, 524, 524, 528});
  CHECK(test_rows == std::vector<std::size_t>{61, 61, 61, 60, 60});
  for (const char* k : {"accuracy", "precision", "recall", "f1", "roc_auc"}) {
    INFO(k);
    double sum = 0;  // numpy adds fewer than eight values one after the other, as here
    for (const auto& f : m["folds"]) sum += f["test"][k].get<double>();
    const double mean = sum / 5;
    CHECK(m["mean"][k].get<double>() == mean);
    double squares = 0;
    for (const auto& f : m["folds"]) squares += std::pow(f["test"][k].get<double>() - mean, 2);
    CHECK(m["std"][k].get<double>() == Approx(std::sqrt(squares / 5)).epsilon(1e-12));
  }
  // Two epochs already score well above chance on every fold.
  for (const auto& f : m["folds"]) CHECK(f["test"]["accuracy"].get<double>() > 0.65);
  CHECK(json::parse(read_file(out + "/plan.json"))["stages"][1]["folds"].size() == 5);

  // docs/load_model.py rebuilds fold 5's model from plan.json (one level up) and the fold's
  // transforms.json, and predicts what pipe predicted for that fold's test rows.
  const std::string check = std::string(PIPE_PYTHON) + " '" + PIPE_SOURCE_DIR + "/docs/load_model.py' '" + out +
                            "/fold-5' '" + PIPE_SHARED_DIR + "/data/processed.cleveland.data' --check 2>&1";
  std::string said;
  FILE* p = popen(check.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) said += buf;
  const int status = pclose(p);
  INFO(said);
  CHECK(status == 0);
  CHECK(said.find("60 test rows: largest difference") != std::string::npos);
}

TEST_CASE("pipe run cross-validates with smote_enn on the plan's per-fold tables, and so does its saved plan") {
  // smote_enn's counts depend on each fold's values: planning ran every fold's stages, the
  // run trains each fold on the rows its plan counted, and a saved plan (whose tables are
  // not saved) recomputes them to the same result.
  const pipetest::TempDir tmp;
  const std::string args = " --set train.epochs=2 --device cpu";
  const auto plan = run_pipe("plan examples/heart_cv_cleaning.yaml --format json" + args, false);
  REQUIRE(plan.code == 0);
  REQUIRE(run_pipe("plan examples/heart_cv_cleaning.yaml" + args + " -o " + tmp.path("cv.plan")).code == 0);
  const json planned = json::parse(plan.out);
  const json& smote_enn = planned["stages"][4];
  REQUIRE(smote_enn["op"] == "smote_enn");

  const auto direct = run_pipe("run examples/heart_cv_cleaning.yaml" + args + " --out " + tmp.path("direct"));
  INFO(direct.out);
  REQUIRE(direct.code == 0);
  const auto saved = run_pipe("run " + tmp.path("cv.plan") + " --out " + tmp.path("saved"));
  INFO(saved.out);
  REQUIRE(saved.code == 0);
  const auto m = json::parse(read_file(tmp.path("direct") + "/metrics.json"));
  const auto m_saved = json::parse(read_file(tmp.path("saved") + "/metrics.json"));
  REQUIRE(m["folds"].size() == 5);
  for (std::size_t f = 0; f < 5; ++f) {
    INFO("fold " << f + 1);
    const json& train = smote_enn["folds"][f]["parts"][0];
    REQUIRE(train["name"] == "train");
    CHECK(m["folds"][f]["train_rows"] == train["rows"]);
    CHECK(direct.out.find("fold " + std::to_string(f + 1) + "/5: training on " + train["rows"].dump() + " rows") !=
          std::string::npos);
    CHECK(m_saved["folds"][f]["train_rows"] == train["rows"]);
    CHECK(m_saved["folds"][f]["test"] == m["folds"][f]["test"]);
  }
}
