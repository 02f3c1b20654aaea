// op smote_nc: SMOTE for data with categorical columns, as imbalanced-learn's SMOTENC; see
// ops/smote_nc.h. pipe's tables hold numbers, so the listed columns hold category codes.
#include <algorithm>

#include "ops/data_rules.h"
#include "ops/resampler.h"
#include "ops/smote_nc.h"
#include "runtime/planner.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

// The listed columns as numbers into `columns`; an unknown name throws (the plan reported it).
std::vector<std::size_t> columns_of(const dsl::Stage& s, const std::vector<std::string>& columns) {
  std::vector<std::size_t> out;
  for (const auto& name : s.param("categorical_features").value.as_string_list()) {
    const auto it = std::find(columns.begin(), columns.end(), name);
    if (it == columns.end()) throw UserError("no column '" + name + "' in the data for 'categorical_features'");
    out.push_back(static_cast<std::size_t>(it - columns.begin()));
  }
  return out;
}

// The listed columns must be features, each once, and leave a continuous one.
bool check_columns(const dsl::Stage& s, PlanState& st) {
  const dsl::Param& p = s.param("categorical_features");
  const auto& names = p.value.as_string_list();
  const auto& features = st.data.features;
  auto loc = [&](std::size_t i) { return i < p.item_locs.size() ? p.item_locs[i] : p.loc; };
  bool ok = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (std::find(features.begin(), features.end(), names[i]) == features.end()) {
      st.diags.error(loc(i), "no column '" + names[i] + "' in the data for 'categorical_features'" +
                                 dsl::did_you_mean(names[i], features),
                     "the feature columns are " + dsl::quoted_list(features, "and"));
      ok = false;
    } else if (std::find(names.begin(), names.begin() + i, names[i]) != names.begin() + i) {
      st.diags.error(loc(i), "'" + names[i] + "' is listed twice in 'categorical_features'", "keep one of them");
      ok = false;
    }
  }
  if (ok && names.size() >= features.size()) {
    st.diags.error(p.loc,
                   "smote_nc needs a continuous column, but all " + std::to_string(features.size()) +
                       " are listed in 'categorical_features'",
                   "for categorical data only, use random_over_sampler");
    ok = false;
  }
  return ok;
}

void plan(const dsl::Stage& s, PlanState& st) {
  // The columns first: they are checked even when the data has other problems.
  if (rules::has_data(st) && !check_columns(s, st)) return;
  const PartInfo* train = st.data.part("train");
  const auto before = train ? train->class_counts : std::vector<std::size_t>{};
  const auto counts = resampler::interpolation_counts(s, st, "k_neighbors");
  if (!counts) return;
  resampler::set_train_counts(st, *counts);
  st.step.notes.push_back(resampler::change_text(before, *counts, st.data.class_names) + " (continuous columns between " +
                          "each row and one of its " + std::to_string(s.integer("k_neighbors")) +
                          " nearest same-class neighbours, categorical ones their most common category); "
                          "validation and test parts untouched");
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = smote_nc::fit_resample(train, columns_of(s, train.columns), resampler::strategy_of(s, train.class_names),
                                 static_cast<int>(s.integer("k_neighbors")),
                                 static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)));
}

}  // namespace

const OpDef& smote_nc_op() {
  static const OpDef op{
      {"smote_nc",
       dsl::OpKind::kData,
       "SMOTE for data with categorical columns (imbalanced-learn's SMOTENC)",
       {
           ParamSpec::string_list("categorical_features")
               .doc("the columns holding category codes: synthetic rows take a neighbour's category, never a value between"),
           resampler::strategy_param(sampling::Type::over),
           resampler::k_neighbors_param(),
           resampler::part_param(),
           resampler::seed_param(),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
