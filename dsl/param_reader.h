// Node -> typed Value for one ParamSpec, with "expected X, got Y" errors at the node.
#pragma once
#include <optional>

#include "dsl/ast.h"
#include "dsl/schema.h"

namespace pipeml::dsl {

/// Reads `node` as the type of `spec` and checks its range or choices. On error adds a
/// diagnostic at the node and returns nothing.
std::optional<Value> read_param(const ParamSpec& spec, const Node& node, const std::string& op,
                                Diagnostics& diags);

}  // namespace pipeml::dsl
