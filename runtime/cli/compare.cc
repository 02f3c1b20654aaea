// pipe compare RUN_DIR...: finished runs' metrics side by side (runtime/run_compare.h).
#include <iostream>

#include "runtime/cli/common.h"
#include "runtime/cli/verbs.h"
#include "runtime/run_compare.h"
#include "runtime/user_error.h"

namespace pipeml::cli {

int compare_main(int argc, char** argv) {
  static const char* kUsageText = "usage: pipe compare [options] RUN_DIR...";
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")("runs", po::value<std::vector<std::string>>(), "the run directories")
      ("format", po::value<std::string>()->default_value("text")->value_name("text|csv|json"), "how to print the table");
  po::positional_options_description pos;
  pos.add("runs", -1);
  po::variables_map vm;
  if (!parse_args(argc, argv, desc, pos, vm, kUsageText)) return kUsage;
  if (vm.count("help")) {
    std::cout << kUsageText << "\n\nPrints the test metrics of runs made by 'pipe run' side by side: one column per\n"
              << "run, one row per metric (mean \u00b1 std for cross-validated runs), the best of each\n"
              << "row marked '*', then the device, seed, test rows, threshold and training time.\n\n" << desc;
    return kOk;
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "csv" && format != "json") {
    std::cerr << "pipe compare: unknown format '" << format << "' \u2014 expected 'text', 'csv' or 'json'\n";
    return kUsage;
  }
  if (!vm.count("runs")) {
    std::cerr << "pipe compare: which runs? give one or more run directories\n" << kUsageText << '\n';
    return kUsage;
  }
  std::vector<compare::Run> runs;
  bool ok = true;
  for (const auto& dir : vm["runs"].as<std::vector<std::string>>()) {
    try {
      runs.push_back(compare::read_run(dir));
    } catch (const UserError& e) {  // every bad directory is reported, not just the first
      std::cerr << "error: " << e.what() << '\n';
      ok = false;
    }
  }
  if (!ok) return kInvalid;
  const compare::Table table = compare::compare_runs(runs);
  if (format == "csv") std::cout << compare::format_csv(table);
  else if (format == "json") std::cout << compare::format_json(table);
  else std::cout << compare::format_text(table);
  return kOk;
}

}  // namespace pipeml::cli
