// The validator's messages, compared whole: location, source line, caret and note. Each
// case changes one thing in a valid pipeline (the heart recipe) and names what it expects.
#include <catch2/catch.hpp>

#include "dsl/pipeline.h"
#include "runtime/planner.h"
#include "runtime/registry.h"

namespace {

using namespace pipeml;

std::string heart_yaml() {
  return std::string(R"(pipeline: heart
seed: 42
data:
  - op: load_csv
    path: )") + PIPE_SHARED_DIR + R"(/data/processed.cleveland.data
    header: false
    columns: [age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, oldpeak, slope, ca, thal, num]
    na_values: ["?"]
    target: num
    target_threshold: 0
  - op: split
    test_size: 0.2
    seed: 42
  - op: impute
    strategy: median
  - op: standardize
  - op: smote
    seed: 42
  - op: gaussian_noise
model:
  op: mlp
  hidden: [128, 64]
  dropout: 0.3
loss:
  op: bce_with_logits
optimizer:
  op: adamw
  lr: 0.001
scheduler:
  op: step_lr
  step_size: 10
  gamma: 0.8
train:
  epochs: 50
  batch_size: 32
)";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Everything validate prints for `text` (empty when valid).
std::string errors_of(const std::string& text, const dsl::Overrides& overrides = {}) {
  dsl::Diagnostics diags;
  auto p = dsl::parse_pipeline("t.yaml", text, Registry::builtin(), overrides, diags);
  if (p) make_plan(std::move(*p), overrides, Registry::builtin(), diags);
  return diags.str();
}

}  // namespace

TEST_CASE("the heart pipeline is valid") { CHECK(errors_of(heart_yaml()) == ""); }

TEST_CASE("an unknown optimizer is named with the nearest one") {
  CHECK(errors_of(replaced(heart_yaml(), "op: adamw", "op: adamw2")) ==
        "t.yaml:27:7: error: unknown optimizer 'adamw2' \u2014 did you mean 'adamw'?\n"
        "    op: adamw2\n"
        "        ^~~~~~\n"
        "  note: expected 'adamw'\n");
}
