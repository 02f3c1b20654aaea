// op bce_with_logits: torch.nn.BCEWithLogitsLoss, for binary classification with one
// output logit. Checked against the model's output and the data's classes at plan time.
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  st.plan.loss = LossSpec{};
  st.plan.loss.type = "bce_with_logits";
  st.plan.loss.pos_weight = s.has("pos_weight") ? s.number("pos_weight") : 1.0;
  st.plan.loss.balanced = s.string("class_weight") == "balanced";
  if (s.has("pos_weight") && st.plan.loss.balanced) {
    st.diags.error(s.param("pos_weight").loc, "'pos_weight' and 'class_weight: balanced' both weigh the positive class",
                   "keep one of them");
    return;
  }
  if (st.data.regression) {
    st.diags.error(s.op_loc, "'bce_with_logits' needs two classes, but the target '" + st.data.target + "' is a number (regression)",
                   "use a regression loss: 'mse', 'l1', 'huber' or 'smooth_l1'");
    return;
  }
  const auto& names = st.data.class_names;
  // None: the data stages failed. One: load_csv refuses that itself.
  if (names.size() == 2 && st.plan.loss.balanced)
    if (const PartInfo* train = st.data.part("train"); train && train->class_counts.size() == 2 && train->class_counts[1] > 0)
      st.step.notes.push_back("pos_weight from the training counts (count of '" + names[0] + "' / count of '" + names[1] +
                              "', as sklearn's 'balanced' weights give): " +
                              std::to_string(static_cast<double>(train->class_counts[0]) / train->class_counts[1]));
  if (names.size() <= 2) return;
  // Name the target and its classes, and show the one-line fix on the loader.
  std::string target = "the target", classes;
  const auto& data = st.plan.pipeline.data;
  if (!data.empty() && data.front().op() == "load_csv") target = "'" + data.front().string("target") + "'";
  for (std::size_t i = 0; i < names.size() && i < 10; ++i) classes += (i ? ", " : "") + names[i];
  if (names.size() > 10) classes += ", ...";
  st.diags.error(s.op_loc,
                 "'bce_with_logits' needs two classes, but " + target + " has " + std::to_string(names.size()) + ": " + classes,
                 "make the target binary with 'target_threshold' on load_csv (class 1 where " + target +
                     " is above it, for example 'target_threshold: 0'), use loss 'cross_entropy' for " + std::to_string(names.size()) +
                     " classes, or predict the number: 'target_type: number' and loss 'mse'");
}

}  // namespace

const OpDef& bce_with_logits_op() {
  static const OpDef op{
      {"bce_with_logits",
       dsl::OpKind::kLoss,
       "binary cross-entropy on one output logit (torch.nn.BCEWithLogitsLoss)",
       {
           ParamSpec::number("pos_weight").min(0, true).optional().doc("weight of the positive class's term (none: 1)"),
           ParamSpec::enumeration("class_weight", {"none", "balanced"}, "none")
               .doc("balanced: pos_weight = negatives / positives among the training rows"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
