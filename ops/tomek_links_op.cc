// op tomek_links: removes the training rows that form Tomek links, as imbalanced-learn's
// TomekLinks; see ops/cleaning.h. Which rows go depends on the values, so the plan counts
// them on the data.
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
    return resampler::change_text(before, st.data.part("train")->class_counts, st.data.class_names) +
           " (rows in a Tomek link: each other's nearest row, of another class); validation and test parts untouched";
  });
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = train.take(cleaning::tomek_links(train, resampler::strategy_of(s, train.class_names)));
}

}  // namespace

const OpDef& tomek_links_op() {
  static const OpDef op{
      {"tomek_links",
       dsl::OpKind::kData,
       "remove rows that form Tomek links (imbalanced-learn's TomekLinks)",
       {
           resampler::strategy_param(sampling::Type::clean),
           resampler::part_param(),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
