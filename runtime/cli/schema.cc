// pipe schema: the JSON Schema of the pipeline language, generated from the op registry,
// for YAML editors (docs/editor.md).
#include <iostream>

#include "runtime/artifacts.h"
#include "runtime/cli/common.h"
#include "runtime/cli/verbs.h"
#include "runtime/json_schema.h"
#include "runtime/registry.h"
#include "runtime/user_error.h"

namespace pipeml::cli {

int schema_main(int argc, char** argv) {
  static const char* kUsageText = "usage: pipe schema [-o FILE]";
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")
      ("output,o", po::value<std::string>()->value_name("FILE"), "write it to FILE instead of stdout");
  po::positional_options_description pos;  // none: a stray word is an error
  po::variables_map vm;
  if (!parse_args(argc, argv, desc, pos, vm, kUsageText)) return kUsage;
  if (vm.count("help")) {
    std::cout << kUsageText << "\n\nWrites a JSON Schema (draft-07) of the pipeline language, generated from the ops'\n"
              << "schemas, so that a YAML editor completes op and parameter names and flags wrong\n"
              << "types as you type. Hook it up as docs/editor.md says; regenerate it after\n"
              << "upgrading pipe.\n\n" << desc;
    return kOk;
  }
  const std::string text = pipeline_json_schema(Registry::builtin()).dump(2) + "\n";
  if (!vm.count("output")) {
    std::cout << text;
    return kOk;
  }
  const std::string out = vm["output"].as<std::string>();
  try {
    write_atomic(out, text);
  } catch (const UserError& e) {
    std::cerr << "error: " << e.what() << '\n';
    return kInvalid;
  }
  std::cerr << "wrote the pipeline schema to " << out << '\n';
  return kOk;
}

}  // namespace pipeml::cli
