// op evaluate: test-set metrics after training, with a decision threshold on the
// positive class's probability. The metrics are runtime/metrics.cc (equal to sklearn's).
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

const std::vector<std::string> kMetrics = {"accuracy", "precision", "recall", "f1", "roc_auc"};

void plan(const dsl::Stage& s, PlanState& st) {
  st.plan.eval.threshold = s.number("threshold");
  st.plan.eval.metrics.clear();
  const auto& p = s.param("metrics");
  for (const auto& m : p.value.as_string_list()) {
    if (std::find(kMetrics.begin(), kMetrics.end(), m) == kMetrics.end())
      st.diags.error(p.loc, "unknown metric '" + m + "'" + dsl::did_you_mean(m, kMetrics), "expected " + dsl::quoted_list(kMetrics));
    else
      st.plan.eval.metrics.push_back(m);
  }
  if (st.data.split && st.data.part("test") == nullptr)
    st.diags.error(s.op_loc, "there is no test part to evaluate on", "give 'split' a test_size");
}

}  // namespace

const OpDef& evaluate_op() {
  static const OpDef op{
      {"evaluate",
       dsl::OpKind::kEvaluate,
       "score the trained model on the test part; the confusion matrix is always reported",
       {
           ParamSpec::number("threshold", 0.5).min(0).max(1).doc("predict class 1 where its probability is >= this"),
           ParamSpec::string_list("metrics", kMetrics).doc("any of accuracy, precision, recall, f1, roc_auc"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
