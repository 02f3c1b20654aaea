// op bce_with_logits: torch.nn.BCEWithLogitsLoss, for binary classification with one
// output logit. Checked against the model's output and the data's classes at plan time.
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  st.plan.loss.type = "bce_with_logits";
  st.plan.loss.pos_weight = s.has("pos_weight") ? s.number("pos_weight") : 1.0;
  const std::size_t classes = st.data.class_names.size();
  if (classes != 0 && classes != 2)
    st.diags.error(s.op_loc,
                   "'bce_with_logits' needs a binary target, but the data has " + std::to_string(classes) + " classes",
                   "set 'target_threshold' on load_csv to make two classes");
}

}  // namespace

const OpDef& bce_with_logits_op() {
  static const OpDef op{
      {"bce_with_logits",
       dsl::OpKind::kLoss,
       "binary cross-entropy on one output logit (torch.nn.BCEWithLogitsLoss)",
       {
           ParamSpec::number("pos_weight").min(0, true).optional().doc("weight of the positive class's term (none: 1)"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
