#include "runtime/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

namespace pipeml {
namespace {

constexpr double kPi = 3.141592653589793;  // math.pi

// The optimizer's one parameter group as the schedulers see it.
struct Group {
  double lr = 0;
  std::optional<double> initial_lr;  // set by the first scheduler made on the optimizer
};

// torch.optim.lr_scheduler._LRScheduler, one group, for the schedulers stepped per epoch.
class Scheduler {
 public:
  Scheduler(const SchedulerSpec& spec, Group& group) : s_(spec), g_(group) {
    if (!g_.initial_lr) g_.initial_lr = g_.lr;  // group.setdefault('initial_lr', group['lr'])
    base_lr_ = *g_.initial_lr;
    initial_step();
  }
  void initial_step() {
    step_count_ = 0;
    step();
  }
  // step(): last_epoch + 1 and the recursive form; step(epoch): the closed form at `epoch`
  // (every scheduler here has one).
  void step(std::optional<std::int64_t> epoch = std::nullopt) {
    ++step_count_;
    if (epoch) {
      last_epoch_ = *epoch;
      g_.lr = closed_form();
    } else {
      ++last_epoch_;
      g_.lr = get_lr();
    }
  }
  std::int64_t last_epoch_ = -1;

 private:
  // Each line is torch 1.13's get_lr / _get_closed_form_lr with its operations in its order.
  double get_lr() const {
    const double lr = g_.lr;
    const std::int64_t e = last_epoch_;
    const std::string& t = s_.type;
    if (t == "step_lr") return (e == 0 || e % s_.step_size != 0) ? lr : lr * s_.gamma;
    if (t == "multi_step_lr") {
      const auto n = std::count(s_.milestones.begin(), s_.milestones.end(), e);
      return n == 0 ? lr : lr * std::pow(s_.gamma, static_cast<double>(n));
    }
    if (t == "exponential_lr") return e == 0 ? lr : lr * s_.gamma;
    if (t == "cosine_annealing_lr") {
      const double tmax = static_cast<double>(s_.t_max);
      if (e == 0) return lr;
      if (step_count_ == 1 && e > 0)
        return s_.eta_min + (base_lr_ - s_.eta_min) * (1 + std::cos(static_cast<double>(e) * kPi / tmax)) / 2;
      if ((e - 1 - s_.t_max) % (2 * s_.t_max) == 0)
        return lr + (base_lr_ - s_.eta_min) * (1 - std::cos(kPi / tmax)) / 2;
      return (1 + std::cos(kPi * static_cast<double>(e) / tmax)) / (1 + std::cos(kPi * static_cast<double>(e - 1) / tmax)) *
                 (lr - s_.eta_min) +
             s_.eta_min;
    }
    if (t == "linear_lr") {
      const double d = s_.end_factor - s_.start_factor;
      if (e == 0) return lr * s_.start_factor;
      if (e > s_.total_iters) return lr;
      return lr * (1. + d / (static_cast<double>(s_.total_iters) * s_.start_factor + static_cast<double>(e - 1) * d));
    }
    throw std::logic_error("no epoch schedule for '" + t + "'");
  }
  double closed_form() const {
    const std::int64_t e = last_epoch_;
    const std::string& t = s_.type;
    if (t == "step_lr") return base_lr_ * std::pow(s_.gamma, static_cast<double>(floor_div(e, s_.step_size)));
    if (t == "multi_step_lr") {
      std::vector<std::int64_t> m = s_.milestones;
      std::sort(m.begin(), m.end());
      return base_lr_ * std::pow(s_.gamma, static_cast<double>(std::upper_bound(m.begin(), m.end(), e) - m.begin()));
    }
    if (t == "exponential_lr") return base_lr_ * std::pow(s_.gamma, static_cast<double>(e));
    if (t == "cosine_annealing_lr")
      return s_.eta_min + (base_lr_ - s_.eta_min) * (1 + std::cos(kPi * static_cast<double>(e) / static_cast<double>(s_.t_max))) / 2;
    if (t == "linear_lr")
      return base_lr_ * (s_.start_factor + (s_.end_factor - s_.start_factor) *
                                               static_cast<double>(std::min(s_.total_iters, e)) / static_cast<double>(s_.total_iters));
    throw std::logic_error("no epoch schedule for '" + t + "'");
  }
  static std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

  const SchedulerSpec& s_;
  Group& g_;
  double base_lr_ = 0;
  std::int64_t step_count_ = 0;
};

// torch.optim.lr_scheduler.SequentialLR (1.13), made after its schedulers as a user makes it:
// each scheduler's constructor has already stepped it once and changed the group's rate
// (LinearLR multiplies it by start_factor, and the next constructor starts from that). The
// sequence then puts the rate back to initial_lr, takes one step back from every scheduler
// and steps the first one again. At a milestone the next scheduler is stepped with step(0),
// its closed form at epoch 0, so it starts from the base rate whatever the one before left
// (1.13's behaviour; later versions changed the details, not for these schedulers).
class Sequential {
 public:
  Sequential(const SchedulerSpec& spec, Group& group) : milestones_(spec.milestones), g_(group) {
    for (const auto& child : spec.schedulers) children_.push_back(std::make_unique<Scheduler>(child, g_));
    g_.lr = *g_.initial_lr;
    for (auto& c : children_) c->last_epoch_ -= 1;
    children_.front()->initial_step();
  }
  void step() {
    ++last_epoch_;
    const std::size_t idx = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
    Scheduler& s = *children_[idx];
    if (idx > 0 && milestones_[idx - 1] == last_epoch_) s.step(0);
    else s.step();
  }

 private:
  std::vector<std::int64_t> milestones_;
  Group& g_;
  std::vector<std::unique_ptr<Scheduler>> children_;
  std::int64_t last_epoch_ = 0;
};

class EpochSchedule : public LrSchedule {
 public:
  explicit EpochSchedule(std::vector<double> lrs) : lrs_(std::move(lrs)) {}
  double lr(int epoch, int) override { return lrs_.at(static_cast<std::size_t>(epoch)); }

 private:
  std::vector<double> lrs_;
};

class OneCycleSchedule : public LrSchedule {
 public:
  OneCycleSchedule(const SchedulerSpec& spec, std::int64_t total_steps, int steps_per_epoch)
      : cycle_(spec, total_steps), steps_(steps_per_epoch), momentum_(spec.cycle_momentum) {}
  double lr(int epoch, int step) override { return cycle_.lr(index(epoch, step)); }
  double momentum(int epoch, int step) override { return momentum_ ? cycle_.momentum(index(epoch, step)) : std::nan(""); }
  int steps_per_epoch() const override { return steps_; }

 private:
  std::int64_t index(int epoch, int step) const { return static_cast<std::int64_t>(epoch) * steps_ + step; }
  OneCycle cycle_;
  int steps_;
  bool momentum_;
};

class PlateauSchedule : public LrSchedule {
 public:
  PlateauSchedule(const SchedulerSpec& spec, double lr) : plateau_(spec, lr), loss_(spec.monitor == "val_loss") {}
  double lr(int, int) override { return plateau_.lr(); }
  void end_epoch(const EpochRecord& r) override { plateau_.step(loss_ ? r.val_loss : r.val_metric); }

 private:
  Plateau plateau_;
  bool loss_;
};

}  // namespace

std::vector<double> epoch_lrs(const SchedulerSpec& spec, double lr, int epochs) {
  std::vector<double> out;
  Group group{lr, std::nullopt};
  if (spec.type == "sequential_lr") {
    Sequential s(spec, group);
    for (int e = 0; e < epochs; ++e) out.push_back(group.lr), s.step();
  } else {
    Scheduler s(spec, group);
    for (int e = 0; e < epochs; ++e) out.push_back(group.lr), s.step();
  }
  return out;
}

OneCycle::OneCycle(const SchedulerSpec& s, std::int64_t total_steps)
    : total_steps_(total_steps), cos_(s.anneal_strategy == "cos") {
  const double initial = s.max_lr / s.div_factor, min_lr = initial / s.final_div_factor;
  const double total = static_cast<double>(total_steps);
  if (s.three_phase)
    phases_ = {{s.pct_start * total - 1, initial, s.max_lr, s.max_momentum, s.base_momentum},
               {2 * s.pct_start * total - 2, s.max_lr, initial, s.base_momentum, s.max_momentum},
               {total - 1, initial, min_lr, s.max_momentum, s.max_momentum}};
  else
    phases_ = {{s.pct_start * total - 1, initial, s.max_lr, s.max_momentum, s.base_momentum},
               {total - 1, s.max_lr, min_lr, s.base_momentum, s.max_momentum}};
}

int OneCycle::empty_phase() const {
  double start = 0;
  for (std::size_t i = 0; i < phases_.size(); ++i) {
    if (phases_[i].end_step == start) return static_cast<int>(i + 1);
    start = phases_[i].end_step;
  }
  return 0;
}

double OneCycle::at(std::int64_t step, bool momentum) const {
  // OneCycleLR.get_lr: the phase the step is in, and how far along it.
  const double n = static_cast<double>(step);
  double start = 0;
  for (std::size_t i = 0; i < phases_.size(); ++i) {
    const Phase& p = phases_[i];
    if (n <= p.end_step || i + 1 == phases_.size()) {
      const double pct = (n - start) / (p.end_step - start);
      const double a = momentum ? p.start_momentum : p.start_lr, b = momentum ? p.end_momentum : p.end_lr;
      if (cos_) return b + (a - b) / 2.0 * (std::cos(kPi * pct) + 1);  // _annealing_cos
      return (b - a) * pct + a;                                         // _annealing_linear
    }
    start = p.end_step;
  }
  return 0;
}

Plateau::Plateau(const SchedulerSpec& spec, double lr)
    : spec_(spec), lr_(lr), best_(spec.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity()) {}

bool Plateau::is_better(double a, double best) const {
  if (spec_.mode == "min" && spec_.threshold_mode == "rel") return a < best * (1. - spec_.threshold);
  if (spec_.mode == "min") return a < best - spec_.threshold;
  if (spec_.threshold_mode == "rel") return a > best * (spec_.threshold + 1.);
  return a > best + spec_.threshold;
}

double Plateau::step(double metric) {
  // ReduceLROnPlateau.step; a NaN metric is never better, as in Python.
  if (is_better(metric, best_)) {
    best_ = metric;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    bad_epochs_ = 0;
  }
  if (bad_epochs_ > spec_.patience) {
    const double new_lr = std::max(lr_ * spec_.factor, spec_.min_lr);
    if (lr_ - new_lr > spec_.eps) lr_ = new_lr;
    cooldown_counter_ = spec_.cooldown;
    bad_epochs_ = 0;
  }
  return lr_;
}

std::shared_ptr<LrSchedule> make_schedule(const SchedulerSpec& spec, double lr, int epochs, int steps_per_epoch) {
  if (spec.empty()) return nullptr;
  if (spec.on_plateau()) return std::make_shared<PlateauSchedule>(spec, lr);
  if (spec.per_step())
    return std::make_shared<OneCycleSchedule>(
        spec, spec.total_steps > 0 ? spec.total_steps : static_cast<std::int64_t>(epochs) * steps_per_epoch, steps_per_epoch);
  return std::make_shared<EpochSchedule>(epoch_lrs(spec, lr, epochs));
}

}  // namespace pipeml
