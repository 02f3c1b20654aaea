// op borderline_smote: SMOTE from the training rows near other classes, as
// imbalanced-learn's BorderlineSMOTE; see ops/borderline_smote.h. Whether a class has rows
// in danger depends on the values, so the plan counts on the data.
#include "ops/borderline_smote.h"
#include "ops/resampler.h"
#include "runtime/planner.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

borderline_smote::Kind kind_of(const dsl::Stage& s) {
  return s.string("kind") == "borderline-2" ? borderline_smote::Kind::borderline_2
                                            : borderline_smote::Kind::borderline_1;
}

void plan(const dsl::Stage& s, PlanState& st) {
  PartInfo* train =
      resampler::training_part(s, st, "would put synthetic copies of test rows into training (leakage)", true);
  if (train == nullptr) return;
  const auto todo = resampler::planned_targets(s, st, sampling::Type::over);
  if (!todo) return;
  const dsl::Param& mp = s.param("m_neighbors");
  const auto m = static_cast<std::size_t>(mp.value.as_int());
  if (train->rows < m + 1) {
    st.diags.error(mp.is_default ? s.op_loc : mp.loc,
                   "the training part has " + std::to_string(train->rows) + " rows, too few for m_neighbors " +
                       std::to_string(m) + (mp.is_default ? " (the default)" : "") +
                       ": borderline_smote needs m_neighbors + 1 training rows",
                   "set 'm_neighbors: " + std::to_string(train->rows - 1) + "' or lower");
    return;
  }
  resampler::counts_from_data(s, st, [&](const std::vector<std::size_t>& before) {
    return resampler::change_text(before, st.data.part("train")->class_counts, st.data.class_names) +
           " (from the rows with at least half of their " + std::to_string(m) +
           " nearest neighbours in other classes); validation and test parts untouched";
  });
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = borderline_smote::fit_resample(train, resampler::strategy_of(s, train.class_names),
                                         static_cast<int>(s.integer("k_neighbors")),
                                         static_cast<int>(s.integer("m_neighbors")), kind_of(s),
                                         static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)));
}

}  // namespace

const OpDef& borderline_smote_op() {
  static const OpDef op{
      {"borderline_smote",
       dsl::OpKind::kData,
       "SMOTE from the rows near other classes (imbalanced-learn's BorderlineSMOTE)",
       {
           resampler::strategy_param(sampling::Type::over),
           resampler::k_neighbors_param(),
           ParamSpec::integer("m_neighbors", 10)
               .min(1)
               .doc("nearest neighbours (of any class) that decide whether a row is near other classes"),
           ParamSpec::enumeration("kind", {"borderline-1", "borderline-2"}, "borderline-1")
               .doc("borderline-2 also steps halfway towards rows of other classes"),
           resampler::part_param(),
           resampler::seed_param(),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
