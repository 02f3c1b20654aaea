// Command-line changes (--set stage.param=value, --seed, --device) applied to the parsed
// tree before it is typed, so they get exactly the checks the file gets. Their values
// are located at the option itself: errors read "--set smote.k_neighbors=x: error: ...".
// A variant's changes are the same kind of change, located in the file's `variants:`.
#pragma once
#include "dsl/ast.h"
#include "dsl/pipeline.h"

namespace pipeml::dsl {

/// One entry of the file's `variants:`: a name and its changes, each 'STAGE.PARAM: value'
/// as --set would make it, but located where the file writes it.
struct Variant {
  Node name;
  std::vector<std::pair<Node, Node>> changes;
};

/// Reads `variants:` (a mapping of names to mappings of changes), reporting its shape's errors.
std::vector<Variant> read_variants(const Node& variants, Diagnostics& diags);

/// The error for --variant NAME when the file declares no variant of that name.
void report_unknown_variant(const std::string& name, const std::vector<std::string>& declared, Diagnostics& diags);

/// Applies --variant (one of `variants`), then each --set, --seed and --device.
void apply_overrides(Node& root, const std::vector<Variant>& variants, const Overrides& overrides, Diagnostics& diags);

}  // namespace pipeml::dsl
