// `pipe plan -o FILE` and `pipe run FILE`: a saved plan records the pipeline file, the
// command-line overrides and the sha256 of every input. Running it re-plans from those and
// refuses when any input changed, so what runs is exactly what was reviewed.
#pragma once
#include <memory>
#include <string>

#include "dsl/diagnostics.h"
#include "runtime/plan.h"

namespace pipeml {

/// True when `path` holds a saved plan (JSON with "format": "pipe-plan/1").
bool is_saved_plan(const std::string& path);

/// What a saved plan is loaded for: running it, or resuming the interrupted run whose
/// plan.json it is (the errors' wording and advice differ).
enum class SavedPlanUse { run, resume };

/// Re-plans a saved plan; errors (changed inputs, extra overrides) go to `diags`.
std::unique_ptr<Plan> load_saved_plan(const std::string& path, const dsl::Overrides& extra, dsl::Diagnostics& diags,
                                      SavedPlanUse use = SavedPlanUse::run);

}  // namespace pipeml
