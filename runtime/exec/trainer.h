// The training loop of a binary classifier (heart_ref.py's loop, in LibTorch) or of a
// regression model on one number target.
#pragma once
#include <torch/nn/modules/container/sequential.h>

#include <functional>
#include <vector>

#include "runtime/table.h"
#include "runtime/train_spec.h"
#include "runtime/user_error.h"

namespace pipeml {

/// What train_and_predict hands back.
struct TrainResult {
  std::vector<EpochRecord> history;  ///< one record per epoch
  std::vector<double> test_outputs;  ///< sigmoid of the logits (regression: the output), test rows in order
  std::vector<double> val_outputs;   ///< the same for the validation rows (empty without one)
  torch::nn::Sequential model;       ///< the trained model, in eval mode, on the training device
  TrainingSummary summary;           ///< epochs run, early stopping's best epoch, checkpoints
};

/// Training stopped before its end for a reason the user must hear (a loss that became NaN):
/// the message, and the epochs that finished, for history.csv.
class TrainingStopped : public UserError {
 public:
  TrainingStopped(const std::string& message, std::vector<EpochRecord> history)
      : UserError(message), history(std::move(history)) {}
  std::vector<EpochRecord> history;
};

/// Training was interrupted (TrainSpec::stop) and its state written to spec.resume_path:
/// the epochs that finished, for history.csv, and where it stopped (summary.interrupted_*).
class TrainingInterrupted : public UserError {
 public:
  TrainingInterrupted(std::vector<EpochRecord> history, const TrainingSummary& summary)
      : UserError("training interrupted"), history(std::move(history)), summary(summary) {}
  std::vector<EpochRecord> history;
  TrainingSummary summary;
};

/// How a CPU step is computed. Both give the same bits on Debian's LibTorch (tests check it).
enum class CpuStep {
  fast,      ///< CpuMlpStep: the backward written out, no autograd (several times faster)
  autograd,  ///< model->forward + loss.backward(), as on CUDA: the reference for the fast one
};

/// Trains build_model(mlp) (an MLP or a layer list) on `train` the way heart_ref.py does, then predicts `test` (and
/// `val`) in eval mode. In order: torch::manual_seed(spec.seed); the model (default init);
/// per batch the lr (and momentum) from spec.schedule (or opt.lr without one), a fresh shuffle
/// drawn like DataLoader(shuffle=True) draws it, batches of spec.batch_size (the last one
/// partial unless drop_last), model.train(), BCEWithLogitsLoss(pos_weight), the optimizer
/// opt.type names (torch.optim's arithmetic: flat_optimizer.h); train
/// loss = mean of the batch losses; with `val`, its loss and accuracy in eval mode.
/// Given the same tensors and seed it makes the same random draws as the Python loop.
/// spec.device is "cpu" or "cuda" (already resolved); everything stays on it throughout.
/// on_epoch gets each record as it is made; on_batch(epoch, batch, batches) is 1-based.
/// A regression loss (mse, l1, huber, smooth_l1) trains on Table::target instead, with the
/// same draws; its validation metric is the MAE. mlp.out_features 1, labels 0/1 for a
/// classifier. Throws UserError for what it cannot train.
TrainResult train_and_predict(const Table& train, const Table* val, const Table& test, const ModelSpec& mlp,
                              const LossSpec& loss, const OptimizerSpec& opt, const TrainSpec& spec,
                              const std::function<void(const EpochRecord&)>& on_epoch,
                              const std::function<void(int epoch, int batch, int batches)>& on_batch,
                              CpuStep cpu_step = CpuStep::fast);

/// What a trained model says of `rows` (eval mode), computed as train_and_predict computes
/// the test part's outputs: the same kernels (CpuMlpStep for an MLP with bce_with_logits on
/// the CPU), thread count (from the run's batch_size) and chunks, so that a saved model gives
/// predictions.csv's numbers exactly. Moves the model to `device` ("cpu" or "cuda").
std::vector<double> predict_outputs(torch::nn::Sequential& model, const ModelSpec& spec, const LossSpec& loss,
                                    const Table& rows, const std::string& device, int batch_size,
                                    const std::string& precision);

}  // namespace pipeml
