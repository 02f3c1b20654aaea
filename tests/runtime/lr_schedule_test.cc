// The schedulers' rates against torch 1.13's over 200 epochs (one_cycle_lr: every step, its
// momentum too; reduce_lr_on_plateau: fed a fixed sequence of values), on fixtures from
// tests/fixtures/make_scheduler_fixtures.py. The issue asks for 1e-9 relative; the
// recursive forms give torch's values to the bit, which is what is checked.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "runtime/lr_schedule.h"

using namespace pipeml;
using nlohmann::json;

namespace {

json fixture() {
  std::ifstream in(std::string(PIPE_TEST_DIR) + "/fixtures/scheduler_cases.json");
  REQUIRE(in);
  return json::parse(in);
}

SchedulerSpec spec_of(const json& j) {
  SchedulerSpec s;
  s.type = j["type"];
  if (j.contains("step_size")) s.step_size = j["step_size"];
  if (j.contains("gamma")) s.gamma = j["gamma"];
  if (j.contains("milestones")) s.milestones = j["milestones"].get<std::vector<std::int64_t>>();
  if (j.contains("T_max")) s.t_max = j["T_max"];
  if (j.contains("eta_min")) s.eta_min = j["eta_min"];
  if (j.contains("start_factor")) s.start_factor = j["start_factor"];
  if (j.contains("end_factor")) s.end_factor = j["end_factor"];
  if (j.contains("total_iters")) s.total_iters = j["total_iters"];
  if (j.contains("schedulers"))
    for (const auto& c : j["schedulers"]) s.schedulers.push_back(spec_of(c));
  return s;
}

// Every value equal to the bit; on failure, the first epoch that differs and by how much.
void check_same(const std::vector<double>& ours, const std::vector<double>& torch) {
  REQUIRE(ours.size() == torch.size());
  for (std::size_t i = 0; i < ours.size(); ++i) {
    INFO("at " << i << ": " << ours[i] << " vs torch's " << torch[i]);
    REQUIRE(std::abs(ours[i] - torch[i]) <= 1e-9 * std::abs(torch[i]));
    CHECK(ours[i] == torch[i]);
  }
}

}  // namespace

TEST_CASE("the epoch schedulers and sequential_lr give torch's rates over 200 epochs", "[scheduler]") {
  const json f = fixture();
  REQUIRE(f["epoch_schedulers"].size() >= 16);
  for (const auto& c : f["epoch_schedulers"]) {
    INFO(c["scheduler"].dump());
    check_same(epoch_lrs(spec_of(c["scheduler"]), c["lr"], f["epochs"]), c["lrs"].get<std::vector<double>>());
  }
}

TEST_CASE("one_cycle_lr gives torch's OneCycleLR rate and beta1 at every step", "[scheduler]") {
  const json f = fixture();
  for (const auto& c : f["one_cycle"]) {
    const json& p = c["params"];
    INFO(p.dump());
    SchedulerSpec s;
    s.type = "one_cycle_lr";
    s.max_lr = p["max_lr"];
    s.total_steps = p.value("total_steps", 0);
    s.pct_start = p.value("pct_start", 0.3);
    s.anneal_strategy = p.value("anneal_strategy", "cos");
    s.three_phase = p.value("three_phase", false);
    s.div_factor = p.value("div_factor", 25.0);
    s.final_div_factor = p.value("final_div_factor", 1e4);
    s.base_momentum = p.value("base_momentum", 0.85);
    s.max_momentum = p.value("max_momentum", 0.95);
    const int epochs = f["epochs"], steps = p["steps_per_epoch"];
    const auto schedule = make_schedule(s, 1e-3, epochs, steps);
    std::vector<double> lrs, betas;
    for (int e = 0; e < epochs; ++e)
      for (int b = 0; b < steps; ++b) lrs.push_back(schedule->lr(e, b)), betas.push_back(schedule->momentum(e, b));
    check_same(lrs, c["lrs"].get<std::vector<double>>());
    check_same(betas, c["beta1"].get<std::vector<double>>());
  }
}

TEST_CASE("reduce_lr_on_plateau follows torch's ReduceLROnPlateau on a fixed sequence of values", "[scheduler]") {
  const json f = fixture();
  for (const auto& c : f["plateau"]) {
    const json& p = c["params"];
    INFO(p.dump());
    SchedulerSpec s;
    s.type = "reduce_lr_on_plateau";
    s.mode = p.value("mode", "min");
    s.factor = p.value("factor", 0.1);
    s.patience = p.value("patience", 10);
    s.threshold = p.value("threshold", 1e-4);
    s.threshold_mode = p.value("threshold_mode", "rel");
    s.cooldown = p.value("cooldown", 0);
    s.min_lr = p.value("min_lr", 0.0);
    s.eps = p.value("eps", 1e-8);
    Plateau plateau(s, c["lr"]);
    std::vector<double> lrs;
    for (double v : c["metrics"].get<std::vector<double>>()) lrs.push_back(plateau.lr()), plateau.step(v);
    check_same(lrs, c["lrs"].get<std::vector<double>>());
    // The schedule the trainer drives reads the monitored value off each epoch's record.
    s.monitor = "val_metric";  // anything but val_loss: the record's val_metric
    const auto schedule = make_schedule(s, c["lr"], f["epochs"], 0);
    std::vector<double> driven;
    int e = 0;
    for (double v : c["metrics"].get<std::vector<double>>()) {
      driven.push_back(schedule->lr(e++, 0));
      EpochRecord r;
      r.val_metric = v;
      schedule->end_epoch(r);
    }
    CHECK(driven == lrs);
  }
}
