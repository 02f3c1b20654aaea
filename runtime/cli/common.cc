#include "runtime/cli/common.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "runtime/planner.h"
#include "runtime/registry.h"
#include "runtime/saved_plan.h"

namespace pipeml::cli {

void add_override_options(po::options_description& desc) {
  desc.add_options()
      ("variant", po::value<std::string>()->value_name("NAME"), "apply one of the file's variants (before any --set)")
      ("set", po::value<std::vector<std::string>>()->composing()->value_name("STAGE.PARAM=VALUE"),
       "override a parameter, e.g. --set smote.k_neighbors=3 (repeatable)")
      ("seed", po::value<std::int64_t>()->value_name("N"), "the pipeline's seed (stages without their own)")
      ("device", po::value<std::string>()->value_name("cpu|cuda|auto"), "where to train");
}

dsl::Overrides overrides_from(const po::variables_map& vm) {
  dsl::Overrides o;
  if (vm.count("variant")) o.variant = vm["variant"].as<std::string>();
  if (vm.count("set")) o.sets = vm["set"].as<std::vector<std::string>>();
  if (vm.count("seed")) o.seed = vm["seed"].as<std::int64_t>();
  if (vm.count("device")) o.device = vm["device"].as<std::string>();
  return o;
}

bool parse_args(int argc, char** argv, const po::options_description& desc,
                const po::positional_options_description& pos, po::variables_map& vm, const char* usage) {
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).positional(pos).run(), vm);
    po::notify(vm);
    return true;
  } catch (const po::error& e) {
    std::cerr << "pipe: " << e.what() << "\n" << usage << "\n(see --help)\n";
    return false;
  }
}

void print_errors(const dsl::Diagnostics& diags) {
  diags.print(std::cerr);
  std::cerr << diags.size() << (diags.size() == 1 ? " error\n" : " errors\n");
}

std::unique_ptr<Plan> load_plan(const std::string& file, const dsl::Overrides& overrides, bool resume,
                                const std::string& heading) {
  dsl::Diagnostics diags;
  std::unique_ptr<Plan> plan = resume                ? load_saved_plan(file, overrides, diags, SavedPlanUse::resume)
                               : is_saved_plan(file) ? load_saved_plan(file, overrides, diags)
                                                     : plan_file(file, overrides, Registry::builtin(), diags);
  if (!diags.empty()) {
    if (!heading.empty()) std::cerr << heading << '\n';
    print_errors(diags);
    return nullptr;
  }
  return plan;
}

}  // namespace pipeml::cli
