#include "runtime/prepare.h"

#include <utility>

#include "runtime/registry.h"
#include "runtime/user_error.h"

namespace pipeml {

// All folds are prepared before any trains (a data error leaves no artifact behind), at the
// cost of holding them.
std::vector<Prepared> prepare(const Plan& plan, const NeighbourCandidates* gpu_neighbours) {
  const Registry& registry = Registry::builtin();
  const auto& stages = plan.pipeline.data;
  DataRun data{plan, {}, {}, gpu_neighbours, {}};
  std::size_t next = 0;
  // Taken out of the plan, so that running it twice does not go on from moved-from tables.
  PlannedData planned = plan.planned ? std::exchange(*plan.planned, PlannedData{}) : PlannedData{};
  if (planned.stages > 0) {
    // Planning already ran these stages on the real data (through kfold, with its folds).
    data.parts = std::move(planned.parts);
    data.fitted = std::move(planned.fitted);
    data.folds = std::move(planned.fold_rows);
    next = planned.stages;
  }
  while (next < stages.size() && data.folds.empty()) {
    registry.op(stages[next].op())->run(stages[next], data);
    ++next;
  }
  std::vector<Prepared> out;
  if (data.folds.empty()) {
    out.push_back(Prepared{std::move(data.parts), std::move(data.fitted), &plan.data, 0});
    return out;
  }
  // The same code made the plan's folds from the same file; a file changed in between
  // (the plan's hashes guard saved plans) could still disagree.
  if (data.folds.size() != plan.fold_data.size())
    throw UserError("the data changed since the pipeline was planned: plan it again");
  const Table all = std::move(data.parts.at("all"));
  for (std::size_t f = 0; f < data.folds.size(); ++f) {
    DataRun fold{plan, {}, {}, gpu_neighbours, {}};
    std::size_t i = next;
    if (f < planned.folds.size() && planned.folds[f].stages > 0) {
      // A value-dependent stage was planned on this fold's tables: go on from them.
      fold.parts = std::move(planned.folds[f].parts);
      fold.fitted = std::move(planned.folds[f].fitted);
      i = planned.folds[f].stages;
    } else {
      fold.parts = {{"train", all.take(data.folds[f].train)}, {"test", all.take(data.folds[f].test)}};
      fold.fitted = data.fitted;
    }
    for (; i < stages.size(); ++i) registry.op(stages[i].op())->run(stages[i], fold);
    out.push_back(Prepared{std::move(fold.parts), std::move(fold.fitted), &plan.fold_data.at(f), f + 1});
  }
  return out;
}

}  // namespace pipeml
