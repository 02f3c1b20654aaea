// op cross_entropy: torch.nn.CrossEntropyLoss, one logit per class, for two or more
// classes; the model's output width follows. Class weights as PyTorch's `weight` (one per
// class, in class order) or sklearn's class_weight='balanced' from the training counts.
#include <fmt/format.h>

#include "ops/data_rules.h"
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

// "{0: 0.77, 1: 1.42, ...}": the balanced weights of these counts (sklearn's formula).
std::string balanced_text(const std::vector<std::size_t>& counts, const std::vector<std::string>& names) {
  std::size_t n = 0, present = 0;
  for (auto c : counts) n += c, present += c > 0;
  std::string out;
  for (std::size_t c = 0; c < counts.size(); ++c)
    out += fmt::format("{}{}: {:.4g}", c ? ", " : "", names[c],
                       counts[c] ? static_cast<double>(n) / (static_cast<double>(counts.size()) * counts[c]) : 0.0);
  return "{" + out + "}";
}

void plan(const dsl::Stage& s, PlanState& st) {
  LossSpec& l = st.plan.loss;
  l = LossSpec{};
  l.type = "cross_entropy";
  l.label_smoothing = s.number("label_smoothing");
  l.balanced = s.string("class_weight") == "balanced";
  const dsl::Param& weight = s.param("weight");
  if (weight.value.is_set()) l.weight = weight.value.as_float_list();
  if (weight.value.is_set() && l.balanced) {
    st.diags.error(weight.loc, "'weight' and 'class_weight: balanced' both set the class weights", "keep one of them");
    return;
  }
  if (!rules::has_data(st)) return;
  if (st.data.regression) {
    st.diags.error(s.op_loc, "'cross_entropy' needs classes, but the target '" + st.data.target + "' is a number (regression)",
                   "use a regression loss: 'mse', 'l1', 'huber' or 'smooth_l1'");
    return;
  }
  const auto& names = st.data.class_names;
  if (weight.value.is_set() && l.weight.size() != names.size()) {
    st.diags.error(weight.loc,
                   fmt::format("'weight' has {} value{}, but there are {} classes ({})", l.weight.size(),
                               l.weight.size() == 1 ? "" : "s", names.size(), dsl::quoted_list(names, "and")),
                   "give one weight per class, in that order");
    return;
  }
  if (l.balanced)
    if (const PartInfo* train = st.data.part("train"))
      st.step.notes.push_back("class weights from the training counts (n / (classes * count), as sklearn's 'balanced'): " +
                              balanced_text(train->class_counts, names));
}

}  // namespace

const OpDef& cross_entropy_op() {
  static const OpDef op{
      {"cross_entropy",
       dsl::OpKind::kLoss,
       "cross-entropy on one logit per class, for two or more classes (torch.nn.CrossEntropyLoss)",
       {
           ParamSpec::float_list("weight").min(0).optional().doc("weight of each class's term, in class order (none: 1 each)"),
           ParamSpec::enumeration("class_weight", {"none", "balanced"}, "none")
               .doc("balanced: weights n / (classes * count) from the training rows, as sklearn's"),
           ParamSpec::number("label_smoothing", 0.0).min(0).max(1).doc("mix this much of the uniform distribution into the targets"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
