// Every pipeline shipped in pipelines/ and examples/ is valid, so a teaching file never
// rots as ops change.
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"

TEST_CASE("every shipped pipeline validates") {
  auto files = pipetest::yaml_files("pipelines");
  const auto examples = pipetest::yaml_files("examples");
  CHECK(files.size() >= 1);
  CHECK(examples.size() >= 2);
  files.insert(files.end(), examples.begin(), examples.end());
  for (const auto& f : files) {
    const auto r = pipetest::run_pipe("validate " + f);
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.out.rfind(f + ": ok", 0) == 0);
  }
}
