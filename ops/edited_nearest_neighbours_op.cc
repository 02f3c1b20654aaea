// op edited_nearest_neighbours: removes the training rows whose nearest neighbours
// disagree with their class, as imbalanced-learn's EditedNearestNeighbours; see
// ops/cleaning.h. Which rows go depends on the values, so the plan counts them on the data.
#include "ops/cleaning.h"
#include "ops/resampler.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

void plan(const dsl::Stage& s, PlanState& st) {
  PartInfo* train = resampler::training_part(
      s, st, "would remove test rows too: the test part must keep the data's real class balance", true);
  if (train == nullptr || !resampler::planned_targets(s, st, sampling::Type::clean)) return;
  resampler::counts_from_data(s, st, [&](const std::vector<std::size_t>& before) {
    return resampler::change_text(before, st.data.part("train")->class_counts, st.data.class_names) + " (rows whose " +
           std::to_string(s.integer("n_neighbors")) + " nearest neighbours " +
           (resampler::kind_sel_of(s) == cleaning::KindSel::all ? "are not all" : "are mostly not") +
           " of their class); validation and test parts untouched";
  });
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = train.take(cleaning::edited_nearest_neighbours(train, resampler::strategy_of(s, train.class_names),
                                                          static_cast<int>(s.integer("n_neighbors")), resampler::kind_sel_of(s)));
}

}  // namespace

const OpDef& edited_nearest_neighbours_op() {
  static const OpDef op{
      {"edited_nearest_neighbours",
       dsl::OpKind::kData,
       "remove rows whose nearest neighbours are of other classes (imbalanced-learn's EditedNearestNeighbours)",
       {
           resampler::strategy_param(sampling::Type::clean),
           resampler::enn_n_neighbors_param(),
           resampler::enn_kind_sel_param(),
           resampler::part_param(),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
