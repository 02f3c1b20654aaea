// pipe run FILE: plan, then train and evaluate, writing a run directory.
// pipe run --resume DIR: continue a run that SIGINT or SIGTERM interrupted.
#include <signal.h>
#include <unistd.h>

#include <iostream>

#include "runtime/cli/common.h"
#include "runtime/cli/verbs.h"
#include "runtime/artifacts.h"
#include "runtime/executor.h"

namespace pipeml::cli {
namespace {

// The first SIGINT or SIGTERM asks training to stop at its next batch and save its state;
// SA_RESETHAND gives the next one its default action, so a second Ctrl-C quits at once.
volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int signal) {
  g_stop = signal;
  static const char kNote[] = "\npipe: stopping before the next batch to save training's state (again: quit at once)\n";
  ssize_t ignored = ::write(STDERR_FILENO, kNote, sizeof(kNote) - 1);  // write is async-signal-safe
  (void)ignored;
}

void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// The error that keeps `dir` from being resumed, or "".
std::string why_not_resumable(const std::string& dir) {
  if (!is_directory(dir)) return "'" + dir + "' is not a directory";
  if (!path_exists(dir + "/plan.json")) return "'" + dir + "' is not a run directory of pipe run: it has no plan.json";
  if (path_exists(dir + "/metrics.json")) return "'" + dir + "' has finished (its metrics.json is written): there is nothing to resume";
  if (!has_checkpoint(dir))
    return "'" + dir + "' has no resume.pt: only a run that SIGINT or SIGTERM interrupted during training can be resumed "
           "(start a run that failed or was killed again with 'pipe run FILE')";
  return "";
}

}  // namespace

int run_main(int argc, char** argv) {
  static const char* kUsageText = "usage: pipe run [options] FILE\n       pipe run --resume RUN_DIR";
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")("file", po::value<std::string>(), "a pipeline, or a plan saved by 'pipe plan -o'")
      ("out", po::value<std::string>()->value_name("DIR"), "the run directory (default: a new runs/<pipeline>-<timestamp>/)")
      ("resume", po::value<std::string>()->value_name("RUN_DIR"),
       "continue a run that SIGINT or SIGTERM interrupted, from its resume.pt");
  add_override_options(desc);
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse_args(argc, argv, desc, pos, vm, kUsageText)) return kUsage;
  if (vm.count("help")) {
    std::cout << kUsageText << "\n\nTrains and evaluates. Writes plan.json, transforms.json, history.csv,\n"
              << "model.pt (a state dict Python's torch.load reads; see docs/model.md), predictions.csv\n"
              << "and metrics.json. With a kfold stage: plan.json, metrics.json (each fold's metrics,\n"
              << "their mean and std) and fold-N/ per fold with its transforms.json, history.csv,\n"
              << "model.pt, predictions.csv and metrics.json. Then report.html, the page 'pipe report'\n"
              << "rebuilds. Bad data leaves only error.txt.\n\n"
              << "SIGINT (Ctrl-C) or SIGTERM during training stops it before the next batch and saves\n"
              << "its state in resume.pt (a second one quits at once); 'pipe run --resume RUN_DIR', from\n"
              << "the same directory, continues it to the results an uninterrupted run gives.\n\n" << desc;
    return kOk;
  }
  const dsl::Overrides overrides = overrides_from(vm);
  RunOptions options;
  options.progress_bar = isatty(STDERR_FILENO);
  options.stop = &g_stop;
  std::string file;
  if (vm.count("resume")) {
    if (vm.count("file") || vm.count("out") || !overrides.empty()) {
      std::cerr << "pipe run: --resume continues a run as it was planned, in its directory: it takes no FILE, --out, "
                   "--variant, --set, --seed or --device\n" << kUsageText << '\n';
      return kUsage;
    }
    options.out_dir = vm["resume"].as<std::string>();
    options.resume = true;
    if (const std::string why = why_not_resumable(options.out_dir); !why.empty()) {
      std::cerr << "error: " << why << '\n';
      return kInvalid;
    }
    file = options.out_dir + "/plan.json";
  } else if (vm.count("file")) {
    file = vm["file"].as<std::string>();
    if (vm.count("out")) options.out_dir = vm["out"].as<std::string>();
  } else {
    std::cerr << "pipe run: which pipeline?\n" << kUsageText << '\n';
    return kUsage;
  }
  catch_stop_signals();
  TrainerLoader loader;  // LibTorch loads while the pipeline is planned and the data prepared
  auto plan = load_plan(file, overrides, options.resume);
  if (!plan) return kInvalid;
  return execute(*plan, loader, options, std::cout, std::cerr);
}

}  // namespace pipeml::cli
