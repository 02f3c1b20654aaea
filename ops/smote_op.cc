// op smote: synthetic minority rows on the training part, as imbalanced-learn's SMOTE
// (the same sampling_strategy forms, neighbours and random draws; see ops/smote.h).
#include "ops/data_rules.h"
#include "ops/smote.h"
#include "runtime/planner.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

sampling::Strategy strategy_of(const dsl::Stage& s) {
  const dsl::Value& v = s.param("sampling_strategy").value;
  if (v.is_string()) return sampling::Strategy::named(v.as_string());
  return sampling::Strategy::ratio_of(v.as_number());
}

void plan(const dsl::Stage& s, PlanState& st) {
  use_seed(s, st.plan);
  const bool part_ok = rules::require_train_part(s, st);
  if (!rules::has_data(st)) return;
  if (!rules::require_split(s, st, "would put synthetic copies of test rows into training (leakage)") || !part_ok)
    return;
  if (!rules::require_complete(s, st)) return;
  DataInfo& d = st.data;
  PartInfo* train = d.part("train");
  const auto k = static_cast<std::size_t>(s.integer("k_neighbors"));
  const dsl::Loc& strategy_loc = s.param("sampling_strategy").loc;
  try {
    const auto todo = sampling::resolve(train->class_counts, strategy_of(s), sampling::Type::over, d.class_names, "smote");
    std::size_t added = 0;
    for (const auto& [label, n] : todo) {
      if (n == 0) continue;
      const std::size_t have = train->class_counts[label];
      if (have < k + 1) {
        // A default k_neighbors has no line of its own: point at the op and say it is the default.
        const dsl::Param& kp = s.param("k_neighbors");
        st.diags.error(kp.is_default ? s.op_loc : kp.loc,
                       "class '" + d.class_names[label] + "' has " + std::to_string(have) + " training row" +
                           (have == 1 ? "" : "s") + ", too few for k_neighbors " + std::to_string(k) +
                           (kp.is_default ? " (the default)" : "") + ": smote needs k_neighbors + 1 rows of each class it grows",
                       have >= 2 ? "set 'k_neighbors: " + std::to_string(have - 1) + "' or lower"
                                 : "smote needs two rows of a class to interpolate between; use more data");
        return;
      }
      train->class_counts[label] += n;
      added += n;
    }
    train->rows += added;
    d.part_rows.erase("train");
    st.step.notes.push_back(std::to_string(added) + " synthetic rows between each row and its " + std::to_string(k) +
                            " nearest same-class neighbours; validation and test parts untouched");
  } catch (const UserError& e) {
    st.diags.error(strategy_loc, e.what());
  }
}

void run(const dsl::Stage& s, DataRun& r) {
  Table& train = r.parts.at("train");
  train = smote::fit_resample(train, strategy_of(s), static_cast<int>(s.integer("k_neighbors")),
                              static_cast<std::uint64_t>(seed_of(s, r.plan.pipeline)));
}

}  // namespace

const OpDef& smote_op() {
  static const OpDef op{
      {"smote",
       dsl::OpKind::kData,
       "oversample classes with synthetic rows (imbalanced-learn's SMOTE)",
       {
           ParamSpec::string_or_number("sampling_strategy", {"auto", "minority", "not minority", "not majority", "all"}, "auto")
               .min(0, true)
               .max(1)
               .doc("which classes to grow: a name as in imblearn, or minority/majority ratio for two classes"),
           ParamSpec::integer("k_neighbors", 5).min(1).doc("nearest same-class neighbours to interpolate towards"),
           ParamSpec::enumeration("part", {"train", "validation", "test"}, "train").doc("the part to resample (only train is allowed)"),
           ParamSpec::integer("seed").min(0).max(4294967295.0).optional("pipeline seed").doc("random_state of the sampler"),
       }},
      plan,
      run,
  };
  return op;
}

}  // namespace pipeml
