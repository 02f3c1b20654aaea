// What the planner hands the trainer: plain data, no LibTorch, so that `pipe plan` can
// build and print it and the executing library (which loads LibTorch) can consume it.
#pragma once
#include <cmath>
#include <csignal>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
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

/// One layer of a `sequential` model, resolved at plan time: torch.nn's constructor
/// arguments with every size inferred (in_features, in_channels, num_features,
/// normalized_shape), the input and output shapes (without the batch dimension) and the
/// parameter count. runtime/exec/layers.cc builds the module from it.
struct LayerSpec {
  std::string op;    ///< the layer op: linear, conv1d, ..., residual
  std::string type;  ///< the torch.nn constructor: "Linear(16, 8)", "Conv1d(1, 4, kernel_size=3)"
  std::vector<std::int64_t> in_shape, out_shape;
  std::int64_t params = 0;  ///< trainable elements, the body's included
  std::int64_t in = 0, out = 0;  ///< in/out_features, in/out_channels; num_features (batch norm)
  std::vector<std::int64_t> kernel_size, stride, padding, dilation;  ///< conv and pooling, one per spatial dim
  std::vector<std::int64_t> output_size;  ///< adaptive pooling
  std::vector<std::int64_t> sizes;        ///< unflatten's unflattened_size; layer_norm's normalized_shape
  std::int64_t groups = 1;
  std::int64_t dim = 1;      ///< softmax, unflatten; flatten's start_dim
  std::int64_t end_dim = -1;  ///< flatten
  bool bias = true;           ///< linear, conv; layer_norm's elementwise_affine
  double p = 0.5, eps = 1e-5, momentum = 0.1, negative_slope = 0.01, alpha = 1.0;
  std::string approximate = "none";  ///< gelu
  std::string init = "default";       ///< weight initialisation (linear, conv): see ModelSpec::init
  std::string bias_init = "default";  ///< default | zeros
  std::vector<LayerSpec> body;        ///< residual: output = x + body(x)
};

/// The model the trainer builds: the `mlp` op's MLP or a `sequential` op's layer list.
/// Weight initialisation, after PyTorch's default one at construction, goes over the
/// modules in `model.modules()` order: each Linear/Conv weight by `init` (default: leave
/// PyTorch's; xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal with
/// nonlinearity relu, orthogonal — torch.nn.init's functions with their defaults), then its
/// bias by `bias_init` (default: leave it; zeros).
struct ModelSpec {
  ModelSpec() = default;
  ModelSpec(MlpSpec m) : mlp(std::move(m)) {}  // NOLINT: an MLP is a model
  std::string op = "mlp";  ///< mlp | sequential
  MlpSpec mlp;
  std::vector<LayerSpec> layers;  ///< sequential
  int layers_in = 0;              ///< sequential: the input width (the data's features)
  /// sequential over images: the input's {channels, height, width} (layers_in is their
  /// product); empty for a table's rows.
  std::vector<std::int64_t> image_shape;
  std::string init = "default", bias_init = "default";  ///< mlp (a sequential's layers carry their own)

  bool sequential() const { return op == "sequential"; }
  int in_features() const { return sequential() ? layers_in : mlp.in_features; }
  int out_features() const {
    if (!sequential()) return mlp.out_features;
    if (layers.empty()) return 0;  // not planned
    std::int64_t n = 1;
    for (auto d : layers.back().out_shape) n *= d;
    return static_cast<int>(n);
  }
  /// Whether a layer normalises over the batch (a batch of one row cannot train it).
  bool batch_norm() const {
    if (!sequential()) return mlp.batch_norm;
    return has_batch_norm(layers);
  }
  static bool has_batch_norm(const std::vector<LayerSpec>& ls) {
    for (const auto& l : ls)
      if (l.op == "batch_norm1d" || l.op == "batch_norm2d" || has_batch_norm(l.body)) return true;
    return false;
  }
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

/// What a momentum-cycling scheduler (OneCycleLR) sets on this optimizer: Adam's and
/// AdamW's beta1, SGD's and RMSprop's momentum; "" where there is none (Adagrad), for
/// which torch refuses cycle_momentum.
inline const char* cycled_momentum_name(const std::string& optimizer) {
  if (optimizer == "adam" || optimizer == "adamw") return "beta1";
  if (optimizer == "sgd" || optimizer == "rmsprop") return "momentum";
  return "";
}


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

/// One image transform of the data stages (ops/image_transforms_op.cc), which the trainer
/// applies to every batch on the training device, in the stages' order, after the bytes
/// become float32: training batches get them all; validation and test rows only those that
/// are not `train_only` (the course's test transform: ToTensor and Normalize).
struct ImageTransform {
  std::string op;  ///< random_horizontal_flip | random_crop | scale_pixels | normalize
  bool train_only = false;
  double p = 0.5;                  ///< random_horizontal_flip: the chance an image is flipped
  std::int64_t height = 0, width = 0;  ///< random_crop: the output size
  std::int64_t padding = 0;        ///< random_crop: zeros added on every side first
  double divide_by = 255.0;        ///< scale_pixels: x / divide_by (ToTensor: 255)
  std::vector<double> mean, std;   ///< normalize: per channel, (x - mean) / std
};

struct EpochRecord;

/// The learning-rate schedule as the trainer drives it, in plain C++ (runtime/lr_schedule.h
/// makes one from the plan). The trainer asks for the rate (and momentum) of every optimizer
/// step in order, and shows it each epoch's record after validation, which
/// ReduceLROnPlateau watches.
class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  /// The rate for batch `step` (0-based) of `epoch` (0-based).
  virtual double lr(int epoch, int step) = 0;
  /// The optimizer's momentum for that batch (beta1 of Adam and AdamW, SGD's momentum), or
  /// NaN to leave it as the optimizer has it (every schedule but one_cycle_lr's).
  virtual double momentum(int /*epoch*/, int /*step*/) { return std::nan(""); }
  /// After epoch `epoch`'s validation.
  virtual void end_epoch(const EpochRecord& /*record*/) {}
  /// The batches per epoch a per-batch schedule was made for (0: any); the trainer checks it.
  virtual int steps_per_epoch() const { return 0; }
};

/// A schedule of one rate per epoch from a function of the 0-based epoch.
class EpochFunctionSchedule : public LrSchedule {
 public:
  explicit EpochFunctionSchedule(std::function<double(int epoch)> f) : f_(std::move(f)) {}
  double lr(int epoch, int /*step*/) override { return f_(epoch); }

 private:
  std::function<double(int)> f_;
};

/// train's early_stopping, with Keras's EarlyStopping semantics: an epoch improves when its
/// monitored value beats the best so far by more than min_delta (lower for mode min, higher
/// for max); training stops after `patience` epochs in a row without improvement. With
/// restore_best_weights the model ends with the best epoch's weights (and BatchNorm
/// statistics), as `model.load_state_dict(best)` of a `copy.deepcopy(model.state_dict())`.
struct EarlyStoppingSpec {
  bool on = false;
  std::string monitor = "val_loss";  ///< val_loss | val_accuracy | val_mae
  std::string mode = "min";          ///< min | max (resolved from auto by the plan)
  int patience = 10;
  double min_delta = 0;
  bool restore_best_weights = true;
};

/// train's checkpoints: state dicts written (atomically) into `dir` while training runs:
/// best.pt whenever the monitored value improves on the best so far (strictly, as
/// Lightning's ModelCheckpoint), last.pt after every epoch.
struct CheckpointSpec {
  bool best = false, last = false;
  std::string monitor = "val_loss";
  std::string mode = "min";
  std::string dir;  ///< the run directory (the executor sets it); empty: write nothing
};

/// Whether `value` improves on `best` by more than `min_delta` in `mode` ("min": lower is
/// better). Keras's rule: NaN never improves; the first finite value always does (best
/// starts at +-inf).
inline bool improves(double value, double best, const std::string& mode, double min_delta) {
  return mode == "max" ? value - min_delta > best : value + min_delta < best;
}

/// Data-parallel training (runtime/exec/process_group.h), as PyTorch's
/// DistributedDataParallel under torchrun: `world_size` processes each train a copy of the
/// model on their own shard of every epoch's rows (DistributedSampler), gradients averaged
/// by an all-reduce after every backward. The planner knows the world size only; the rest
/// comes from the launcher (pipe run --nproc-per-node) or torchrun's environment variables.
struct DistSpec {
  int world_size = 1;  ///< processes training together (nnodes x nproc_per_node); 1: not distributed
  int rank = 0;        ///< this process's place among them; rank 0 writes the artifacts
  int local_rank = 0;  ///< its place on its host: the GPU it trains on
  std::string master_addr = "127.0.0.1";  ///< where rank 0 serves the rendezvous (a c10d TCPStore)
  int master_port = 29500;
  double timeout_s = 300;  ///< a rendezvous or collective that waits longer fails, naming the cause
  bool active() const { return world_size > 1; }
  /// DistributedSampler(drop_last=False): every rank gets ceil(rows / world_size) rows per
  /// epoch, the shuffled order padded with its own first rows to a multiple of the world size.
  std::size_t rows_per_rank(std::size_t rows) const {
    return (rows + static_cast<std::size_t>(world_size) - 1) / static_cast<std::size_t>(world_size);
  }
};

struct TrainSpec {
  int epochs = 50;
  int batch_size = 32;
  bool shuffle = true;
  bool drop_last = false;
  std::uint64_t seed = 42;
  NoiseSpec noise;
  std::string device = "cpu";  ///< cpu | cuda (already resolved from auto)
  /// The scheduler, evaluated without LibTorch; null: the optimizer's lr throughout.
  std::shared_ptr<LrSchedule> schedule;
  EarlyStoppingSpec early_stopping;
  CheckpointSpec checkpoints;
  /// torch.nn.utils.clip_grad_norm_(params, clip_grad_norm) (2-norm over every gradient)
  /// after backward, before the step; 0: off.
  double clip_grad_norm = 0;
  /// torch.nn.utils.clip_grad_value_(params, clip_grad_value); 0: off.
  double clip_grad_value = 0;
  /// Penalties added to the training loss: l1 * sum|w| and l2 * sum w^2 over the weight
  /// matrices (parameters of two or more dimensions: Linear weights, not biases or
  /// BatchNorm's scale and shift), as Keras's kernel_regularizer; 0: off.
  double l1 = 0, l2 = 0;
  /// "32", or "bf16-mixed" / "16-mixed": autocast on CUDA (16-mixed with a gradient scaler).
  std::string precision = "32";
  /// Image data: the transforms of the data stages, applied per batch (empty: none).
  std::vector<ImageTransform> image_transforms;
  /// CUDA, 4-d inputs: the model's weights and each batch in channels-last memory format.
  bool channels_last = false;
  /// CUDA: capture one training step in a CUDA graph and replay it (auto: when the step
  /// allows it — Adam or AdamW, no gradient scaler, no clipping or penalties).
  std::string cuda_graph = "auto";  ///< auto | on | off
  /// CUDA: pipe's own kernels (runtime/exec/fused_ops.h) for the parts of the step that
  /// runtime/fused_layers.h's rules allow; false: ATen's and cuDNN's.
  bool fused_kernels = true;
  /// Interruption: when *stop turns non-zero (the number of the signal pipe run caught),
  /// training stops before its next batch and writes its state to resume_path. Null: never.
  const volatile std::sig_atomic_t* stop = nullptr;
  std::string resume_path;  ///< the checkpoint an interruption writes (the run's resume.pt)
  bool resume = false;      ///< start from the checkpoint in resume_path instead of from scratch
  DistSpec dist;            ///< data-parallel training; world_size 1: this process alone
  /// Data-parallel: BatchNorm's batch statistics over every process's rows together
  /// (torch.nn.SyncBatchNorm) instead of each process's own (DDP's default).
  bool sync_batch_norm = false;
};

/// Why a training step cannot be captured in a CUDA graph, or "" when it can: the optimizer
/// must update on the device (Adam and AdamW: FlatOptimizer::step_on_device); 16-mixed's
/// gradient scaler decides on the host whether to step; clipping and the penalties are not
/// written for capture; a cycled momentum would be frozen into the graph.
inline std::string graph_obstacle(const TrainSpec& t, const std::string& optimizer, bool cycles_momentum) {
  if (optimizer != "adam" && optimizer != "adamw") return "the optimizer is '" + optimizer + "' (graphs take adam and adamw)";
  if (t.precision == "16-mixed") return "16-mixed's gradient scaler decides on the host whether to step";
  if (t.clip_grad_norm > 0 || t.clip_grad_value > 0 || t.l1 > 0 || t.l2 > 0) return "clipping and penalties are not captured";
  if (cycles_momentum) return "the scheduler cycles the momentum";
  return "";
}

/// The name of EpochRecord::val_metric in history.csv and the epoch lines.
inline const char* val_metric_name(const LossSpec& loss) { return loss.regression() ? "val_mae" : "val_accuracy"; }
/// The name of EpochRecord::train_metric in history.csv.
inline const char* train_metric_name(const LossSpec& loss) { return loss.regression() ? "train_mae" : "train_accuracy"; }

/// What the training controls did in a run, for metrics.json.
struct TrainingSummary {
  int epochs_run = 0;
  bool stopped_early = false;  ///< early stopping ended training before `epochs`
  int best_epoch = 0;          ///< early stopping's best epoch (1-based; 0: none)
  double best_value = std::nan("");
  bool restored_best_weights = false;  ///< the final model (and the test metrics) are the best epoch's
  int best_checkpoint_epoch = 0;       ///< the epoch best.pt holds (0: none written)
  double best_checkpoint_value = std::nan("");
  int last_checkpoint_epoch = 0;  ///< the epoch last.pt holds (0: none written)
  /// CUDA: the steps replayed from a captured CUDA graph, and all steps run (0 and 0 on the
  /// CPU or with cuda_graph off).
  long graph_replays = 0, steps = 0;
  /// Resumed from a checkpoint: the epoch (1-based) and its batches done before; 0: not resumed.
  int resumed_epoch = 0;
  long resumed_batch = 0;
  /// Interrupted: the signal's number, the epoch (1-based) and its batches done; 0: not.
  int interrupted_by = 0, interrupted_epoch = 0;
  long interrupted_batch = 0, batches_per_epoch = 0;
};

/// One line of history.csv.
struct EpochRecord {
  int epoch = 0;  ///< 1-based
  double train_loss = 0;
  /// Keras's running metric over the epoch's training batches, each batch's training-mode
  /// outputs (dropout on, batch statistics) before its step: accuracy (classifier, the rule
  /// of val_metric) or MAE (regression), over every training row the epoch saw.
  double train_metric = 0;
  double val_loss = 0;      ///< NaN when there is no validation part
  double val_metric = 0;    ///< accuracy (classifier) or MAE (regression); NaN without a validation part
  double lr = 0;            ///< the rate of the epoch's first batch (what param_groups[0]['lr'] reads before it)
  double seconds = 0;
};

}  // namespace pipeml
