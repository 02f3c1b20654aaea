// The schedulers' located errors, compared whole: unknown options (nested ones too), a
// monitored value that nothing produces or that has no validation part to come from, and
// one_cycle_lr's steps. Each case changes the heart pipeline's scheduler (lines 30-33).
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/dsl/error_helpers.h"

using pipetest::errors_of;
using pipetest::heart_yaml;
using pipetest::replaced;

namespace {

const std::string kStepLr = "scheduler:\n  op: step_lr\n  step_size: 10\n  gamma: 0.8\n";

std::string with_scheduler(const std::string& scheduler) { return replaced(heart_yaml(), kStepLr, scheduler); }

std::string with_validation(const std::string& scheduler) {
  return replaced(with_scheduler(scheduler), "    test_size: 0.2\n", "    test_size: 0.2\n    validation_size: 0.2\n");
}

}  // namespace

TEST_CASE("an unknown scheduler option, with its correction", "[scheduler]") {
  CHECK(errors_of(with_scheduler("scheduler:\n  op: cosine_annealing_lr\n  T_max: 50\n  eta_mn: 0.0001\n")) ==
        "t.yaml:32:3: error: unknown parameter 'eta_mn' for 'cosine_annealing_lr' \u2014 did you mean 'eta_min'?\n"
        "    eta_mn: 0.0001\n"
        "    ^~~~~~\n"
        "  note: 'cosine_annealing_lr' takes 'T_max' and 'eta_min'\n");
}

TEST_CASE("a nested scheduler's unknown option is located at it", "[scheduler]") {
  CHECK(errors_of(with_scheduler("scheduler:\n  op: sequential_lr\n  milestones: [5]\n  schedulers:\n    - op: linear_lr\n"
                                 "      start_factr: 0.1\n    - op: cosine_annealing_lr\n      T_max: 45\n")) ==
        "t.yaml:34:7: error: unknown parameter 'start_factr' for 'linear_lr' \u2014 did you mean 'start_factor'?\n"
        "        start_factr: 0.1\n"
        "        ^~~~~~~~~~~\n"
        "  note: 'linear_lr' takes 'start_factor', 'end_factor', and 'total_iters'\n");
}

TEST_CASE("a nested scheduler that does not exist", "[scheduler]") {
  CHECK(errors_of(with_scheduler("scheduler:\n  op: sequential_lr\n  milestones: [5]\n  schedulers:\n"
                                 "    - {op: linear_lr, start_factor: 0.1}\n    - {op: cosine_anealing_lr, T_max: 45}\n")) ==
        "t.yaml:34:12: error: unknown scheduler 'cosine_anealing_lr' \u2014 did you mean 'cosine_annealing_lr'?\n"
        "      - {op: cosine_anealing_lr, T_max: 45}\n"
        "             ^~~~~~~~~~~~~~~~~~\n"
        "  note: expected 'step_lr', 'multi_step_lr', 'exponential_lr', 'cosine_annealing_lr', 'linear_lr', "
        "'one_cycle_lr', 'reduce_lr_on_plateau', or 'sequential_lr'\n");
}

TEST_CASE("sequential_lr: one milestone fewer than schedulers, epoch schedulers only, a list", "[scheduler]") {
  CHECK(errors_of(with_scheduler("scheduler:\n  op: sequential_lr\n  milestones: [5, 10]\n  schedulers:\n"
                                 "    - {op: linear_lr, start_factor: 0.1}\n    - {op: cosine_annealing_lr, T_max: 45}\n")) ==
        "t.yaml:31:15: error: 'sequential_lr' has 2 schedulers and needs 1 milestone, got 2\n"
        "    milestones: [5, 10]\n"
        "                ^\n"
        "  note: milestones: the epochs at which each scheduler after the first takes over\n");
  CHECK(errors_of(with_scheduler("scheduler:\n  op: sequential_lr\n  milestones: [5]\n  schedulers:\n"
                                 "    - {op: linear_lr}\n    - {op: one_cycle_lr, max_lr: 0.01}\n")) ==
        "t.yaml:34:12: error: 'one_cycle_lr' cannot be part of a 'sequential_lr'\n"
        "      - {op: one_cycle_lr, max_lr: 0.01}\n"
        "             ^~~~~~~~~~~~\n"
        "  note: one_cycle_lr is stepped per batch, a sequence once per epoch\n");
  CHECK(errors_of(with_scheduler("scheduler:\n  op: sequential_lr\n  milestones: [5]\n  schedulers: linear_lr\n")) ==
        "t.yaml:32:15: error: expected a list of schedulers for 'schedulers', got 'linear_lr'\n"
        "    schedulers: linear_lr\n"
        "                ^~~~~~~~~\n"
        "  note: write each as '- op: NAME' followed by its parameters, one under the other\n");
}

TEST_CASE("reduce_lr_on_plateau: a monitored value nothing produces, with its correction", "[scheduler]") {
  CHECK(errors_of(with_validation("scheduler:\n  op: reduce_lr_on_plateau\n  monitor: val_acc\n")) ==
        "t.yaml:32:12: error: no stage produces 'val_acc' to monitor \u2014 did you mean 'val_accuracy'?\n"
        "    monitor: val_acc\n"
        "             ^~~~~~~\n"
        "  note: a classifier's validation gives 'val_loss' and 'val_accuracy'\n");
  CHECK(errors_of(with_validation("scheduler:\n  op: reduce_lr_on_plateau\n  monitor: val_mae\n")) ==
        "t.yaml:32:12: error: no stage produces 'val_mae' to monitor\n"
        "    monitor: val_mae\n"
        "             ^~~~~~~\n"
        "  note: a classifier's validation gives 'val_loss' and 'val_accuracy'\n");
}

TEST_CASE("reduce_lr_on_plateau without a validation part", "[scheduler]") {
  CHECK(errors_of(with_scheduler("scheduler:\n  op: reduce_lr_on_plateau\n  patience: 3\n")) ==
        "t.yaml:30:7: error: 'reduce_lr_on_plateau' monitors val_loss, and there is no validation part to compute it on\n"
        "    op: reduce_lr_on_plateau\n"
        "        ^~~~~~~~~~~~~~~~~~~~\n"
        "  note: give 'split' a validation_size\n");
  // With one, mode against the monitor is allowed (as in torch), with a note in the plan.
  CHECK(errors_of(with_validation("scheduler:\n  op: reduce_lr_on_plateau\n  monitor: val_accuracy\n")).empty());
}

TEST_CASE("one_cycle_lr: pipe counts the steps; a total_steps too small for them is an error", "[scheduler]") {
  CHECK(errors_of(with_scheduler("scheduler:\n  op: one_cycle_lr\n  max_lr: 0.01\n  total_steps: 100\n")) ==
        "t.yaml:32:16: error: 'total_steps' 100 is fewer than the 850 steps of training (50 epochs of 17 batches): "
        "torch's OneCycleLR would stop at step 101\n"
        "    total_steps: 100\n"
        "                 ^~~\n"
        "  note: leave it out: pipe counts the steps from the planned training rows\n");
  CHECK(errors_of(with_scheduler("scheduler:\n  op: one_cycle_lr\n  max_lr: 0.01\n")).empty());
}

namespace {

// A fixture's scheduler as the YAML a user writes: `op:` and torch's parameter names.
std::string yaml_of(const nlohmann::json& spec, const std::string& indent) {
  std::string out = indent + "op: " + spec["type"].get<std::string>() + "\n";
  for (const auto& [key, value] : spec.items()) {
    if (key == "type") continue;
    if (key == "schedulers") {
      out += indent + "schedulers:\n";
      for (const auto& child : value) {
        const std::string text = yaml_of(child, indent + "    ");
        out += indent + "  - " + text.substr(indent.size() + 4);
      }
    } else {
      out += indent + key + ": " + value.dump() + "\n";
    }
  }
  return out;
}

}  // namespace

TEST_CASE("each epoch scheduler, written in a pipeline, plans torch's 200 rates", "[scheduler]") {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/scheduler_cases.json");
  REQUIRE(in);
  const auto fixture = nlohmann::json::parse(in);
  for (const auto& c : fixture["epoch_schedulers"]) {
    const std::string text = with_scheduler("scheduler:\n" + yaml_of(c["scheduler"], "  "));
    INFO(text);
    pipeml::dsl::Diagnostics diags;
    const auto o = pipetest::sets({"optimizer.lr=" + c["lr"].dump(), "train.epochs=200"});
    auto p = pipeml::dsl::parse_pipeline("t.yaml", text, pipeml::Registry::builtin(), o, diags);
    REQUIRE(p);
    const auto plan = pipeml::make_plan(std::move(*p), o, pipeml::Registry::builtin(), diags);
    INFO(diags.str());
    REQUIRE(plan);
    CHECK(plan->lr_by_epoch == c["lrs"].get<std::vector<double>>());
  }
}
