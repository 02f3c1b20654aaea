// `pipe run` on bad data never leaves half-written artifacts. Problems in the file itself
// (ragged rows, text in a numeric column, an empty file, a missing column, a single class,
// an infinite value) are found while planning: a located error and no run directory at
// all. Problems the data stages make (a fill value or noise beyond float32) are found
// after every data stage ran and before anything is written: the run directory then
// holds error.txt and nothing else.
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using pipetest::entries;
using pipetest::read_file;
using pipetest::run_pipe;
using pipetest::write_file;

namespace {

// A pipeline reading data.csv beside it (line 3: path, line 4: target), split, a tiny model.
const std::string kPipeline =
    "data:\n"
    "  - op: load_csv\n"
    "    path: data.csv\n"
    "    target: y\n"
    "  - op: split\n"
    "    test_size: 0.3\n"
    "model: {op: mlp, hidden: [4], batch_norm: false}\n"
    "loss: {op: bce_with_logits}\n"
    "optimizer: {op: adamw}\n"
    "train: {epochs: 1}\n";

// Ten rows, classes alternating; row 4 (line 6) has no value for 'b'.
const std::string kGaps = "a,b,y\n1,2,0\n3,4,1\n5,6,1\n7,8,0\n9,,1\n11,12,0\n13,14,1\n15,16,0\n17,18,1\n19,20,0\n";

struct Case {
  pipetest::TempDir dir;
  std::string yaml = dir.path("t.yaml");
  std::string data = dir.path("data.csv");
  std::string out = dir.path("run");

  Case(const std::string& csv, const std::string& pipeline = kPipeline) {
    write_file(data, csv);
    write_file(yaml, pipeline);
  }
  pipetest::Result run() const { return run_pipe("run " + yaml + " --device cpu --out " + out); }
};

// What `pipe run` prints for an error at the 'path:' value, line 3 of the pipeline.
std::string at_path(const Case& c, const std::string& message, const std::string& note = "") {
  return c.yaml + ":3:11: error: " + message + "\n      path: data.csv\n            ^~~~~~~~\n" +
         (note.empty() ? "" : "  note: " + note + "\n") + "1 error\n";
}

}  // namespace

TEST_CASE("pipe run refuses a bad data file while planning, and makes no run directory") {
  SECTION("ragged rows") {
    const Case c("a,b,y\n1,2,0\n3,4\n5,6,1\n");
    const auto r = c.run();
    CHECK(r.code == 1);
    CHECK(r.out == at_path(c, c.data + ":3: expected 3 fields, got 2"));
    CHECK_FALSE(pipetest::path_exists(c.out));
  }
  SECTION("text in a numeric column") {
    const Case c("a,b,y\n1,2,0\n3,x4,1\n5,6,1\n");
    const auto r = c.run();
    CHECK(r.code == 1);
    CHECK(r.out == at_path(c, c.data + ":3: column 'b': 'x4' is not a number",
                           "to read 'b' as categories, list it in 'categorical' (a column whose first value is text is "
                           "categorical by itself)"));
    CHECK_FALSE(pipetest::path_exists(c.out));
  }
  SECTION("an empty file") {
    const Case c("");
    const auto r = c.run();
    CHECK(r.code == 1);
    CHECK(r.out == at_path(c, c.data + ": the file is empty"));
    CHECK_FALSE(pipetest::path_exists(c.out));
  }
  SECTION("a file without the target column") {
    const Case c("a,b,c\n1,2,0\n3,4,1\n");
    const auto r = c.run();
    CHECK(r.code == 1);
    CHECK(r.out == c.yaml + ":4:13: error: no column 'y' in the data for 'target'\n"
                            "      target: y\n"
                            "              ^\n"
                            "  note: the columns are 'a', 'b', and 'c'\n"
                            "1 error\n");
    CHECK_FALSE(pipetest::path_exists(c.out));
  }
  SECTION("a target with a single class") {
    const Case c("a,b,y\n1,2,1\n3,4,1\n");
    const auto r = c.run();
    CHECK(r.code == 1);
    CHECK(r.out == at_path(c, c.data + ": target 'y' has a single class: every value is '1'"));
    CHECK_FALSE(pipetest::path_exists(c.out));
  }
  SECTION("an infinite value") {
    const Case c("a,b,y\n1,2,0\n3,4,1\n\n5,-1e39,1\n");
    const auto r = c.run();
    CHECK(r.code == 1);
    CHECK(r.out == at_path(c,
                           c.data + ":5: column 'b' is infinite ('inf', or a number beyond float32's range): the "
                                    "model cannot take it",
                           "correct the value, or make it a missing value with 'na_values'"));
    CHECK_FALSE(pipetest::path_exists(c.out));
  }
  SECTION("values no stage fills") {
    const Case c(kGaps);
    const auto r = c.run();
    CHECK(r.code == 1);
    CHECK(r.out == c.yaml + ":7:13: error: 1 value is still missing after the data stages, and the model cannot take "
                            "missing values: 'b' (1)\n"
                            "  model: {op: mlp, hidden: [4], batch_norm: false}\n"
                            "              ^~~\n"
                            "  note: fill them with '- op: impute' after 'split'\n"
                            "1 error\n");
    CHECK_FALSE(pipetest::path_exists(c.out));
  }
}

TEST_CASE("a value the data stages make infinite stops the run with only error.txt") {
  // A fill value beyond float32 turns the missing 'b' of row 4 (line 6) into inf; the
  // error names that line. Cross-validated: no fold-N/ folder is made either.
  std::string pipeline = kPipeline;
  pipeline.replace(pipeline.find("  - op: split\n    test_size: 0.3\n"), 32,
                   "  - op: kfold\n    n_splits: 3\n  - op: impute\n    strategy: constant\n    fill_value: 1e39\n");
  const Case c(kGaps, pipeline);
  const auto r = c.run();
  const std::string error =
      c.data + ":6 (train part of fold 1): column 'b' is inf after the data stages: the model cannot take missing or "
               "infinite values";
  CHECK(r.code == 1);
  CHECK(r.out == "error: " + error + "\nthe run stopped before writing any artifact; the error is in " + c.out +
                     "/error.txt\n");
  CHECK(entries(c.out) == std::set<std::string>{"error.txt"});
  CHECK(read_file(c.out + "/error.txt") == error + "\n");
}

TEST_CASE("noise that would overflow float32 is refused while planning") {
  // Noisy copies are made by the trainer, after the run's first artifact: a noise_std that
  // could make them infinite is a validation error instead, and no run directory is made.
  // (Rows a stage adds are named by their place in the part: tests/runtime/finite_check_test.cc.)
  std::string pipeline = kPipeline;
  pipeline.replace(pipeline.find("model:"), 0, "  - op: impute\n  - op: gaussian_noise\n    noise_std: 1e39\n");
  const Case c(kGaps, pipeline);
  const auto r = c.run();
  CHECK(r.code == 1);
  CHECK(r.out == c.yaml + ":9:16: error: 'noise_std' must be in [0, 1e+30], got '1e39'\n"
                          "      noise_std: 1e39\n"
                          "                 ^~~~\n"
                          "  note: noise_std: standard deviation of the added noise, in standardized units (float32 rows: "
                          "at most 1e30); default 0.03\n"
                          "1 error\n");
  CHECK_FALSE(pipetest::path_exists(c.out));
}
