// The optimizer ops' messages, located in the file: PyTorch's own checks (ValueError in
// torch.optim's constructors) reported at validate time, before anything trains.
#include "tests/dsl/error_helpers.h"

using pipetest::errors_of;
using pipetest::heart_yaml;
using pipetest::replaced;
using pipetest::sets;

namespace {

// The heart pipeline with its optimizer section (lines 26-28) replaced by `lines` (from line 27).
std::string with_optimizer(const std::string& lines) {
  return replaced(heart_yaml(), "  op: adamw\n  lr: 0.001\n", lines);
}

}  // namespace

TEST_CASE("each of PyTorch's optimizers validates with its defaults", "[optimizer]") {
  for (const char* op : {"adamw", "adam", "sgd", "rmsprop", "adagrad"}) {
    INFO(op);
    CHECK(errors_of(with_optimizer(std::string("  op: ") + op + "\n")).empty());
  }
}

TEST_CASE("nesterov without momentum is PyTorch's ValueError, at the nesterov line", "[optimizer]") {
  CHECK(errors_of(with_optimizer("  op: sgd\n  lr: 0.01\n  nesterov: true\n")) ==
        "t.yaml:29:13: error: Nesterov momentum needs 'momentum' above 0, got 0\n"
        "    nesterov: true\n"
        "              ^~~~\n"
        "  note: set 'momentum' (0.9 is usual), or remove 'nesterov'\n");
  CHECK(errors_of(with_optimizer("  op: sgd\n  momentum: 0.9\n  dampening: 0.1\n  nesterov: true\n")) ==
        "t.yaml:30:13: error: Nesterov momentum needs 'dampening' 0, got 0.1\n"
        "    nesterov: true\n"
        "              ^~~~\n"
        "  note: remove 'dampening', or 'nesterov'\n");
  CHECK(errors_of(with_optimizer("  op: sgd\n  momentum: 0.9\n  nesterov: true\n")).empty());
}

TEST_CASE("nesterov set on the command line is reported at the option", "[optimizer]") {
  CHECK(errors_of(with_optimizer("  op: sgd\n"), sets({"optimizer.nesterov=true"})) ==
        "--set optimizer.nesterov=true: error: Nesterov momentum needs 'momentum' above 0, got 0\n"
        "  note: set 'momentum' (0.9 is usual), or remove 'nesterov'\n");
}

TEST_CASE("PyTorch's ranges: a negative momentum, alpha, lr_decay or accumulator", "[optimizer]") {
  CHECK(errors_of(with_optimizer("  op: sgd\n  momentum: -0.9\n")) ==
        "t.yaml:28:13: error: 'momentum' must be at least 0, got '-0.9'\n"
        "    momentum: -0.9\n"
        "              ^~~~\n"
        "  note: momentum: momentum factor; default 0\n");
  CHECK(errors_of(with_optimizer("  op: rmsprop\n  alpha: -0.5\n")) ==
        "t.yaml:28:10: error: 'alpha' must be at least 0, got '-0.5'\n"
        "    alpha: -0.5\n"
        "           ^~~~\n"
        "  note: alpha: smoothing constant of the running average of the squared gradient; default 0.99\n");
  CHECK(errors_of(with_optimizer("  op: adagrad\n  lr_decay: -1\n  initial_accumulator_value: -0.1\n")) ==
        "t.yaml:28:13: error: 'lr_decay' must be at least 0, got '-1'\n"
        "    lr_decay: -1\n"
        "              ^~\n"
        "  note: lr_decay: the rate at step t is lr / (1 + (t - 1) * lr_decay); default 0\n"
        "t.yaml:29:30: error: 'initial_accumulator_value' must be at least 0, got '-0.1'\n"
        "    initial_accumulator_value: -0.1\n"
        "                               ^~~~\n"
        "  note: initial_accumulator_value: starting value of the sums of squared gradients; default 0\n");
}

TEST_CASE("a beta outside [0, 1) is pointed at", "[optimizer]") {
  CHECK(errors_of(with_optimizer("  op: adam\n  betas: [0.9, 1.0]\n")) ==
        "t.yaml:28:16: error: expected two numbers in [0, 1) for 'betas', got [0.9, 1]\n"
        "    betas: [0.9, 1.0]\n"
        "                 ^~~\n"
        "  note: beta2 weighs the running average of its square (0.999 is usual)\n");
}

TEST_CASE("a parameter of another optimizer is refused, with those this one takes", "[optimizer]") {
  CHECK(errors_of(with_optimizer("  op: adam\n  momentum: 0.9\n")) ==
        "t.yaml:28:3: error: unknown parameter 'momentum' for 'adam'\n"
        "    momentum: 0.9\n"
        "    ^~~~~~~~\n"
        "  note: 'adam' takes 'lr', 'betas', 'eps', 'weight_decay', and 'amsgrad'\n");
}
