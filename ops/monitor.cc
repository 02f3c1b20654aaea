#include "ops/monitor.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace pipeml {

bool check_monitor(const std::string& monitor, const std::string& who, const dsl::Loc& at, PlanState& st) {
  // The trainer's validation gives the loss and one metric: accuracy, or MAE for regression.
  const std::vector<std::string> produced = {"val_loss", st.data.regression ? "val_mae" : "val_accuracy"};
  if (std::find(produced.begin(), produced.end(), monitor) == produced.end()) {
    const std::string task = st.data.regression ? "a regression's" : "a classifier's";
    // A shortened name (val_acc) is too far for edit distance: a name it begins also counts.
    std::string hint = dsl::did_you_mean(monitor, produced);
    for (const auto& name : produced)
      if (hint.empty() && monitor.size() >= 5 && name.rfind(monitor, 0) == 0) hint = dsl::did_you_mean(name, {name});
    st.diags.error(at, "no stage produces '" + monitor + "' to monitor" + hint,
                   task + " validation gives " + dsl::quoted_list(produced, "and"));
    return false;
  }
  if (st.data.part("validation") == nullptr) {
    st.diags.error(at, who + " monitors " + monitor + ", and there is no validation part to compute it on",
                   st.fold ? "kfold's folds have no validation part; use 'split' with a validation_size"
                           : "give 'split' a validation_size");
    return false;
  }
  return true;
}

std::string resolve_mode(const std::string& mode, const std::string& monitor) {
  if (mode != "auto") return mode;
  return monitor == "val_accuracy" ? "max" : "min";
}

void note_unusual_mode(const std::string& mode, const std::string& monitor, PlanState& st) {
  const bool higher_is_better = monitor == "val_accuracy";
  if (higher_is_better != (mode == "max"))
    st.step.notes.push_back(fmt::format("mode '{}' counts a {} {} as an improvement; '{}' is usual for it", mode,
                                        mode == "min" ? "lower" : "higher", monitor, higher_is_better ? "max" : "min"));
}

}  // namespace pipeml
