// A `sequential` model through the command line: examples/heart_layers.yaml's plan (golden),
// and a run of a layer list with conv1d (after unflatten), a residual block and layer_norm
// whose model.pt docs/load_model.py rebuilds from plan.json and checks.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using pipetest::golden;
using pipetest::run_pipe;

TEST_CASE("pipe plan prints the layer-list example's shapes and parameters") {
  const auto r = run_pipe("plan examples/heart_layers.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart_layers.plan.txt", r.out));
  CHECK(r.out.find("3.body.0 Linear(64, 64)") != std::string::npos);
  CHECK(r.out.find("5,377") != std::string::npos);
}

TEST_CASE("a layer list with conv1d and a residual block trains, and load_model.py rebuilds it", "[layers]") {
  const pipetest::TempDir tmp;
  const std::string yaml = tmp.path("conv.yaml"), out = tmp.path("run");
  const std::string data = std::string(PIPE_SHARED_DIR) + "/data/processed.cleveland.data";
  std::ofstream(yaml) << "data:\n"
                         "  - op: load_csv\n    path: " << data << "\n    header: false\n"
                         "    columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, oldpeak, slope, ca, thal, num]\n"
                         "    na_values: ['?']\n    target: num\n    target_threshold: 0\n"
                         "  - op: split\n  - op: impute\n  - op: standardize\n"
                         "model:\n  op: sequential\n  init: xavier_uniform\n  layers:\n"
                         "    - {op: unflatten, unflattened_size: [1, 13]}\n"
                         "    - {op: conv1d, out_channels: 4, kernel_size: 3, padding: 1}\n"
                         "    - {op: batch_norm1d}\n    - {op: relu}\n"
                         "    - {op: max_pool1d, kernel_size: 2}\n    - {op: flatten}\n"
                         "    - op: residual\n      layers:\n        - {op: linear, out_features: 24, init: orthogonal}\n"
                         "        - {op: layer_norm}\n        - {op: gelu}\n"
                         "    - {op: dropout, p: 0.2}\n    - {op: linear, out_features: 1}\n"
                         "loss: {op: bce_with_logits}\noptimizer: {op: adamw, lr: 0.01}\n"
                         "train: {epochs: 3, batch_size: 32, drop_last: true}\n";
  const auto r = run_pipe("run '" + yaml + "' --device cpu --out '" + out + "'");
  INFO(r.out);
  REQUIRE(r.code == 0);
  const auto plan = nlohmann::json::parse(pipetest::read_file(out + "/plan.json"));
  CHECK(plan["model"]["layers"][1]["type"] == "Conv1d(1, 4, kernel_size=3, padding=1)");
  CHECK(plan["model"]["layers"][1]["output_shape"] == nlohmann::json({4, 13}));
  CHECK(plan["stages"][4]["layers"][6]["params"]["layers"][0]["op"] == "linear");

  const std::string command = std::string(PIPE_PYTHON) + " '" + PIPE_SOURCE_DIR + "/docs/load_model.py' '" + out +
                              "' '" + data + "' --check 2>&1";
  std::string said;
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) said += buf;
  INFO(said);
  CHECK(pclose(p) == 0);
  CHECK(said.find("largest difference from pipe's probabilities") != std::string::npos);
}
