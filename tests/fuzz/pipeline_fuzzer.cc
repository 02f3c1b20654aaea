// libFuzzer target: any bytes as a pipeline file, through the YAML reader, the schema checks
// and the planner. Whatever the input, pipe must answer with diagnostics, never crash, leak
// or hang; an exception other than UserError escaping is a finding too.
//   build: see tests/fuzz/README.md
#include <cstddef>
#include <cstdint>
#include <string>

#include "dsl/diagnostics.h"
#include "dsl/pipeline.h"
#include "runtime/planner.h"
#include "runtime/registry.h"
#include "runtime/user_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  pipeml::dsl::Diagnostics diags;
  try {
    auto pipeline = pipeml::dsl::parse_pipeline("fuzz.yaml", text, pipeml::Registry::builtin(), {}, diags);
    if (pipeline) pipeml::make_plan(std::move(*pipeline), {}, pipeml::Registry::builtin(), diags);
  } catch (const pipeml::UserError&) {
  }
  return 0;
}
