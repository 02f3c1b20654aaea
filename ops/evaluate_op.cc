// op evaluate: test-set metrics after training, with a decision threshold on the
// positive class's probability, fixed or tuned on the validation part. The metrics are
// runtime/metrics.cc and its neighbours (equal to sklearn's).
#include <algorithm>

#include "ops/data_rules.h"
#include "runtime/op.h"
#include "runtime/threshold_tuning.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

const std::vector<std::string> kMetrics = {"accuracy", "balanced_accuracy", "precision", "recall", "f1",
                                           "roc_auc",  "average_precision", "log_loss"};
const std::vector<std::string> kDefaultMetrics = {"accuracy", "precision", "recall", "f1", "roc_auc"};
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
  if (p.is_default) {  // the classifier's default list; a regression target gets the regression one
    st.plan.eval.metrics = regression ? own : kDefaultMetrics;
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

// The data stage that made the parts (split or kfold), or null.
const dsl::Stage* splitter_of(const PlanState& st) {
  const auto& data = st.plan.pipeline.data;
  const auto it =
      std::find_if(data.begin(), data.end(), [](const dsl::Stage& x) { return x.op() == "split" || x.op() == "kfold"; });
  return it == data.end() ? nullptr : &*it;
}

// 'average' picks among the ways to combine per-class values: only a model scored by the
// multiclass metrics (three or more classes) has them.
void plan_average(const dsl::Stage& s, PlanState& st, bool many_classes) {
  const dsl::Param& average = s.param("average");
  st.plan.eval.average = s.string("average");
  if (average.is_default || many_classes || !rules::has_data(st)) return;
  st.diags.error(average.loc,
                 st.data.regression ? "'average' combines the classes' precision, recall and f1, but the target '" +
                                          st.data.target + "' is a number (regression)"
                                    : std::string("'average' combines the classes' precision, recall and f1, but the "
                                                  "target has two classes: the scores are the positive class's"),
                 "remove 'average'");
}

// tune_threshold: one probability, a validation part to choose on, no fixed threshold beside it.
void plan_tuning(const dsl::Stage& s, PlanState& st, bool multiclass) {
  st.plan.eval.tune_threshold = s.has("tune_threshold") ? s.string("tune_threshold") : "";
  if (st.plan.eval.tune_threshold.empty() || !rules::has_data(st)) return;
  const dsl::Param& tune = s.param("tune_threshold");
  const dsl::Param& threshold = s.param("threshold");
  if (st.data.regression) {
    st.diags.error(tune.loc, "'tune_threshold' chooses where a probability becomes a class, but the target '" +
                                 st.data.target + "' is a number (regression)",
                   "remove 'tune_threshold'");
    return;
  }
  if (multiclass) {
    st.diags.error(tune.loc, "'tune_threshold' applies to one probability, but the model gives one per class",
                   "remove 'tune_threshold': the predicted class is the most probable one");
    return;
  }
  if (!threshold.is_default)
    st.diags.error(threshold.loc, "'threshold' and 'tune_threshold' both set the decision threshold",
                   "remove 'threshold' (tune_threshold chooses it on the validation part) or 'tune_threshold'");
  const PartInfo* validation = st.data.part("validation");
  const dsl::Stage* splitter = splitter_of(st);
  if (validation == nullptr || validation->rows == 0) {
    const bool folds = splitter != nullptr && splitter->op() == "kfold";
    st.diags.error(tune.loc, "'tune_threshold' chooses the threshold on the validation part, and there is none",
                   folds ? "kfold's folds have no validation part: use 'split' with a validation_size, or a fixed 'threshold'"
                         : "give 'split' a validation_size (e.g. validation_size: 0.2)");
    return;
  }
  st.step.notes.push_back("decision threshold: tuned for " + st.plan.eval.tune_threshold + " on the validation part's " +
                          std::to_string(validation->rows) +
                          " rows (each distinct probability tried; among equal scores the one nearest 0.5)");
}

void plan(const dsl::Stage& s, PlanState& st) {
  st.plan.eval.threshold = s.number("threshold");
  st.plan.eval.metrics.clear();
  plan_metrics(s, st);
  const dsl::Param& threshold = s.param("threshold");
  // A probability per class (cross_entropy): the most probable class is predicted, so no
  // threshold; three or more classes are scored by the multiclass metrics, with 'average'.
  const bool multiclass = st.plan.model.out_features() > 1;
  const bool many_classes = multiclass && st.data.class_names.size() > 2;
  if (st.data.regression && !threshold.is_default)
    st.diags.error(threshold.loc, "'threshold' turns a probability into a class, but the target '" + st.data.target +
                                      "' is a number (regression)",
                   "remove 'threshold'");
  if (multiclass && !threshold.is_default)
    st.diags.error(threshold.loc, "'threshold' applies to one probability, but the model gives one per class",
                   "remove 'threshold': the predicted class is the most probable one");
  plan_average(s, st, many_classes);
  plan_tuning(s, st, multiclass);
  if (multiclass && !st.data.regression && rules::has_data(st))
    st.step.notes.push_back("predicted class: the most probable; precision, recall and f1 are " + st.plan.eval.average +
                            " averages over the " + std::to_string(st.data.class_names.size()) +
                            " classes, roc_auc is one-vs-rest (macro)");
  if (st.data.split && st.data.part("test") == nullptr)
    st.diags.error(s.op_loc, "there is no test part to evaluate on", "give 'split' a test_size");
  if (st.data.regression) return;  // the class checks below do not apply
  // ROC-AUC (and so the report) needs both classes among the test rows. A small class can
  // miss a test part: an unstratified split, or more folds than the class has rows.
  if (const PartInfo* test = st.data.part("test")) {
    const dsl::Stage* splitter = splitter_of(st);
    for (std::size_t c = 0; c < test->class_counts.size(); ++c) {
      if (test->class_counts[c] != 0) continue;
      const bool folds = splitter != nullptr && splitter->op() == "kfold";
      st.diags.error(splitter != nullptr ? splitter->op_loc : s.op_loc,
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
           ParamSpec::enumeration("tune_threshold", metrics::kTunableMetrics)
               .optional("none: the fixed threshold")
               .doc("choose the threshold on the validation part: the distinct probability maximising this metric "
                    "(ties: nearest 0.5)"),
           ParamSpec::string_list("metrics", kDefaultMetrics)
               .doc("classifier: any of accuracy, balanced_accuracy, precision, recall, f1, roc_auc, average_precision, "
                    "log_loss; regression: mae, mse, rmse, r2 (their default)"),
           ParamSpec::enumeration("average", {"macro", "weighted", "micro"}, "macro")
               .doc("multiclass: how precision, recall and f1 combine the classes (sklearn's average)"),
       }},
      plan,
  };
  return op;
}

}  // namespace pipeml
