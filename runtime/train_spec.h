// What the planner hands the trainer: plain data, no LibTorch, so that `pipe plan` can
// build and print it and the executing library (which loads LibTorch) can consume it.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pipeml {

/// An MLP: each hidden block is Linear -> [BatchNorm1d] -> activation -> [Dropout],
/// then a Linear output layer of `out_features`.
struct MlpSpec {
  int in_features = 0;
  std::vector<int> hidden;
  bool batch_norm = true;
  double dropout = 0.0;
  std::string activation = "relu";  ///< relu | leaky_relu | gelu | elu | tanh | sigmoid
  int out_features = 1;
};

/// Optimizer by PyTorch name (torch.optim's class, lower case) with PyTorch's parameter
/// names. Each algorithm reads the fields it has in torch.optim and ignores the others.
struct OptimizerSpec {
  std::string type = "adamw";  ///< adamw | adam | sgd | rmsprop | adagrad
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;  ///< adam, adamw: betas
  double eps = 1e-8;                  ///< adam, adamw, rmsprop, adagrad
  double weight_decay = 1e-2;         ///< every one (AdamW's default here; the op sets it)
  bool amsgrad = false;               ///< adam, adamw
  double momentum = 0;                ///< sgd, rmsprop
  double dampening = 0;               ///< sgd
  bool nesterov = false;              ///< sgd
  bool maximize = false;              ///< sgd
  double alpha = 0.99;                ///< rmsprop: smoothing constant
  bool centered = false;              ///< rmsprop
  double lr_decay = 0;                ///< adagrad
  double initial_accumulator_value = 0;  ///< adagrad
};

/// Loss by torch.nn name: bce_with_logits for two classes (one logit), cross_entropy for
/// two or more (a logit per class); mse, l1, huber or smooth_l1 for a number target.
struct LossSpec {
  std::string type = "bce_with_logits";
  double pos_weight = 1.0;  ///< BCEWithLogitsLoss(pos_weight=...) for the positive class
  std::vector<double> weight;   ///< CrossEntropyLoss(weight=...), per class; empty: none
  double label_smoothing = 0.0;  ///< CrossEntropyLoss(label_smoothing=...)
  /// class_weight: balanced — weights from the training rows' class counts, computed by the
  /// trainer on the rows it trains on (each fold's own): sklearn's n / (k * count_c) per
  /// class for cross_entropy, count_0 / count_1 as pos_weight for bce_with_logits.
  bool balanced = false;
  double delta = 1.0;       ///< HuberLoss(delta=...)
  double beta = 1.0;        ///< SmoothL1Loss(beta=...)
  bool regression() const { return type != "bce_with_logits" && type != "cross_entropy"; }
  bool cross_entropy() const { return type == "cross_entropy"; }
};

/// Gaussian-noise copies of the training rows that the trainer makes with LibTorch's
/// generator (ops/gaussian_noise_op.cc decides when it does rather than the data stage):
/// `copies` noisy copies of each row, x + N(0, std^2), after the originals. Drawn once,
/// right after seeding and before the weights exist — where heart_ref.py's
/// MixedAugmentedDataset draws them, so the same seed gives the same noise — or afresh at
/// the start of every epoch.
struct NoiseSpec {
  int copies = 0;  ///< 0: no noise
  double std = 0.0;
  bool per_epoch = false;
  bool own_seed = false;  ///< draw from a generator of its own, seeded with `seed`,
  std::uint64_t seed = 0;  ///< instead of the training generator
};

struct TrainSpec {
  int epochs = 50;
  int batch_size = 32;
  bool shuffle = true;
  bool drop_last = false;
  std::uint64_t seed = 42;
  NoiseSpec noise;
  std::string device = "cpu";  ///< cpu | cuda (already resolved from auto)
  /// Learning rate for epoch e (0-based): the scheduler, evaluated without LibTorch.
  std::function<double(int epoch)> lr_at;
};

/// The name of EpochRecord::val_metric in history.csv and the epoch lines.
inline const char* val_metric_name(const LossSpec& loss) { return loss.regression() ? "val_mae" : "val_accuracy"; }

/// One line of history.csv.
struct EpochRecord {
  int epoch = 0;  ///< 1-based
  double train_loss = 0;
  double val_loss = 0;      ///< NaN when there is no validation part
  double val_metric = 0;    ///< accuracy (classifier) or MAE (regression); NaN without a validation part
  double lr = 0;
  double seconds = 0;
};

}  // namespace pipeml
