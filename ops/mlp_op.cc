// op mlp: hidden blocks of Linear -> [BatchNorm1d] -> activation -> [Dropout], then a
// Linear output sized by the task. The input width comes from the data, never the user.
// Shapes and parameter counts here; the LibTorch module is built in runtime/exec/mlp.cc.
#include <fmt/format.h>

#include "ops/columns.h"
#include "ops/data_rules.h"
#include "ops/layers.h"
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

const char* activation_type(const std::string& a) {
  if (a == "leaky_relu") return "LeakyReLU";
  if (a == "gelu") return "GELU";
  if (a == "elu") return "ELU";
  if (a == "tanh") return "Tanh";
  if (a == "sigmoid") return "Sigmoid";
  return "ReLU";
}

// The layers exactly as runtime/exec/mlp.cc builds them, with their state_dict names.
std::vector<LayerRow> layers_of(const MlpSpec& m) {
  std::vector<LayerRow> rows;
  auto add = [&](std::string type, std::int64_t width, std::int64_t params) {
    rows.push_back(LayerRow{std::to_string(rows.size()), std::move(type), {width}, params});
  };
  std::int64_t in = m.in_features;
  for (int h : m.hidden) {
    add(fmt::format("Linear({}, {})", in, h), h, in * h + h);
    if (m.batch_norm) add(fmt::format("BatchNorm1d({})", h), h, 2 * h);
    add(activation_type(m.activation), h, 0);
    if (m.dropout > 0) add(fmt::format("Dropout(p={})", m.dropout), h, 0);
    in = h;
  }
  add(fmt::format("Linear({}, {})", in, m.out_features), m.out_features, in * m.out_features + m.out_features);
  return rows;
}

void plan(const dsl::Stage& s, PlanState& st) {
  st.plan.model = ModelSpec{};  // planned once per fold under cross-validation
  st.plan.model.init = s.string("init");
  st.plan.model.bias_init = s.string("bias_init");
  MlpSpec& m = st.plan.model.mlp;
  for (auto h : s.param("hidden").value.as_int_list()) m.hidden.push_back(static_cast<int>(h));
  m.batch_norm = s.boolean("batch_norm");
  m.dropout = s.number("dropout");
  m.activation = s.string("activation");
  if (!st.data.image_shape.empty()) {
    const auto& i = st.data.image_shape;
    st.diags.error(s.op_loc, fmt::format("'mlp' takes table rows, and this data is images ({}x{}x{})", i[0], i[1], i[2]),
                   "use 'op: sequential' with conv2d layers, then flatten and linear (pipelines/cifar10.yaml)");
    return;
  }
  if (st.data.features.empty()) return;  // the data stages failed; they said why
  // A categorical column's codes are labels, not quantities: the model must not see them.
  const auto cats = columns::all_of(st.data.kinds, st.data.features.size(), columns::Want::categorical);
  if (!cats.empty() && !st.data.categorical_reported)
    st.diags.error(s.op_loc,
                   "the model takes numbers, but " + rules::categorical_text(st.data, cats) +
                       (cats.size() == 1 ? " is categorical" : " are categorical"),
                   std::string("encode ") + (cats.size() == 1 ? "it" : "them") +
                       " in the data stages: add '- op: one_hot_encode' (or ordinal_encode) after 'split'");
  m.in_features = static_cast<int>(st.data.features.size());
  const std::size_t classes = st.data.class_names.size();
  // One logit for two classes with bce_with_logits; one per class with cross_entropy.
  const bool per_class = st.plan.pipeline.loss.op() == "cross_entropy";
  m.out_features = st.data.regression || (classes == 2 && !per_class) ? 1 : static_cast<int>(classes);
  st.plan.layers = layers_of(m);
  st.plan.total_params = 0;
  for (const auto& l : st.plan.layers) st.plan.total_params += l.params;
  if (st.data.regression)
    st.step.notes.push_back(fmt::format("{} inputs from the data; 1 output: the predicted '{}'", m.in_features, st.data.target));
  else
    st.step.notes.push_back(fmt::format("{} inputs from the data; {} output{} for {} classes", m.in_features, m.out_features,
                                        m.out_features == 1 ? " (a logit)" : "s", classes));
}

std::vector<ParamSpec> params() {
  std::vector<ParamSpec> p{
      ParamSpec::int_list("hidden", std::vector<std::int64_t>{128, 64}).min(1).doc("width of each hidden block"),
      ParamSpec::boolean("batch_norm", true).doc("BatchNorm1d after each hidden Linear"),
      ParamSpec::number("dropout", 0.0).min(0).max(1, true).doc("dropout probability after each activation (0: none)"),
      ParamSpec::enumeration("activation", {"relu", "leaky_relu", "gelu", "elu", "tanh", "sigmoid"}, "relu")
          .doc("the non-linearity of the hidden blocks"),
  };
  for (auto& q : layers::model_init_params("every Linear")) p.push_back(std::move(q));
  return p;
}

}  // namespace

const OpDef& mlp_op() {
  static const OpDef op{
      {"mlp",
       dsl::OpKind::kModel,
       "multilayer perceptron: per hidden size Linear, BatchNorm1d, activation, Dropout",
       params()},
      plan,
  };
  return op;
}

}  // namespace pipeml
