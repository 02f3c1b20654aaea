#include "runtime/saved_plan.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/plan_print.h"
#include "runtime/planner.h"
#include "runtime/registry.h"

namespace pipeml {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

bool is_saved_plan(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char first = 0;
  if (!(in >> first) || first != '{') return false;
  const auto j = nlohmann::json::parse(read_all(path), nullptr, false);
  return j.is_object() && j.value("format", "") == "pipe-plan/1";
}

std::unique_ptr<Plan> load_saved_plan(const std::string& path, const dsl::Overrides& extra, dsl::Diagnostics& diags,
                                      SavedPlanUse use) {
  const dsl::Loc here{path, 0, 0, 1};
  const bool resume = use == SavedPlanUse::resume;
  if (!extra.empty()) {
    diags.error(here, "a saved plan runs as it was reviewed; --variant, --set, --seed and --device cannot change it",
                "plan the pipeline again with those options and -o");
    return nullptr;
  }
  const auto saved = nlohmann::json::parse(read_all(path), nullptr, false);
  if (resume && (!saved.is_object() || saved.value("format", "") != "pipe-plan/1")) {
    diags.error(here, "this is not the plan.json of a run", "resume a directory that 'pipe run' made");
    return nullptr;
  }
  dsl::Overrides overrides;
  const auto& o = saved["overrides"];
  overrides.sets = o.value("set", std::vector<std::string>{});
  if (o.contains("variant")) overrides.variant = o["variant"].get<std::string>();
  if (o.contains("seed")) overrides.seed = o["seed"].get<std::int64_t>();
  if (o.contains("device")) overrides.device = o["device"].get<std::string>();
  overrides.world_size = o.value("world_size", 1);
  const std::string pipeline_file = saved["pipeline"]["file"].get<std::string>();
  const std::string again = resume ? "start a new run with 'pipe run " + pipeline_file + "'"
                                   : "review the new plan with 'pipe plan " + pipeline_file + "' and save it again with -o";

  auto plan = plan_file(pipeline_file, overrides, Registry::builtin(), diags);
  if (!plan) {
    diags.error(here, std::string(resume ? "the run's" : "the plan's") + " pipeline '" + pipeline_file + "' no longer plans",
                resume ? "the errors above say why; resume from the directory the run was started in" : "the errors above say why");
    return nullptr;
  }
  // Every input recorded in the saved plan must hash to what it did then.
  const auto hashes = plan->all_hashes();
  for (const auto& [file, hash] : saved["hashes"].items()) {
    auto now = hashes.find(file);
    if (now == hashes.end() || now->second != hash.get<std::string>())
      diags.error(here, "'" + file + (resume ? "' changed since this run started" : "' changed since this plan was made"),
                  resume ? "a resumed run reads the inputs it started with: put the file back as it was, or " + again : again);
  }
  if (!diags.empty()) return nullptr;
  if (plan_json(*plan) != saved) {
    diags.error(here,
                std::string(resume ? "this run" : "this plan") +
                    " was made by another version of pipe and differs from what it would run now",
                resume ? again : "make it again with 'pipe plan " + pipeline_file + " -o " + path + "'");
    return nullptr;
  }
  return plan;
}

}  // namespace pipeml
