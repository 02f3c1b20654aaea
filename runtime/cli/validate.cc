// pipe validate FILE: parse and plan without printing the plan; every error in one pass.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>

#include "runtime/cli/common.h"
#include "runtime/cli/verbs.h"

namespace pipeml::cli {

int validate_main(int argc, char** argv) {
  static const char* kUsageText = "usage: pipe validate [options] FILE";
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")("file", po::value<std::string>(), "the pipeline");
  add_override_options(desc);
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse_args(argc, argv, desc, pos, vm, kUsageText)) return kUsage;
  if (vm.count("help")) {
    std::cout << kUsageText << "\n\nChecks a pipeline against the ops' schemas and its data: unknown names,\n"
              << "types, ranges, stage order (leakage), columns, shapes. Exit 0 when valid.\n\n" << desc;
    return kOk;
  }
  if (!vm.count("file")) {
    std::cerr << "pipe validate: which pipeline?\n" << kUsageText << '\n';
    return kUsage;
  }
  const std::string file = vm["file"].as<std::string>();
  const dsl::Overrides overrides = overrides_from(vm);
  auto plan = load_plan(file, overrides);
  if (!plan) return kInvalid;
  // Each of the file's variants is a pipeline of its own: check them all (--variant: that one).
  int bad_variants = 0;
  if (!overrides.variant)
    for (const std::string& name : plan->pipeline.variant_names) {
      dsl::Overrides with = overrides;
      with.variant = name;
      if (!load_plan(file, with, false, "in variant '" + name + "':")) ++bad_variants;
    }
  if (bad_variants > 0) return kInvalid;
  const std::size_t folds = plan->fold_data.size();
  std::cout << fmt::format("{}: ok — {} data stages, {} ({} parameters), {}{}, {} epochs{}\n", file,
                           plan->pipeline.data.size(), plan->pipeline.model.op(), plan->total_params,
                           plan->pipeline.optimizer.op(),
                           plan->pipeline.scheduler ? " + " + plan->pipeline.scheduler->op() : "", plan->train.epochs,
                           folds ? fmt::format(", {} folds", folds) : "");
  if (const auto& names = plan->pipeline.variant_names; !names.empty() && !overrides.variant)
    std::cout << fmt::format("  and each of its {} variants plans: {}\n", names.size(), fmt::join(names, ", "));
  return kOk;
}

}  // namespace pipeml::cli
