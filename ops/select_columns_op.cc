// op select_columns: keep or drop feature columns by name or glob pattern, in every part
// (the columns keep their order). Not fitted: it may stand before the split.
#include <nlohmann/json.hpp>

#include "ops/data_rules.h"
#include "ops/replay.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

const columns::Request kKeep{"keep", "'select_columns'", columns::Want::any, {}};
const columns::Request kDrop{"drop", "'select_columns'", columns::Want::any, {}};

// The columns left: those `keep` names (all when unset), less those `drop` names.
std::vector<std::size_t> kept(const std::vector<std::size_t>& keep, const std::vector<std::size_t>& drop) {
  std::vector<std::size_t> out;
  for (auto c : keep)
    if (std::find(drop.begin(), drop.end(), c) == drop.end()) out.push_back(c);
  return out;
}

void plan(const dsl::Stage& s, PlanState& st) {
  if (!s.has("keep") && !s.has("drop")) {
    st.diags.error(s.op_loc, "'select_columns' needs 'keep' or 'drop'", "keep: [names or patterns] or drop: [names or patterns]");
    return;
  }
  if (!rules::has_data(st)) return;
  DataInfo& d = st.data;
  const auto keep = rules::planned_columns(s, "keep", st, kKeep);
  const auto drop = s.has("drop") ? rules::planned_columns(s, "drop", st, kDrop) : std::vector<std::size_t>{};
  if (!keep || !drop) return;
  const auto left = kept(*keep, *drop);
  if (left.empty()) {
    st.diags.error(s.op_loc, "'select_columns' leaves no feature column", "the model needs at least one");
    return;
  }
  std::vector<rules::NewFeature> features;
  for (auto c : left) features.push_back({d.features[c], static_cast<int>(c)});
  const std::size_t before = d.features.size();
  rules::set_features(d, features);
  st.step.notes.push_back(std::to_string(left.size()) + " of " + std::to_string(before) + " feature columns kept");
}

void run(const dsl::Stage& s, DataRun& r) {
  const Table& first = r.parts.begin()->second;
  const auto keep = rules::run_columns(s, "keep", first, kKeep);
  const auto left = kept(keep, s.has("drop") ? rules::run_columns(s, "drop", first, kDrop) : std::vector<std::size_t>{});
  r.fitted[s.id] = nlohmann::json{{"op", "select_columns"}, {"columns", columns::names_of(first.columns, left)}}.dump();
  for (auto& [name, t] : r.parts) columns::keep_only(t, left);
}

// The columns the run kept, by name.
void replay(Replay& r) { columns::keep_only(r.rows, replayed::fitted_columns(r)); }

}  // namespace

const OpDef& select_columns_op() {
  static const OpDef op{
      {"select_columns",
       dsl::OpKind::kData,
       "keep or drop feature columns by name or glob pattern",
       {
           ParamSpec::string_list("keep").optional("all").doc("the columns to keep: names or glob patterns (\"thal*\")"),
           ParamSpec::string_list("drop").optional().doc("the columns to leave out: names or glob patterns"),
       }},
      plan,
      run,
      nullptr,
      nullptr,
      replay,
  };
  return op;
}

}  // namespace pipeml
