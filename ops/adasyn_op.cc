// op adasyn: synthetic rows weighted towards the training rows among other classes, as
// imbalanced-learn's ADASYN; see ops/adasyn.h. The rows per class depend on the values, so
// the plan counts on the data.
#include "ops/adasyn.h"
#include "ops/resampler.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

void plan(const dsl::Stage& s, PlanState& st) {
  if (!resampler::interpolation_counts(s, st, "n_neighbors")) return;
  resampler::counts_from_data(s, st, [&](const std::vector<std::size_t>& before) {
    return resampler::change_text(before, st.data.part("train")->class_counts, st.data.class_names) +
           " (more from the rows with more of their " + std::to_string(s.integer("n_neighbors")) +
           " nearest neighbours in other classes); validation and test parts untouched";
  });
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = adasyn::fit_resample(train, resampler::strategy_of(s, train.class_names),
                               static_cast<int>(s.integer("n_neighbors")),
                               static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)));
}

}  // namespace

const OpDef& adasyn_op() {
  static const OpDef op{
      {"adasyn",
       dsl::OpKind::kData,
       "oversample with more synthetic rows where a class meets others (imbalanced-learn's ADASYN)",
       {
           resampler::strategy_param(sampling::Type::over),
           ParamSpec::integer("n_neighbors", 5)
               .min(1)
               .doc("nearest neighbours that weigh each row and that it interpolates towards"),
           resampler::part_param(),
           resampler::seed_param(),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
