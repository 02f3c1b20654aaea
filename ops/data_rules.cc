#include "ops/data_rules.h"

#include <algorithm>

namespace pipeml::rules {

bool has_data(const PlanState& st) { return !st.data.parts.empty(); }

void forget_data(PlanState& st) {
  st.data.parts.clear();
  st.data.part_rows.clear();
  st.data.split = false;
}

bool require_split(const dsl::Stage& stage, PlanState& st, const std::string& why) {
  if (st.data.split) return true;
  // Only a stage placed before a split is wrong here. When the split comes earlier it
  // failed and said why; when there is none the planner says so once for the pipeline.
  bool split_before = false, split_after = false, self = false;
  for (const auto& x : st.plan.pipeline.data) {
    if (&x == &stage) self = true;
    else if (x.op() == "split") (self ? split_after : split_before) = true;
  }
  if (split_after && !split_before)
    st.diags.error(stage.op_loc, "'" + stage.op() + "' before 'split' " + why, "move this stage after 'op: split'");
  return false;
}

bool require_complete(const dsl::Stage& stage, PlanState& st) {
  const std::size_t missing = total_missing(st.data);
  if (missing == 0) return true;
  // An impute stage placed after this one is the likely mistake: name it.
  const auto& data = st.plan.pipeline.data;
  auto self = std::find_if(data.begin(), data.end(), [&](const dsl::Stage& x) { return &x == &stage; });
  auto impute = std::find_if(self, data.end(), [](const dsl::Stage& x) { return x.op() == "impute"; });
  const std::string note = impute != data.end()
                               ? "move the 'impute' stage (line " + std::to_string(impute->op_loc.line) + ") before it"
                               : "add 'op: impute' before it";
  st.diags.error(stage.op_loc,
                 "'" + stage.op() + "' needs complete data, but " + std::to_string(missing) +
                     (missing == 1 ? " value is" : " values are") + " missing: " + missing_columns_text(st.data),
                 note);
  return false;
}

bool require_train_part(const dsl::Stage& stage, PlanState& st) {
  const auto& part = stage.param("part");
  if (part.value.as_string() == "train") return true;
  st.diags.error(part.loc,
                 "'" + stage.op() + "' on the " + part.value.as_string() +
                     " part would score the model on rows that are not real data",
                 "resampling and augmentation apply to the training part only: 'part: train'");
  return false;
}

bool require_fit_on_train(const dsl::Stage& stage, PlanState& st) {
  const auto& fit = stage.param("fit_on");
  if (fit.value.as_string() == "train") return true;
  st.diags.error(fit.loc,
                 "'" + stage.op() + "' fitted on " + fit.value.as_string() +
                     " rows learns from the test part (leakage)",
                 "fit on the training part only: 'fit_on: train'");
  return false;
}

std::size_t total_missing(const DataInfo& d) {
  std::size_t n = 0;
  for (auto m : d.missing_per_col) n += m;
  return n;
}

std::string missing_columns_text(const DataInfo& d) {
  std::string out;
  for (std::size_t c = 0; c < d.missing_per_col.size() && c < d.features.size(); ++c) {
    if (d.missing_per_col[c] == 0) continue;
    if (!out.empty()) out += ", ";
    out += "'" + d.features[c] + "' (" + std::to_string(d.missing_per_col[c]) + ")";
  }
  return out;
}

}  // namespace pipeml::rules
