// pipe run FILE: plan, then train and evaluate, writing a run directory.
#include <unistd.h>

#include <iostream>

#include "runtime/cli/common.h"
#include "runtime/cli/verbs.h"
#include "runtime/executor.h"

namespace pipeml::cli {

int run_main(int argc, char** argv) {
  static const char* kUsageText = "usage: pipe run [options] FILE";
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")("file", po::value<std::string>(), "a pipeline, or a plan saved by 'pipe plan -o'")
      ("out", po::value<std::string>()->value_name("DIR"), "the run directory (default: a new runs/<pipeline>-<timestamp>/)");
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
              << "model.pt and predictions.csv. Then report.html, the page 'pipe report' rebuilds.\n"
              << "Bad data leaves only error.txt.\n\n" << desc;
    return kOk;
  }
  if (!vm.count("file")) {
    std::cerr << "pipe run: which pipeline?\n" << kUsageText << '\n';
    return kUsage;
  }
  TrainerLoader loader;  // LibTorch loads while the pipeline is planned and the data prepared
  auto plan = load_plan(vm["file"].as<std::string>(), overrides_from(vm));
  if (!plan) return kInvalid;
  RunOptions options;
  if (vm.count("out")) options.out_dir = vm["out"].as<std::string>();
  options.progress_bar = isatty(STDERR_FILENO);
  return execute(*plan, loader, options, std::cout, std::cerr);
}

}  // namespace pipeml::cli
