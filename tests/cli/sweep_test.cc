// `pipe sweep`: the course's heart ablation (examples/heart_ablation.yaml) over seeds, run by
// the real binary — every variant × seed is the `pipe run` it says it is, --jobs 2 gives the
// serial table, a grid comes from --set lists, mistakes are found before anything runs, and
// an interrupted sweep resumes without redoing a finished run.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <sys/stat.h>

#include <csignal>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/report/plot.h"
#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using pipetest::entries;
using pipetest::read_file;
using pipetest::run_pipe;
using pipetest::run_pipe_interrupted;

namespace {

// Five variants × two seeds of three epochs: ten short runs.
const std::string kAblation = "sweep examples/heart_ablation.yaml --repeat 2 --metric f1 --set train.epochs=3";

struct Sweep {
  pipetest::TempDir tmp;
  pipetest::Result result;
  std::string dir;
};

// The ablation run serially once, for the tests that compare against it.
const Sweep& serial_sweep() {
  static Sweep s;
  if (s.dir.empty()) {
    s.dir = s.tmp.path("serial");
    s.result = run_pipe(kAblation + " --out " + s.dir);
  }
  return s;
}

std::string run_dir(const std::string& sweep, const std::string& row, int seed) {
  return sweep + "/runs/" + row + "/seed-" + std::to_string(seed);
}

// When a file was last written, to the nanosecond: a finished run must be left as it was.
std::string written_at(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "missing";
  return std::to_string(info.st_mtim.tv_sec) + "." + std::to_string(info.st_mtim.tv_nsec);
}

}  // namespace

TEST_CASE("pipe sweep runs every variant with every seed and prints the table", "[sweep][cli]") {
  const Sweep& s = serial_sweep();
  INFO(s.result.out);
  REQUIRE(s.result.code == 0);
  CHECK(s.result.out.rfind("sweep of 'heart-ablation': 5 rows \u00d7 2 seeds = 10 runs, 1 at a time, in " + s.dir + "/\n", 0) == 0);
  CHECK(pipetest::occurrences(s.result.out, " seed 42: accuracy ") == 5);
  CHECK(pipetest::occurrences(s.result.out, " seed 43: accuracy ") == 5);
  CHECK(s.result.out.find("\n  variant                 runs  accuracy ") != std::string::npos);
  CHECK(s.result.out.find(" original                 2/2  0.") != std::string::npos);
  CHECK(s.result.out.find("\nbest by f1: '") != std::string::npos);
  const std::set<std::string> files = {"logs", "results.csv", "runs", "sweep.json", "table.csv", "table.md"};
  std::set<std::string> expected = files;
  if (pipeml::report::plots_available()) expected.insert("plot.png");
  CHECK(entries(s.dir) == expected);
  CHECK(entries(s.dir + "/runs") ==
        std::set<std::string>{"01-original", "02-smote", "03-noise", "04-smote+noise", "05-smote+noise+bn+dropout"});
  CHECK(entries(s.dir + "/logs").size() == 10);
  // results.csv: a line per run; table.md: a line per variant, the best marked.
  const std::string results = read_file(s.dir + "/results.csv");
  CHECK(results.rfind("row,variant,seed,accuracy,precision,recall,f1,roc_auc\n1,original,42,", 0) == 0);
  CHECK(pipetest::occurrences(results, "\n") == 11);
  const std::string table = read_file(s.dir + "/table.md");
  CHECK(table.rfind("| variant | runs | accuracy | precision | recall | f1 | roc_auc |\n|---|---:|", 0) == 0);
  CHECK(pipetest::occurrences(table, "| 2/2 |") == 5);
  CHECK(pipetest::occurrences(table, " (best) |") == 1);
  // sweep.json keeps what --resume needs.
  const json spec = json::parse(read_file(s.dir + "/sweep.json"));
  CHECK(spec["format"] == "pipe-sweep/1");
  CHECK(spec["seeds"] == json::array({42, 43}));
  CHECK(spec["set"] == json::array({"train.epochs=3"}));
  CHECK(spec["variants"].size() == 5);
}

TEST_CASE("each run of a sweep is the pipe run it names", "[sweep][cli]") {
  const Sweep& s = serial_sweep();
  REQUIRE(s.result.code == 0);
  pipetest::TempDir tmp;
  const auto alone = run_pipe("run examples/heart_ablation.yaml --variant smote --seed 43 --set train.epochs=3 --out " + tmp.path("r"));
  REQUIRE(alone.code == 0);
  const std::string in_sweep = run_dir(s.dir, "02-smote", 43);
  CHECK(read_file(in_sweep + "/predictions.csv") == read_file(tmp.path("r") + "/predictions.csv"));
  CHECK(read_file(in_sweep + "/model.pt") == read_file(tmp.path("r") + "/model.pt"));
  CHECK(json::parse(read_file(in_sweep + "/metrics.json"))["test"] == json::parse(read_file(tmp.path("r") + "/metrics.json"))["test"]);
  // And the table's row is those runs' numbers.
  const double f1 = json::parse(read_file(in_sweep + "/metrics.json"))["test"]["f1"].get<double>();
  CHECK(read_file(s.dir + "/results.csv").find("\n2,smote,43,") != std::string::npos);
  CHECK(read_file(s.dir + "/results.csv").find(fmt::format("{:.17g}", f1)) != std::string::npos);
}

TEST_CASE("--jobs 2 runs in parallel processes and gives the serial table", "[sweep][cli]") {
  const Sweep& s = serial_sweep();
  REQUIRE(s.result.code == 0);
  pipetest::TempDir tmp;
  const auto parallel = run_pipe(kAblation + " --jobs 2 --out " + tmp.path("p"));
  INFO(parallel.out);
  REQUIRE(parallel.code == 0);
  CHECK(parallel.out.find("10 runs, 2 at a time") != std::string::npos);
  CHECK(read_file(tmp.path("p") + "/table.md") == read_file(s.dir + "/table.md"));
  CHECK(read_file(tmp.path("p") + "/results.csv") == read_file(s.dir + "/results.csv"));
}

TEST_CASE("an interrupted sweep resumes without redoing a finished run", "[sweep][cli]") {
  const Sweep& s = serial_sweep();
  REQUIRE(s.result.code == 0);
  pipetest::TempDir tmp;
  const std::string dir = tmp.path("s");
  const auto stopped = run_pipe_interrupted(kAblation + " --out " + dir, {"[ 3/10]"}, SIGINT);
  INFO(stopped.out);
  CHECK(stopped.code == 130);
  CHECK(stopped.out.find("pipe: sweep interrupted by SIGINT with ") != std::string::npos);
  CHECK(stopped.out.find("continue with: pipe sweep --resume " + dir + "\n") != std::string::npos);
  CHECK_FALSE(pipetest::path_exists(dir + "/table.md"));
  const std::string first = run_dir(dir, "01-original", 42) + "/metrics.json";
  const std::string before = written_at(first);
  REQUIRE(before != "missing");

  const auto resumed = run_pipe("sweep --resume " + dir);
  INFO(resumed.out);
  REQUIRE(resumed.code == 0);
  CHECK(resumed.out.find(" finished before: kept\n") != std::string::npos);
  CHECK(pipetest::occurrences(resumed.out, ": accuracy ") < 8);  // the finished ones are not run again
  CHECK(written_at(first) == before);
  CHECK(read_file(dir + "/table.md") == read_file(s.dir + "/table.md"));
  CHECK(read_file(dir + "/results.csv") == read_file(s.dir + "/results.csv"));
  // A finished sweep resumed runs nothing and prints the same table.
  const auto again = run_pipe("sweep --resume " + dir);
  CHECK(again.code == 0);
  CHECK(again.out.find("  10 finished before: kept\n") != std::string::npos);
}

TEST_CASE("--set lists make a grid; --dry-run lists the runs", "[sweep][cli]") {
  const auto r = run_pipe("sweep examples/heart_minimal.yaml --set 'optimizer.lr=0.001,0.01' --set train.epochs=2 "
                          "--set 'model.hidden=[16],[32,16]' --repeat 3 --seed 7 --dry-run");
  CHECK(r.code == 0);
  CHECK(r.out ==
        "sweep of 'heart-minimal': 4 rows \u00d7 3 seeds (7, 8, 9) = 12 runs; best by accuracy\n"
        "   1. optimizer.lr=0.001, model.hidden=[16]\n"
        "      pipe run examples/heart_minimal.yaml --out DIR --set train.epochs=2 --set optimizer.lr=0.001 "
        "--set 'model.hidden=[16]' --seed 7\n"
        "   2. optimizer.lr=0.001, model.hidden=[32,16]\n"
        "      pipe run examples/heart_minimal.yaml --out DIR --set train.epochs=2 --set optimizer.lr=0.001 "
        "--set 'model.hidden=[32,16]' --seed 7\n"
        "   3. optimizer.lr=0.01, model.hidden=[16]\n"
        "      pipe run examples/heart_minimal.yaml --out DIR --set train.epochs=2 --set optimizer.lr=0.01 "
        "--set 'model.hidden=[16]' --seed 7\n"
        "   4. optimizer.lr=0.01, model.hidden=[32,16]\n"
        "      pipe run examples/heart_minimal.yaml --out DIR --set train.epochs=2 --set optimizer.lr=0.01 "
        "--set 'model.hidden=[32,16]' --seed 7\n");
  pipetest::TempDir tmp;
  const auto grid = run_pipe("sweep examples/heart_minimal.yaml --set optimizer.lr=0.001,0.01 --set train.epochs=2 --jobs 2 --out " +
                             tmp.path("g"));
  INFO(grid.out);
  REQUIRE(grid.code == 0);
  const std::string csv = read_file(tmp.path("g") + "/table.csv");
  CHECK(csv.rfind("variant,optimizer.lr,runs,accuracy_mean,accuracy_std,", 0) == 0);
  CHECK(csv.find("\noptimizer.lr=0.001,0.001,1,") != std::string::npos);
  CHECK(csv.find("\noptimizer.lr=0.01,0.01,1,") != std::string::npos);
  CHECK(grid.out.find("but one seed per row gives no spread to compare it with (use --repeat)") != std::string::npos);
}

TEST_CASE("a sweep's mistakes are reported before any run starts", "[sweep][cli]") {
  pipetest::TempDir tmp;
  const std::string out = " --out " + tmp.path("s");
  CHECK(run_pipe("sweep examples/heart_ablation.yaml --set model.dropout=0.1,2" + out).out ==
        "in row 'original, model.dropout=2':\n"
        "--set model.dropout=2: error: 'dropout' must be in [0, 1), got '2'\n"
        "  note: dropout: dropout probability after each activation (0: none); default 0\n1 error\n"
        "in row 'smote, model.dropout=2':\n"
        "--set model.dropout=2: error: 'dropout' must be in [0, 1), got '2'\n"
        "  note: dropout: dropout probability after each activation (0: none); default 0\n1 error\n"
        "in row 'noise, model.dropout=2':\n"
        "--set model.dropout=2: error: 'dropout' must be in [0, 1), got '2'\n"
        "  note: dropout: dropout probability after each activation (0: none); default 0\n1 error\n"
        "in row 'smote+noise, model.dropout=2':\n"
        "--set model.dropout=2: error: 'dropout' must be in [0, 1), got '2'\n"
        "  note: dropout: dropout probability after each activation (0: none); default 0\n1 error\n"
        "in row 'smote+noise+bn+dropout, model.dropout=2':\n"
        "--set model.dropout=2: error: 'dropout' must be in [0, 1), got '2'\n"
        "  note: dropout: dropout probability after each activation (0: none); default 0\n1 error\n");
  CHECK(run_pipe("sweep examples/heart_ablation.yaml --set 'model.dropout=range(0,1,0)'" + out).out ==
        "--set model.dropout=range(0,1,0): error: range's STEP must not be 0\n1 error\n");
  CHECK(run_pipe("sweep examples/heart_ablation.yaml --variant smoot" + out).out ==
        "--variant smoot: error: no variant called 'smoot' \u2014 did you mean 'smote'?\n"
        "  note: the variants are 'original', 'smote', 'noise', 'smote+noise', and 'smote+noise+bn+dropout'\n1 error\n");
  CHECK(run_pipe("sweep examples/heart_ablation.yaml --metric f2" + out).out ==
        "--metric f2: error: the pipeline does not evaluate 'f2' \u2014 did you mean 'f1'?\n"
        "  note: it evaluates 'accuracy', 'precision', 'recall', 'f1', and 'roc_auc'\n1 error\n");
  const auto bad = run_pipe("sweep examples/heart_ablation.yaml --set model.dropuot=0.1,0.2" + out);
  CHECK(bad.code == 1);
  CHECK(bad.out.find("--set model.dropuot=0.1: error: unknown parameter 'dropuot' for 'mlp' \u2014 did you mean 'dropout'?\n") !=
        std::string::npos);
  CHECK_FALSE(pipetest::path_exists(tmp.path("s")));  // nothing was started
}

TEST_CASE("pipe sweep --resume takes a sweep's directory and nothing that would change it", "[sweep][cli]") {
  pipetest::TempDir tmp;
  const auto extra = run_pipe("sweep --resume " + tmp.str() + " --repeat 3");
  CHECK(extra.code == 2);
  CHECK(extra.out.rfind("pipe sweep: --resume finishes a sweep as it was started: it takes only --jobs\n", 0) == 0);
  const auto none = run_pipe("sweep --resume " + tmp.str());
  CHECK(none.code == 1);
  CHECK(none.out == "error: '" + tmp.str() + "' is not the directory of a sweep: it has no sweep.json\n");
}

TEST_CASE("parallel runs that may use a GPU go one per GPU; CPU runs are not pinned", "[sweep][cli]") {
  pipetest::TempDir tmp;
  const std::string sweep = "sweep examples/heart_minimal.yaml --set train.epochs=1 --set optimizer.lr=0.1,0.2 --jobs 2 --out ";
  const std::string env = std::string("cd '") + PIPE_SOURCE_DIR + "' && CUDA_VISIBLE_DEVICES=3,5 '" + PIPE_BINARY_DIR + "/pipe' ";
  const auto gpus = pipetest::run_command(env + sweep + tmp.path("g") + " 2>&1");
  INFO(gpus.out);
  REQUIRE(gpus.code == 0);
  CHECK(gpus.out.rfind("sweep of 'heart-minimal': 2 rows \u00d7 1 seed = 2 runs, 2 at a time over GPUs 3, 5, in ", 0) == 0);
  // Each log starts with its run's command; the two slots have GPUs 3 and 5.
  const std::string first = read_file(tmp.path("g") + "/logs/01-optimizer.lr=0.1-seed-42.log");
  const std::string second = read_file(tmp.path("g") + "/logs/02-optimizer.lr=0.2-seed-42.log");
  const std::string a = first.substr(0, first.find('\n')), b = second.substr(0, second.find('\n'));
  CHECK(a.rfind("$ CUDA_VISIBLE_DEVICES=", 0) == 0);
  CHECK(b.rfind("$ CUDA_VISIBLE_DEVICES=", 0) == 0);
  CHECK(std::set<std::string>{a.substr(23, 1), b.substr(23, 1)} == std::set<std::string>{"3", "5"});
  CHECK(a.substr(25) == "pipe run examples/heart_minimal.yaml --out " + tmp.path("g") +
                           "/runs/01-optimizer.lr=0.1/seed-42 --set train.epochs=1 --set optimizer.lr=0.1 --seed 42");
  const auto cpu = pipetest::run_command(env + sweep + tmp.path("c") + " --device cpu 2>&1");
  REQUIRE(cpu.code == 0);
  CHECK(cpu.out.find("2 at a time, in ") != std::string::npos);
  CHECK(read_file(tmp.path("c") + "/logs/01-optimizer.lr=0.1-seed-42.log").rfind("$ pipe run examples/heart_minimal.yaml", 0) == 0);
}

TEST_CASE("a run that fails costs that run: the sweep goes on, says why, and --resume tries it again", "[sweep][cli]") {
  pipetest::TempDir tmp;
  const std::string dir = tmp.path("f");
  const auto r = run_pipe("sweep examples/heart_minimal.yaml --set train.epochs=2 --set optimizer.lr=0.001,1e12 --out " + dir);
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("[2/2] optimizer.lr=1e12 seed 42: failed (exit 1): the training loss became NaN at epoch 1, batch ") !=
        std::string::npos);
  CHECK(r.out.find("\n  see " + dir + "/logs/02-optimizer.lr=1e12-seed-42.log\n") != std::string::npos);
  CHECK(r.out.find("\n  optimizer.lr=1e12    0/1  -  ") != std::string::npos);
  CHECK(r.out.find("error: 1 of 2 runs failed; their logs are in " + dir + "/logs/ ('pipe sweep --resume " + dir +
                   "' runs them again)\n") != std::string::npos);
  CHECK(read_file(dir + "/table.csv").find("\noptimizer.lr=1e12,1e12,0,,,") != std::string::npos);
  const auto again = run_pipe("sweep --resume " + dir);
  CHECK(again.code == 1);
  CHECK(again.out.find("  1 finished before: kept\n  1 failed before: run again (what they wrote is kept beside, as .failed)\n") !=
        std::string::npos);
  CHECK(entries(dir + "/runs/02-optimizer.lr=1e12") == std::set<std::string>{"seed-42", "seed-42.failed"});
  CHECK(pipetest::path_exists(dir + "/runs/02-optimizer.lr=1e12/seed-42.failed/error.txt"));
}
