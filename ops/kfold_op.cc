// op kfold: k-fold cross-validation, the folds of scikit-learn's StratifiedKFold / KFold
// (ops/kfold.h). Every stage after it — fitted transforms, resamplers, the model — is
// planned and run once per fold on that fold's train and test parts; see runtime/planner.cc
// and runtime/executor.cc.
#include <algorithm>

#include "ops/data_rules.h"
#include "ops/kfold.h"
#include "runtime/planner.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

// Each fold's rows as indices into `labels`.
std::vector<kfold::Fold> folds_of(const dsl::Stage& s, const std::vector<int>& labels, bool regression,
                                  std::int64_t seed, const std::vector<std::string>& class_names) {
  const auto n_splits = static_cast<std::size_t>(s.integer("n_splits"));
  const bool shuffle = s.boolean("shuffle");
  const auto random_state = static_cast<std::uint64_t>(seed);
  if (rules::stratifies(s, regression)) return kfold::stratified_kfold(labels, n_splits, shuffle, random_state, class_names);
  return kfold::kfold(labels.size(), n_splits, shuffle, random_state);
}

// Exactly one stage splits the data: kfold after split (or another kfold) is an error here;
// split after kfold is split's to report.
bool check_first_splitter(const dsl::Stage& s, PlanState& st) {
  const dsl::Stage* first = rules::earlier_splitter(s, st);
  if (!first) return true;
  if (first->op() == "split")
    st.diags.error(s.op_loc, "'kfold' after 'split': cross-validation makes its own train and test parts from all the rows",
                   "use either 'split' (one train/test split) or 'kfold' (cross-validation), not both");
  else
    st.diags.error(s.op_loc, "the data is already split into folds", "one 'kfold' stage makes the folds");
  return false;
}

void plan(const dsl::Stage& s, PlanState& st) {
  const bool shuffle = s.boolean("shuffle");
  const dsl::Param& seed_param = s.param("seed");
  // sklearn refuses a random_state without shuffle: it would change nothing.
  if (!shuffle && !seed_param.is_default) {
    st.diags.error(seed_param.loc, "'seed' has no effect when 'shuffle' is false", "remove 'seed', or set 'shuffle: true'");
    return;
  }
  const std::int64_t seed = shuffle ? use_seed(s, st.plan) : 0;
  if (!check_first_splitter(s, st) || !rules::has_data(st) || !rules::check_stratify(s, st)) return;
  DataInfo& d = st.data;
  const auto all = d.part_rows.find("all");
  if (all == d.part_rows.end()) {
    st.diags.error(s.op_loc, "'kfold' must come before stages that add or remove rows");
    return;
  }
  const std::vector<std::size_t> all_rows = all->second;
  std::vector<int> labels;
  for (auto r : all_rows) labels.push_back(d.labels[r]);
  std::vector<kfold::Fold> folds;
  try {
    folds = folds_of(s, labels, d.regression, seed, d.class_names);
  } catch (const UserError& e) {
    // Too many folds for the rows, or for every class: say how many there can be.
    std::vector<std::size_t> counts(d.class_names.size(), 0);
    for (int y : labels)
      if (!d.regression) ++counts[y];
    const std::size_t most = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
    const bool too_few_rows = d.regression || static_cast<std::size_t>(s.integer("n_splits")) > labels.size();
    const dsl::Param& n = s.param("n_splits");
    st.diags.error(n.is_default ? s.op_loc : n.loc, e.what(),
                   too_few_rows ? "set 'n_splits' to " + std::to_string(labels.size()) + " or fewer"
                                : "set 'n_splits' to " + std::to_string(most) + " or fewer, or 'stratify: false'");
    return;
  }
  d.parts.clear();
  d.part_rows.clear();
  d.split = true;
  for (const auto& f : folds) {
    FoldRows rows;
    for (auto i : f.train) rows.train.push_back(all_rows[i]);
    for (auto i : f.test) rows.test.push_back(all_rows[i]);
    FoldStep out;
    for (const auto& [name, part] : {std::pair{"train", &rows.train}, std::pair{"test", &rows.test}}) {
      out.parts.push_back(PartInfo{name, part->size(), d.count_classes(*part)});
    }
    st.step.folds.push_back(out);
    d.folds.push_back(std::move(rows));
  }
  const std::size_t k = folds.size();
  const bool stratified = rules::stratifies(s, d.regression);
  if (d.regression) st.step.notes.push_back("not stratified (KFold): the target is a number, which has no classes");
  st.step.notes.push_back(std::string(stratified ? "stratified: each fold's test part keeps the class proportions; "
                                                             : "") +
                          "every row is in the test part of exactly one fold");
  if (stratified)
    if (const std::string warning = kfold::stratified_warning(labels, k, d.class_names); !warning.empty())
      st.step.notes.push_back(warning);
  st.step.notes.push_back("the stages below run once per fold, fitted on that fold's train part only; " +
                          std::to_string(k) + " models are trained, each scored on its fold's test part");
}

void run(const dsl::Stage& s, DataRun& r) {
  const Table& all = r.parts.at("all");
  const std::int64_t seed = s.boolean("shuffle") ? seed_of(s, r.plan.pipeline) : 0;
  for (auto& f : folds_of(s, all.strata(), all.regression, seed, all.class_names)) r.folds.push_back(FoldRows{std::move(f.train), std::move(f.test)});
}

}  // namespace

const OpDef& kfold_op() {
  static const OpDef op{
      {"kfold",
       dsl::OpKind::kData,
       "k-fold cross-validation: the stages after it run, and the model trains, once per fold (sklearn's "
       "StratifiedKFold / KFold)",
       {
           ParamSpec::integer("n_splits", 5).min(2).doc("number of folds; each row is tested in exactly one"),
           ParamSpec::boolean("stratify", true).doc("keep the class proportions in every fold (StratifiedKFold; else KFold; never for a number target)"),
           ParamSpec::boolean("shuffle", true).doc("shuffle before dealing rows into folds (sklearn's default is false)"),
           ParamSpec::integer("seed").min(0).max(4294967295.0).optional("pipeline seed").doc("random_state of the shuffle"),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
