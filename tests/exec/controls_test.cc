// train's controls against PyTorch loops written as a user writes them
// (tests/fixtures/make_controls_fixtures.py): gradient clipping by norm and by value, L1/L2
// penalties on the weight matrices, early stopping with the best weights restored; each on
// both CPU step paths, bit for bit. And checkpoints written while training.
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <string>

#include "runtime/exec/cpu_gemm.h"
#include "runtime/exec/model_io.h"
#include "runtime/exec/torch_compat.h"
#include "runtime/exec/trainer.h"
#include "runtime/user_error.h"
#include "tests/temp_dir.h"
#include "tests/exec/tensor_fixtures.h"

using namespace pipeml;
using pipetest::first_difference;
using pipetest::get;
using pipetest::mm_sums_in_order;
using pipetest::names;
using pipetest::same_bits;
using pipetest::under;

namespace {

struct Fixture : pipetest::ControlsData {
  MlpSpec mlp;
  LossSpec loss;
  OptimizerSpec opt;
  TrainSpec spec;
  Fixture() {
    mlp.in_features = 5;
    mlp.hidden = {8, 4};
    mlp.dropout = 0.25;
    opt.lr = 0.01;
    opt.weight_decay = 0.01;
    spec.epochs = 6;
    spec.batch_size = 8;
    spec.seed = 3;
    spec.device = "cpu";
  }
  TrainResult run(CpuStep step, bool with_val = false) const {
    return train_and_predict(train, with_val ? &val : nullptr, test, mlp, loss, opt, spec, nullptr, nullptr, step);
  }
  // The run equals the fixture's case: every epoch's loss, the test probabilities, the weights.
  void check(const TrainResult& r, const std::string& c) const {
    const at::Tensor losses = get(f, c + "/losses"), probs = get(f, c + "/probs");
    REQUIRE(r.history.size() == static_cast<std::size_t>(losses.numel()));
    for (std::size_t e = 0; e < r.history.size(); ++e) CHECK(r.history[e].train_loss == losses[e].item<double>());
    REQUIRE(r.test_outputs.size() == 7);
    for (int i = 0; i < 7; ++i) CHECK(r.test_outputs[i] == static_cast<double>(probs[i].item<float>()));
    CHECK(same_bits(state_dict(*r.model), under(f, c + "/state/")));
  }
};

}  // namespace

TEST_CASE("clip_grad_norm and clip_grad_value are torch.nn.utils' to the bit, on both CPU step paths", "[exec][controls]") {
  if (!mm_sums_in_order()) {
    WARN("skipped: this LibTorch's at::mm does not sum in order, unlike the fixture's");
    return;
  }
  for (CpuStep step : {CpuStep::fast, CpuStep::autograd}) {
    Fixture x;
    x.spec.clip_grad_norm = 0.5;
    x.check(x.run(step), "clip_norm");
    Fixture v;
    v.spec.clip_grad_value = 0.05;
    v.check(v.run(step), "clip_value");
  }
}

TEST_CASE("l1 and l2 penalties on the weight matrices are the Python loop's, on both CPU step paths", "[exec][controls]") {
  if (!mm_sums_in_order()) {
    WARN("skipped: this LibTorch's at::mm does not sum in order, unlike the fixture's");
    return;
  }
  for (CpuStep step : {CpuStep::fast, CpuStep::autograd}) {
    for (const auto& [name, l1, l2] : {std::tuple{"l1", 0.002, 0.0}, {"l2", 0.0, 0.01}, {"l1_l2", 0.002, 0.01}}) {
      INFO(name << (step == CpuStep::fast ? " fast" : " autograd"));
      Fixture x;
      x.spec.l1 = l1;
      x.spec.l2 = l2;
      x.check(x.run(step), name);
    }
  }
}

TEST_CASE("early stopping stops where Keras's rule stops and restores the best epoch's weights", "[exec][controls]") {
  if (!mm_sums_in_order()) {
    WARN("skipped: this LibTorch's at::mm does not sum in order, unlike the fixture's");
    return;
  }
  for (CpuStep step : {CpuStep::fast, CpuStep::autograd}) {
    Fixture x;
    x.opt.lr = 0.05;
    x.spec.epochs = 25;
    x.spec.early_stopping.on = true;
    x.spec.early_stopping.patience = 3;
    x.spec.early_stopping.min_delta = 0.001;
    const TrainResult r = x.run(step, true);
    x.check(r, "early");
    const at::Tensor val_losses = get(x.f, "early/val_losses");
    for (std::size_t e = 0; e < r.history.size(); ++e) CHECK(r.history[e].val_loss == val_losses[e].item<double>());
    CHECK(r.summary.epochs_run == get(x.f, "early/epochs_run").item<std::int64_t>());
    CHECK(r.summary.stopped_early);
    CHECK(r.summary.best_epoch == get(x.f, "early/best_epoch").item<std::int64_t>());
    CHECK(r.summary.best_value == r.history[r.summary.best_epoch - 1].val_loss);
    CHECK(r.summary.restored_best_weights);
  }
}

TEST_CASE("checkpoints: best.pt holds the best epoch's weights, last.pt the last epoch's", "[exec][controls]") {
  pipetest::TempDir dir;
  Fixture x;
  x.opt.lr = 0.05;
  x.spec.epochs = 25;
  x.spec.early_stopping.on = true;
  x.spec.early_stopping.patience = 3;
  x.spec.early_stopping.restore_best_weights = false;
  x.spec.checkpoints.best = x.spec.checkpoints.last = true;
  x.spec.checkpoints.dir = dir.str();
  const TrainResult r = x.run(CpuStep::fast, true);
  REQUIRE(r.summary.stopped_early);
  CHECK_FALSE(r.summary.restored_best_weights);
  CHECK(r.summary.last_checkpoint_epoch == r.summary.epochs_run);
  CHECK(r.summary.best_checkpoint_epoch == r.summary.best_epoch);
  CHECK(same_bits(read_tensor_dict(dir.path("last.pt")), state_dict(*r.model)));
  CHECK_FALSE(same_bits(read_tensor_dict(dir.path("best.pt")), state_dict(*r.model)));
  // Trained again with the weights restored, the model is best.pt.
  x.spec.early_stopping.restore_best_weights = true;
  const TrainResult restored = x.run(CpuStep::fast, true);
  CHECK(same_bits(read_tensor_dict(dir.path("best.pt")), state_dict(*restored.model)));
}

TEST_CASE("mixed precision on the CPU is a user error", "[exec][controls]") {
  Fixture x;
  x.spec.precision = "bf16-mixed";
  CHECK_THROWS_WITH(x.run(CpuStep::fast), Catch::Contains("runs on CUDA only"));
}
