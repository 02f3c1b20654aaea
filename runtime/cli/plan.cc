// pipe plan FILE: what will run, without training. --format json; -o saves it for `pipe run`.
#include <iostream>

#include "runtime/artifacts.h"
#include "runtime/cli/common.h"
#include "runtime/cli/verbs.h"
#include "runtime/plan_print.h"
#include "runtime/user_error.h"

namespace pipeml::cli {

int plan_main(int argc, char** argv) {
  static const char* kUsageText = "usage: pipe plan [options] FILE";
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")("file", po::value<std::string>(), "the pipeline")
      ("format", po::value<std::string>()->default_value("text")->value_name("text|json"), "how to print the plan")
      ("output,o", po::value<std::string>()->value_name("FILE"), "also save the plan (JSON) for 'pipe run FILE'");
  add_override_options(desc);
  desc.add_options()
      ("nproc-per-node", po::value<int>()->default_value(1)->value_name("N"),
       "plan for data-parallel training in N processes per host (as pipe run)")
      ("nnodes", po::value<int>()->default_value(1)->value_name("M"), "... on M hosts");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse_args(argc, argv, desc, pos, vm, kUsageText)) return kUsage;
  if (vm.count("help")) {
    std::cout << kUsageText << "\n\nShows the stages in order with resolved parameters (defaults marked), the rows\n"
              << "and class counts after each, the model's layers and parameters, the learning\n"
              << "rate schedule and the seeds. Nothing is trained.\n\n" << desc;
    return kOk;
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    std::cerr << "pipe plan: unknown format '" << format << "' — expected 'text' or 'json'\n";
    return kUsage;
  }
  if (!vm.count("file")) {
    std::cerr << "pipe plan: which pipeline?\n" << kUsageText << '\n';
    return kUsage;
  }
  dsl::Overrides overrides = overrides_from(vm);
  overrides.world_size = vm["nproc-per-node"].as<int>() * vm["nnodes"].as<int>();
  if (vm["nproc-per-node"].as<int>() < 1 || vm["nnodes"].as<int>() < 1) {
    std::cerr << "pipe plan: --nproc-per-node and --nnodes must be at least 1\n";
    return kUsage;
  }
  auto plan = load_plan(vm["file"].as<std::string>(), overrides);
  if (!plan) return kInvalid;
  if (format == "json") std::cout << plan_json(*plan).dump(2) << '\n';
  else print_plan(std::cout, *plan);
  if (vm.count("output")) {
    const std::string out = vm["output"].as<std::string>();
    try {
      write_atomic(out, plan_json(*plan).dump(2) + "\n");
    } catch (const UserError& e) {
      std::cerr << "error: " << e.what() << '\n';
      return kInvalid;
    }
    std::cerr << "saved the plan to " << out << "; run it with 'pipe run " << out << "'\n";
  }
  return kOk;
}

}  // namespace pipeml::cli
