// op split: train/test (and optionally validation) parts, with the rows and class counts
// scikit-learn's train_test_split gives for the same sizes and random_state.
#include "ops/data_rules.h"
#include "ops/split.h"
#include "runtime/planner.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

std::optional<double> opt_number(const dsl::Stage& s, const char* name) {
  if (!s.has(name)) return std::nullopt;
  return s.number(name);
}

// Indices into `labels` for each part, as train_test_split would give them; the
// validation part, when asked for, is split off the training part the same way.
std::map<std::string, std::vector<std::size_t>> split_rows(const dsl::Stage& s, const std::vector<int>& labels,
                                                           bool regression, std::int64_t seed) {
  const bool stratify = rules::stratifies(s, regression), shuffle = s.boolean("shuffle");
  const auto sizes = split::resolve_sizes(labels.size(), opt_number(s, "test_size"), opt_number(s, "train_size"));
  const auto first = split::train_test_split(labels, sizes, stratify, shuffle, static_cast<std::uint64_t>(seed));
  std::map<std::string, std::vector<std::size_t>> parts{{"train", first.train}, {"test", first.test}};
  if (s.has("validation_size")) {
    std::vector<int> train_labels;
    for (auto i : first.train) train_labels.push_back(labels[i]);
    const auto vsizes = split::resolve_sizes(train_labels.size(), s.number("validation_size"), std::nullopt);
    const auto second = split::train_test_split(train_labels, vsizes, stratify, shuffle, static_cast<std::uint64_t>(seed));
    std::vector<std::size_t> train, val;
    for (auto i : second.train) train.push_back(first.train[i]);
    for (auto i : second.test) val.push_back(first.train[i]);
    parts["train"] = train;
    parts["validation"] = val;
  }
  return parts;
}

// The sizes must fit the rows. Checked before splitting so that the error points at the
// size the user wrote rather than at the op.
bool check_sizes(const dsl::Stage& s, std::size_t n, PlanState& st) {
  const dsl::Param& test = s.param("test_size");
  const dsl::Param& train = s.param("train_size");
  split::SplitSizes sizes;
  try {
    sizes = split::resolve_sizes(n, opt_number(s, "test_size"), opt_number(s, "train_size"));
  } catch (const UserError& e) {
    st.diags.error(!test.is_default ? test.loc : !train.is_default ? train.loc : s.op_loc, e.what());
    return false;
  }
  if (!s.has("validation_size")) return true;
  try {
    split::resolve_sizes(sizes.n_train, s.number("validation_size"), std::nullopt);
  } catch (const UserError&) {
    // resolve_sizes words its errors for test_size of all rows; this is about the training part.
    const dsl::Param& v = s.param("validation_size");
    const std::string rows = std::to_string(sizes.n_train);
    st.diags.error(v.loc, v.value.as_number() < 1
                              ? "'validation_size' " + v.value.str() + " leaves none of the " + rows + " training rows for training"
                              : "'validation_size' must be a fraction in (0, 1) or a whole number of rows below " + rows +
                                    " (the training rows), got '" + v.value.str() + "'");
    return false;
  }
  return true;
}

void plan(const dsl::Stage& s, PlanState& st) {
  const std::int64_t seed = use_seed(s, st.plan);
  if (!rules::has_data(st)) return;
  DataInfo& d = st.data;
  if (d.split) {
    const dsl::Stage* first = rules::earlier_splitter(s, st);
    if (first && first->op() == "kfold")
      st.diags.error(s.op_loc, "'split' after 'kfold': the folds are already the train and test parts",
                     "use either 'split' (one train/test split) or 'kfold' (cross-validation), not both");
    else
      st.diags.error(s.op_loc, "the data is already split", "one 'split' stage makes the train, validation and test parts");
    return;
  }
  const auto all = d.part_rows.find("all");
  if (all == d.part_rows.end()) {
    st.diags.error(s.op_loc, "'split' must come before stages that add or remove rows");
    return;
  }
  const std::vector<std::size_t> all_rows = std::move(all->second);
  std::vector<int> labels;
  for (auto r : all_rows) labels.push_back(d.labels[r]);
  if (!check_sizes(s, labels.size(), st) || !rules::check_stratify(s, st)) return;
  try {
    auto parts = split_rows(s, labels, d.regression, seed);
    d.parts.clear();
    d.part_rows.clear();
    for (const char* name : {"train", "validation", "test"}) {
      auto it = parts.find(name);
      if (it == parts.end()) continue;
      std::vector<std::size_t> rows;
      for (auto i : it->second) rows.push_back(all_rows[i]);
      d.parts.push_back(PartInfo{name, rows.size(), d.count_classes(rows)});
      d.part_rows[name] = rows;
    }
    d.split = true;
    if (d.regression) st.step.notes.push_back("not stratified: the target is a number, which has no classes to keep in proportion");
    if (rules::stratifies(s, d.regression)) st.step.notes.push_back("class proportions kept in every part (stratified)");
  } catch (const UserError& e) {
    st.diags.error(s.op_loc, e.what());
  }
}

void run(const dsl::Stage& s, DataRun& r) {
  const Table all = std::move(r.parts.at("all"));
  r.parts.clear();
  for (auto& [name, rows] : split_rows(s, all.strata(), all.regression, seed_of(s, r.plan.pipeline))) r.parts[name] = all.take(rows);
}

}  // namespace

const OpDef& split_op() {
  static const OpDef op{
      {"split",
       dsl::OpKind::kData,
       "split rows into train and test parts (and validation), as sklearn's train_test_split",
       {
           ParamSpec::number("test_size", 0.25).min(0, true).doc("a fraction in (0, 1) of the rows, or a whole number of rows"),
           ParamSpec::number("train_size").min(0, true).optional("the rest").doc("a fraction or a number of rows; by default all rows not in the test part"),
           ParamSpec::number("validation_size").min(0, true).optional().doc("split this off the training part for monitoring (fraction of it, or rows)"),
           ParamSpec::boolean("stratify", true).doc("keep the class proportions in every part (a number target is never stratified)"),
           ParamSpec::boolean("shuffle", true).doc("shuffle before splitting (required with stratify)"),
           ParamSpec::integer("seed").min(0).optional("pipeline seed").doc("random_state of the split"),
       }},
      plan,
      run,
      nullptr,
      nullptr,
      nullptr,
      true,  // images: it only chooses rows
  };
  return op;
}

}  // namespace pipeml
