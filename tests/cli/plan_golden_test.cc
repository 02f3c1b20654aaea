// `pipe plan` output for the reference pipeline, text and JSON, against golden files.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"

using pipetest::golden;
using pipetest::run_pipe;

TEST_CASE("pipe plan prints the heart plan") {
  const auto r = run_pipe("plan pipelines/heart.yaml", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart.plan.txt", r.out));
  // The numbers the issue names, so a golden file rewritten by mistake still fails here.
  CHECK(r.out.find("train 242 = {0: 131, 1: 111}") != std::string::npos);
  CHECK(r.out.find("test 61 = {0: 33, 1: 28}") != std::string::npos);
  CHECK(r.out.find("train 262 = {0: 131, 1: 131}") != std::string::npos);
  CHECK(r.out.find("train 524 = {0: 262, 1: 262}") != std::string::npos);
  CHECK(r.out.find("10,497") != std::string::npos);
}

TEST_CASE("pipe plan --format json gives the same plan as JSON") {
  const auto r = run_pipe("plan pipelines/heart.yaml --format json", false);
  REQUIRE(r.code == 0);
  CHECK(r.out == golden("heart.plan.json", r.out));
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["model"]["total_params"] == 10497);
  CHECK(j["stages"][1]["parts"][0]["class_counts"] == nlohmann::json({131, 111}));
  CHECK(j["lr_by_epoch"].size() == 50);
}

TEST_CASE("pipe validate says ok in one line") {
  const auto r = run_pipe("validate pipelines/heart.yaml");
  CHECK(r.code == 0);
  CHECK(r.out == "pipelines/heart.yaml: ok \u2014 6 data stages, mlp (10497 parameters), adamw + step_lr, 50 epochs\n");
}
