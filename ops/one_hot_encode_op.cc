// op one_hot_encode: each categorical column becomes one 0/1 column per category of the
// training part, where the column stood (sklearn's OneHotEncoder fitted on X_train, its
// columns named as get_feature_names_out names them: "color_red").
#include <nlohmann/json.hpp>

#include "ops/data_rules.h"
#include "ops/encoders.h"
#include "ops/replay.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

const columns::Request kColumns{"columns", "'one_hot_encode'", columns::Want::categorical, {}};

encode::Drop drop_of(const dsl::Stage& s) {
  const std::string& d = s.string("drop");
  return d == "first" ? encode::Drop::first : d == "if_binary" ? encode::Drop::if_binary : encode::Drop::none;
}

// "'plan' -> 3 columns, 'region' -> 5 columns"
std::string blocks_text(const encode::OneHotEncoder& e) {
  std::string out;
  for (std::size_t k = 0; k < e.columns.size(); ++k) {
    const std::size_t n = e.feature_names_out(k).size();
    out += (k ? ", '" : "'") + e.columns[k].column + "' -> " + std::to_string(n) + (n == 1 ? " column" : " columns");
  }
  return out;
}

void plan(const dsl::Stage& s, PlanState& st) {
  const bool fit_ok = rules::require_fit_on_train(s, st);
  if (!rules::has_data(st)) return;
  DataInfo& d = st.data;
  auto input = rules::encoder_input(s, st, kColumns);
  if (!input) return;
  const auto* cols = &input->cols;
  const bool split_ok = input->split_ok;
  const Table* train = &input->train;
  std::vector<std::size_t> all(cols->size());
  for (std::size_t k = 0; k < all.size(); ++k) all[k] = k;
  const auto encoder = encode::fit_one_hot(*train, all, drop_of(s), s.string("handle_unknown") == "ignore");
  if (split_ok && fit_ok && !encoder.ignore_unknown)
    for (const auto& part : d.parts) {
      if (part.name == "train") continue;
      const auto rows = rules::planned_part(d, part.name, *cols);
      const auto unknown = rows ? encode::first_unknown(encoder.columns, *rows) : std::nullopt;
      if (!unknown) continue;
      const dsl::Param& h = s.param("handle_unknown");
      st.diags.error(h.is_default ? s.op_loc : h.loc,
                     encode::unknown_text(*unknown) + " is in the " + part.name + " part but not in the training part",
                     "set 'handle_unknown: ignore' to encode it as all zeros");
      break;
    }
  // The new columns, where the encoded ones stood.
  std::vector<rules::NewFeature> features;
  std::size_t k = 0;
  for (std::size_t c = 0; c < d.features.size(); ++c) {
    if (k < cols->size() && (*cols)[k] == c) {
      for (const auto& name : encoder.feature_names_out(k)) features.push_back({name, -1});
      ++k;
    } else {
      features.push_back({d.features[c], static_cast<int>(c)});
    }
  }
  std::vector<std::string> names;
  for (const auto& f : features) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  if (const auto twice = std::adjacent_find(names.begin(), names.end()); twice != names.end()) {
    st.diags.error(s.op_loc, "'one_hot_encode' would make a second column called '" + *twice + "'",
                   "rename the column that has this name already (load_csv's 'columns')");
    return;
  }
  rules::set_features(d, features);
  st.step.notes.push_back("categories from the train part only: " + blocks_text(encoder) + "; " +
                          std::to_string(d.features.size()) + " feature columns now");
}

void run(const dsl::Stage& s, DataRun& r) {
  const Table& train = r.parts.at("train");
  const auto cols = rules::run_columns(s, "columns", train, kColumns);
  const auto encoder = encode::fit_one_hot(train, cols, drop_of(s), s.string("handle_unknown") == "ignore");
  nlohmann::json categories = nlohmann::json::array(), drop = nlohmann::json::array();
  for (std::size_t k = 0; k < encoder.columns.size(); ++k) {
    nlohmann::json names = encoder.columns[k].names;
    if (encoder.columns[k].missing) names.push_back(nullptr);  // sklearn's nan category
    categories.push_back(names);
    drop.push_back(encoder.drop_idx[k] < 0 ? nlohmann::json(nullptr) : nlohmann::json(encoder.drop_idx[k]));
  }
  r.fitted[s.id] = nlohmann::json{{"op", "one_hot_encode"},
                                  {"columns", columns::names_of(train.columns, cols)},
                                  {"categories", categories},
                                  {"drop_idx", drop},
                                  {"handle_unknown", s.string("handle_unknown")},
                                  {"feature_names_out", encoder.feature_names_out()}}
                       .dump();
  for (auto& [name, t] : r.parts) encode::transform(encoder, t);
}

void replay(Replay& r) {
  encode::OneHotEncoder encoder;
  encoder.columns = replayed::fitted_categories(r);
  for (const auto& d : r.fitted.at("drop_idx")) encoder.drop_idx.push_back(d.is_null() ? -1 : d.get<int>());
  encoder.ignore_unknown = r.fitted.at("handle_unknown") == "ignore";
  replayed::fitted_columns(r);  // every column is there
  if (!encoder.ignore_unknown)
    if (const auto u = encode::first_unknown(encoder.columns, r.rows))
      throw UserError(replayed::where(r, u->row) + encode::unknown_error("one_hot_encode", *u));
  encode::transform(encoder, r.rows);
}

}  // namespace

const OpDef& one_hot_encode_op() {
  static const OpDef op{
      {"one_hot_encode",
       dsl::OpKind::kData,
       "one 0/1 column per category of the training part (sklearn's OneHotEncoder)",
       {
           ParamSpec::string_list("columns").optional("all categorical").doc("the categorical columns to encode: names or glob patterns"),
           ParamSpec::enumeration("drop", {"none", "first", "if_binary"}, "none")
               .doc("leave out each column's first category, or only that of two-category columns"),
           ParamSpec::enumeration("handle_unknown", {"error", "ignore"}, "error")
               .doc("a category the training part lacks: an error, or all zeros"),
           ParamSpec::enumeration("fit_on", {"train", "all"}, "train").doc("rows the categories come from (only train is leak-free)"),
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
