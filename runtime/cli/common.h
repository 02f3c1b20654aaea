// What the verbs share: the --set/--seed/--device options, loading a pipeline or a saved
// plan into a Plan, and printing diagnostics.
#pragma once
#include <boost/program_options.hpp>
#include <memory>
#include <string>

#include "runtime/plan.h"

namespace pipeml::cli {

namespace po = boost::program_options;

/// Exit codes: 0 success, 1 the pipeline or its data has errors, 2 the command line is wrong.
enum Exit { kOk = 0, kInvalid = 1, kUsage = 2 };

/// Adds --set, --seed and --device.
void add_override_options(po::options_description& desc);
dsl::Overrides overrides_from(const po::variables_map& vm);

/// Parses argv (after the verb) into `vm`; prints the error and usage on failure.
bool parse_args(int argc, char** argv, const po::options_description& desc,
                const po::positional_options_description& pos, po::variables_map& vm, const char* usage);

/// Prints `diags` to stderr with their count ("2 errors"), as every verb does.
void print_errors(const dsl::Diagnostics& diags);

/// Plans FILE (a pipeline, or a plan saved by `pipe plan -o`). On errors prints them all
/// to stderr with a count, and returns null.
/// With `resume`, FILE is an interrupted run's plan.json (SavedPlanUse::resume).
/// `heading`, when given, is printed on a line of its own before the errors.
std::unique_ptr<Plan> load_plan(const std::string& file, const dsl::Overrides& overrides, bool resume = false,
                                const std::string& heading = "");

}  // namespace pipeml::cli
