// train's controls at validate time: early stopping and checkpoints need a validation part
// and a monitor that the run produces; clipping values, both clippings, mixed precision on
// the CPU, and a misspelt option inside a mapping.
#include "tests/dsl/error_helpers.h"

using namespace pipetest;

namespace {

// The heart pipeline with `lines` added to its train section (which starts on line 33).
std::string with_train(const std::string& lines) { return heart_yaml() + lines; }

// The same with a validation part (one line more before train: it starts on line 34).
std::string with_validation(const std::string& lines) {
  return replaced(with_train(lines), "    test_size: 0.2\n", "    test_size: 0.2\n    validation_size: 0.2\n");
}

}  // namespace

TEST_CASE("early stopping without a validation part says where to get one", "[controls]") {
  CHECK(errors_of(with_train("  early_stopping: {patience: 5}\n")) ==
        "t.yaml:36:19: error: 'early_stopping' monitors val_loss, and there is no validation part to compute it on\n"
        "    early_stopping: {patience: 5}\n"
        "                    ^\n"
        "  note: give 'split' a validation_size\n");
  CHECK(errors_of(with_validation("  early_stopping: {patience: 5}\n")).empty());
  CHECK(errors_of(with_validation("  early_stopping: true\n")).empty());
}

TEST_CASE("a monitor that no stage produces, with its correction", "[controls]") {
  CHECK(errors_of(with_validation("  early_stopping:\n    monitor: val_acc\n")) ==
        "t.yaml:38:14: error: no stage produces 'val_acc' to monitor \u2014 did you mean 'val_accuracy'?\n"
        "      monitor: val_acc\n"
        "               ^~~~~~~\n"
        "  note: a classifier's validation gives 'val_loss' and 'val_accuracy'\n");
  CHECK(errors_of(with_validation("  checkpoints: {monitor: val_mae}\n")) ==
        "t.yaml:37:26: error: no stage produces 'val_mae' to monitor\n"
        "    checkpoints: {monitor: val_mae}\n"
        "                           ^~~~~~~\n"
        "  note: a classifier's validation gives 'val_loss' and 'val_accuracy'\n");
}

TEST_CASE("checkpoints: best needs a validation part, last alone does not", "[controls]") {
  CHECK(errors_of(with_train("  checkpoints: true\n")) ==
        "t.yaml:36:16: error: the 'best' checkpoint monitors val_loss, and there is no validation part to compute it on\n"
        "    checkpoints: true\n"
        "                 ^~~~\n"
        "  note: give 'split' a validation_size\n");
  CHECK(errors_of(with_train("  checkpoints: {best: false}\n")).empty());
}

TEST_CASE("an unknown option inside early_stopping, with its correction", "[controls]") {
  CHECK(errors_of(with_validation("  early_stopping: {patiance: 5}\n")) ==
        "t.yaml:37:20: error: unknown parameter 'patiance' for 'early_stopping' \u2014 did you mean 'patience'?\n"
        "    early_stopping: {patiance: 5}\n"
        "                     ^~~~~~~~\n"
        "  note: 'early_stopping' takes 'monitor', 'mode', 'patience', 'min_delta', and 'restore_best_weights'\n");
  CHECK(errors_of(with_validation("  early_stopping: [val_loss]\n")) ==
        "t.yaml:37:19: error: expected a mapping of options for 'early_stopping', got a list\n"
        "    early_stopping: [val_loss]\n"
        "                    ^\n"
        "  note: 'early_stopping' takes 'monitor', 'mode', 'patience', 'min_delta', and 'restore_best_weights', "
        "or true for their defaults\n");
}

TEST_CASE("--set reaches an option of early_stopping", "[controls]") {
  CHECK(errors_of(with_validation(""), sets({"train.early_stopping.patience=3"})).empty());
  CHECK(errors_of(with_validation(""), sets({"train.early_stopping.patience=-1"})) ==
        "--set train.early_stopping.patience=-1: error: 'patience' must be at least 0, got '-1'\n"
        "  note: patience: epochs in a row without improvement before training stops; default 10\n");
}

TEST_CASE("clipping values must be positive, and only one clipping at a time", "[controls]") {
  CHECK(errors_of(with_train("  clip_grad_norm: 0\n")) ==
        "t.yaml:36:19: error: 'clip_grad_norm' must be greater than 0, got '0'\n"
        "    clip_grad_norm: 0\n"
        "                    ^\n"
        "  note: clip_grad_norm: torch.nn.utils.clip_grad_norm_: scale the gradients to a total 2-norm of at most this\n");
  CHECK(errors_of(with_train("  clip_grad_norm: 1.0\n  clip_grad_value: 0.5\n")) ==
        "t.yaml:37:20: error: give one of 'clip_grad_norm' and 'clip_grad_value', not both\n"
        "    clip_grad_value: 0.5\n"
        "                     ^~~\n"
        "  note: clip_grad_norm is set on line 36\n");
}

TEST_CASE("mixed precision on a CPU run is an error at the option", "[controls]") {
  CHECK(errors_of(replaced(with_train("  precision: bf16-mixed\n"), "seed: 42\n", "seed: 42\ndevice: cpu\n")) ==
        "t.yaml:37:14: error: mixed precision 'bf16-mixed' runs on CUDA only, and this run's device is 'cpu'\n"
        "    precision: bf16-mixed\n"
        "               ^~~~~~~~~~\n"
        "  note: use 'precision: 32' on the CPU, or 'device: cuda'\n");
  CHECK(errors_of(with_train("  precision: 16-mixed\n")).empty());  // device auto: a note, checked when it runs
}
