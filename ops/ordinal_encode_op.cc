// op ordinal_encode: each categorical column's values become the position of their
// category among those of the training part, in the column's sorted order (sklearn's
// OrdinalEncoder fitted on X_train).
#include <cmath>

#include <nlohmann/json.hpp>

#include "ops/data_rules.h"
#include "ops/encoders.h"
#include "ops/replay.h"

namespace pipeml {
namespace {

using dsl::ParamSpec;

const columns::Request kColumns{"columns", "'ordinal_encode'", columns::Want::categorical, {}};

double value_of(const dsl::Stage& s, const char* name) {
  const dsl::Value& v = s.param(name).value;
  return !v.is_set() || v.is_string() ? std::nan("") : v.as_number();
}

bool use_encoded_value(const dsl::Stage& s) { return s.string("handle_unknown") == "use_encoded_value"; }

// sklearn's rules for the two codes: whole numbers (or nan), unknown_value exactly when
// unknown categories are encoded.
bool check_codes(const dsl::Stage& s, PlanState& st) {
  bool ok = true;
  for (const char* name : {"unknown_value", "encoded_missing_value"}) {
    const dsl::Param& p = s.param(name);
    const double v = value_of(s, name);
    if (std::isnan(v) || v == std::floor(v)) continue;
    st.diags.error(p.loc, std::string("'") + name + "' must be a whole number or nan, got '" + p.value.str() + "'");
    ok = false;
  }
  const dsl::Param& h = s.param("handle_unknown");
  const dsl::Param& u = s.param("unknown_value");
  if (use_encoded_value(s) && !u.value.is_set()) {
    st.diags.error(h.loc, "'handle_unknown: use_encoded_value' needs 'unknown_value'",
                   "the code of categories that the training part lacks, for example 'unknown_value: -1'");
    ok = false;
  } else if (!use_encoded_value(s) && u.value.is_set()) {
    st.diags.error(u.loc, "'unknown_value' is only for 'handle_unknown: use_encoded_value'",
                   "with 'handle_unknown: error' a category that the training part lacks is an error");
    ok = false;
  }
  return ok;
}

void plan(const dsl::Stage& s, PlanState& st) {
  const bool fit_ok = rules::require_fit_on_train(s, st);
  const bool codes_ok = check_codes(s, st);
  if (!rules::has_data(st)) return;
  DataInfo& d = st.data;
  auto input = rules::encoder_input(s, st, kColumns);
  if (!input) return;
  const auto* cols = &input->cols;
  const bool split_ok = input->split_ok;
  const Table* train = &input->train;
  std::vector<std::size_t> all(cols->size());
  for (std::size_t k = 0; k < all.size(); ++k) all[k] = k;
  encode::OrdinalEncoder encoder;
  encoder.columns = encode::fit_ordinal(*train, all, false, std::nan(""), std::nan("")).columns;
  encoder.use_encoded_value = use_encoded_value(s);
  encoder.unknown_value = value_of(s, "unknown_value");
  encoder.encoded_missing_value = value_of(s, "encoded_missing_value");
  bool ok = codes_ok && fit_ok && split_ok;
  if (codes_ok) {
    if (const std::string why = encode::ordinal_conflict(encoder); !why.empty()) {
      const bool unknown = why.rfind("'unknown_value'", 0) == 0;
      st.diags.error(s.param(unknown ? "unknown_value" : "encoded_missing_value").loc, why,
                     "use a negative code such as -1, or nan");
      ok = false;
    }
  }
  // The codes of every part, as the run will make them: unknown categories and missing
  // values may become missing codes.
  for (const auto& part : d.parts) {
    auto rows = rules::planned_part(d, part.name, *cols);
    if (!rows) continue;
    if (!encoder.use_encoded_value && part.name != "train" && ok)
      if (const auto unknown = encode::first_unknown(encoder.columns, *rows)) {
        const dsl::Param& h = s.param("handle_unknown");
        st.diags.error(h.is_default ? s.op_loc : h.loc,
                       encode::unknown_text(*unknown) + " is in the " + part.name + " part but not in the training part",
                       "set 'handle_unknown: use_encoded_value' and 'unknown_value: -1' to give such categories a code");
        ok = false;
      }
  }
  std::vector<std::vector<std::size_t>> missing(cols->size());
  encode::OrdinalEncoder lenient = encoder;
  if (!lenient.use_encoded_value) lenient.unknown_value = -1;  // planned through unknowns (reported above)
  lenient.use_encoded_value = true;
  for (const auto& part : d.parts) {
    auto rows = rules::planned_part(d, part.name, *cols);
    if (!rows) continue;
    encode::transform(lenient, *rows);
    const auto& ids = d.part_rows.at(part.name);
    for (std::size_t r = 0; r < rows->rows; ++r)
      for (std::size_t k = 0; k < cols->size(); ++k)
        if (std::isnan(rows->row(r)[k])) missing[k].push_back(ids[r]);
  }
  std::string text;
  for (std::size_t k = 0; k < cols->size(); ++k) {
    const std::size_t c = (*cols)[k];
    d.kinds[c] = ColumnKind::numeric;
    d.categories[c].clear();
    d.codes[c].clear();
    std::sort(missing[k].begin(), missing[k].end());
    rules::set_missing_rows(d, c, missing[k]);
    const std::size_t n = encoder.columns[k].names.size();
    text += (k ? ", '" : "'") + encoder.columns[k].column + "' -> 0.." + std::to_string(n == 0 ? 0 : n - 1);
  }
  st.step.notes.push_back("categories from the train part only: " + text);
}

void run(const dsl::Stage& s, DataRun& r) {
  const Table& train = r.parts.at("train");
  const auto cols = rules::run_columns(s, "columns", train, kColumns);
  const auto encoder = encode::fit_ordinal(train, cols, use_encoded_value(s), value_of(s, "unknown_value"),
                                           value_of(s, "encoded_missing_value"));
  nlohmann::json categories = nlohmann::json::array();
  for (const auto& c : encoder.columns) {
    nlohmann::json names = c.names;
    if (c.missing) names.push_back(nullptr);
    categories.push_back(names);
  }
  const auto code = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
  r.fitted[s.id] = nlohmann::json{{"op", "ordinal_encode"},
                                  {"columns", columns::names_of(train.columns, cols)},
                                  {"categories", categories},
                                  {"handle_unknown", s.string("handle_unknown")},
                                  {"unknown_value", code(encoder.unknown_value)},
                                  {"encoded_missing_value", code(encoder.encoded_missing_value)}}
                       .dump();
  for (auto& [name, t] : r.parts) encode::transform(encoder, t);
}

void replay(Replay& r) {
  encode::OrdinalEncoder encoder;
  encoder.columns = replayed::fitted_categories(r);
  encoder.use_encoded_value = r.fitted.at("handle_unknown") == "use_encoded_value";
  const auto code = [](const nlohmann::json& v) { return v.is_null() ? std::nan("") : v.get<double>(); };
  encoder.unknown_value = code(r.fitted.at("unknown_value"));
  encoder.encoded_missing_value = code(r.fitted.at("encoded_missing_value"));
  replayed::fitted_columns(r);  // every column is there
  if (!encoder.use_encoded_value)
    if (const auto u = encode::first_unknown(encoder.columns, r.rows))
      throw UserError(replayed::where(r, u->row) + encode::unknown_error("ordinal_encode", *u));
  encode::transform(encoder, r.rows);
}

}  // namespace

const OpDef& ordinal_encode_op() {
  static const OpDef op{
      {"ordinal_encode",
       dsl::OpKind::kData,
       "each category as its position 0..k-1 among those of the training part (sklearn's OrdinalEncoder)",
       {
           ParamSpec::string_list("columns").optional("all categorical").doc("the categorical columns to encode: names or glob patterns"),
           ParamSpec::enumeration("handle_unknown", {"error", "use_encoded_value"}, "error")
               .doc("a category the training part lacks: an error, or unknown_value"),
           ParamSpec::string_or_number("unknown_value", {"nan"}, dsl::Value()).optional()
               .doc("the code of an unknown category: a whole number outside 0..k-1, or nan"),
           ParamSpec::string_or_number("encoded_missing_value", {"nan"}, "nan")
               .doc("the code of a missing value: nan (still missing), or a whole number"),
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
