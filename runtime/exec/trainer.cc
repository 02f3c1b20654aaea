#include "runtime/exec/trainer.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <tuple>

#include "runtime/exec/cpu_mlp.h"
#include "runtime/exec/cuda_graph.h"
#include "runtime/exec/flat_optimizer.h"
#include "runtime/exec/fused_ops.h"
#include "runtime/exec/image_batches.h"
#include "runtime/exec/layers.h"
#include "runtime/exec/model_io.h"
#include "runtime/exec/process_group.h"
#include "runtime/exec/resume_state.h"
#include "runtime/exec/sync_batch_norm.h"
#include "runtime/exec/torch_compat.h"
#include "runtime/exec/training_forward.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

// Features the model can read, and for training parts a label 0..classes-1 (or, for
// regression, a target value) for every row.
void check_table(const Table& t, const char* part, const ModelSpec& model, bool needs_labels, bool regression, int classes) {
  const int in_features = model.in_features();
  if (t.images() != !model.image_shape.empty() || (t.images() && t.image_shape != model.image_shape))
    throw UserError(std::string("the ") + part + " part's rows are not what the model was planned for (" +
                    (t.images() ? "images" : "table rows") + ")");
  if (t.images()) {
    if (t.pixels.size() != t.rows * t.image_bytes())
      throw UserError(std::string("the ") + part + " part has " + std::to_string(t.pixels.size()) + " pixel bytes for " +
                      std::to_string(t.rows) + " images");
  } else if (t.cols() != static_cast<std::size_t>(in_features))
    throw UserError(std::string("the ") + part + " part has " + std::to_string(t.cols()) +
                    " features, the model expects " + std::to_string(in_features));
  if (needs_labels && regression && t.target.size() != t.rows)
    throw UserError(std::string("the ") + part + " part has no target values");
  if (needs_labels && !regression && t.y.size() != t.rows) throw UserError(std::string("the ") + part + " part has no labels");
  for (std::size_t r = 0; r < t.rows; ++r) {
    if (needs_labels && !regression && (t.y[r] < 0 || t.y[r] >= classes))
      throw UserError(std::string("the ") + part + " part has label " + std::to_string(t.y[r]) + " at row " +
                      std::to_string(r + 1) + (classes == 2 ? std::string("; binary training needs labels 0 and 1")
                                                            : "; training for " + std::to_string(classes) +
                                                                  " classes needs labels 0 to " + std::to_string(classes - 1)));
    for (std::size_t c = 0; c < t.cols(); ++c)
      if (std::isnan(t.row(r)[c]))
        throw UserError(std::string("the ") + part + " part has a missing value in '" + t.columns[c] + "' at row " +
                        std::to_string(r + 1) + "; impute it before training");
  }
}

void check_job(const Table& train, const Table* val, const Table& test, const ModelSpec& model, const LossSpec& loss,
               const TrainSpec& spec) {
  const int out_features = model.out_features();
  const std::string& type = loss.type;
  if (type != "bce_with_logits" && type != "cross_entropy" && type != "mse" && type != "l1" && type != "huber" &&
      type != "smooth_l1")
    throw UserError("loss '" + type + "' is not supported yet (use bce_with_logits, cross_entropy, mse, l1, huber or smooth_l1)");
  if (!(loss.pos_weight > 0)) throw UserError("pos_weight must be positive");
  if (!(loss.delta > 0)) throw UserError("huber's delta must be positive");
  if (!(loss.beta >= 0)) throw UserError("smooth_l1's beta must not be negative");
  if (loss.cross_entropy() ? out_features < 2 : out_features != 1)
    throw UserError(loss.regression()      ? "regression needs out_features 1"
                    : loss.cross_entropy() ? "cross_entropy needs a logit per class (out_features 2 or more)"
                                           : "binary training needs out_features 1");
  if (!loss.weight.empty() && loss.weight.size() != static_cast<std::size_t>(out_features))
    throw UserError("cross_entropy's weight has " + std::to_string(loss.weight.size()) + " values for " +
                    std::to_string(out_features) + " classes");
  if (spec.batch_size < 1) throw UserError("batch_size must be at least 1");
  if (spec.epochs < 0) throw UserError("epochs must not be negative");
  const int classes = loss.cross_entropy() ? out_features : 2;
  check_table(train, "train", model, true, loss.regression(), classes);
  if (val) check_table(*val, "validation", model, true, loss.regression(), classes);
  check_table(test, "test", model, false, loss.regression(), classes);
  const std::size_t n = train.rows, bs = spec.batch_size;
  if (n == 0 || (spec.drop_last && n < bs))
    throw UserError("the train part has " + std::to_string(n) + " rows: not one batch of " + std::to_string(bs));
  // BatchNorm cannot normalise a batch of one row in training mode; PyTorch would stop mid-run.
  if (model.batch_norm() && (bs == 1 || (!spec.drop_last && n % bs == 1)))
    throw UserError("a batch of 1 row cannot train batch_norm: " + std::to_string(n) + " rows in batches of " +
                    std::to_string(bs) + " leave one alone; set drop_last or change batch_size");
}

// The rows as the model's input: float32 [rows, features], or an image table's bytes
// (uint8 [rows, C, H, W]), which become floats batch by batch (Batches).
at::Tensor features(const Table& t, const at::Device& device) {
  if (t.images()) return image_tensor(t, device);
  auto x = at::empty({static_cast<std::int64_t>(t.rows), static_cast<std::int64_t>(t.cols())}, at::kFloat);
  std::copy(t.x.begin(), t.x.end(), x.data_ptr<float>());
  return x.to(device);
}

// Labels (or a regression target's values, rounded to float32 as
// torch.tensor(y, dtype=torch.float32) rounds them) as [rows, 1], the model output's shape;
// for cross_entropy class indices, int64 [rows], as CrossEntropyLoss takes them.
at::Tensor labels(const Table& t, const at::Device& device, bool class_indices) {
  if (class_indices) {
    auto y = at::empty({static_cast<std::int64_t>(t.rows)}, at::kLong);
    std::copy(t.y.begin(), t.y.end(), y.data_ptr<std::int64_t>());
    return y.to(device);
  }
  auto y = at::empty({static_cast<std::int64_t>(t.rows), 1}, at::kFloat);
  if (t.regression) std::transform(t.target.begin(), t.target.end(), y.data_ptr<float>(), [](double v) { return static_cast<float>(v); });
  else std::copy(t.y.begin(), t.y.end(), y.data_ptr<float>());
  return y.to(device);
}

// Restores LibTorch's intra-op thread count on the way out: the setting is process-wide.
class ThreadCount {
 public:
  explicit ThreadCount(int n) : saved_(at::get_num_threads()) { at::set_num_threads(n); }
  ~ThreadCount() { at::set_num_threads(saved_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int saved_;
};

// One thread for small layers on the CPU: a step of the heart MLP is a few dozen kernels of a
// few microseconds each, and OpenMP's fork/join per kernel costs more than splitting such
// kernels saves (with 2 threads the heart recipe took 0.14 s instead of 0.065 s on a 2-core
// machine). Past about a million multiply-adds per layer and batch the work is worth sharing.
int cpu_threads(const ModelSpec& model, int batch_size) {
  const MlpSpec& mlp = model.mlp;
  std::int64_t widest = 0, in = mlp.in_features;
  for (int h : mlp.hidden) widest = std::max<std::int64_t>(widest, in * h), in = h;
  widest = std::max<std::int64_t>(widest, in * mlp.out_features);
  for (const LayerSpec& l : model.layers) widest = std::max(widest, l.params);  // a layer list: its largest layer
  return widest * batch_size < (1 << 20) ? 1 : at::get_num_threads();
}

// The random draws of one epoch of `DataLoader(..., shuffle=...)` on torch's default
// generator, in its order: the iterator's _base_seed (drawn even without shuffling), then
// RandomSampler's seed, then randperm(n) from a fresh generator seeded with it. Empty when
// not shuffling. Making the same draws keeps dropout's masks in step with Python's.
at::Tensor epoch_order(std::int64_t n, bool shuffle) {
  auto draw = [] { return at::empty({}, at::kLong).random_().item<std::int64_t>(); };
  draw();
  if (!shuffle) return {};
  const auto seed = static_cast<std::uint64_t>(draw());
  return at::randperm(n, torch_compat::cpu_generator(seed), at::kLong);
}

// One rank's rows of one epoch as DataLoader(sampler=DistributedSampler(shuffle=..., seed=
// seed, drop_last=False)) with set_epoch(epoch) draws them: the iterator's _base_seed from
// torch's default generator (as epoch_order), then randperm(rows) from a generator seeded
// with seed + epoch — the same order on every rank, whatever each has drawn — padded with
// its own first rows to a multiple of the world size; the rank takes every world_size-th row
// from its own place.
at::Tensor rank_order(std::int64_t rows, bool shuffle, std::uint64_t seed, int epoch, const DistSpec& dist) {
  at::empty({}, at::kLong).random_();
  at::Tensor order = shuffle ? at::randperm(rows, torch_compat::cpu_generator(seed + static_cast<std::uint64_t>(epoch)), at::kLong)
                             : at::arange(rows, at::kLong);
  const std::int64_t world = dist.world_size, total = static_cast<std::int64_t>(dist.rows_per_rank(rows)) * world;
  if (total > rows) {
    const std::int64_t repeats = (total - rows + rows - 1) / rows;
    order = at::cat({order, order.repeat({repeats}).narrow(0, 0, total - rows)});
  }
  return order.narrow(0, dist.rank, total - dist.rank).slice(0, 0, c10::nullopt, world).contiguous();
}

// The rows, then `copies` noisy copies of each row in turn, each copy drawn as
// MixedAugmentedDataset draws it: row + randn_like(row) * std, one row at a time (a
// single randn over all rows would draw the numbers in another order).
at::Tensor with_noisy_copies(const at::Tensor& rows, const NoiseSpec& noise, const c10::optional<at::Generator>& gen) {
  const std::int64_t n = rows.size(0);
  std::vector<at::Tensor> parts;
  parts.reserve(static_cast<std::size_t>(n * noise.copies + 1));
  parts.push_back(rows);
  for (std::int64_t i = 0; i < n; ++i) {
    const at::Tensor row = rows[i];
    for (int c = 0; c < noise.copies; ++c)
      parts.push_back((row + at::randn(row.sizes(), gen, row.options()) * noise.std).unsqueeze(0));
  }
  return at::cat(parts);
}

// sklearn's compute_class_weight('balanced'): n / (classes * count) per class, in float64.
std::vector<double> balanced_weights(const Table& train, std::size_t classes) {
  std::vector<double> count(classes, 0.0), w(classes, 0.0);
  for (int y : train.y) count[static_cast<std::size_t>(y)] += 1;
  for (std::size_t c = 0; c < classes; ++c)
    if (count[c] > 0) w[c] = static_cast<double>(train.rows) / (static_cast<double>(classes) * count[c]);
  return w;
}

// The loss of torch.nn by name, mean over the batch (LossSpec lists them).
class Loss {
 public:
  Loss(const LossSpec& spec, const Table& train, int classes, const at::TensorOptions& options) : spec_(spec) {
    double pos_weight = spec.pos_weight;
    std::vector<double> weight = spec.weight;
    if (spec.balanced && spec.cross_entropy()) weight = balanced_weights(train, static_cast<std::size_t>(classes));
    if (spec.balanced && !spec.cross_entropy()) {
      const auto w = balanced_weights(train, 2);  // w1 / w0 = count_0 / count_1
      if (w[0] > 0 && w[1] > 0) pos_weight = w[1] / w[0];
    }
    // Python's BCEWithLogitsLoss() has no pos_weight, and its formula without one rounds
    // differently from the one with pos_weight 1: leave it out in that case too.
    if (spec.type == "bce_with_logits" && pos_weight != 1.0) pos_weight_ = at::full({1}, pos_weight, options);
    if (spec.cross_entropy() && !weight.empty())
      weight_ = at::tensor(weight, at::TensorOptions().dtype(at::kDouble)).to(options.dtype(at::kFloat));
  }
  at::Tensor operator()(const at::Tensor& out, const at::Tensor& y) const {
    const auto mean = at::Reduction::Mean;
    if (spec_.cross_entropy()) return at::cross_entropy_loss(out, y, weight_, mean, -100, spec_.label_smoothing);
    if (spec_.type == "mse") return at::mse_loss(out, y, mean);
    if (spec_.type == "l1") return at::l1_loss(out, y, mean);
    if (spec_.type == "huber") return at::huber_loss(out, y, mean, spec_.delta);
    if (spec_.type == "smooth_l1") return at::smooth_l1_loss(out, y, mean, spec_.beta);
    return at::binary_cross_entropy_with_logits(out, y, {}, pos_weight_, mean);
  }
  bool is_bce() const { return spec_.type == "bce_with_logits"; }
  /// Cross-entropy without class weights or label smoothing: what fused_cross_entropy computes.
  bool plain_cross_entropy() const { return spec_.cross_entropy() && !weight_ && spec_.label_smoothing == 0; }
  const c10::optional<at::Tensor>& pos_weight() const { return pos_weight_; }

 private:
  LossSpec spec_;
  c10::optional<at::Tensor> pos_weight_, weight_;
};

// torch.cuda.amp.GradScaler with its defaults (init_scale 65536, growth 2 every 2000 steps
// without inf or NaN, backoff 0.5), for precision 16-mixed.
class GradScaler {
 public:
  explicit GradScaler(const at::Device& device)
      : scale_(at::full({1}, 65536.0, at::TensorOptions().dtype(at::kFloat).device(device))),
        growth_tracker_(at::zeros({1}, at::TensorOptions().dtype(at::kInt).device(device))),
        found_inf_(at::zeros({1}, at::TensorOptions().dtype(at::kFloat).device(device))) {}
  at::Tensor scale(const at::Tensor& loss) const { return loss * scale_; }
  /// scaler.unscale_(optimizer): the gradients divided by the scale, inf/NaN noted.
  void unscale(const at::Tensor& flat_grad) {
    found_inf_.zero_();
    const at::Tensor inv_scale = scale_.to(at::kDouble).reciprocal().to(at::kFloat);
    at::_amp_foreach_non_finite_check_and_unscale_({flat_grad}, found_inf_, inv_scale);
  }
  /// Whether scaler.step would step the optimizer (no inf or NaN in the gradients).
  bool finite() const { return found_inf_.item<float>() == 0.0f; }
  void update() { at::_amp_update_scale_(scale_, growth_tracker_, found_inf_, 2.0, 0.5, 2000); }
  /// scaler.state_dict()'s tensors, for a checkpoint, and back.
  TensorDict state() const { return {{"scale", scale_}, {"growth_tracker", growth_tracker_}}; }
  void restore(const TensorDict& saved) {
    for (const auto& [name, t] : saved) (name == "scale" ? scale_ : growth_tracker_).copy_(t);
  }

 private:
  at::Tensor scale_, growth_tracker_, found_inf_;
};

// How stored rows become the model's input: a table's floats as they are; image bytes through
// the data stages' transforms (image_batches.h), all of them for training batches.
struct Inputs {
  std::shared_ptr<const ImageBatches> images;  ///< null: a table's rows
  at::Tensor operator()(const at::Tensor& rows, bool training) const { return images ? (*images)(rows, training) : rows; }
  /// Rows per evaluation chunk: activations of a 32x32 image are ~1,000 times a table row's.
  std::int64_t eval_chunk() const { return images ? 1024 : 65536; }
};

// Eval-mode logits, in chunks, so that a large table never needs all activations at once:
// by CpuMlpStep when there is one (the CPU fast path), else by the model's forward.
at::Tensor eval_logits(torch::nn::Sequential& model, CpuMlpStep* fast, c10::optional<at::ScalarType> autocast_dtype,
                       const at::Tensor& x, const Inputs& inputs) {
  const std::int64_t chunk = inputs.eval_chunk();
  model->eval();
  c10::InferenceMode no_autograd;
  torch_compat::CudaAutocast autocast(autocast_dtype.has_value(), autocast_dtype.value_or(at::kFloat));
  std::vector<at::Tensor> parts;
  for (std::int64_t i = 0; i < x.size(0); i += chunk) {
    const at::Tensor part = inputs(x.narrow(0, i, std::min(chunk, x.size(0) - i)), false);
    parts.push_back(fast ? fast->eval_logits(part) : model->forward(part).to(at::kFloat));
  }
  return parts.size() == 1 ? parts[0] : at::cat(parts);
}

// Whether a CPU step is CpuMlpStep's (written for an MLP and BCEWithLogits).
bool fast_path(const at::Device& device, CpuStep cpu_step, const ModelSpec& model, const LossSpec& loss) {
  return device.is_cpu() && cpu_step == CpuStep::fast && !model.sequential() && loss.type == "bce_with_logits";
}

// The autocast type of a mixed precision on CUDA, or none.
c10::optional<at::ScalarType> autocast_of(const std::string& precision) {
  if (precision == "bf16-mixed") return at::kBFloat16;
  if (precision == "16-mixed") return at::kHalf;
  return c10::nullopt;
}

// One training step and eval-mode outputs, computed either by CpuMlpStep (written for
// BCEWithLogits) or by autograd; with train's controls: the weight penalties, gradient
// clipping and mixed precision, each as a PyTorch loop writes it (see step()).
class Stepper {
 public:
  Stepper(torch::nn::Sequential& model, FlatOptimizer& optimizer, const Loss& loss, bool fast, const TrainSpec& spec,
          Inputs inputs, ProcessGroup* group)
      : model_(model), optimizer_(optimizer), loss_(loss), spec_(spec), inputs_(inputs), group_(group) {
    if (fast && loss.is_bce()) fast_ = std::make_unique<CpuMlpStep>(model, loss.pos_weight());
    params_ = model->parameters();
    for (const auto& p : params_)
      if (p.dim() >= 2) weights_.push_back(p);  // Linear weights: the penalties' "kernels"
    if (spec.precision != "32") {
      if (!params_.empty() && !params_.front().is_cuda())
        throw UserError("mixed precision '" + spec.precision +
                        "' runs on CUDA only, and this run trains on the CPU; use 'precision: 32' or a CUDA device");
      autocast_dtype_ = autocast_of(spec.precision);
      if (spec.precision == "16-mixed") scaler_ = std::make_unique<GradScaler>(params_.front().device());
    }
  }
  /// One step of the loop a PyTorch user writes:
  ///   optimizer.zero_grad()
  ///   loss = criterion(model(x), y)                     # under torch.autocast when mixed
  ///   loss = loss + l1 * sum(w.abs().sum() for w in weights)   # when l1 > 0
  ///   loss = loss + l2 * sum(w.pow(2).sum() for w in weights)  # when l2 > 0
  ///   loss.backward()                                   # scaler.scale(loss) with 16-mixed, then unscale_
  ///                                                     # data-parallel: DDP's all-reduce averages the gradients
  ///   clip_grad_norm_(model.parameters(), max_norm) / clip_grad_value_(..., clip_value)
  ///   optimizer.step()                                  # scaler.step + update: skipped on inf
  /// Returns the loss (with the penalties), not read back; `out` gets the model's training-mode
  /// output of the batch (detached), which the train metric reads.
  /// `before_backward` (may be empty) gets the output and the loss (detached) once they are
  /// computed, before the backward, on the steps that compute them (not the CPU's fast path).
  at::Tensor step(const at::Tensor& rows, const at::Tensor& y, double lr, at::Tensor& out,
                  const std::function<void(const at::Tensor& out, const at::Tensor& loss)>& before_backward = {}) {
    at::Tensor loss;
    const at::Tensor x = inputs_(rows, true);
    if (fast_) {
      loss = fast_->train_batch(x, y, &out);  // overwrites the gradients: nothing to zero
      loss = add_penalties(loss, true);
    } else {
      optimizer_.zero_grad();
      {
        torch_compat::CudaAutocast autocast(autocast_dtype_.has_value(), autocast_dtype_.value_or(at::kFloat));
        out = training_forward_ ? (*training_forward_)(x) : model_->forward(x);
        const bool fused_loss = fused_kernels_ && loss_.plain_cross_entropy() && fused_cross_entropy_takes(out, y);
        loss = add_penalties(fused_loss ? fused_cross_entropy(out, y) : loss_(out, y), false);
      }
      out = out.detach();
      if (before_backward) before_backward(out, loss.detach());
      if (scaler_) scaler_->scale(loss).backward();
      else loss.backward(backward_seed(loss));
      loss = loss.detach().to(at::kFloat);
    }
    if (group_) {  // one all-reduce of the flat gradient: DDP's buckets, in one piece
      at::Tensor grad = optimizer_.flat_grad();
      group_->sum(grad, "the gradient all-reduce");
      grad.div_(group_->size());
    }
    if (scaler_) scaler_->unscale(optimizer_.flat_grad());
    if (spec_.clip_grad_norm > 0) clip_grad_norm();
    if (spec_.clip_grad_value > 0) optimizer_.flat_grad().clamp_(-spec_.clip_grad_value, spec_.clip_grad_value);
    if (device_lr_) optimizer_.step_on_device(*device_lr_);
    else if (!scaler_ || scaler_->finite()) optimizer_.step(lr);
    if (scaler_) scaler_->update();
    return loss;
  }
  at::Tensor logits(const at::Tensor& x) { return eval_logits(model_, fast_.get(), autocast_dtype_, x, inputs_); }
  /// Training steps run the model's Conv-BatchNorm-ReLU-MaxPool blocks with pipe's fused CUDA
  /// kernels where they can (training_forward.h), a plain cross-entropy in two kernels,
  /// Adam's device-side step as one kernel (FlatOptimizer::use_fused_step), and a graphed step
  /// counts its correct predictions in one kernel.
  void use_fused_kernels(const ModelSpec& spec) {
    fused_kernels_ = true;
    optimizer_.use_fused_step();
    training_forward_ = std::make_unique<TrainingForward>(model_, spec, autocast_dtype_);
    if (training_forward_->blocks() == 0) training_forward_.reset();
  }
  /// From now on every step reads its rate from `lr` (a 0-d device tensor): the step a CUDA
  /// graph captures (GraphedSteps), and the eager steps around it.
  void use_device_lr(const at::Tensor* lr) { device_lr_ = lr; }
  /// Whether use_fused_kernels was called: the step's other parts may use pipe's kernels too.
  bool fused_kernels() const { return fused_kernels_; }
  /// 16-mixed's gradient scaler's state (empty without one), for a checkpoint, and back.
  TensorDict scaler_state() const { return scaler_ ? scaler_->state() : TensorDict{}; }
  void restore_scaler(const TensorDict& saved) {
    if (scaler_) scaler_->restore(saved);
  }

 private:
  // backward()'s seed, d loss / d loss = 1: with pipe's kernels a 0-d one kept on the device
  // (made in an eager step, before any capture), where autograd fills a new one each step (a
  // kernel); else none, autograd's own.
  at::Tensor backward_seed(const at::Tensor& loss) {
    if (!fused_kernels_ || !loss.is_cuda() || loss.dim() != 0 || loss.scalar_type() != at::kFloat) return at::Tensor();
    if (!seed_.defined() || seed_.device() != loss.device()) seed_ = at::ones({}, loss.options());
    return seed_;
  }
  // loss + l1 * sum|w| + l2 * sum w^2, each sum over the weights in order as Python's sum()
  // adds them. On the fast path the penalties' gradients are added too, as autograd adds
  // them: l1 * sign(w) and l2 * (2 * w) (pow's backward), the l2 term first when both are
  // there (autograd runs the later-built branch first), then the loss's gradient.
  at::Tensor add_penalties(at::Tensor loss, bool add_gradients) {
    // The fast path needs the values only (the same kernels, so the same bits), no graph.
    c10::optional<c10::NoGradGuard> no_graph;
    if (add_gradients) no_graph.emplace();
    if (spec_.l1 > 0) loss = loss + penalty([](const at::Tensor& w) { return w.abs().sum(); }) * spec_.l1;
    if (spec_.l2 > 0) loss = loss + penalty([](const at::Tensor& w) { return w.pow(2).sum(); }) * spec_.l2;
    if (add_gradients && (spec_.l1 > 0 || spec_.l2 > 0)) {
      for (auto& w : weights_) {
        at::Tensor g;
        if (spec_.l2 > 0) g = at::mul(w, 2.0).mul_(spec_.l2);
        if (spec_.l1 > 0) {
          const at::Tensor g1 = at::sign(w).mul_(spec_.l1);
          g = g.defined() ? g.add_(g1) : g1;
        }
        w.mutable_grad().add_(g);
      }
    }
    return loss;
  }
  template <class F>
  at::Tensor penalty(F term) const {
    at::Tensor sum;
    for (const auto& w : weights_) sum = sum.defined() ? sum + term(w) : term(w);
    return sum;
  }
  // torch.nn.utils.clip_grad_norm_(parameters, max_norm): the coefficient max_norm /
  // (total + 1e-6), which Python computes as (total + 1e-6).reciprocal() * max_norm
  // (Tensor.__rtruediv__), clamped to 1, multiplies every gradient (even when it is 1).
  void clip_grad_norm() {
    std::vector<at::Tensor> grads;
    grads.reserve(params_.size());
    for (const auto& p : params_) grads.push_back(p.grad().detach());
    const at::Tensor total = torch_compat::total_grad_norm(grads);
    const at::Tensor coef = at::clamp_max(at::add(total, 1e-6).reciprocal() * spec_.clip_grad_norm, 1.0);
    optimizer_.flat_grad().mul_(coef);
  }

  torch::nn::Sequential& model_;
  FlatOptimizer& optimizer_;
  const Loss& loss_;
  const TrainSpec& spec_;
  std::unique_ptr<CpuMlpStep> fast_;
  std::vector<at::Tensor> params_, weights_;
  c10::optional<at::ScalarType> autocast_dtype_;
  std::unique_ptr<TrainingForward> training_forward_;
  std::unique_ptr<GradScaler> scaler_;
  Inputs inputs_;
  ProcessGroup* group_;
  const at::Tensor* device_lr_ = nullptr;
  bool fused_kernels_ = false;
  at::Tensor seed_;
};

// A copy of the model's state dict (parameters and BatchNorm buffers).
TensorDict clone_state(torch::nn::Module& model) {
  TensorDict copy;
  for (const auto& [name, t] : state_dict(model)) copy.emplace_back(name, t.detach().clone());
  return copy;
}

// Early stopping and checkpoints, after each epoch's validation. Early stopping is Keras's
// EarlyStopping (improves(): better than the best by more than min_delta; stop once `patience`
// epochs in a row have not improved, never after the first epoch); its best weights are a
// copy of the state dict (parameters and BatchNorm buffers), as copy.deepcopy(
// model.state_dict()) keeps them, restored at the end as model.load_state_dict(best).
class Controls {
 public:
  Controls(const TrainSpec& spec, torch::nn::Sequential& model) : spec_(spec), model_(model) {
    const double inf = std::numeric_limits<double>::infinity();
    es_best_ = spec.early_stopping.mode == "max" ? -inf : inf;
    ck_best_ = spec.checkpoints.mode == "max" ? -inf : inf;
  }
  /// After epoch `epoch` (0-based): writes the checkpoints; true: stop training.
  bool end_epoch(const EpochRecord& rec, int epoch) {
    const EarlyStoppingSpec& es = spec_.early_stopping;
    const CheckpointSpec& ck = spec_.checkpoints;
    bool stop = false;
    if (es.on) {
      const double value = monitored(rec, es.monitor);
      if (es.restore_best_weights && best_state_.empty()) best_state_ = snapshot();  // Keras: the first epoch's
      ++wait_;
      if (improves(value, es_best_, es.mode, es.min_delta)) {
        es_best_ = value;
        summary_.best_epoch = rec.epoch;
        summary_.best_value = value;
        if (es.restore_best_weights) best_state_ = snapshot();
        wait_ = 0;
      } else if (wait_ >= es.patience && epoch > 0) {
        stop = true;
      }
    }
    if (!ck.dir.empty() && ck.best) {
      const double value = monitored(rec, ck.monitor);
      if (improves(value, ck_best_, ck.mode, 0.0)) {  // strictly better, as ModelCheckpoint
        ck_best_ = value;
        save_state_dict(*model_, ck.dir + "/best.pt");
        summary_.best_checkpoint_epoch = rec.epoch;
        summary_.best_checkpoint_value = value;
      }
    }
    if (!ck.dir.empty() && ck.last) {
      save_state_dict(*model_, ck.dir + "/last.pt");
      summary_.last_checkpoint_epoch = rec.epoch;
    }
    return stop;
  }
  /// The counters and the best weights, for a checkpoint (ResumeState::controls, best).
  std::vector<double> numbers() const {
    const TrainingSummary& s = summary_;
    return {es_best_, ck_best_, static_cast<double>(wait_), static_cast<double>(s.best_epoch), s.best_value,
            static_cast<double>(s.best_checkpoint_epoch), s.best_checkpoint_value, static_cast<double>(s.last_checkpoint_epoch)};
  }
  const TensorDict& best_state() const { return best_state_; }
  /// Back to what numbers() and best_state() gave.
  void restore(const std::vector<double>& n, TensorDict best) {
    if (n.size() != 8) throw UserError("the checkpoint's training controls are not pipe's (" + std::to_string(n.size()) + " numbers)");
    es_best_ = n[0], ck_best_ = n[1], wait_ = static_cast<int>(n[2]);
    summary_.best_epoch = static_cast<int>(n[3]), summary_.best_value = n[4];
    summary_.best_checkpoint_epoch = static_cast<int>(n[5]), summary_.best_checkpoint_value = n[6];
    summary_.last_checkpoint_epoch = static_cast<int>(n[7]);
    best_state_ = std::move(best);
  }
  /// After the last epoch: restores the best weights when asked; what happened.
  TrainingSummary finish(int epochs_run) {
    summary_.epochs_run = epochs_run;
    summary_.stopped_early = spec_.early_stopping.on && epochs_run < spec_.epochs;
    if (spec_.early_stopping.on && spec_.early_stopping.restore_best_weights && !best_state_.empty()) {
      load_state_dict(*model_, best_state_);
      summary_.restored_best_weights = true;
    }
    return summary_;
  }

 private:
  static double monitored(const EpochRecord& rec, const std::string& name) {
    return name == "val_loss" ? rec.val_loss : rec.val_metric;
  }
  TensorDict snapshot() const { return clone_state(*model_); }

  const TrainSpec& spec_;
  torch::nn::Sequential& model_;
  double es_best_, ck_best_;
  int wait_ = 0;
  TensorDict best_state_;
  TrainingSummary summary_;
};

// A batch's (or a part's) metric summed over its rows: correct predictions for a classifier
// (the most probable class; for one logit, sigmoid >= 0.5), absolute errors for regression.
// Divided by the rows it is accuracy or MAE: val_metric, and the epoch's train_metric.
at::Tensor metric_sum(const at::Tensor& out, const at::Tensor& y, const LossSpec& loss) {
  c10::InferenceMode no_autograd;
  const at::Tensor o = out.to(at::kFloat);
  return loss.regression()      ? (o - y).abs().sum()
         : loss.cross_entropy() ? o.argmax(1).eq(y).sum()
                                : at::sigmoid(o).ge(0.5).to(at::kFloat).eq(y).sum();
}

// Whether the steps run as replays of a CUDA graph: `cuda_graph` on, or auto for image data on
// CUDA, when the step allows it (an optimizer with step_on_device, no gradient scaler — it
// decides on the host whether to step —, no clipping or penalties, no cycled momentum).
bool graphed(const TrainSpec& spec, const at::Device& device, const OptimizerSpec& opt, bool images, LrSchedule* schedule) {
  if (!device.is_cuda() || spec.cuda_graph == "off") return false;
  std::string why = graph_obstacle(spec, opt.type, schedule && !std::isnan(schedule->momentum(0, 0)));
  if (why.empty() && !cuda_graphs_available()) why = "this build's LibTorch has no CUDA graphs";
  if (!why.empty() && spec.cuda_graph == "on") throw UserError("'cuda_graph: on' cannot capture this step: " + why);
  // Data-parallel, a captured step holds NCCL's all-reduce: only when asked for ('on').
  return why.empty() && (spec.cuda_graph == "on" || (images && !spec.dist.active()));
}

// The full batches of every epoch as replays of one CUDA graph of a training step. Nothing in
// a replay comes from the host: the batch is cut from the epoch's shuffled copy (static
// buffers) at a device-side counter, the rate is a device tensor (Stepper::use_device_lr),
// and each batch's loss and the train metric's sum stay on the device, read once per epoch. The
// first kWarmup steps run the same body eagerly — cuDNN's algorithm search and the
// allocator settle there, as torch.cuda.graphs asks — then one step is captured and every
// later full batch is a replay. A smaller last batch runs eagerly with the same sums.
class GraphedSteps {
 public:
  static constexpr int kWarmup = 3;
  /// `rows` of x and y per epoch: all of them, or a data-parallel rank's share.
  GraphedSteps(Stepper& stepper, const LossSpec& loss, const at::Tensor& x, const at::Tensor& y, std::int64_t rows,
               std::int64_t batch_size, std::int64_t batches)
      : stepper_(stepper), loss_(loss), bs_(batch_size),
        xs_(at::empty_like(x.narrow(0, 0, rows))), ys_(at::empty_like(y.narrow(0, 0, rows))),
        counter_(at::zeros({1}, y.options().dtype(at::kLong))), batch_rows_(at::arange(batch_size, counter_.options())),
        lr_(at::zeros({}, y.options().dtype(at::kFloat))),
        losses_(at::zeros({batches}, y.options().dtype(at::kFloat))),
        metric_sum_(at::zeros({}, y.options().dtype(at::kDouble))) {
    stepper_.use_device_lr(&lr_);
  }
  /// The epoch's rows in its order (no order: as they are).
  void begin_epoch(const at::Tensor& x, const at::Tensor& y, const at::Tensor& order) {
    if (order.defined()) {
      at::index_select_out(xs_, x, 0, order);
      at::index_select_out(ys_, y, 0, order);
    } else {
      xs_.copy_(x);
      ys_.copy_(y);
    }
    counter_.zero_();
    metric_sum_.zero_();
  }
  void step(double lr, std::int64_t rows) {
    if (lr != lr_value_) lr_.fill_(lr), lr_value_ = lr;
    if (rows != bs_) return partial(rows);
    if (graph_) return ++replays_, graph_->replay();
    if (eager_steps_ < kWarmup) {
      ++eager_steps_;
      return body();
    }
    graph_ = capture_graph([this] { body(); });
    ++replays_;
    graph_->replay();
  }
  long replays() const { return replays_; }
  /// The epoch's batch losses and summed metric, on the device.
  std::pair<at::Tensor, at::Tensor> sums() const { return {losses_, metric_sum_.view({1})}; }
  /// Continues an epoch after its first `done` batches, whose losses and summed metric these
  /// are (a resumed run), instead of at its start.
  void seek(std::int64_t done, const at::Tensor& losses, double metric) {
    counter_.fill_(done);
    losses_.narrow(0, 0, done).copy_(losses);
    metric_sum_.fill_(metric);
  }

 private:
  // The counter-th batch, then the counter advanced (with pipe's kernels: one to select, and
  // one that keeps the loss and advances).
  void body() {
    at::Tensor xb, yb;
    if (!(stepper_.fused_kernels() && fused_select_batch(xs_, ys_, counter_, bs_, xb, yb))) {
      const at::Tensor index = at::add(batch_rows_, counter_, bs_);  // the batch's rows: one kernel
      xb = xs_.index_select(0, index), yb = ys_.index_select(0, index);
    }
    add(xb, yb, counter_);
  }
  void partial(std::int64_t rows) {
    const std::int64_t start = xs_.size(0) - rows;
    add(xs_.narrow(0, start, rows), ys_.narrow(0, start, rows), at::full({1}, losses_.size(0) - 1, counter_.options()));
  }
  // The batch's step; its loss kept at `slot`, and the counter advanced where that is the slot.
  // With pipe's kernels and a cross-entropy, both kernels of that bookkeeping run beside the
  // backward (fused_record_step), since the loss and the logits are known before it.
  void add(const at::Tensor& xb, const at::Tensor& yb, const at::Tensor& slot) {
    const bool advance = slot.is_same(counter_);
    bool recorded = false;
    std::function<void(const at::Tensor&, const at::Tensor&)> beside_backward;
    if (stepper_.fused_kernels() && loss_.cross_entropy())
      beside_backward = [&](const at::Tensor& logits, const at::Tensor& loss) {
        recorded = loss.scalar_type() == at::kFloat &&
                   fused_record_step(losses_, slot, loss, advance, logits, yb, metric_sum_);
      };
    at::Tensor out;
    const at::Tensor loss = stepper_.step(xb, yb, lr_value_, out, beside_backward).to(at::kFloat);
    if (recorded) return join_side_stream(loss.device());
    if (!(stepper_.fused_kernels() && fused_record_loss(losses_, slot, loss, advance))) {
      losses_.index_copy_(0, slot, loss.view({1}));
      if (advance) slot.add_(1);
    }
    if (!(stepper_.fused_kernels() && loss_.cross_entropy() && fused_add_correct(out, yb, metric_sum_)))
      metric_sum_.add_(metric_sum(out, yb, loss_).to(at::kDouble));
  }

  Stepper& stepper_;
  const LossSpec& loss_;
  std::int64_t bs_;
  at::Tensor xs_, ys_, counter_, batch_rows_, lr_, losses_, metric_sum_;
  double lr_value_ = std::nan("");
  int eager_steps_ = 0;
  long replays_ = 0;
  std::unique_ptr<StepGraph> graph_;
};

// A batch's loss was NaN or infinite: every later step would be too. Stops training with the
// epoch and the batch named, keeping the last epoch whose losses were all finite: its weights
// in last_good.pt in the run directory, its history in the exception.
[[noreturn]] void stop_on_non_finite(float loss, int epoch, std::int64_t batch, std::int64_t batches,
                                     const TensorDict& last_good, const TrainSpec& spec,
                                     const std::vector<EpochRecord>& history) {
  std::string kept = "no epoch finished with finite losses, so no weights were kept";
  if (!last_good.empty() && !spec.checkpoints.dir.empty()) {
    save_tensor_dict(last_good, spec.checkpoints.dir + "/last_good.pt");
    kept = "the weights after epoch " + std::to_string(epoch) + ", the last with finite losses, are in last_good.pt";
  }
  throw TrainingStopped(std::string("the training loss became ") + (std::isnan(loss) ? "NaN" : "infinite") + " at epoch " +
                            std::to_string(epoch + 1) + ", batch " + std::to_string(batch + 1) + " of " +
                            std::to_string(batches) + "; training stopped (" + kept +
                            "). Lower the optimizer's lr, or clip the gradients (train: clip_grad_norm)",
                        history);
}

// What the model says of each row: the probability of class 1, with cross_entropy every
// class's probability (softmax; rows x classes, row-major), or for regression the
// predicted value (float32, widened).
std::vector<double> outputs(at::Tensor out, const LossSpec& loss) {
  if (loss.cross_entropy()) out = at::softmax(out, 1);
  else if (!loss.regression()) out = at::sigmoid(out);
  const at::Tensor p = out.reshape({-1}).to(at::kCPU, at::kDouble);
  return std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
}

// The signal that asks training to stop before batch `batch` (0: none). Data-parallel, the
// ranks agree — the largest over them — so that all stop at the same batch whichever got the
// signal. They vote every kVoteEvery batches only: a vote reads the device (a CUDA graph's
// replays would otherwise wait for each other), and a stop may wait that many batches.
constexpr std::int64_t kVoteEvery = 8;
int stop_signal(const TrainSpec& spec, ProcessGroup* group, const at::Device& device, std::int64_t batch) {
  const int local = spec.stop ? static_cast<int>(*spec.stop) : 0;
  if (!group) return local;
  if (batch % kVoteEvery != 0) return 0;
  at::Tensor vote = at::full({1}, local, at::TensorOptions().dtype(at::kInt).device(device));
  group->max(vote, "the stop vote");
  return vote.item<int>();
}

}  // namespace

TrainResult train_and_predict(const Table& train, const Table* val, const Table& test, const ModelSpec& mlp,
                              const LossSpec& loss, const OptimizerSpec& opt, const TrainSpec& spec,
                              const std::function<void(const EpochRecord&)>& on_epoch,
                              const std::function<void(int epoch, int batch, int batches)>& on_batch,
                              CpuStep cpu_step) {
  check_job(train, val, test, mlp, loss, spec);
  const at::Device device(spec.device);
  // Data-parallel: the rendezvous first, so that a missing rank or a taken port is reported
  // before any work; rank 0 alone validates, predicts and writes checkpoints.
  std::unique_ptr<ProcessGroup> group;
  if (spec.dist.active()) group = std::make_unique<ProcessGroup>(spec.dist, device);
  const bool rank0 = spec.dist.rank == 0;
  ThreadCount threads(device.is_cpu() ? cpu_threads(mlp, spec.batch_size) : at::get_num_threads());

  at::manual_seed(spec.seed);  // torch.manual_seed: the CPU generator and every GPU's
  c10::optional<at::Generator> noise_gen;
  if (spec.noise.own_seed) noise_gen = torch_compat::cpu_generator(spec.noise.seed);
  const at::Tensor x_rows = features(train, at::kCPU), y_rows = labels(train, at::kCPU, loss.cross_entropy());
  at::Tensor x = x_rows, y = y_rows;
  if (spec.noise.copies > 0 && !spec.noise.per_epoch) {
    x = with_noisy_copies(x_rows, spec.noise, noise_gen).to(device);
    y = y_rows.repeat_interleave(spec.noise.copies, 0);
    y = at::cat({y_rows, y}).to(device);
  } else {
    x = x_rows.to(device), y = y_rows.to(device);
  }
  TrainResult result;
  // SyncBatchNorm where a data-parallel run asks for it; initialised on the CPU, as Python
  // does, then moved.
  BatchNormMaker batch_norm;
  if (group && spec.sync_batch_norm)
    batch_norm = [g = group.get()](std::int64_t features, double eps, double momentum) {
      return torch::nn::AnyModule(SyncBatchNorm(features, eps, momentum, g));
    };
  result.model = build_model(mlp, batch_norm);
  torch::nn::Sequential& model = result.model;
  model->to(device);
  const bool channels_last = train.images() && spec.channels_last;
  Inputs inputs;
  if (train.images()) inputs.images = std::make_shared<ImageBatches>(spec.image_transforms, device, channels_last, spec.fused_kernels);
  if (channels_last) {
    c10::NoGradGuard no_grad;
    for (auto& p : model->parameters())
      if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
  }
  // cuDNN's algorithm search (cudnn.benchmark) for a convolution model's fixed batch shapes.
  if (device.is_cuda() && train.images()) at::globalContext().setBenchmarkCuDNN(true);
  const std::unique_ptr<FlatOptimizer> optimizer = make_flat_optimizer(model->parameters(), opt);

  if (spec.noise.copies > 0 && spec.noise.per_epoch) {
    const at::Tensor noisy_y = y_rows.repeat_interleave(spec.noise.copies, 0);
    y = at::cat({y_rows, noisy_y}).to(device);
  }
  const at::Tensor x_test = features(test, device);
  at::Tensor x_val, y_val;
  if (val) x_val = features(*val, device), y_val = labels(*val, device, loss.cross_entropy());
  const Loss loss_fn(loss, train, mlp.out_features(), x.options());
  Controls controls(spec, model);
  // The rows each step goes through: all of them, or this rank's share (DistributedSampler).
  const std::int64_t all_rows = y.size(0), bs = spec.batch_size;
  const std::int64_t n = group ? static_cast<std::int64_t>(spec.dist.rows_per_rank(all_rows)) : all_rows;
  const std::int64_t batches = spec.drop_last ? n / bs : (n + bs - 1) / bs;
  LrSchedule* schedule = spec.schedule.get();
  if (schedule && schedule->steps_per_epoch() != 0 && schedule->steps_per_epoch() != batches)
    throw std::logic_error("the schedule was planned for " + std::to_string(schedule->steps_per_epoch()) +
                           " batches per epoch, training has " + std::to_string(batches));
  TensorDict last_good;  // the weights after the last epoch whose losses were all finite
  // Where training starts: at the beginning, or where an interruption left it (resume.pt).
  // Everything before this point — the seed, the noisy copies, the initial weights — was
  // made again as it was made then; the checkpoint replaces what training changed since.
  ResumeState from;
  if (spec.resume) {
    from = read_resume_state(spec.resume_path);
    if (from.batches != batches || from.rows != n || from.epoch >= spec.epochs)
      throw UserError("'" + spec.resume_path + "' was written for " + std::to_string(from.rows) + " training rows in " +
                      std::to_string(from.batches) + " batches, at epoch " + std::to_string(from.epoch + 1) +
                      "; this run has " + std::to_string(n) + " rows in " + std::to_string(batches) + " batches and " +
                      std::to_string(spec.epochs) + " epochs");
    load_state_dict(*model, from.model);
    optimizer->load_state(from.optimizer);
    // Rank 0's summed train metric of the interrupted epoch: the other ranks add nothing to it.
    if (!rank0) from.epoch_metric = 0;
    controls.restore(from.controls, std::move(from.best));
    if (schedule)
      for (const EpochRecord& r : from.history) schedule->end_epoch(r);  // ReduceLROnPlateau's counters
    result.history = from.history;
    last_good = from.last_good;
  }
  if (group) {  // as DDP's constructor: every rank starts from rank 0's weights and buffers
    at::Tensor params = optimizer->flat_param();
    group->broadcast(params, "the broadcast of the initial weights");
    c10::NoGradGuard no_grad;
    for (at::Tensor b : model->buffers()) group->broadcast(b, "the broadcast of the initial buffers");
  }
  // CpuMlpStep computes BatchNorm itself: a SyncBatchNorm takes the autograd step.
  const bool fast = fast_path(device, cpu_step, mlp, loss) && !batch_norm;
  Stepper stepper(model, *optimizer, loss_fn, fast, spec, inputs, group.get());
  if (device.is_cuda() && spec.fused_kernels) stepper.use_fused_kernels(mlp);
  if (spec.resume) stepper.restore_scaler(from.scaler);
  const std::shared_ptr<void> stream = side_stream(device);  // CUDA: the steps' own stream

  std::unique_ptr<GraphedSteps> graph;
  if (graphed(spec, device, opt, train.images(), schedule))
    graph = std::make_unique<GraphedSteps>(stepper, loss, x, y, n, bs, batches);
  at::Generator cpu_gen = at::globalContext().defaultGenerator(at::Device(at::kCPU));
  c10::optional<at::Generator> cuda_gen;
  if (device.is_cuda()) cuda_gen = at::globalContext().defaultGenerator(device);
  std::vector<at::Tensor> batch_losses, batch_metrics;
  batch_losses.reserve(batches);
  batch_metrics.reserve(batches);
  try {  // a lost rank (DistributedError) stops training like a NaN: the finished epochs are kept
    for (int epoch = from.epoch; epoch < spec.epochs; ++epoch) {
      const auto t0 = std::chrono::steady_clock::now();
      const bool resumed = spec.resume && epoch == from.epoch;
      if (resumed) {  // the epoch's shuffle and noisy copies: drawn again from the same states
        cpu_gen.set_state(from.rng_cpu_epoch);
        if (noise_gen && from.rng_noise_epoch.defined()) noise_gen->set_state(from.rng_noise_epoch);
      }
      // The states the epoch starts from, which a checkpoint needs (only a run that can be interrupted).
      const at::Tensor cpu_at_start = spec.stop ? cpu_gen.get_state() : at::Tensor();
      const at::Tensor noise_at_start = spec.stop && noise_gen ? noise_gen->get_state() : at::Tensor();
      EpochRecord rec;
      rec.epoch = epoch + 1;
      model->train();
      // One gather per epoch into a shuffled copy; batches are then views (narrow), which
      // costs no kernel and, on a GPU, no host-device traffic.
      if (spec.noise.copies > 0 && spec.noise.per_epoch) x = with_noisy_copies(x_rows, spec.noise, noise_gen).to(device);
      at::Tensor order = group ? rank_order(all_rows, spec.shuffle, spec.seed, epoch, spec.dist) : epoch_order(n, spec.shuffle);
      if (order.defined()) order = order.to(device);
      at::Tensor xs, ys;
      if (graph) graph->begin_epoch(x, y, order);
      else xs = order.defined() ? x.index_select(0, order) : x, ys = order.defined() ? y.index_select(0, order) : y;
      batch_losses.clear();
      batch_metrics.clear();
      std::int64_t first = 0;     // the first batch to run: after those done before an interruption
      double seconds_before = 0;  // the time they took
      if (resumed) {
        cpu_gen.set_state(from.rng_cpu);
        if (cuda_gen && from.rng_cuda.defined()) cuda_gen->set_state(from.rng_cuda);
        first = from.batch;
        seconds_before = from.epoch_seconds;
        rec.lr = schedule ? schedule->lr(epoch, 0) : opt.lr;
        const at::Tensor done = from.epoch_losses.to(device);
        if (graph) {
          graph->seek(first, done, from.epoch_metric);
        } else if (first > 0) {
          for (std::int64_t i = 0; i < first; ++i) batch_losses.push_back(done[i]);
          batch_metrics.push_back(at::full({}, from.epoch_metric, done.options().dtype(at::kDouble)));
        }
        result.summary.resumed_epoch = epoch + 1;
        result.summary.resumed_batch = static_cast<long>(first);
      }
      // The losses (float32, on the host) and summed train metric of the epoch's first `count`
      // batches, read once (no sync per batch) and summed in order in double as Python's
      // `total += loss.item()` sums them; a NaN or infinite loss stops training.
      auto done_batches = [&](std::int64_t count) {
        std::pair<at::Tensor, double> done{at::empty({0}, at::kFloat), 0.0};
        if (count == 0) return done;
        at::Tensor losses, metrics;
        if (graph) std::tie(losses, metrics) = graph->sums();
        else losses = at::stack(batch_losses), metrics = at::stack(batch_metrics);
        losses = losses.narrow(0, 0, count).clone();
        if (group) {  // every rank's: the mean loss of each step, and the metric over all rows
          metrics = metrics.clone();
          group->sum(losses, "the sum of the epoch's losses");
          losses.div_(group->size());
          group->sum(metrics, "the sum of the epoch's train metric");
        }
        done.first = losses.to(at::kCPU);
        metrics = metrics.to(at::kCPU);
        for (std::int64_t i = 0; i < metrics.numel(); ++i) done.second += metrics.data_ptr<double>()[i];
        for (std::int64_t i = 0; i < count; ++i)
          if (const float l = done.first.data_ptr<float>()[i]; !std::isfinite(l))
            stop_on_non_finite(l, epoch, i, batches, last_good, spec, result.history);
        return done;
      };
      // Interrupted before batch b: the state after the batches before it, in resume.pt.
      auto interrupt = [&](std::int64_t b, int signal) {
        ResumeState st;
        st.epoch = epoch, st.batch = b, st.batches = batches, st.rows = n;
        st.graph_replays = from.graph_replays + (graph ? graph->replays() : 0);
        st.history = result.history;
        st.controls = controls.numbers();
        st.best = controls.best_state();
        st.model = state_dict(*model);
        st.last_good = last_good;
        st.optimizer = optimizer->save_state();
        st.scaler = stepper.scaler_state();
        st.rng_cpu = cpu_gen.get_state();
        st.rng_cpu_epoch = cpu_at_start;
        st.rng_noise_epoch = noise_at_start;
        if (cuda_gen) st.rng_cuda = cuda_gen->get_state();
        std::tie(st.epoch_losses, st.epoch_metric) = done_batches(b);
        st.epoch_seconds = seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (rank0) save_resume_state(st, spec.resume_path);  // every rank's state is rank 0's
        TrainingSummary where;
        where.interrupted_by = signal;
        where.interrupted_epoch = epoch + 1;
        where.interrupted_batch = static_cast<long>(b);
        where.batches_per_epoch = static_cast<long>(batches);
        throw TrainingInterrupted(result.history, where);
      };
      for (std::int64_t b = first; b < batches; ++b) {
        if (const int signal = stop_signal(spec, group.get(), device, b)) interrupt(b, signal);
        const std::int64_t len = std::min(bs, n - b * bs);
        // The schedule's rate (and momentum) for this step; history.csv shows the first batch's.
        const double lr = schedule ? schedule->lr(epoch, static_cast<int>(b)) : opt.lr;
        if (b == 0) rec.lr = lr;
        if (schedule)
          if (const double m = schedule->momentum(epoch, static_cast<int>(b)); !std::isnan(m)) optimizer->set_momentum(m);
        if (graph) {
          graph->step(lr, len);
        } else {
          at::Tensor out;
          const at::Tensor yb = ys.narrow(0, b * bs, len);
          batch_losses.push_back(stepper.step(xs.narrow(0, b * bs, len), yb, lr, out));
          batch_metrics.push_back(metric_sum(out, yb, loss).to(at::kDouble));
        }
        if (on_batch) on_batch(rec.epoch, static_cast<int>(b + 1), static_cast<int>(batches));
      }
      const auto [host, metric_total] = done_batches(batches);  // the train metric over every row the epoch saw
      double total = 0;
      for (std::int64_t i = 0; i < host.numel(); ++i) total += host.data_ptr<float>()[i];
      rec.train_loss = batches ? total / batches : std::numeric_limits<double>::quiet_NaN();
      const std::int64_t seen = (spec.drop_last ? batches * bs : n) * (group ? group->size() : 1);
      rec.train_metric = seen ? metric_total / static_cast<double>(seen) : std::numeric_limits<double>::quiet_NaN();
      rec.val_loss = rec.val_metric = std::numeric_limits<double>::quiet_NaN();
      if (val && val->rows > 0) {
        at::Tensor both = at::zeros({2}, x_val.options().dtype(at::kDouble));
        if (rank0) {
          const at::Tensor logits = stepper.logits(x_val);
          c10::InferenceMode no_autograd;
          const at::Tensor metric = metric_sum(logits, y_val, loss);  // accuracy or MAE once divided
          both = at::stack({loss_fn(logits, y_val).to(at::kDouble), metric.to(at::kDouble)});
        }
        // Rank 0's model (its BatchNorm statistics) is the model: every rank decides on its numbers.
        if (group) group->broadcast(both, "the broadcast of the validation result");
        const at::Tensor h = both.to(at::kCPU);
        rec.val_loss = h.data_ptr<double>()[0];
        rec.val_metric = h.data_ptr<double>()[1] / static_cast<double>(val->rows);
      }
      if (schedule) schedule->end_epoch(rec);  // ReduceLROnPlateau watches the validation
      const bool stop = controls.end_epoch(rec, epoch);
      rec.seconds = seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      result.history.push_back(rec);
      last_good = clone_state(*model);  // every loss of this epoch was finite
      if (on_epoch) on_epoch(rec);
      if (stop) break;
    }
  } catch (const DistributedError& e) {
    throw TrainingStopped(e.what(), result.history);
  }
  const TrainingSummary resumed = result.summary;
  result.summary = controls.finish(static_cast<int>(result.history.size()));
  result.summary.resumed_epoch = resumed.resumed_epoch;
  result.summary.resumed_batch = resumed.resumed_batch;
  if (graph)
    result.summary.graph_replays = from.graph_replays + graph->replays(),
    result.summary.steps = static_cast<long>(result.history.size()) * batches;
  if (rank0 && x_test.size(0) > 0) result.test_outputs = outputs(stepper.logits(x_test), loss);
  if (rank0 && val && x_val.size(0) > 0) result.val_outputs = outputs(stepper.logits(x_val), loss);
  return result;
}

std::vector<double> predict_outputs(torch::nn::Sequential& model, const ModelSpec& spec, const LossSpec& loss,
                                    const Table& rows, const std::string& device_name, int batch_size,
                                    const std::string& precision) {
  const at::Device device(device_name);
  ThreadCount threads(device.is_cpu() ? cpu_threads(spec, batch_size) : at::get_num_threads());
  model->to(device);
  std::unique_ptr<CpuMlpStep> fast;
  if (fast_path(device, CpuStep::fast, spec, loss)) fast = std::make_unique<CpuMlpStep>(model, c10::nullopt);
  const at::Tensor x = features(rows, device);
  if (x.size(0) == 0) return {};
  return outputs(eval_logits(model, fast.get(), device.is_cuda() ? autocast_of(precision) : c10::nullopt, x, Inputs{}), loss);
}

}  // namespace pipeml
