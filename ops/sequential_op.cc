// op sequential: torch.nn.Sequential of the `layers:` list — each a layer op (ops/layer_ops.cc)
// with torch.nn's parameter names, its input size inferred from the layer before it. The
// input is the data's [features]; the last layer's output must be what the loss needs,
// which the user writes (out_features of the last linear) and the plan checks.
#include <fmt/format.h>

#include "ops/columns.h"
#include "ops/data_rules.h"
#include "ops/layers.h"
#include "runtime/registry.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;
using layers::shape_text;

bool is_regression_loss(const std::string& loss) {
  return loss == "mse" || loss == "l1" || loss == "huber" || loss == "smooth_l1";
}

// The last layer's output against the task's: [1] for bce_with_logits and regression, [k]
// for cross_entropy on k classes. Says nothing when the loss does not fit the data (the
// loss says that).
void check_output(const dsl::Stage& s, PlanState& st, const std::vector<std::int64_t>& out) {
  const std::string& loss = st.plan.pipeline.loss.op();
  const std::size_t classes = st.data.class_names.size();
  std::int64_t want = 0;
  std::string why;
  if (st.data.regression && is_regression_loss(loss)) want = 1, why = "regression";
  else if (!st.data.regression && loss == "bce_with_logits" && classes == 2) want = 1, why = "bce_with_logits";
  else if (!st.data.regression && loss == "cross_entropy" && classes >= 2)
    want = static_cast<std::int64_t>(classes), why = fmt::format("cross_entropy for {} classes", classes);
  if (want == 0 || out == std::vector<std::int64_t>{want}) return;
  const dsl::Stage& last = s.children.back();
  std::string note;
  if (out.size() == 1 && last.op() == "linear") note = fmt::format("set 'out_features: {}' on the last linear", want);
  else if (out.size() > 1) note = fmt::format("add '- op: flatten' and '- op: linear' with 'out_features: {}' at the end", want);
  else note = fmt::format("end with '- op: linear' and 'out_features: {}'", want);
  st.diags.error(last.op_loc,
                 fmt::format("the last layer gives {}, the loss needs {} ({})", shape_text(out), shape_text({want}), why), note);
}

void plan(const dsl::Stage& s, PlanState& st) {
  ModelSpec& m = st.plan.model;
  m = ModelSpec{};
  m.op = "sequential";
  m.init = s.string("init");
  m.bias_init = s.string("bias_init");
  st.plan.layers.clear();
  st.plan.total_params = 0;
  const std::vector<std::int64_t>& image = st.data.image_shape;
  if (st.data.features.empty() && image.empty()) return;  // the data stages failed; they said why
  const auto cats = columns::all_of(st.data.kinds, st.data.features.size(), columns::Want::categorical);
  if (!cats.empty() && !st.data.categorical_reported)
    st.diags.error(s.op_loc,
                   "the model takes numbers, but " + rules::categorical_text(st.data, cats) +
                       (cats.size() == 1 ? " is categorical" : " are categorical"),
                   std::string("encode ") + (cats.size() == 1 ? "it" : "them") +
                       " in the data stages: add '- op: one_hot_encode' (or ordinal_encode) after 'split'");
  m.layers_in = static_cast<int>(st.data.features.size());
  std::vector<std::int64_t> in{m.layers_in};
  if (!image.empty()) {
    m.image_shape = image;
    in = image;
    m.layers_in = static_cast<int>(image[0] * image[1] * image[2]);
  }
  std::vector<LayerRow> rows;
  LayerSpec root;
  LayerContext top{s, {}, "", "", st.diags, st.registry, root, rows, m.init, m.bias_init};
  const auto out = layers::plan_layers(s.children, in, "", top, m.layers, rows);
  if (!out) {
    m.layers.clear();
    return;
  }
  check_output(s, st, *out);
  st.plan.layers = std::move(rows);
  for (const auto& l : m.layers) st.plan.total_params += l.params;
  st.step.notes.push_back(image.empty() ? fmt::format("input [{}] from the data's features; output {}", m.layers_in, shape_text(*out))
                                        : fmt::format("input {} from the images; output {}", shape_text(image), shape_text(*out)));
}

std::vector<ParamSpec> params() {
  std::vector<ParamSpec> p{ParamSpec::stages("layers", dsl::OpKind::kLayer).doc("the layers, in order; the first takes [features], or [channels, height, width] of images")};
  for (auto& q : layers::model_init_params("every linear and conv")) p.push_back(std::move(q));
  return p;
}

}  // namespace

const OpDef& sequential_op() {
  static const OpDef op{
      {"sequential",
       dsl::OpKind::kModel,
       "torch.nn.Sequential of layers: each '- op: LAYER' with torch's parameters, sizes inferred",
       params()},
      plan,
  };
  return op;
}

}  // namespace pipeml
