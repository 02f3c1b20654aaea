// Schedulers end to end: `pipe run` applies the planned schedule step by step (one_cycle_lr)
// and feeds reduce_lr_on_plateau each epoch's val_loss; history.csv shows the rates.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "runtime/lr_schedule.h"
#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using pipetest::read_file;
using pipetest::run_pipe;

namespace {

// history.csv's columns by name, row by row.
std::vector<std::vector<std::string>> history_rows(const std::string& csv, std::size_t& lr_col, std::size_t& val_loss_col) {
  std::istringstream in(csv);
  std::string line;
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream l(line);
    std::string cell;
    while (std::getline(l, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  const auto& head = rows.front();
  lr_col = std::find(head.begin(), head.end(), "lr") - head.begin();
  val_loss_col = std::find(head.begin(), head.end(), "val_loss") - head.begin();
  rows.erase(rows.begin());
  return rows;
}

}  // namespace

TEST_CASE("a pipeline with one_cycle_lr trains with torch's rate at every step; history.csv shows each epoch's first", "[scheduler]") {
  const pipetest::TempDir tmp;
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run examples/heart_onecycle.yaml --set train.epochs=6 --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  const auto plan = nlohmann::json::parse(read_file(out + "/plan.json"));
  const auto lr_by_step = plan["lr_by_step"].get<std::vector<double>>();
  const auto beta1 = plan["momentum_by_step"].get<std::vector<double>>();
  REQUIRE(lr_by_step.size() % 6 == 0);
  const int steps = static_cast<int>(lr_by_step.size() / 6);
  CHECK(steps == 10);  // 193 training rows in batches of 20
  // The plan's steps are OneCycleLR's for max_lr 0.01 over 6 epochs of `steps` batches.
  pipeml::SchedulerSpec s;
  s.type = "one_cycle_lr";
  s.max_lr = 0.01;
  const pipeml::OneCycle cycle(s, 6 * steps);
  for (int i = 0; i < 6 * steps; ++i) {
    CHECK(lr_by_step[i] == cycle.lr(i));
    CHECK(beta1[i] == cycle.momentum(i));
  }
  std::size_t lr_col = 0, val_col = 0;
  const auto rows = history_rows(read_file(out + "/history.csv"), lr_col, val_col);
  REQUIRE(rows.size() == 6);
  for (int e = 0; e < 6; ++e) {
    CHECK(rows[e][lr_col] == fmt::format("{:.8g}", cycle.lr(e * steps)));
    CHECK(plan["lr_by_epoch"][e] == cycle.lr(e * steps));
  }
}

TEST_CASE("reduce_lr_on_plateau lowers the rate after each epoch's val_loss as torch's would", "[scheduler]") {
  const pipetest::TempDir tmp;
  const std::string yaml = tmp.path("plateau.yaml");
  std::string text = read_file(std::string(PIPE_SOURCE_DIR) + "/examples/heart_onecycle.yaml");
  text.replace(text.find("../../shared"), 12, PIPE_SHARED_DIR);
  // heart_onecycle.yaml with reduce_lr_on_plateau in place of one_cycle_lr, from a high rate.
  text = text.substr(0, text.find("scheduler:")) +
         "scheduler:\n  op: reduce_lr_on_plateau\n  patience: 1\n  factor: 0.5\n  threshold: 0.01\n\n" +
         text.substr(text.find("train:"));
  text.replace(text.find("op: adamw"), 9, "op: adamw\n  lr: 0.05");
  pipetest::write_file(yaml, text);
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run " + yaml + " --set train.epochs=12 --device cpu --out " + out);
  INFO(text << r.out);
  REQUIRE(r.code == 0);
  std::size_t lr_col = 0, val_col = 0;
  const auto rows = history_rows(read_file(out + "/history.csv"), lr_col, val_col);
  REQUIRE(rows.size() == 12);
  // Replayed on the val_loss column (8 digits: close enough for these comparisons).
  pipeml::SchedulerSpec s;
  s.type = "reduce_lr_on_plateau";
  s.patience = 1;
  s.factor = 0.5;
  s.threshold = 0.01;
  pipeml::Plateau plateau(s, 0.05);
  bool lowered = false;
  for (const auto& row : rows) {
    CHECK(row[lr_col] == fmt::format("{:.8g}", plateau.lr()));
    lowered = lowered || plateau.lr() < 0.05;
    plateau.step(std::stod(row[val_col]));
  }
  CHECK(lowered);  // 12 epochs at a high rate: val_loss stalls at least once
  CHECK(nlohmann::json::parse(read_file(out + "/plan.json"))["lr_depends_on"] == "val_loss");
}
