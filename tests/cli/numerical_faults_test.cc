// A loss that turns NaN or infinite stops the run at once, naming the epoch and the batch,
// instead of training on NaN to the end: the epochs that finished stay in history.csv, the
// weights after the last of them in last_good.pt, and no model.pt or metrics.json is written.
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

using pipetest::read_file;
using pipetest::run_pipe;

TEST_CASE("a training loss that becomes NaN stops the run, keeping the last good epoch") {
  pipetest::TempDir dir;
  // The heart pipeline with a learning rate multiplied by 1000 every epoch: finite for two epochs.
  const std::string yaml = pipetest::replaced(pipetest::heart_yaml(), "op: step_lr\n  step_size: 10\n  gamma: 0.8",
                                              "op: exponential_lr\n  gamma: 1000");
  pipetest::write_file(dir.path("explode.yaml"), yaml);
  const auto r = run_pipe("run " + dir.path("explode.yaml") + " --device cpu --out " + dir.path("run"));
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("error: the training loss became NaN at epoch 3, batch ") != std::string::npos);
  CHECK(r.out.find(" of 17; training stopped (the weights after epoch 2, the last with finite losses, are in last_good.pt). "
                   "Lower the optimizer's lr, or clip the gradients (train: clip_grad_norm)\n") != std::string::npos);
  CHECK(pipetest::occurrences(r.out, "\nepoch ") == 2);  // the two finite epochs' lines, then the error
  const std::string history = read_file(dir.path("run/history.csv"));
  CHECK(pipetest::occurrences(history, "\n") == 3);  // the header and epochs 1 and 2
  CHECK(history.find("\n2,") != std::string::npos);
  CHECK(read_file(dir.path("run/last_good.pt")).size() > 1000);
  CHECK_FALSE(pipetest::path_exists(dir.path("run/model.pt")));
  CHECK_FALSE(pipetest::path_exists(dir.path("run/metrics.json")));
  CHECK(read_file(dir.path("run/error.txt")).rfind("the training loss became NaN at epoch 3", 0) == 0);
}
