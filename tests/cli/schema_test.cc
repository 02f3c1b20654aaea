// `pipe schema`: the JSON Schema YAML editors check pipeline files against. Every shipped
// pipeline must satisfy it, and the mistakes an editor should flag must be flagged, with
// messages that name them — checked with jsonschema's Draft7Validator, as an editor would
// (tests/cli/validate_schema.py).
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

namespace {

// A pipeline file, each mistake below made in a copy of it.
const std::string kBase = pipetest::read_file(std::string(PIPE_SOURCE_DIR) + "/examples/heart_minimal.yaml");

// The schema written by `pipe schema -o` into `dir`.
std::string write_schema(const pipetest::TempDir& dir) {
  const std::string path = dir.path("pipe.schema.json");
  const auto r = pipetest::run_pipe("schema -o '" + path + "'");
  REQUIRE(r.code == 0);
  REQUIRE(r.out == "wrote the pipeline schema to " + path + "\n");
  return path;
}

pipetest::Result validate(const std::string& schema, const std::string& files) {
  return pipetest::run_command(std::string(PIPE_PYTHON) + " '" + PIPE_SOURCE_DIR + "/tests/cli/validate_schema.py' '" +
                               schema + "' " + files + " 2>&1");
}

// `kBase` with `from` replaced by `to`.
std::string edited(const std::string& from, const std::string& to) {
  const auto at = kBase.find(from);
  REQUIRE(at != std::string::npos);
  return kBase.substr(0, at) + to + kBase.substr(at + from.size());
}

// Validates `text` as a file "t.yaml"; returns the validator's output.
pipetest::Result validate_text(const pipetest::TempDir& dir, const std::string& schema, const std::string& text) {
  pipetest::write_file(dir.path("t.yaml"), text);
  return validate(schema, "'" + dir.path("t.yaml") + "'");
}

}  // namespace

TEST_CASE("pipe schema: every shipped pipeline satisfies the schema, which is valid draft-07") {
  pipetest::TempDir dir;
  const std::string schema = write_schema(dir);
  auto files = pipetest::yaml_files("pipelines");
  const auto examples = pipetest::yaml_files("examples");
  REQUIRE(files.size() >= 1);
  REQUIRE(examples.size() >= 10);
  files.insert(files.end(), examples.begin(), examples.end());
  std::string args, expected;
  for (const auto& f : files) {
    args += " '" + std::string(PIPE_SOURCE_DIR) + "/" + f + "'";
    expected += std::string(PIPE_SOURCE_DIR) + "/" + f + ": ok\n";
  }
  const auto r = validate(schema, args);  // checks the schema first (Draft7Validator.check_schema)
  CHECK(r.out == expected);
  CHECK(r.code == 0);
}

TEST_CASE("pipe schema: the validator refuses a schema that is not draft-07") {
  pipetest::TempDir dir;
  pipetest::write_file(dir.path("bad.json"), R"({"type": "object", "properties": {"seed": {"type": 5}}})");
  const auto r = validate(dir.path("bad.json"), "'" + std::string(PIPE_SOURCE_DIR) + "/pipelines/heart.yaml'");
  CHECK(r.code == 2);
  CHECK(r.out.find("not a valid draft-07 schema") != std::string::npos);
}

TEST_CASE("pipe schema: stdout and -o give the same schema; the schema names every op") {
  pipetest::TempDir dir;
  const std::string path = write_schema(dir);
  const auto out = pipetest::run_pipe("schema", false);
  CHECK(out.code == 0);
  CHECK(out.out == pipetest::read_file(path));
  CHECK(out.out.rfind("{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\"", 0) == 0);
  for (const char* op : {"\"op:smote\"", "\"op:sequential_lr\"", "\"op:residual\"", "\"op:train\""})
    CHECK(out.out.find(op) != std::string::npos);
  CHECK(pipetest::run_pipe("schema --help").out.find("usage: pipe schema [-o FILE]") == 0);
  const auto stray = pipetest::run_pipe("schema pipelines/heart.yaml");
  CHECK(stray.code == 2);
  const auto unwritable = pipetest::run_pipe("schema -o '" + dir.path("no/such/dir/schema.json") + "'");
  CHECK(unwritable.code == 1);
  CHECK(unwritable.out.rfind("error: cannot write '" + dir.path("no/such/dir/schema.json"), 0) == 0);
}

TEST_CASE("pipe schema: the forms the DSL reads are accepted, as pipe validate accepts them") {
  pipetest::TempDir dir;
  const std::string schema = write_schema(dir);
  // A scalar for a list, an unquoted number for a choice ("32"), yes for true, null for an
  // optional value, a mapping of class counts, a group as true, a section left empty.
  std::string text = edited("    na_values: [\"?\"]", "    na_values: \"?\"");
  text = text.replace(text.find("test_size: 0.2"), 14, "test_size: 0.2\n    validation_size: 0.1");  // for checkpoints
  text = text.replace(text.find("  - op: standardize"), 19,
                      "  - id: scale\n    op: standardize\n  - op: smote\n    sampling_strategy: {0: 150, 1: 150}\n"
                      "    seed: ~\n    k_neighbors: 3");
  text = text.replace(text.find("train:\n  epochs: 20"), 19,
                      "train:\n  epochs: 20\n  shuffle: yes\n  precision: 32\n  checkpoints: true\n"
                      "evaluate:\n");
  // pipe validate reads the data: point at it from the scratch folder.
  const std::string rel = "../../shared/data/processed.cleveland.data";
  text.replace(text.find(rel), rel.size(), std::string(PIPE_SHARED_DIR) + "/data/processed.cleveland.data");
  const auto r = validate_text(dir, schema, text);
  INFO(text);
  CHECK(r.out == dir.path("t.yaml") + ": ok\n");
  const auto v = pipetest::run_pipe("validate '" + dir.path("t.yaml") + "'");
  INFO(v.out);
  CHECK(v.code == 0);
}

TEST_CASE("pipe schema: an editor's validator names each mistake") {
  pipetest::TempDir dir;
  const std::string schema = write_schema(dir);
  struct Case {
    const char* what;
    std::string text;
    std::string message;  // a line of the validator's output
  };
  const std::string t = dir.path("t.yaml") + ": ";
  const Case cases[] = {
      {"a misspelt parameter",
       edited("  - op: standardize", "  - op: standardize\n  - op: smote\n    k_neigbors: 3"),
       t + "data/4: Additional properties are not allowed ('k_neigbors' was unexpected)"},
      {"a wrong type", edited("test_size: 0.2", "test_size: \"big\""),
       t + "data/1/test_size: 'big' is not of type 'number'"},
      {"an unknown op", edited("op: standardize", "op: standardise"),
       t + "data/3/op: 'standardise' is not one of ['load_csv', 'load_cifar10', 'load_images', 'split',"},
      {"a value out of range", edited("epochs: 20", "epochs: 0"), t + "train/epochs: 0 is less than the minimum of 1"},
      {"a misspelt top-level key", edited("optimizer:", "optimiser:"),
       t + "(top): Additional properties are not allowed ('optimiser' was unexpected)"},
      {"a bad parameter of a nested layer",
       edited("  op: mlp\n  hidden: [32]",
              "  op: sequential\n  layers:\n    - {op: linear, out_features: 32}\n    - op: residual\n      layers:\n"
              "        - {op: linear, out_feature: 32}\n    - {op: linear, out_features: 1}"),
       t + "model/layers/1/layers/0: Additional properties are not allowed ('out_feature' was unexpected)"},
      {"a nested layer's value out of range",
       edited("  op: mlp\n  hidden: [32]",
              "  op: sequential\n  layers:\n    - {op: linear, out_features: 32}\n    - {op: dropout, p: 1}\n"
              "    - {op: linear, out_features: 1}"),
       t + "model/layers/1/p: 1 is greater than or equal to the maximum of 1"},
      {"a misspelt option of a group", edited("epochs: 20", "epochs: 20\n  early_stopping: {patiense: 3}"),
       t + "train/early_stopping: Additional properties are not allowed ('patiense' was unexpected)"},
      {"a nested scheduler's wrong choice",
       edited("train:", "scheduler:\n  op: sequential_lr\n  milestones: [5]\n  schedulers:\n"
                        "    - {op: linear_lr, total_iters: 5}\n    - {op: one_cycle_lr, max_lr: 0.1, anneal_strategy: cosine}\n"
                        "train:"),
       t + "scheduler/schedulers/1/anneal_strategy: 'cosine' is not one of ['cos', 'linear']"},
      {"a sequential_lr inside another",
       edited("train:", "scheduler:\n  op: sequential_lr\n  milestones: [5]\n  schedulers:\n"
                        "    - {op: linear_lr, total_iters: 5}\n    - {op: sequential_lr, milestones: [1], schedulers: []}\n"
                        "train:"),
       t + "scheduler/schedulers/1/op: 'sequential_lr' is not one of ['step_lr',"},
      {"a section without its op", edited("  op: bce_with_logits\n", "  reduction: mean\n"),
       t + "loss: 'op' is a required property"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const auto r = validate_text(dir, schema, c.text);
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK(r.out.find(c.message) != std::string::npos);
  }
}
