// An interrupted training resumed from resume.pt ends exactly as the uninterrupted one: the
// same history, test outputs and weights to the bit, wherever the interruption fell (mid-epoch,
// at an epoch's start), with every optimizer, and with the state that outlives a batch —
// dropout's and the shuffle's generator, noisy copies redrawn each epoch from their own
// generator, ReduceLROnPlateau's counters, early stopping's best weights, checkpoints.
// The interruption is the one pipe run's signal handler makes: a flag set from on_batch.
#include <ATen/ATen.h>
#include <catch2/catch.hpp>

#include <csignal>
#include <string>

#include "runtime/exec/model_io.h"
#include "runtime/exec/trainer.h"
#include "runtime/lr_schedule.h"
#include "runtime/user_error.h"
#include "tests/exec/tensor_fixtures.h"
#include "tests/temp_dir.h"

using namespace pipeml;
using pipetest::first_difference;
using pipetest::get;

namespace {

// The controls fixture's data (tests/fixtures/torch_controls.pt) and a run with every kind of
// state that must survive an interruption.
struct Job : pipetest::ControlsData {
  MlpSpec mlp;
  LossSpec loss;
  OptimizerSpec opt;
  TrainSpec spec;
  SchedulerSpec plateau;
  pipetest::TempDir dir;
  Job() {
    mlp.in_features = 5;
    mlp.hidden = {8, 4};
    mlp.dropout = 0.25;
    mlp.batch_norm = true;
    opt.type = "adamw";
    opt.lr = 0.02;
    spec.epochs = 8;
    spec.batch_size = 8;
    spec.seed = 3;
    spec.device = "cpu";
    spec.noise = NoiseSpec{1, 0.05, true, true, 11};  // a noisy copy per row, redrawn each epoch, own generator
    spec.early_stopping.on = true;
    spec.early_stopping.patience = 4;
    spec.checkpoints.best = spec.checkpoints.last = true;
    plateau.type = "reduce_lr_on_plateau";
    plateau.patience = 1;
    plateau.factor = 0.5;
  }
  // Trains from scratch (or from resume.pt); with stop_at = {epoch, batch} (1-based, as
  // on_batch counts), the flag goes up after that batch, so the next one is not run.
  TrainResult run(const std::string& sub, bool resume = false, std::pair<int, int> stop_at = {0, 0}) {
    TrainSpec s = spec;
    s.checkpoints.dir = dir.path(sub);
    REQUIRE((::mkdir(s.checkpoints.dir.c_str(), 0777) == 0 || resume));
    s.schedule = make_schedule(plateau, opt.lr, s.epochs, 0);
    s.resume_path = s.checkpoints.dir + "/resume.pt";
    s.resume = resume;
    static volatile std::sig_atomic_t flag;
    flag = 0;
    s.stop = &flag;
    auto on_batch = [&](int e, int b, int) {
      if (e == stop_at.first && b == stop_at.second) flag = SIGINT;
    };
    return train_and_predict(train, &val, test, mlp, loss, opt, s, nullptr, on_batch);
  }
};

void check_same(const TrainResult& a, const TrainResult& b) {
  REQUIRE(a.history.size() == b.history.size());
  for (std::size_t e = 0; e < a.history.size(); ++e) {
    INFO("epoch " << e + 1);
    CHECK(a.history[e].train_loss == b.history[e].train_loss);
    CHECK(a.history[e].train_metric == b.history[e].train_metric);
    CHECK(a.history[e].val_loss == b.history[e].val_loss);
    CHECK(a.history[e].lr == b.history[e].lr);
  }
  CHECK(a.test_outputs == b.test_outputs);
  CHECK(first_difference(state_dict(*a.model), state_dict(*b.model)) == "");
  CHECK(a.summary.best_epoch == b.summary.best_epoch);
  CHECK(a.summary.stopped_early == b.summary.stopped_early);
  CHECK(a.summary.epochs_run == b.summary.epochs_run);
}

}  // namespace

TEST_CASE("training resumed from resume.pt ends to the bit as the run that was never interrupted", "[exec][resume]") {
  for (const std::string type : {"adamw", "adam", "sgd", "rmsprop", "adagrad"}) {
    // {epoch, batch}: mid-epoch; the last batch of an epoch (so the next starts the resumed run);
    // the first batch.
    for (const auto& [epoch, batch] : {std::pair{3, 5}, std::pair{2, 12}, std::pair{1, 1}}) {
      INFO(type << ", stopped after batch " << batch << " of epoch " << epoch);
      Job job;
      job.opt.type = type;
      job.opt.momentum = type == "sgd" || type == "rmsprop" ? 0.9 : 0.0;  // their lazily made buffers
      const TrainResult whole = job.run("whole");
      REQUIRE(whole.history.size() >= 4);
      try {
        job.run("parts", false, {epoch, batch});
        FAIL("training was not interrupted");
      } catch (const TrainingInterrupted& stop) {
        const int batches = 12;  // 45 rows and their noisy copies, in batches of 8
        const bool at_start = batch == batches;
        CHECK(stop.summary.interrupted_by == SIGINT);
        CHECK(stop.summary.interrupted_epoch == (at_start ? epoch + 1 : epoch));
        CHECK(stop.summary.interrupted_batch == (at_start ? 0 : batch));
        CHECK(stop.summary.batches_per_epoch == batches);
        CHECK(stop.history.size() == static_cast<std::size_t>(stop.summary.interrupted_epoch - 1));
      }
      const TrainResult resumed = job.run("parts", true);
      check_same(whole, resumed);
      CHECK(resumed.summary.resumed_epoch > 0);
      // best.pt and last.pt were written on both sides of the interruption: the same files' contents.
      CHECK(first_difference(read_tensor_dict(job.dir.path("whole/best.pt")), read_tensor_dict(job.dir.path("parts/best.pt"))) == "");
      CHECK(first_difference(read_tensor_dict(job.dir.path("whole/last.pt")), read_tensor_dict(job.dir.path("parts/last.pt"))) == "");
    }
  }
}

// What train_and_predict says when `job` resumes from `path` (empty: it did not refuse).
std::string refusal(const Job& job, const std::string& path) {
  TrainSpec s = job.spec;
  s.resume_path = path;
  s.resume = true;
  try {
    train_and_predict(job.train, &job.val, job.test, job.mlp, job.loss, job.opt, s, nullptr, nullptr);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("a checkpoint that does not fit the run is refused with what differs", "[exec][resume]") {
  Job job;
  REQUIRE_THROWS_AS(job.run("a", false, {2, 3}), TrainingInterrupted);
  const std::string path = job.dir.path("a/resume.pt");
  Job other;
  other.spec.batch_size = 16;  // 6 batches, not 12
  CHECK(refusal(other, path) == "'" + path + "' was written for 90 training rows in 12 batches, at epoch 2; "
                                "this run has 90 rows in 6 batches and 8 epochs");
  Job sgd;
  sgd.opt.type = "sgd";
  CHECK(refusal(sgd, path) == "the checkpoint's optimizer state does not fit: it has buffers this optimizer does not keep "
                              "(another optimizer's?)");
  CHECK(refusal(sgd, job.dir.path("a/missing.pt")).find("missing.pt") != std::string::npos);
}
