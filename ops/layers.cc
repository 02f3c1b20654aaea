#include "ops/layers.h"

#include <fmt/format.h>

#include "runtime/registry.h"

namespace pipeml::layers {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

std::optional<std::vector<std::int64_t>> plan_layers(const std::vector<dsl::Stage>& stages, std::vector<std::int64_t> in,
                                                     const std::string& prefix, const LayerContext& parent,
                                                     std::vector<LayerSpec>& out, std::vector<LayerRow>& rows) {
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const dsl::Stage& s = stages[i];
    const OpDef* def = parent.registry.op(s.op());
    if (def == nullptr || def->layer == nullptr) return std::nullopt;  // the parser reported it
    LayerSpec spec;
    spec.op = s.op();
    spec.in_shape = in;
    const std::string name = prefix + std::to_string(i);
    LayerContext c{s, in, fmt::format("layer {} '{}'", name, s.op()), name, parent.diags, parent.registry, spec, rows,
                   parent.init, parent.bias_init};
    const std::size_t before = rows.size();
    if (!def->layer(c)) return std::nullopt;
    if (rows.size() == before) rows.push_back(LayerRow{name, spec.type, spec.out_shape, spec.params});
    in = spec.out_shape;
    out.push_back(std::move(spec));
  }
  return in;
}

const std::vector<std::string>& init_choices() {
  static const std::vector<std::string> c{"default",         "xavier_uniform", "xavier_normal",
                                          "kaiming_uniform", "kaiming_normal", "orthogonal"};
  return c;
}

const std::vector<std::string>& bias_init_choices() {
  static const std::vector<std::string> c{"default", "zeros"};
  return c;
}

std::vector<dsl::ParamSpec> model_init_params(const std::string& layers) {
  return {dsl::ParamSpec::enumeration("init", init_choices(), "default")
              .doc("weight initialisation of " + layers + " (torch.nn.init; default: PyTorch's)"),
          dsl::ParamSpec::enumeration("bias_init", bias_init_choices(), "default")
              .doc("bias initialisation of " + layers + " (default: PyTorch's)")};
}

}  // namespace pipeml::layers
