// Training controls end to end: early stopping stops the run (history.csv shorter than the
// epochs, the best epoch marked), best.pt is the restored model, metrics.json records the
// stop, the best epoch and every random stage's seed; and the same pipeline and seed run
// twice on the CPU give the same metrics and predictions, byte for byte.
#include <algorithm>
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using pipetest::read_file;
using pipetest::run_pipe;

namespace {

std::vector<std::vector<std::string>> csv_rows(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::istringstream l(line);
    std::string cell;
    while (std::getline(l, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    rows.push_back(cells);
  }
  return rows;
}

// history.csv without its seconds column (the one thing that differs between runs).
std::string without_seconds(const std::string& csv) {
  std::string out;
  const auto rows = csv_rows(csv);
  const auto& head = rows.front();
  const std::size_t seconds = std::find(head.begin(), head.end(), "seconds") - head.begin();
  REQUIRE(seconds < head.size());
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i)
      if (i != seconds) out += row[i] + ",";
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("early stopping stops the run, marks the best epoch and ends with best.pt's weights", "[controls]") {
  const pipetest::TempDir tmp;
  const std::string out = tmp.path("run");
  const auto r = run_pipe("run examples/heart_early_stopping.yaml --device cpu --set optimizer.lr=0.03 --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("early stopping: stopped after epoch ") != std::string::npos);
  const auto rows = csv_rows(read_file(out + "/history.csv"));
  REQUIRE(rows.front().back() == "best");
  const std::size_t epochs = rows.size() - 1;
  CHECK(epochs < 200);
  const auto m = nlohmann::json::parse(read_file(out + "/metrics.json"));
  const auto& es = m["training"]["early_stopping"];
  CHECK(es["stopped_early"] == true);
  CHECK(es["stopped_epoch"] == epochs);
  CHECK(m["training"]["epochs_run"] == epochs);
  const int best = es["best_epoch"];
  CHECK(es["restored_best_weights"] == true);
  CHECK(epochs == static_cast<std::size_t>(best + 15));  // patience 15 after the best epoch
  for (std::size_t e = 1; e <= epochs; ++e) CHECK((rows[e].back() == "1") == (static_cast<int>(e) == best));
  CHECK(m["training"]["checkpoints"]["best"]["epoch"] == best);
  CHECK(m["training"]["checkpoints"]["last"]["epoch"] == epochs);
  // The seeds of every random stage: split and smote from the pipeline, and training's.
  CHECK(m["seeds"]["split"]["seed"] == 7);
  CHECK(m["seeds"]["smote"]["seed"] == 7);
  CHECK(m["seeds"]["train"]["seed"] == 7);
  // model.pt is the restored model: the same bytes of tensors as best.pt (loaded in a test of
  // tests/exec; here the files are compared whole, both written by the same writer).
  CHECK(read_file(out + "/model.pt") == read_file(out + "/best.pt"));
  CHECK(read_file(out + "/model.pt") != read_file(out + "/last.pt"));
}

TEST_CASE("the same pipeline and seed on the CPU give the same metrics, predictions and history, byte for byte", "[controls]") {
  const pipetest::TempDir tmp;
  std::vector<std::string> metrics, predictions, histories;
  for (const char* name : {"a", "b"}) {
    const std::string out = tmp.path(name);
    const auto r = run_pipe("run pipelines/heart.yaml --device cpu --set train.epochs=8 --out " + out);
    INFO(r.out);
    REQUIRE(r.code == 0);
    auto m = nlohmann::json::parse(read_file(out + "/metrics.json"));
    CHECK(m["seeds"].size() >= 3);
    metrics.push_back(m["test"].dump());
    predictions.push_back(read_file(out + "/predictions.csv"));
    histories.push_back(without_seconds(read_file(out + "/history.csv")));
  }
  CHECK(metrics[0] == metrics[1]);
  CHECK(predictions[0] == predictions[1]);
  CHECK(histories[0] == histories[1]);
}
