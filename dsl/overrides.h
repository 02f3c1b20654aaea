// Command-line changes (--set stage.param=value, --seed, --device) applied to the parsed
// tree before it is typed, so they get exactly the checks the file gets. Their values
// are located at the option itself: errors read "--set smote.k_neighbors=x: error: ...".
#pragma once
#include "dsl/ast.h"
#include "dsl/pipeline.h"

namespace pipeml::dsl {

void apply_overrides(Node& root, const Overrides& overrides, Diagnostics& diags);

}  // namespace pipeml::dsl
