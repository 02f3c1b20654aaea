// pipe report RUN_DIR: rebuilds a run's report.html from the files in its directory, the
// same page `pipe run` writes at its end. Loads no LibTorch, so it is instant.
#include <iostream>

#include "runtime/cli/common.h"
#include "runtime/cli/verbs.h"
#include "runtime/report/report_html.h"
#include "runtime/user_error.h"

namespace pipeml::cli {

int report_main(int argc, char** argv) {
  static const char* kUsageText = "usage: pipe report [options] RUN_DIR";
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")("dir", po::value<std::string>(), "a run directory written by 'pipe run'")
      ("output,o", po::value<std::string>()->value_name("FILE"), "where to write the page (default: RUN_DIR/report.html)");
  po::positional_options_description pos;
  pos.add("dir", 1);
  po::variables_map vm;
  if (!parse_args(argc, argv, desc, pos, vm, kUsageText)) return kUsage;
  if (vm.count("help")) {
    std::cout << kUsageText << "\n\nWrites report.html, one self-contained page: the plan, the test metrics, the\n"
              << "confusion matrix, ROC and precision-recall curves (predicted against true values\n"
              << "for a regression) and the learning curves, all read from the run directory's\n"
              << "plan.json, metrics.json, history.csv and predictions.csv (fold-N/ for kfold).\n\n" << desc;
    return kOk;
  }
  if (!vm.count("dir")) {
    std::cerr << "pipe report: which run directory?\n" << kUsageText << '\n';
    return kUsage;
  }
  try {
    const std::string out = vm.count("output") ? vm["output"].as<std::string>() : std::string();
    const std::string written = report::write_report(vm["dir"].as<std::string>(), out);
    std::cout << "wrote " << written << '\n';
  } catch (const UserError& e) {
    std::cerr << "pipe report: " << e.what() << '\n';
    return kInvalid;
  }
  return kOk;
}

}  // namespace pipeml::cli
