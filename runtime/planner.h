// Pipeline -> Plan: runs every stage's plan hook in execution order, carrying the data's
// shape and class counts from stage to stage. No LibTorch, no training: `pipe plan` and
// `pipe validate` are this plus printing.
#pragma once
#include <memory>

#include "dsl/pipeline.h"
#include "runtime/plan.h"
#include "runtime/registry.h"

namespace pipeml {

/// Builds the plan; on any error returns null with every problem in `diags`. The plan
/// holds its pipeline, and its steps point into it: it is neither copied nor moved.
std::unique_ptr<Plan> make_plan(dsl::Pipeline pipeline, const dsl::Overrides& overrides,
                                const Registry& registry, dsl::Diagnostics& diags);

/// Parses and plans a pipeline file in one go (read errors are located diagnostics too).
std::unique_ptr<Plan> plan_file(const std::string& path, const dsl::Overrides& overrides,
                                const Registry& registry, dsl::Diagnostics& diags);

/// The seed a random stage uses: its own `seed` parameter, else the pipeline's.
std::int64_t seed_of(const dsl::Stage& stage, const dsl::Pipeline& pipeline);
/// seed_of, recorded in the plan so that every plan and run says which seeds it used.
std::int64_t use_seed(const dsl::Stage& stage, Plan& plan);

/// For a data stage whose row counts depend on the values (a cleaner, ADASYN): the tables
/// after every data stage up to and including `stage`, computed by their run hooks on the
/// real data and kept in plan.planned, from which `pipe run` goes on. After kfold (st.fold
/// set), the stages up to kfold run once and the fold's from there on its own rows: the
/// fold's tables. Null when an earlier error makes that impossible; a UserError of a run
/// hook becomes an error at the stage that raised it (in a fold, the fold's error, which
/// the plan reports with its number). Call it from `stage`'s plan hook.
const std::map<std::string, Table>* planned_tables(const dsl::Stage& stage, PlanState& st);

/// "{0: 131, 1: 111}" — class counts with the class names.
std::string counts_text(const std::vector<std::size_t>& counts, const std::vector<std::string>& names);

/// "fold 3", "folds 1-3", "folds 1, 3-5" for 0-based fold indices in increasing order.
std::string folds_text(const std::vector<std::size_t>& folds);

}  // namespace pipeml
