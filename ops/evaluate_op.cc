// op evaluate: test-set metrics after training, with a decision threshold on the
// positive class's probability. The metrics are runtime/metrics.cc (equal to sklearn's).
#include <algorithm>

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
  // ROC-AUC (and so the report) needs both classes among the test rows. A small class can
  // miss a test part: an unstratified split, or more folds than the class has rows.
  if (const PartInfo* test = st.data.part("test")) {
    const auto& data = st.plan.pipeline.data;
    const auto splitter = std::find_if(data.begin(), data.end(), [](const dsl::Stage& x) {
      return x.op() == "split" || x.op() == "kfold";
    });
    for (std::size_t c = 0; c < test->class_counts.size(); ++c) {
      if (test->class_counts[c] != 0) continue;
      const bool folds = splitter != data.end() && splitter->op() == "kfold";
      st.diags.error(splitter != data.end() ? splitter->op_loc : s.op_loc,
                     "the test part has no row of class '" + st.data.class_names[c] + "': the test metrics need rows of both classes",
                     folds ? "fewer folds (n_splits) put more rows in each fold's test part"
                           : "stratify the split, or give the test part more rows (test_size)");
      break;
    }
  }
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
