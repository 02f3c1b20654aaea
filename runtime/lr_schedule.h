// Learning-rate schedules with torch.optim.lr_scheduler's arithmetic (torch 1.13), in plain
// C++: the planner evaluates them for `pipe plan`, the trainer drives them through
// LrSchedule (runtime/train_spec.h). No LibTorch.
//
// The epoch-stepped schedulers are simulated as torch runs them, one parameter group: each
// step computes the next rate from the group's current one with the scheduler's recursive
// ("chainable") get_lr, not from the closed form, because the two round differently
// (StepLR: 0.00064 vs 0.0006400000000000002) and only the recursion equals torch's to the
// bit. SequentialLR is simulated with its construction side effects and its step(0) at each
// milestone (which uses the closed form where the scheduler has one), so its quirks in 1.13
// come out as torch's do.
#pragma once
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "runtime/train_spec.h"

namespace pipeml {

/// One torch scheduler by pipe's op name, with torch's parameter names.
struct SchedulerSpec {
  std::string type;  ///< step_lr, multi_step_lr, exponential_lr, cosine_annealing_lr, linear_lr,
                     ///< one_cycle_lr, reduce_lr_on_plateau, sequential_lr; empty: none
  // step_lr, multi_step_lr, exponential_lr
  std::int64_t step_size = 1;
  double gamma = 0.1;
  std::vector<std::int64_t> milestones;  ///< multi_step_lr; sequential_lr's too
  // cosine_annealing_lr
  std::int64_t t_max = 1;
  double eta_min = 0;
  // linear_lr
  double start_factor = 1.0 / 3, end_factor = 1.0;
  std::int64_t total_iters = 5;
  // one_cycle_lr
  double max_lr = 0;
  std::int64_t total_steps = 0;  ///< 0: epochs x steps per epoch
  double pct_start = 0.3;
  std::string anneal_strategy = "cos";
  bool cycle_momentum = true;
  double base_momentum = 0.85, max_momentum = 0.95;
  double div_factor = 25, final_div_factor = 1e4;
  bool three_phase = false;
  // reduce_lr_on_plateau
  std::string monitor = "val_loss", mode = "min", threshold_mode = "rel";
  double factor = 0.1, threshold = 1e-4, min_lr = 0, eps = 1e-8;
  std::int64_t patience = 10, cooldown = 0;
  // sequential_lr
  std::vector<SchedulerSpec> schedulers;

  bool empty() const { return type.empty(); }
  bool per_step() const { return type == "one_cycle_lr"; }
  bool on_plateau() const { return type == "reduce_lr_on_plateau"; }
};

/// The rate of each epoch (0-based) for a scheduler stepped once per epoch, as torch gives
/// it: opt.param_groups[0]['lr'] before each epoch, scheduler.step() after it.
std::vector<double> epoch_lrs(const SchedulerSpec& spec, double lr, int epochs);

/// torch's OneCycleLR, stepped once per batch: the rate and momentum (beta1 for Adam and
/// AdamW, momentum for SGD) of step `step` (0-based, at most total_steps).
class OneCycle {
 public:
  OneCycle(const SchedulerSpec& spec, std::int64_t total_steps);
  double lr(std::int64_t step) const { return at(step, false); }
  double momentum(std::int64_t step) const { return at(step, true); }
  std::int64_t total_steps() const { return total_steps_; }
  /// A phase of no steps makes torch divide 0 by 0 (ZeroDivisionError): its number (1-based), else 0.
  int empty_phase() const;

 private:
  struct Phase {
    double end_step;
    double start_lr, end_lr, start_momentum, end_momentum;
  };
  double at(std::int64_t step, bool momentum) const;
  std::vector<Phase> phases_;
  std::int64_t total_steps_;
  bool cos_;
};

/// torch's ReduceLROnPlateau: fed the monitored value after each epoch, it lowers the rate
/// by `factor` after more than `patience` epochs without improvement.
class Plateau {
 public:
  Plateau(const SchedulerSpec& spec, double lr);
  /// scheduler.step(metric): returns the rate for the next epoch.
  double step(double metric);
  double lr() const { return lr_; }

 private:
  bool is_better(double a, double best) const;
  SchedulerSpec spec_;
  double lr_;
  double best_;
  std::int64_t bad_epochs_ = 0, cooldown_counter_ = 0;
};

/// The schedule the trainer drives for `spec` (null when there is none): per epoch from
/// epoch_lrs, per batch for one_cycle_lr, and ReduceLROnPlateau fed the record's monitored
/// value after each epoch.
std::shared_ptr<LrSchedule> make_schedule(const SchedulerSpec& spec, double lr, int epochs, int steps_per_epoch);

}  // namespace pipeml
