// `pipe validate` as a user runs it on a broken pipeline: every error on stderr, a count,
// and exit status 1 (2 is kept for a wrong command line).
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

using pipetest::run_pipe;

TEST_CASE("pipe validate prints every error of a bad file and a count, and fails") {
  pipetest::TempDir dir;
  const std::string file = dir.path("bad.yaml");
  std::string text = pipetest::replaced(pipetest::heart_yaml(), "epochs: 50", "epochs: 2.5");
  text = pipetest::replaced(text, "op: adamw", "op: adamww");
  pipetest::write_file(file, text);
  const auto r = run_pipe("validate " + file);
  CHECK(r.code == 1);
  CHECK(r.out == file + ":27:7: error: unknown optimizer 'adamww' \u2014 did you mean 'adamw'?\n"
                        "    op: adamww\n"
                        "        ^~~~~~\n"
                        "  note: expected 'adamw', 'adam', 'sgd', 'rmsprop', or 'adagrad'\n" +
                     file + ":34:11: error: expected an integer for 'epochs', got '2.5'\n"
                            "    epochs: 2.5\n"
                            "            ^~~\n"
                            "  note: epochs: passes over the training part; default 10\n"
                            "2 errors\n");
  // Nothing on stdout: the errors and the count are diagnostics.
  CHECK(run_pipe("validate " + file, false).out == "");
}

TEST_CASE("pipe validate on a missing file says so and fails") {
  const auto r = run_pipe("validate pipelines/hearts.yaml");
  CHECK(r.code == 1);
  CHECK(r.out == "pipelines/hearts.yaml: error: cannot read the pipeline file: no such file or directory\n"
                 "  note: check the path; pipelines live in pipelines/ and examples/\n"
                 "1 error\n");
}

TEST_CASE("pipe validate on a folder says so and fails") {
  // A folder opens as a stream and reads as empty; it must not pass for an empty file.
  const auto r = run_pipe("validate pipelines");
  CHECK(r.code == 1);
  CHECK(r.out == "pipelines: error: cannot read the pipeline file: is a directory\n"
                 "  note: check the path; pipelines live in pipelines/ and examples/\n"
                 "1 error\n");
}

TEST_CASE("pipe validate checks the command line's overrides too") {
  const auto r = run_pipe("validate pipelines/heart.yaml --set train.epochs=0 --device tpu");
  CHECK(r.code == 1);
  CHECK(r.out == "--device: error: unknown device 'tpu' \u2014 did you mean 'cpu'?\n"
                 "  note: expected 'auto', 'cpu', or 'cuda'\n"
                 "--set train.epochs=0: error: 'epochs' must be at least 1, got '0'\n"
                 "  note: epochs: passes over the training part; default 10\n"
                 "2 errors\n");
}
