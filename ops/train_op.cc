// op train: the training loop's settings and its controls (early stopping, checkpoints,
// gradient clipping, weight penalties, mixed precision). The loop itself is
// runtime/exec/trainer.cc.
#include <fmt/format.h>

#include <cmath>

#include "ops/monitor.h"
#include "runtime/fused_layers.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

std::string number_text(double v) { return fmt::format("{}", v); }

// A group's `monitor` and `mode`, checked; the monitor's place for errors is the option when
// written, else the group itself.
bool plan_monitor(const dsl::Stage& g, const std::string& who, std::string& monitor, std::string& mode, PlanState& st) {
  monitor = g.string("monitor");
  const dsl::Param& m = g.param("monitor");
  if (!check_monitor(monitor, who, m.is_default ? g.op_loc : m.loc, st)) return false;
  mode = resolve_mode(g.string("mode"), monitor);
  if (g.string("mode") != "auto") note_unusual_mode(mode, monitor, st);
  return true;
}

void plan_controls(const dsl::Stage& s, PlanState& st) {
  TrainSpec& t = st.plan.train;
  if (const dsl::Stage* g = s.group("early_stopping")) {
    EarlyStoppingSpec& e = t.early_stopping;
    e.on = true;
    e.patience = static_cast<int>(g->integer("patience"));
    e.min_delta = g->number("min_delta");
    e.restore_best_weights = g->boolean("restore_best_weights");
    if (plan_monitor(*g, "'early_stopping'", e.monitor, e.mode, st)) {
      std::string rule = fmt::format("early stopping: stops when {} has not {} by more than {} for {} epoch{}", e.monitor,
                                     e.mode == "min" ? "fallen" : "risen", number_text(e.min_delta), e.patience,
                                     e.patience == 1 ? "" : "s");
      rule += e.restore_best_weights ? "; restores the best epoch's weights (the test metrics are theirs)"
                                     : "; keeps the last epoch's weights";
      st.step.notes.push_back(rule);
      if (e.patience >= t.epochs)
        st.step.notes.push_back(fmt::format("early stopping's patience {} is not below the {} epochs: it cannot stop early",
                                            e.patience, t.epochs));
    }
  }
  if (const dsl::Stage* g = s.group("checkpoints")) {
    CheckpointSpec& c = t.checkpoints;
    c.best = g->boolean("best");
    c.last = g->boolean("last");
    if (c.best && plan_monitor(*g, "the 'best' checkpoint", c.monitor, c.mode, st))
      st.step.notes.push_back(fmt::format("checkpoints: best.pt when {} reaches a new {}{}", c.monitor,
                                          c.mode == "min" ? "low" : "high", c.last ? ", last.pt after every epoch" : ""));
    else if (c.last)
      st.step.notes.push_back("checkpoints: last.pt after every epoch");
  }
  const dsl::Param& norm = s.param("clip_grad_norm");
  const dsl::Param& value = s.param("clip_grad_value");
  if (norm.value.is_set()) t.clip_grad_norm = norm.value.as_number();
  if (value.value.is_set()) t.clip_grad_value = value.value.as_number();
  if (norm.value.is_set() && value.value.is_set())
    st.diags.error(value.loc, "give one of 'clip_grad_norm' and 'clip_grad_value', not both",
                   fmt::format("clip_grad_norm is set on line {}", norm.loc.line));
  t.l1 = s.number("l1");
  t.l2 = s.number("l2");
  if (t.l1 > 0 || t.l2 > 0)
    st.step.notes.push_back("the penalties are added to the training loss (train_loss includes them, val_loss does not) "
                            "over the weight matrices, not biases or BatchNorm");
  t.precision = s.string("precision");
  if (t.precision != "32") {
    const dsl::Param& p = s.param("precision");
    const std::string& device = st.plan.pipeline.device;
    if (device == "cpu")
      st.diags.error(p.loc, "mixed precision '" + t.precision + "' runs on CUDA only, and this run's device is 'cpu'",
                     "use 'precision: 32' on the CPU, or 'device: cuda'");
    else if (device == "auto")
      st.step.notes.push_back("mixed precision runs on CUDA only: with device auto, a machine without a GPU stops with an error");
    if (t.precision == "16-mixed") st.step.notes.push_back("16-mixed scales the loss (GradScaler: 65536, x2 every 2000 steps, /2 on inf)");
  }
  t.channels_last = s.boolean("channels_last");
  t.cuda_graph = s.string("cuda_graph");
  t.fused_kernels = s.boolean("fused_kernels");
  const std::string obstacle = graph_obstacle(t, st.plan.optimizer.type, false);
  if (t.cuda_graph == "on" && !obstacle.empty())
    st.diags.error(s.param("cuda_graph").loc, "'cuda_graph: on' cannot capture this step: " + obstacle,
                   "use 'cuda_graph: auto' to fall back to eager steps");
  if (!st.data.image_shape.empty() && st.plan.pipeline.device != "cpu")
    st.step.notes.push_back(t.cuda_graph == "off" ? "on CUDA: eager steps (cuda_graph: off)"
                            : obstacle.empty()    ? "on CUDA: the step (batch, transforms, forward, backward, adam) is captured "
                                                    "once in a CUDA graph and replayed"
                                                  : "on CUDA: eager steps, not a CUDA graph: " + obstacle);
  if (!st.data.image_shape.empty() && st.plan.pipeline.device != "cpu" && t.fused_kernels) {
    const std::vector<std::string> parts =
        fused_step_parts(st.plan, obstacle.empty() && t.cuda_graph != "off");
    std::string note = "on CUDA, pipe's kernels (fused_kernels) run ";
    for (std::size_t i = 0; i < parts.size(); ++i) note += (i ? "; " : "") + parts[i];
    if (!parts.empty()) st.step.notes.push_back(note);
  }
}

void plan(const dsl::Stage& s, PlanState& st) {
  TrainSpec& t = st.plan.train;
  t.epochs = static_cast<int>(s.integer("epochs"));
  t.batch_size = static_cast<int>(s.integer("batch_size"));
  t.shuffle = s.boolean("shuffle");
  t.drop_last = s.boolean("drop_last");
  t.seed = static_cast<std::uint64_t>(use_seed(s, st.plan));
  t.sync_batch_norm = s.boolean("sync_batch_norm");
  const PartInfo* train = st.data.part("train");
  plan_controls(s, st);
  if (train == nullptr) return;
  // Data-parallel, each process steps through its own share of the rows (DistributedSampler).
  const DistSpec& dist = t.dist;
  const std::size_t all_rows = train->rows, rows = dist.rows_per_rank(all_rows);
  const std::string whose = dist.active() ? " per process" : "";
  const std::size_t batches = t.drop_last ? rows / t.batch_size : (rows + t.batch_size - 1) / t.batch_size;
  if (batches == 0) {
    st.diags.error(s.param("batch_size").loc,
                   fmt::format("'batch_size' {} is larger than the {} training rows{} with drop_last", t.batch_size, rows, whose));
    return;
  }
  // BatchNorm cannot normalise a batch of one row in training mode; PyTorch raises.
  if (st.plan.model.batch_norm() && !t.drop_last && rows % t.batch_size == 1)
    st.diags.error(s.param("batch_size").loc,
                   fmt::format("the last batch of each epoch has 1 row ({} rows{}, batch_size {}), which BatchNorm cannot train on",
                               rows, whose, t.batch_size),
                   "change batch_size or set 'drop_last: true'");
  if (!dist.active()) {
    st.step.notes.insert(st.step.notes.begin(), fmt::format("{} batches per epoch of {} training rows", batches, rows));
  } else {
    // A scaling rule of the learning rate with the effective batch, only when asked for.
    const std::string rule = s.string("lr_scaling");
    if (rule != "none") {
      const double factor = rule == "linear" ? dist.world_size : std::sqrt(static_cast<double>(dist.world_size));
      const double before = st.plan.optimizer.lr;
      st.plan.optimizer.lr *= factor;
      st.step.notes.insert(st.step.notes.begin(),
                           fmt::format("lr_scaling {}: the optimizer's lr {:g} x {:g} = {:g} for the effective batch of {}",
                                       rule, before, factor, st.plan.optimizer.lr, t.batch_size * dist.world_size));
    }
    const std::size_t padded = rows * static_cast<std::size_t>(dist.world_size) - all_rows;
    st.step.notes.insert(
        st.step.notes.begin(),
        {fmt::format("data-parallel over {} processes: each trains on {} of the {} training rows per epoch{} and takes {} "
                     "batches of {} (an effective batch of {}); gradients are averaged by an all-reduce after every backward",
                     dist.world_size, rows, all_rows,
                     padded ? fmt::format(" (the shuffled order padded with its first {} to a multiple of {}, as "
                                          "DistributedSampler pads)", padded, dist.world_size)
                            : "",
                     batches, t.batch_size, t.batch_size * dist.world_size),
         std::string(rule == "none" ? "learning rate as given, not scaled with the world size (lr_scaling: none)"
                                    : "learning rate scaled as the note above says") +
             (!st.plan.model.batch_norm() ? ""
              : t.sync_batch_norm         ? "; BatchNorm statistics over all processes' batches together (SyncBatchNorm: "
                                            "two all-reduces per BatchNorm layer and step)"
                                          : "; BatchNorm statistics per process, as DDP without SyncBatchNorm (rank 0's "
                                            "running statistics are the model's)") +
             "; rank 0 validates, tests and writes the artifacts"});
  }
  // What a per-batch schedule (one_cycle_lr) is planned with, fold by fold.
  const std::size_t fold = st.fold.value_or(0);
  if (st.plan.steps_per_epoch.size() <= fold) st.plan.steps_per_epoch.resize(fold + 1, 0);
  st.plan.steps_per_epoch[fold] = static_cast<int>(batches);
}

const char* kMonitorDoc = "the validation value watched: val_loss, val_accuracy (classifier) or val_mae (regression)";
const char* kModeDoc = "min: lower is better; max: higher is better; auto: max for val_accuracy, else min";

}  // namespace

const OpDef& train_op() {
  static const OpDef op{
      {"train",
       dsl::OpKind::kTrain,
       "mini-batch training of the model on the training part",
       {
           ParamSpec::integer("epochs", 10).min(1).doc("passes over the training part"),
           ParamSpec::integer("batch_size", 32).min(1).doc("rows per optimizer step"),
           ParamSpec::boolean("shuffle", true).doc("a new order of the training rows every epoch"),
           ParamSpec::boolean("drop_last", false).doc("skip the last batch when it is smaller than batch_size"),
           ParamSpec::integer("seed").min(0).optional("pipeline seed").doc("seeds the weights, dropout and the shuffling"),
           ParamSpec::group(
               "early_stopping",
               {
                   ParamSpec::string("monitor", "val_loss").doc(kMonitorDoc),
                   ParamSpec::enumeration("mode", {"auto", "min", "max"}, "auto").doc(kModeDoc),
                   ParamSpec::integer("patience", 10).min(0).doc("epochs in a row without improvement before training stops"),
                   ParamSpec::number("min_delta", 0.0).min(0).doc("an improvement must beat the best value by more than this"),
                   ParamSpec::boolean("restore_best_weights", true)
                       .doc("end with the best epoch's weights (the test metrics and model.pt are theirs)"),
               })
               .doc("stop when a validation value stops improving (Keras's EarlyStopping); needs a validation part"),
           ParamSpec::group(
               "checkpoints",
               {
                   ParamSpec::boolean("best", true).doc("best.pt: the weights of the best epoch by `monitor`"),
                   ParamSpec::boolean("last", true).doc("last.pt: the weights after the last epoch trained"),
                   ParamSpec::string("monitor", "val_loss").doc(kMonitorDoc),
                   ParamSpec::enumeration("mode", {"auto", "min", "max"}, "auto").doc(kModeDoc),
               })
               .doc("state dicts written into the run directory while training (best.pt, last.pt)"),
           ParamSpec::number("clip_grad_norm").min(0, true).optional("off")
               .doc("torch.nn.utils.clip_grad_norm_: scale the gradients to a total 2-norm of at most this"),
           ParamSpec::number("clip_grad_value").min(0, true).optional("off")
               .doc("torch.nn.utils.clip_grad_value_: clamp every gradient to [-value, value]"),
           ParamSpec::number("l1", 0.0).min(0).doc("adds l1 * sum(|w|) over the weight matrices to the training loss"),
           ParamSpec::number("l2", 0.0).min(0).doc("adds l2 * sum(w^2) over the weight matrices to the training loss"),
           ParamSpec::enumeration("precision", {"32", "bf16-mixed", "16-mixed"}, "32")
               .doc("32: float32; bf16-mixed / 16-mixed: autocast on CUDA (16-mixed with a gradient scaler)"),
           ParamSpec::boolean("channels_last", false)
               .doc("CUDA, image models: weights and batches in channels-last memory format (faster convolutions)"),
           ParamSpec::boolean("sync_batch_norm", false)
               .doc("data-parallel: BatchNorm statistics over every process's batch together (torch.nn.SyncBatchNorm); "
                    "false: each process's own, as DDP"),
           ParamSpec::enumeration("lr_scaling", {"none", "linear", "sqrt"}, "none")
               .doc("data-parallel: multiply the optimizer's lr by the number of processes (linear, Goyal et al.) or "
                    "its square root; none: as written"),
           ParamSpec::boolean("fused_kernels", true)
               .doc("CUDA, image models: pipe's own kernels for the augmentation, a first 3x3 convolution and each "
                    "Conv2d-BatchNorm2d-ReLU-MaxPool2d(2) block in channels-last, and a graphed step's adam(w) update "
                    "(torch's fused=True formula) (false: ATen's and cuDNN's)"),
           ParamSpec::enumeration("cuda_graph", {"auto", "on", "off"}, "auto")
               .doc("CUDA: replay the training step as a CUDA graph (auto: when the step allows it: adam or adamw, no "
                    "clipping, penalties or 16-mixed)"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
