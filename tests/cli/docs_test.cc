// docs/ops.md is generated from the ops' schemas; this keeps the committed page current.
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"

TEST_CASE("docs/ops.md is what 'pipe ops --format markdown' prints") {
  const auto r = pipetest::run_pipe("ops --format markdown", false);
  REQUIRE(r.code == 0);
  INFO("regenerate it: build/pipe ops --format markdown > docs/ops.md");
  CHECK(r.out == pipetest::read_file(std::string(PIPE_SOURCE_DIR) + "/docs/ops.md"));
  // Every registered op has a section, with its parameters' types and defaults.
  CHECK(r.out.find("### `smote`") != std::string::npos);
  CHECK(r.out.find("| `k_neighbors` | int in [1, inf) | `5` |") != std::string::npos);
}

TEST_CASE("pipe ops NAME shows one op; an unknown name gets a suggestion") {
  const auto one = pipetest::run_pipe("ops step_lr");
  CHECK(one.code == 0);
  CHECK(one.out.find("step_size") != std::string::npos);
  CHECK(one.out.find("smote") == std::string::npos);
  const auto bad = pipetest::run_pipe("ops smoet");
  CHECK(bad.code != 0);
  CHECK(bad.out.find("did you mean 'smote'?") != std::string::npos);
}
