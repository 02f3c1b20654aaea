// pipe sweep FILE: every variant of a pipeline (its `variants:`, crossed with --set lists),
// each run with --repeat seeds, in parallel processes; then the table of mean ± std.
// pipe sweep --resume DIR: finish a sweep that was interrupted, redoing no finished run.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "dsl/overrides.h"
#include "runtime/artifacts.h"
#include "runtime/cli/common.h"
#include "runtime/cli/sweep_jobs.h"
#include "runtime/cli/verbs.h"
#include "runtime/report/plot.h"
#include "runtime/sha256.h"
#include "runtime/sweep.h"
#include "runtime/user_error.h"

namespace pipeml::cli {
namespace {

using nlohmann::json;

// What a sweep is, as sweep.json keeps it for --resume.
struct SweepSpec {
  std::string file, file_sha256, name;
  std::vector<std::string> variants, sets, metrics;
  std::vector<sweep::Axis> axes;
  std::vector<std::int64_t> seeds;
  std::optional<std::string> device;
  bool may_use_gpu = false;  ///< the pipeline's device (after --device) is cuda or auto
  std::string metric;
  int jobs = 1;
  std::vector<sweep::Row> rows;
};

json to_json(const SweepSpec& s) {
  json axes = json::array(), rows = json::array();
  for (const auto& a : s.axes) axes.push_back({{"path", a.path}, {"values", a.values}});
  for (std::size_t i = 0; i < s.rows.size(); ++i)
    rows.push_back({{"name", s.rows[i].name}, {"variant", s.rows[i].variant}, {"set", s.rows[i].sets()},
                    {"folder", sweep::row_folder(i, s.rows[i])}});
  json j = {{"format", "pipe-sweep/1"}, {"file", s.file},       {"file_sha256", s.file_sha256}, {"pipeline", s.name},
            {"variants", s.variants},   {"set", s.sets},        {"grid", axes},                 {"seeds", s.seeds},
            {"metric", s.metric},       {"metrics", s.metrics}, {"jobs", s.jobs}, {"may_use_gpu", s.may_use_gpu},
            {"rows", rows}};
  if (s.device) j["device"] = *s.device;
  return j;
}

SweepSpec from_json(const json& j) {
  SweepSpec s;
  s.file = j.at("file").get<std::string>();
  s.file_sha256 = j.at("file_sha256").get<std::string>();
  s.name = j.at("pipeline").get<std::string>();
  s.variants = j.at("variants").get<std::vector<std::string>>();
  s.sets = j.at("set").get<std::vector<std::string>>();
  for (const auto& a : j.at("grid")) s.axes.push_back({a.at("path").get<std::string>(), a.at("values").get<std::vector<std::string>>()});
  s.seeds = j.at("seeds").get<std::vector<std::int64_t>>();
  s.metric = j.at("metric").get<std::string>();
  s.metrics = j.at("metrics").get<std::vector<std::string>>();
  if (j.contains("device")) s.device = j["device"].get<std::string>();
  s.jobs = j.value("jobs", 1);
  s.may_use_gpu = j.value("may_use_gpu", false);
  s.rows = sweep::rows_of(s.variants, s.axes);
  return s;
}

struct RunSlot {
  std::size_t row;
  std::int64_t seed;
  std::string dir, log;
};

std::vector<RunSlot> runs_of(const SweepSpec& s, const std::string& out) {
  std::vector<RunSlot> runs;
  for (std::size_t r = 0; r < s.rows.size(); ++r)
    for (std::int64_t seed : s.seeds) {
      const std::string folder = sweep::row_folder(r, s.rows[r]);
      runs.push_back({r, seed, fmt::format("{}/runs/{}/seed-{}", out, folder, seed),
                      fmt::format("{}/logs/{}-seed-{}.log", out, folder, seed)});
    }
  return runs;
}

// The `pipe run` options of a row at a seed (without FILE and --out).
dsl::Overrides overrides_of(const SweepSpec& s, const sweep::Row& row, std::optional<std::int64_t> seed) {
  dsl::Overrides o;
  if (!row.variant.empty()) o.variant = row.variant;
  o.sets = s.sets;
  for (const auto& set : row.sets()) o.sets.push_back(set);
  o.seed = seed;
  o.device = s.device;
  return o;
}

std::vector<std::string> run_args(const SweepSpec& s, const RunSlot& run) {
  std::vector<std::string> args = {"run", s.file, "--out", run.dir};
  const dsl::Overrides o = overrides_of(s, s.rows[run.row], run.seed);
  if (o.variant) args.insert(args.end(), {"--variant", *o.variant});
  for (const auto& set : o.sets) args.insert(args.end(), {"--set", set});
  args.insert(args.end(), {"--seed", std::to_string(run.seed)});
  if (o.device) args.insert(args.end(), {"--device", *o.device});
  return args;
}

// A shell-ready command line: arguments with spaces or quotes in single quotes.
std::string shell_line(const std::vector<std::string>& args) {
  std::string out = "pipe";
  for (const auto& a : args) {
    const bool plain = a.find_first_of(" \t'\"$`\\*?[]{}()<>|&;#~!") == std::string::npos && !a.empty();
    std::string q;
    for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += " " + (plain ? a : "'" + q + "'");
  }
  return out;
}

// The metrics of a finished run: the test part's, or a cross-validation's means.
std::map<std::string, double> metrics_of(const std::string& dir, const std::vector<std::string>& names) {
  const json m = read_run_json(dir + "/metrics.json");
  const json& from = m.contains("test") ? m["test"] : m.contains("mean") ? m["mean"] : json::object();
  std::map<std::string, double> out;
  for (const auto& n : names)
    if (from.contains(n) && from[n].is_number()) out[n] = from[n].get<double>();
  return out;
}

// Why a run failed, from its log: its last error line (or, without one, its last line).
std::string failure_of(const std::string& log) {
  std::ifstream in(log);
  std::string line, last, error;
  while (std::getline(in, line)) {
    if (line.rfind("error: ", 0) == 0) error = line.substr(7);
    if (!line.empty()) last = line;
  }
  return error.empty() ? last : error;
}

// Keeps what a failed or killed run wrote, beside it, before the run starts again.
void set_aside(const std::string& dir) {
  for (int n = 1;; ++n) {
    const std::string to = dir + (n == 1 ? ".failed" : ".failed-" + std::to_string(n));
    if (!path_exists(to)) {
      std::filesystem::rename(dir, to);
      return;
    }
  }
}

// The table's files: table.csv, table.md, results.csv and plot.png.
void write_outputs(const std::string& out, const SweepSpec& s, const std::vector<sweep::RunResult>& results,
                   const sweep::Summary& summary, std::ostream& err) {
  write_atomic(out + "/results.csv", sweep::results_csv(s.rows, results, s.metrics));
  write_atomic(out + "/table.csv", sweep::table_csv(summary, s.rows));
  write_atomic(out + "/table.md", sweep::table_markdown(summary));
  if (!report::plots_available()) {
    err << "note: no plot.png: pipe was built without cairo\n";
    return;
  }
  report::ErrorBarChart chart;
  const std::size_t m = summary.metric_index();
  chart.title = fmt::format("{}: {} over {} seed{}", s.name, s.metric, s.seeds.size(), s.seeds.size() == 1 ? "" : "s");
  chart.x_label = s.metric + " (mean \u00b1 std; dots: each seed)";
  for (const auto& r : summary.rows) {
    chart.labels.push_back(r.name);
    chart.mean.push_back(r.mean[m]);
    chart.std.push_back(std::isfinite(r.std[m]) ? r.std[m] : 0.0);
    chart.values.push_back(r.values[m]);
  }
  chart.highlight = summary.best;
  write_atomic(out + "/plot.png", report::error_bar_chart_png(chart));
}

// The options that say what a sweep is: --resume takes none of them.
const char* const kSweepOptions[] = {"file", "variant", "set", "seed", "device", "metric", "out", "dry-run"};

// A sweep to finish from its sweep.json. Returns an exit code to stop with, or nullopt to run it.
std::optional<int> resume_sweep(const po::variables_map& vm, const char* usage, SweepSpec& spec, std::string& out) {
  const bool changes = !vm["repeat"].defaulted() || std::any_of(std::begin(kSweepOptions), std::end(kSweepOptions),
                                                                 [&](const char* opt) { return vm.count(opt) > 0; });
  if (changes) {
    std::cerr << "pipe sweep: --resume finishes a sweep as it was started: it takes only --jobs\n" << usage << '\n';
    return kUsage;
  }
  out = vm["resume"].as<std::string>();
  if (!path_exists(out + "/sweep.json")) {
    std::cerr << "error: '" << out << "' is not the directory of a sweep: it has no sweep.json\n";
    return kInvalid;
  }
  spec = from_json(read_run_json(out + "/sweep.json"));
  if (vm.count("jobs")) spec.jobs = vm["jobs"].as<int>();
  if (!path_exists(spec.file) || sha256_file(spec.file) != spec.file_sha256) {
    std::cerr << "error: '" << spec.file << "' changed since this sweep started (or is not found from here)\n"
              << "  note: resume from the directory the sweep was started in, with the pipeline as it was; or start a new sweep\n";
    return kInvalid;
  }
  return std::nullopt;
}

// A new sweep from FILE and the options: every row planned first, then its directory and
// sweep.json. Returns an exit code to stop with (kOk after --dry-run), or nullopt to run it.
std::optional<int> start_sweep(const po::variables_map& vm, const char* usage, SweepSpec& spec, std::string& out) {
  if (!vm.count("file")) {
    std::cerr << "pipe sweep: which pipeline?\n" << usage << '\n';
    return kUsage;
  }
  spec.file = vm["file"].as<std::string>();
  if (vm.count("jobs")) spec.jobs = vm["jobs"].as<int>();
  const int repeat = vm["repeat"].as<int>();
  if (repeat < 1) {
    std::cerr << "pipe sweep: --repeat must be at least 1\n";
    return kUsage;
  }
  // The --set options: lists make the grid's axes, single values go to every run.
  dsl::Diagnostics diags;
  if (vm.count("set"))
    for (const auto& set : vm["set"].as<std::vector<std::string>>()) {
      std::string error;
      auto axis = sweep::parse_axis(set, error);
      if (!error.empty()) diags.error(dsl::Loc{"--set " + set, 0, 0, 1}, error);
      else if (axis) spec.axes.push_back(std::move(*axis));
      else spec.sets.push_back(set);
    }
  if (!diags.empty()) {
    print_errors(diags);
    return kInvalid;
  }
  if (vm.count("device")) spec.device = vm["device"].as<std::string>();
  dsl::Overrides base;
  base.sets = spec.sets;
  base.device = spec.device;
  auto plan = load_plan(spec.file, base);
  if (!plan) return kInvalid;
  spec.name = plan->pipeline.name;
  spec.may_use_gpu = plan->pipeline.device != "cpu";
  spec.metrics = plan->eval.metrics;
  spec.file_sha256 = sha256_file(spec.file);
  const auto& declared = plan->pipeline.variant_names;
  spec.variants = vm.count("variant") ? vm["variant"].as<std::vector<std::string>>() : declared;
  for (const auto& v : spec.variants)
    if (std::find(declared.begin(), declared.end(), v) == declared.end()) dsl::report_unknown_variant(v, declared, diags);
  spec.metric = vm.count("metric") ? vm["metric"].as<std::string>() : spec.metrics.front();
  if (std::find(spec.metrics.begin(), spec.metrics.end(), spec.metric) == spec.metrics.end())
    diags.error(dsl::Loc{"--metric " + spec.metric, 0, 0, 1},
                "the pipeline does not evaluate '" + spec.metric + "'" + dsl::did_you_mean(spec.metric, spec.metrics),
                "it evaluates " + dsl::quoted_list(spec.metrics, "and"));
  if (!diags.empty()) {
    print_errors(diags);
    return kInvalid;
  }
  const std::int64_t first = vm.count("seed") ? vm["seed"].as<std::int64_t>() : plan->pipeline.seed;
  for (int i = 0; i < repeat; ++i) spec.seeds.push_back(first + i);
  spec.rows = sweep::rows_of(spec.variants, spec.axes);
  // Every row plans before anything runs: a grid value out of range is found now, not
  // after hours of the rows before it.
  int bad = 0;
  for (const auto& row : spec.rows)
    if (!load_plan(spec.file, overrides_of(spec, row, spec.seeds.front()), false, "in row '" + row.name + "':")) ++bad;
  if (bad > 0) return kInvalid;
  if (vm.count("dry-run")) {
    std::cout << fmt::format("sweep of '{}': {} row{} \u00d7 {} seed{} ({}) = {} runs; best by {}\n", spec.name,
                             spec.rows.size(), spec.rows.size() == 1 ? "" : "s", spec.seeds.size(),
                             spec.seeds.size() == 1 ? "" : "s", fmt::join(spec.seeds, ", "),
                             spec.rows.size() * spec.seeds.size(), spec.metric);
    for (std::size_t r = 0; r < spec.rows.size(); ++r)
      std::cout << fmt::format("  {:>2}. {}\n      {}\n", r + 1, spec.rows[r].name,
                               shell_line(run_args(spec, RunSlot{r, spec.seeds.front(), "DIR", ""})));
    return kOk;
  }
  out = make_run_dir(vm.count("out") ? vm["out"].as<std::string>() : "", spec.name, "sweeps");
  std::filesystem::create_directories(out + "/logs");
  write_atomic(out + "/sweep.json", to_json(spec).dump(2) + "\n");
  return std::nullopt;
}

// Runs what is left of the sweep, then prints and writes its table. Returns the exit code.
int run_sweep(const SweepSpec& spec, const std::string& out) {
  // Which runs are left: a finished run (its metrics.json) is kept; an interrupted one
  // resumes from its resume.pt; one that failed or was killed before training starts again.
  const std::vector<RunSlot> runs = runs_of(spec, out);
  std::vector<sweep::RunResult> results;
  std::vector<Job> todo;
  std::vector<std::size_t> todo_run;
  std::size_t kept = 0, retried = 0;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const RunSlot& run = runs[i];
    std::filesystem::create_directories(run.dir.substr(0, run.dir.find_last_of('/')));
    if (path_exists(run.dir + "/metrics.json")) {
      results.push_back({run.row, run.seed, metrics_of(run.dir, spec.metrics)});
      ++kept;
      continue;
    }
    Job job{run_args(spec, run), run.log, ""};
    if (has_checkpoint(run.dir)) job.args = {"run", "--resume", run.dir};
    else if (path_exists(run.dir)) set_aside(run.dir), ++retried;
    job.command = shell_line(job.args);
    todo.push_back(std::move(job));
    todo_run.push_back(i);
  }
  // Parallel runs that may train on a GPU go one per GPU, round robin, as torchrun gives
  // each local rank its own device.
  const std::vector<std::string> gpus = spec.may_use_gpu && spec.jobs > 1 ? visible_gpus() : std::vector<std::string>{};
  std::cout << fmt::format("sweep of '{}': {} row{} \u00d7 {} seed{} = {} run{}, {} at a time{}, in {}/\n", spec.name,
                           spec.rows.size(), spec.rows.size() == 1 ? "" : "s", spec.seeds.size(),
                           spec.seeds.size() == 1 ? "" : "s", runs.size(), runs.size() == 1 ? "" : "s", spec.jobs,
                           gpus.size() > 1 ? fmt::format(" over GPUs {}", fmt::join(gpus, ", ")) : "", out);
  if (kept > 0) std::cout << fmt::format("  {} finished before: kept\n", kept);
  if (retried > 0) std::cout << fmt::format("  {} failed before: run again (what they wrote is kept beside, as .failed)\n", retried);
  std::cout.flush();

  std::size_t done = kept, failed = 0;
  const int stopped_by = run_jobs(todo, spec.jobs, gpus.size() > 1 ? gpus : std::vector<std::string>{}, [&](const JobEnd& end) {
    const RunSlot& run = runs[todo_run[end.index]];
    const std::string what = fmt::format("[{:>{}}/{}] {} seed {}", ++done, std::to_string(runs.size()).size(), runs.size(),
                                         spec.rows[run.row].name, run.seed);
    std::map<std::string, double> metrics;
    bool finished = end.exit_code == 0 && path_exists(run.dir + "/metrics.json");
    try {
      if (finished) metrics = metrics_of(run.dir, spec.metrics);
    } catch (const std::exception&) {
      finished = false;  // an unreadable metrics.json: the run counts as failed
    }
    if (finished) {
      results.push_back({run.row, run.seed, metrics});
      std::string shown;
      for (const auto& m : spec.metrics)
        if (results.back().metrics.count(m)) shown += fmt::format("{}{} {:.3f}", shown.empty() ? "" : ", ", m, results.back().metrics[m]);
      std::cout << fmt::format("{}: {} ({:.1f} s)\n", what, shown, end.seconds);
    } else if (end.exit_code == 130 || end.exit_code == 143) {
      --done;
      std::cout << fmt::format("{:>{}} {} seed {}: interrupted, its state saved\n", "", 2 * std::to_string(runs.size()).size() + 3,
                               spec.rows[run.row].name, run.seed);
    } else {
      ++failed;
      std::cout << fmt::format("{}: failed (exit {}): {}\n  see {}\n", what, end.exit_code, failure_of(run.log), run.log);
    }
    std::cout.flush();
  });
  if (stopped_by != 0) {
    std::cerr << fmt::format("pipe: sweep interrupted by {} with {} of {} runs finished\ncontinue with: pipe sweep --resume {}\n",
                             stopped_by == SIGINT ? "SIGINT" : "SIGTERM", done, runs.size(), out);
    return 128 + stopped_by;
  }

  const sweep::Summary summary = sweep::summarize(spec.rows, results, spec.metrics, spec.metric, spec.seeds.size());
  std::cout << '\n';
  sweep::print_table(std::cout, summary);
  write_outputs(out, spec, results, summary, std::cerr);
  std::cout << fmt::format("table in {0}/table.md, {0}/table.csv; every run in {0}/results.csv{1}\n", out,
                           report::plots_available() ? fmt::format("; the plot in {}/plot.png", out) : "");
  if (failed > 0) {
    std::cerr << fmt::format("error: {} of {} runs failed; their logs are in {}/logs/ ('pipe sweep --resume {}' runs them again)\n",
                             failed, runs.size(), out, out);
    return kInvalid;
  }
  return kOk;
}

}  // namespace

int sweep_main(int argc, char** argv) {
  static const char* kUsageText = "usage: pipe sweep [options] FILE\n       pipe sweep --resume SWEEP_DIR [--jobs N]";
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")("file", po::value<std::string>(), "the pipeline")
      ("repeat", po::value<int>()->default_value(1)->value_name("N"), "runs per variant, with seeds SEED, SEED+1, ...")
      ("jobs,j", po::value<int>()->value_name("N"), "runs at a time, each in its own process (default 1; with --resume: the sweep's)")
      ("variant", po::value<std::vector<std::string>>()->composing()->value_name("NAME"),
       "only this variant of the file's (repeatable; default: all)")
      ("set", po::value<std::vector<std::string>>()->composing()->value_name("STAGE.PARAM=VALUE"),
       "a change for every run; a list 'A,B,C' or 'range(START,STOP[,STEP])' makes a grid (repeatable)")
      ("seed", po::value<std::int64_t>()->value_name("N"), "the first seed (default: the pipeline's)")
      ("device", po::value<std::string>()->value_name("cpu|cuda|auto"), "where to train")
      ("metric", po::value<std::string>()->value_name("NAME"), "the metric that picks the best (default: the first evaluated)")
      ("out", po::value<std::string>()->value_name("DIR"), "the sweep's directory (default: a new sweeps/<pipeline>-<timestamp>/)")
      ("dry-run", "check every run's pipeline and list the runs, without running them")
      ("resume", po::value<std::string>()->value_name("SWEEP_DIR"), "finish an interrupted sweep: finished runs are kept");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse_args(argc, argv, desc, pos, vm, kUsageText)) return kUsage;
  if (vm.count("help")) {
    std::cout << kUsageText << "\n\nRuns each variant of a pipeline --repeat times, with seeds SEED, SEED+1, ... (each\n"
              << "variant the same seeds), each run a 'pipe run' in its own process, --jobs at a time.\n"
              << "The variants are the file's 'variants:' (docs/sweep.md), crossed with every --set\n"
              << "that lists values: --set optimizer.lr=0.001,0.01 --set 'model.hidden=[64],[128,64]'\n"
              << "--set model.dropout=range(0,0.5,0.1). Prints, and writes to the sweep's directory,\n"
              << "the table of each metric's mean \u00b1 std over the seeds (table.md, table.csv), every\n"
              << "run's metrics (results.csv) and plot.png; runs/ holds each run's directory, logs/\n"
              << "their output. SIGINT or SIGTERM stops the runs (each saves its state); 'pipe sweep\n"
              << "--resume SWEEP_DIR' then finishes it without redoing a finished run.\n\n" << desc;
    return kOk;
  }
  if (vm.count("jobs") && vm["jobs"].as<int>() < 1) {
    std::cerr << "pipe sweep: --jobs must be at least 1\n";
    return kUsage;
  }
  SweepSpec spec;
  std::string out;
  try {
    const auto stop = vm.count("resume") ? resume_sweep(vm, kUsageText, spec, out) : start_sweep(vm, kUsageText, spec, out);
    if (stop) return *stop;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kInvalid;
  }

  try {
    return run_sweep(spec, out);
  } catch (const std::exception& e) {  // a run directory that cannot be made, a fork that fails
    std::cerr << "error: " << e.what() << '\n';
    return kInvalid;
  }
}

}  // namespace pipeml::cli
