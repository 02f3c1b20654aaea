// examples/categorical.yaml end to end: text categories and text classes through the plan,
// a short run, its artifacts, and docs/load_model.py reproducing the predictions from
// transforms.json.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using pipetest::read_file;
using pipetest::run_pipe;

namespace {

const std::string kCustomers = std::string(PIPE_SOURCE_DIR) + "/examples/data/customers.csv";

/// What docs/load_model.py --check says about a run, and its exit status.
pipetest::Result load_model_check(const std::string& run_dir, const std::string& data) {
  const std::string command = std::string(PIPE_PYTHON) + " '" + PIPE_SOURCE_DIR + "/docs/load_model.py' '" + run_dir +
                              "' '" + data + "' --check 2>&1";
  pipetest::Result r;
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) r.out += buf;
  r.code = pclose(p);
  return r;
}

}  // namespace

TEST_CASE("pipe plan shows the categorical example's columns and classes") {
  const auto r = run_pipe("plan examples/categorical.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == pipetest::golden("categorical.plan.txt", r.out));
  CHECK(r.out.find("-> all 300 = {no: 176, yes: 124}") != std::string::npos);
  CHECK(r.out.find("note: categorical: 'plan' (3 categories: basic, plus, pro), 'region' (4 categories: east, north, "
                   "south, west), 'contract' (3 categories: 1, 12, 24), 'paperless' (2 categories: no, yes)") !=
        std::string::npos);
  CHECK(r.out.find("14 feature columns now") != std::string::npos);
  CHECK(r.out.find("0    Linear(14, 32)") != std::string::npos);
}

TEST_CASE("the categorical example trains, and load_model.py reproduces it from transforms.json") {
  const pipetest::TempDir tmp;
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run examples/categorical.yaml --set train.epochs=3 --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("training on 225 rows x 14 features, 3 epochs") != std::string::npos);
  CHECK(r.out.find("               no    yes\n") != std::string::npos);  // the confusion matrix, by class name

  const std::string predictions = read_file(out + "/predictions.csv");
  CHECK(predictions.rfind("row,label,prob_yes,predicted\n", 0) == 0);
  CHECK(std::count(predictions.begin(), predictions.end(), '\n') == 76);
  CHECK(predictions.find(",yes,") != std::string::npos);
  CHECK(predictions.find(",no,") != std::string::npos);
  const auto metrics = json::parse(read_file(out + "/metrics.json"));
  CHECK(metrics["test"]["classes"] == json({"no", "yes"}));

  const auto t = json::parse(read_file(out + "/transforms.json"));
  CHECK(t["classes"] == json({"no", "yes"}));
  CHECK(t["order"] == json({"load_csv", "impute", "impute_region", "one_hot_encode", "ordinal_encode", "robust_scale",
                            "min_max_scale"}));
  CHECK(t["features"].size() == 14);
  const auto& stages = t["stages"];
  CHECK(stages["load_csv"]["categories"]["plan"] == json({"basic", "plus", "pro"}));
  CHECK(stages["load_csv"]["categories"]["contract"] == json({"1", "12", "24"}));
  CHECK(stages["impute"]["columns"] == json({"age", "monthly_charges", "tenure_months"}));
  CHECK(stages["impute_region"]["statistics"].size() == 1);
  CHECK(stages["impute_region"]["statistics"][0].is_string());
  CHECK(stages["one_hot_encode"]["categories"][0] == json({"basic", "plus", "pro"}));
  CHECK(stages["one_hot_encode"]["feature_names_out"][0] == "plan_basic");
  CHECK(stages["ordinal_encode"]["categories"] == json::array({json({"no", "yes"})}));
  CHECK(stages["min_max_scale"]["columns"] == json({"age", "tenure_months"}));
  CHECK(stages["robust_scale"]["columns"] == json({"monthly_charges"}));

  const auto check = load_model_check(out, kCustomers);
  INFO(check.out);
  CHECK(check.code == 0);
  CHECK(check.out.find("75 test rows: largest difference") != std::string::npos);
}

TEST_CASE("load_model.py replays select_columns, drop_rows on a column and a constant category") {
  const pipetest::TempDir tmp;
  const std::string yaml = tmp.path("p.yaml");
  pipetest::write_file(yaml, "data:\n"
                             "  - op: load_csv\n"
                             "    path: " + kCustomers + "\n"
                             "    target: churn\n"
                             "    categorical: [contract]\n"
                             "  - op: select_columns\n"
                             "    drop: [\"tenure*\"]\n"
                             "  - op: split\n"
                             "  - op: impute\n"
                             "    strategy: drop_rows\n"
                             "    columns: [age]\n"
                             "  - id: fill_region\n"
                             "    op: impute\n"
                             "    strategy: constant\n"
                             "    fill_category: elsewhere\n"
                             "  - op: one_hot_encode\n"
                             "    drop: first\n"
                             "  - op: standardize\n"
                             "model: {op: mlp, hidden: [8]}\n"
                             "loss: {op: bce_with_logits}\n"
                             "optimizer: {op: adamw}\n"
                             "train: {epochs: 2, drop_last: true}\n");
  const auto plan = run_pipe("plan " + yaml, false);
  INFO(plan.out);
  REQUIRE(plan.code == 0);
  CHECK(plan.out.find("note: 'region' gets the category 'elsewhere'") != std::string::npos);
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run " + yaml + " --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  const auto t = json::parse(read_file(out + "/transforms.json"));
  CHECK(t["stages"]["select_columns"]["columns"] ==
        json({"age", "monthly_charges", "plan", "region", "contract", "paperless"}));
  CHECK(t["stages"]["one_hot_encode"]["categories"][1] == json({"east", "elsewhere", "north", "south", "west"}));
  CHECK(t["stages"]["one_hot_encode"]["drop_idx"] == json({0, 0, 0, 0}));
  const auto check = load_model_check(out, kCustomers);
  INFO(check.out);
  CHECK(check.code == 0);
}
