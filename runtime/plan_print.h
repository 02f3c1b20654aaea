// The plan as a person reads it (`pipe plan`) and as a program reads it (--format json,
// `-o FILE`, and plan.json in every run directory). Both come from the same Plan.
#pragma once
#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/plan.h"

namespace pipeml {

void print_plan(std::ostream& os, const Plan& plan);
nlohmann::json plan_json(const Plan& plan);
/// "0.001 (epochs 1-10), 0.0008 (11-20), ..." — the schedule folded into runs.
std::string schedule_text(const std::vector<double>& lr_by_epoch, std::size_t max_runs = 6);

}  // namespace pipeml
