// The layers of a `sequential` model at plan time: each layer op's shape rule (ops/layer_ops.cc)
// applied in order from the data's input shape, with torch's formulas, in plain C++.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/op.h"

namespace pipeml::layers {

/// "[16]", "[4, 13]": a shape without the batch dimension, as `pipe plan` prints it.
std::string shape_text(const std::vector<std::int64_t>& shape);

/// Plans `stages` one after another from `in`: each one's LayerSpec goes to `out` and its
/// rows (a residual block's body after its own) to `rows`; `prefix` is the state_dict prefix
/// of their container ("" for the model, "4.body." inside a residual block). Returns the
/// output shape, or nothing after a located error.
std::optional<std::vector<std::int64_t>> plan_layers(const std::vector<dsl::Stage>& stages, std::vector<std::int64_t> in,
                                                     const std::string& prefix, const LayerContext& parent,
                                                     std::vector<LayerSpec>& out, std::vector<LayerRow>& rows);

/// The choices of `init` and `bias_init` (ModelSpec documents them).
const std::vector<std::string>& init_choices();
const std::vector<std::string>& bias_init_choices();

/// A model's `init` and `bias_init` parameters, applying to `layers` ("every Linear"): the
/// one declaration the mlp and sequential schemas share.
std::vector<dsl::ParamSpec> model_init_params(const std::string& layers);

}  // namespace pipeml::layers
