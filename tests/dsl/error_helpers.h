// What the validator's message tests share: the valid heart pipeline as text (the course's
// recipe, with the data path of this checkout), one-change edits of it, and everything
// `pipe validate` would print for a text.
#pragma once
#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>

#include "dsl/pipeline.h"
#include "runtime/planner.h"
#include "runtime/registry.h"

namespace pipetest {

// Line numbers the tests point at: load_csv 4, path 5, target 9, split 11, impute 14,
// standardize 16, smote 17, gaussian_noise 19, model 20, loss 24, optimizer 26, train 33.
inline std::string heart_yaml() {
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

/// `text` with the first `from` replaced by `to`; `from` must be there.
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

/// `text` with every `from` replaced by `to`.
inline std::string replaced_all(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
  return text;
}

/// Command-line --set options.
inline pipeml::dsl::Overrides sets(std::initializer_list<std::string> options) {
  pipeml::dsl::Overrides o;
  o.sets = options;
  return o;
}

/// Everything validate prints for `text` read as the file "t.yaml" (empty when valid).
inline std::string errors_of(const std::string& text, const pipeml::dsl::Overrides& overrides = {}) {
  using namespace pipeml;
  dsl::Diagnostics diags;
  auto p = dsl::parse_pipeline("t.yaml", text, Registry::builtin(), overrides, diags);
  if (p) make_plan(std::move(*p), overrides, Registry::builtin(), diags);
  return diags.str();
}

}  // namespace pipetest
