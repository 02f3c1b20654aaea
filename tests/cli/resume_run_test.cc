// SIGINT or SIGTERM in the middle of `pipe run` saves training's state in resume.pt and
// exits 128 + the signal; `pipe run --resume DIR` then ends with exactly the uninterrupted
// run's model, history, predictions and metrics (CPU). Real signals, sent to the real
// binary when its output shows it is training.
#include <catch2/catch.hpp>

#include <csignal>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using pipetest::entries;
using pipetest::read_file;
using pipetest::run_pipe;
using pipetest::run_pipe_interrupted;

namespace {

// history.csv without its seventh column, the seconds (the epochs' times differ from run to run).
std::string history_without_seconds(const std::string& path) {
  std::string out, text = read_file(path);
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = text.find('\n', at);
    std::string line = text.substr(at, end - at);
    std::size_t field = 0;
    for (int comma = 0; comma < 6 && field != std::string::npos; ++comma) field = line.find(',', field + 1);
    const std::size_t next = line.find(',', field + 1);
    out += line.substr(0, field) + (next == std::string::npos ? "" : line.substr(next)) + '\n';
    at = end + 1;
  }
  return out;
}

json metrics_of(const std::string& dir) { return json::parse(read_file(dir + "/metrics.json")); }

// Where the message says training stopped: {epoch, batches done}.
std::pair<int, int> stopped_at(const std::string& out, const std::string& signal, int epochs, int batches,
                               const std::string& dir) {
  const std::regex message("pipe: interrupted by " + signal + " (?:in fold \\d of \\d, )?(?:in epoch (\\d+) of " +
                           std::to_string(epochs) + ", after batch (\\d+) of " + std::to_string(batches) +
                           "|at the start of epoch (\\d+) of " + std::to_string(epochs) + "); training's state is saved in " +
                           dir + "/(?:fold-\\d/)?resume.pt\ncontinue with: pipe run --resume " + dir + "\n$");
  std::smatch m;
  if (!std::regex_search(out, m, message)) return {0, 0};
  return m[1].matched ? std::pair{std::stoi(m[1]), std::stoi(m[2])} : std::pair{std::stoi(m[3]), 0};
}

}  // namespace

TEST_CASE("pipe run: Ctrl-C saves resume.pt, and --resume ends as the uninterrupted run", "[cli][resume]") {
  pipetest::TempDir tmp;
  // 131 batches of 4 rows per epoch: long enough that the signal lands mid-training.
  const std::string args = "run pipelines/heart.yaml --device cpu --set train.batch_size=4 --set train.epochs=40 --out ";
  const auto whole = run_pipe(args + tmp.path("whole"));
  REQUIRE(whole.code == 0);

  const std::string dir = tmp.path("parts");
  const auto stopped = run_pipe_interrupted(args + dir, {"epoch   5/40"}, SIGINT);
  INFO(stopped.out);
  REQUIRE(stopped.code == 128 + SIGINT);
  CHECK(stopped.out.find("\npipe: stopping before the next batch to save training's state (again: quit at once)\n") !=
        std::string::npos);
  const auto [epoch, batch] = stopped_at(stopped.out, "SIGINT", 40, 131, dir);
  REQUIRE(epoch >= 5);
  CHECK(entries(dir) == std::set<std::string>{"history.csv", "plan.json", "resume.pt", "transforms.json"});
  CHECK(pipetest::occurrences(read_file(dir + "/history.csv"), "\n") == epoch);  // the header and the epochs done

  const auto resumed = run_pipe("run --resume " + dir);
  INFO(resumed.out);
  REQUIRE(resumed.code == 0);
  CHECK(resumed.out.find("continuing from " + dir + "/resume.pt\nepoch " + (epoch < 10 ? "  " : " ") +
                         std::to_string(epoch) + "/40") != std::string::npos);
  CHECK(read_file(dir + "/model.pt") == read_file(tmp.path("whole/model.pt")));
  CHECK(read_file(dir + "/predictions.csv") == read_file(tmp.path("whole/predictions.csv")));
  CHECK(history_without_seconds(dir + "/history.csv") == history_without_seconds(tmp.path("whole/history.csv")));
  const json m = metrics_of(dir), w = metrics_of(tmp.path("whole"));
  CHECK(m["test"] == w["test"]);
  CHECK(m["training"]["resumed"] == json{{"epoch", epoch}, {"batches_done", batch}});
  CHECK_FALSE(pipetest::path_exists(dir + "/resume.pt"));  // the run is complete

  const auto again = run_pipe("run --resume " + dir);
  CHECK(again.code == 1);
  CHECK(again.out == "error: '" + dir + "' has finished (its metrics.json is written): there is nothing to resume\n");
}

TEST_CASE("pipe run: SIGTERM and --resume keep early stopping, ReduceLROnPlateau, per-epoch noise and checkpoints exact",
          "[cli][resume]") {
  pipetest::TempDir tmp;
  std::string yaml = pipetest::replaced(pipetest::heart_yaml(), "    test_size: 0.2\n", "    test_size: 0.2\n    validation_size: 0.25\n");
  yaml = pipetest::replaced(yaml, "  - op: gaussian_noise\n", "  - op: gaussian_noise\n    redraw: every_epoch\n    seed: 5\n");
  yaml = pipetest::replaced(yaml, "op: step_lr\n  step_size: 10\n  gamma: 0.8", "op: reduce_lr_on_plateau\n  patience: 2\n  factor: 0.5");
  yaml = pipetest::replaced(yaml, "  epochs: 50\n  batch_size: 32\n",
                            "  epochs: 60\n  batch_size: 4\n  early_stopping: {patience: 6, restore_best_weights: true}\n"
                            "  checkpoints: {best: true, last: true}\n");
  pipetest::write_file(tmp.path("controls.yaml"), yaml);
  const std::string args = "run " + tmp.path("controls.yaml") + " --device cpu --out ";
  const auto whole = run_pipe(args + tmp.path("whole"));
  REQUIRE(whole.code == 0);

  const std::string dir = tmp.path("parts");
  const auto stopped = run_pipe_interrupted(args + dir, {"epoch   3/60"}, SIGTERM);
  INFO(stopped.out);
  REQUIRE(stopped.code == 128 + SIGTERM);
  REQUIRE(stopped_at(stopped.out, "SIGTERM", 60, 98, dir).first >= 3);
  const auto resumed = run_pipe("run --resume " + dir);
  INFO(resumed.out);
  REQUIRE(resumed.code == 0);
  for (const char* file : {"model.pt", "best.pt", "last.pt", "predictions.csv"}) {
    INFO(file);
    CHECK(read_file(dir + "/" + file) == read_file(tmp.path("whole/") + file));
  }
  CHECK(history_without_seconds(dir + "/history.csv") == history_without_seconds(tmp.path("whole/history.csv")));
  json m = metrics_of(dir), w = metrics_of(tmp.path("whole"));
  CHECK(m["training"]["early_stopping"] == w["training"]["early_stopping"]);
  CHECK(m["training"]["checkpoints"] == w["training"]["checkpoints"]);
  CHECK(m["test"] == w["test"]);
}

TEST_CASE("pipe run: an interrupted cross-validation resumes in its fold, without training the finished ones again",
          "[cli][resume]") {
  pipetest::TempDir tmp;
  const std::string args = "run examples/heart_cv.yaml --device cpu --set train.batch_size=8 --set train.epochs=8 --out ";
  const auto whole = run_pipe(args + tmp.path("whole"));
  REQUIRE(whole.code == 0);
  const std::string dir = tmp.path("parts");
  const auto stopped = run_pipe_interrupted(args + dir, {"fold 2/5: ", "epoch   2/8"}, SIGINT);
  INFO(stopped.out);
  REQUIRE(stopped.code == 128 + SIGINT);
  CHECK(stopped.out.find("pipe: interrupted by SIGINT in fold 2 of 5, ") != std::string::npos);
  CHECK(pipetest::path_exists(dir + "/fold-2/resume.pt"));
  const std::string fold1 = read_file(dir + "/fold-1/metrics.json");

  const auto resumed = run_pipe("run --resume " + dir);
  INFO(resumed.out);
  REQUIRE(resumed.code == 0);
  CHECK(resumed.out.rfind("fold 1/5: trained before the interruption\nfold 1/5: test 61 rows", 0) == 0);
  CHECK(resumed.out.find("fold 2/5: training on ") != std::string::npos);
  CHECK(read_file(dir + "/fold-1/metrics.json") == fold1);  // not trained again
  for (int k = 1; k <= 5; ++k) {
    const std::string fold = "/fold-" + std::to_string(k) + "/";
    CHECK(read_file(dir + fold + "model.pt") == read_file(tmp.path("whole") + fold + "model.pt"));
    CHECK_FALSE(pipetest::path_exists(dir + fold + "resume.pt"));
  }
  json m = metrics_of(dir), w = metrics_of(tmp.path("whole"));
  CHECK(m["mean"] == w["mean"]);
  CHECK(m["std"] == w["std"]);
  for (std::size_t k = 0; k < 5; ++k) CHECK(m["folds"][k]["test"] == w["folds"][k]["test"]);
}

TEST_CASE("pipe run --resume: what cannot be resumed is refused with the reason", "[cli][resume]") {
  pipetest::TempDir tmp;
  // A copy of the data, which the test then changes.
  const std::string data = tmp.path("heart.csv");
  pipetest::write_file(data, read_file(std::string(PIPE_SHARED_DIR) + "/data/processed.cleveland.data"));
  const std::string yaml = pipetest::replaced(pipetest::heart_yaml(), std::string(PIPE_SHARED_DIR) + "/data/processed.cleveland.data", data);
  pipetest::write_file(tmp.path("copy.yaml"), yaml);
  const std::string dir = tmp.path("run");
  const auto stopped = run_pipe_interrupted("run " + tmp.path("copy.yaml") + " --device cpu --set train.batch_size=4 --out " + dir,
                                            {"epoch   2/50"}, SIGINT);
  REQUIRE(stopped.code == 128 + SIGINT);

  SECTION("options that would change the run") {
    const auto r = run_pipe("run --resume " + dir + " --set train.epochs=3");
    CHECK(r.code == 2);
    CHECK(r.out.rfind("pipe run: --resume continues a run as it was planned, in its directory: it takes no FILE, --out, "
                      "--variant, --set, --seed or --device\n", 0) == 0);
  }
  SECTION("a directory that is not a run") {
    CHECK(run_pipe("run --resume " + tmp.path("none")).out == "error: '" + tmp.path("none") + "' is not a directory\n");
    const auto r = run_pipe("run --resume " + tmp.str());
    CHECK(r.code == 1);
    CHECK(r.out == "error: '" + tmp.str() + "' is not a run directory of pipe run: it has no plan.json\n");
  }
  SECTION("a run without resume.pt") {
    REQUIRE(::remove((dir + "/resume.pt").c_str()) == 0);
    const auto r = run_pipe("run --resume " + dir);
    CHECK(r.code == 1);
    CHECK(r.out == "error: '" + dir + "' has no resume.pt: only a run that SIGINT or SIGTERM interrupted during training "
                   "can be resumed (start a run that failed or was killed again with 'pipe run FILE')\n");
  }
  SECTION("data that changed since the run started") {
    pipetest::write_file(data, read_file(data) + "63.0,1.0,1.0,145.0,233.0,1.0,2.0,150.0,0.0,2.3,3.0,0.0,6.0,0\n");
    const auto r = run_pipe("run --resume " + dir);
    CHECK(r.code == 1);
    CHECK(r.out == dir + "/plan.json: error: '" + data + "' changed since this run started\n"
                   "  note: a resumed run reads the inputs it started with: put the file back as it was, or start a new "
                   "run with 'pipe run " + tmp.path("copy.yaml") + "'\n1 error\n");
    CHECK(pipetest::path_exists(dir + "/resume.pt"));  // kept for when the file is back
  }
}
