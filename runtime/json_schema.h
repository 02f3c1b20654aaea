// The pipeline language as a JSON Schema (draft-07), generated from the op schemas, for
// YAML editors (yaml-language-server): stage and parameter names complete, wrong types and
// values out of range are flagged as the user types. `pipe schema` prints it.
#pragma once
#include <nlohmann/json.hpp>

#include "dsl/schema.h"

namespace pipeml {

/// The schema of a whole pipeline file: the top-level keys the DSL accepts and nothing
/// else, each section's stages by the kinds of op it takes (a stage's parameters chosen by
/// its `op:`), nested stage lists and option groups through `definitions`. What JSON
/// Schema cannot say (a column's existence, leakage, shapes) is left to `pipe validate`.
/// Keys keep the order written (the ops' and parameters' order), for people reading it.
nlohmann::ordered_json pipeline_json_schema(const dsl::SchemaLookup& ops);

/// One parameter's schema: the forms the DSL reads (a scalar where a list is expected is a
/// list of one; yes/no are booleans; null leaves an optional parameter unset), its range,
/// choices, default and doc. `kind` is the op's: a stage list without a kind of its own
/// (sequential_lr's schedulers) holds stages of that kind.
nlohmann::ordered_json param_json_schema(const dsl::ParamSpec& spec, dsl::OpKind kind);

}  // namespace pipeml
