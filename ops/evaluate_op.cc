// op evaluate: test-set metrics after training, with a decision threshold on the
// positive class's probability. The metrics are runtime/metrics.cc (equal to sklearn's).
#include <algorithm>

#include "ops/data_rules.h"
#include "runtime/op.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

const std::vector<std::string> kMetrics = {"accuracy", "precision", "recall", "f1", "roc_auc"};
const std::vector<std::string> kRegressionMetrics = {"mae", "mse", "rmse", "r2"};

bool among(const std::string& m, const std::vector<std::string>& list) {
  return std::find(list.begin(), list.end(), m) != list.end();
}

// The metrics asked for, each known and of the target's kind; the default list is the
// classifier's, so a regression pipeline that names none gets the regression list.
void plan_metrics(const dsl::Stage& s, PlanState& st) {
  const auto& p = s.param("metrics");
  const bool regression = st.data.regression;
  const auto& own = regression ? kRegressionMetrics : kMetrics;
  const auto& other = regression ? kMetrics : kRegressionMetrics;
  if (regression && p.is_default) {  // the classifier's default list: the regression one instead
    st.plan.eval.metrics = own;
    return;
  }
  std::vector<std::string> all = kMetrics;
  all.insert(all.end(), kRegressionMetrics.begin(), kRegressionMetrics.end());
  for (std::size_t i = 0; i < p.value.as_string_list().size(); ++i) {
    const std::string& m = p.value.as_string_list()[i];
    const dsl::Loc& loc = p.item_loc(i);
    if (among(m, own))
      st.plan.eval.metrics.push_back(m);
    else if (among(m, other) && !rules::has_data(st))
      continue;  // the data failed to load (said already): there is no kind to judge by
    else if (among(m, other))
      st.diags.error(loc, "'" + m + "' scores " + (regression ? "a classifier" : "a regression") + ", but the target " +
                              (regression ? "'" + st.data.target + "' is a number" : std::string("holds classes")),
                     "expected " + dsl::quoted_list(own));
    else
      st.diags.error(loc, "unknown metric '" + m + "'" + dsl::did_you_mean(m, all), "expected " + dsl::quoted_list(own));
  }
}

void plan(const dsl::Stage& s, PlanState& st) {
  st.plan.eval.threshold = s.number("threshold");
  st.plan.eval.metrics.clear();
  plan_metrics(s, st);
  const dsl::Param& threshold = s.param("threshold");
  const bool multiclass = st.plan.model.out_features() > 1;
  if (st.data.regression && !threshold.is_default)
    st.diags.error(threshold.loc, "'threshold' turns a probability into a class, but the target '" + st.data.target +
                                      "' is a number (regression)",
                   "remove 'threshold'");
  if (multiclass && !threshold.is_default)
    st.diags.error(threshold.loc, "'threshold' applies to one probability, but the model gives one per class",
                   "remove 'threshold': the predicted class is the most probable one");
  if (multiclass && !st.data.regression && rules::has_data(st))
    st.step.notes.push_back("predicted class: the most probable; precision, recall and f1 are macro averages over the " +
                            std::to_string(st.data.class_names.size()) + " classes, roc_auc is one-vs-rest (macro)");
  if (st.data.split && st.data.part("test") == nullptr)
    st.diags.error(s.op_loc, "there is no test part to evaluate on", "give 'split' a test_size");
  if (st.data.regression) return;  // the class checks below do not apply
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
                     "the test part has no row of class '" + st.data.class_names[c] + "': the test metrics need rows of " +
                         (st.data.class_names.size() == 2 ? std::string("both classes") : "every class"),
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
       "score the trained model on the test part; a classifier's confusion matrix is always reported",
       {
           ParamSpec::number("threshold", 0.5).min(0).max(1).doc("predict class 1 where its probability is >= this"),
           ParamSpec::string_list("metrics", kMetrics)
               .doc("classifier: any of accuracy, precision, recall, f1, roc_auc; regression: mae, mse, rmse, r2 (their default)"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
