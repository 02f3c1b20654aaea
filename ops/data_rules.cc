#include "ops/data_rules.h"

#include <algorithm>

#include "runtime/user_error.h"

namespace pipeml::rules {

bool is_resampler(const dsl::Stage& stage) { return stage.schema->param("sampling_strategy") != nullptr; }

bool has_data(const PlanState& st) { return !st.data.parts.empty(); }

bool stratifies(const dsl::Stage& stage, bool regression) { return !regression && stage.boolean("stratify"); }

bool check_stratify(const dsl::Stage& stage, PlanState& st) {
  const dsl::Param& p = stage.param("stratify");
  if (!st.data.regression || p.is_default || !p.value.as_bool()) return true;
  st.diags.error(p.loc, "'stratify' keeps class proportions, but the target '" + st.data.target + "' is a number (regression)",
                 "remove 'stratify' (a number target is never stratified), or read the target as classes");
  return false;
}

bool require_classes(const dsl::Stage& stage, PlanState& st, const std::string& what) {
  if (!st.data.regression) return true;
  st.diags.error(stage.op_loc, "'" + stage.op() + "' " + what + ", but the target '" + st.data.target +
                                   "' is a number (target_type: number on load_csv)",
                 "remove it: regression has no classes to work with");
  return false;
}

bool is_splitter(const dsl::Stage& stage) { return stage.op() == "split" || stage.op() == "kfold"; }

const dsl::Stage* earlier_splitter(const dsl::Stage& stage, const PlanState& st) {
  for (const auto& x : st.plan.pipeline.data) {
    if (&x == &stage) return nullptr;
    if (is_splitter(x)) return &x;
  }
  return nullptr;
}

void forget_data(PlanState& st) {
  st.data.parts.clear();
  st.data.part_rows.clear();
  st.data.split = false;
}

bool require_split(const dsl::Stage& stage, PlanState& st, const std::string& why) {
  if (st.data.split) return true;
  // Only a stage placed before a split is wrong here. When the split comes earlier it
  // failed and said why; when there is none the planner says so once for the pipeline.
  if (earlier_splitter(stage, st)) return false;
  const auto& data = st.plan.pipeline.data;
  const auto self = std::find_if(data.begin(), data.end(), [&](const dsl::Stage& x) { return &x == &stage; });
  const auto later = std::find_if(self, data.end(), is_splitter);
  if (later != data.end())
    st.diags.error(stage.op_loc, "'" + stage.op() + "' before '" + later->op() + "' " + why,
                   "move this stage after 'op: " + later->op() + "'");
  return false;
}

namespace {

std::string missing_text(const DataInfo& d, const std::vector<std::size_t>& cols) {
  std::string out;
  for (auto c : cols) {
    if (c >= d.missing_per_col.size() || d.missing_per_col[c] == 0) continue;
    if (!out.empty()) out += ", ";
    out += "'" + d.features[c] + "' (" + std::to_string(d.missing_per_col[c]) + ")";
  }
  return out;
}

std::vector<std::size_t> every_feature(const DataInfo& d) {
  std::vector<std::size_t> all(d.features.size());
  for (std::size_t c = 0; c < all.size(); ++c) all[c] = c;
  return all;
}

}  // namespace

bool require_complete(const dsl::Stage& stage, PlanState& st) { return require_complete(stage, st, every_feature(st.data)); }

bool require_complete(const dsl::Stage& stage, PlanState& st, const std::vector<std::size_t>& cols) {
  std::size_t missing = 0;
  for (auto c : cols)
    if (c < st.data.missing_per_col.size()) missing += st.data.missing_per_col[c];
  if (missing == 0) return true;
  // An impute stage placed after this one is the likely mistake: name it.
  const auto& data = st.plan.pipeline.data;
  auto self = std::find_if(data.begin(), data.end(), [&](const dsl::Stage& x) { return &x == &stage; });
  auto impute = std::find_if(self, data.end(), [](const dsl::Stage& x) { return x.op() == "impute"; });
  const std::string note = impute != data.end()
                               ? "move the 'impute' stage (line " + std::to_string(impute->op_loc.line) + ") before it"
                               : "add 'op: impute' before it";
  st.diags.error(stage.op_loc,
                 "'" + stage.op() + "' needs complete data, but " + std::to_string(missing) +
                     (missing == 1 ? " value is" : " values are") + " missing: " + missing_text(st.data, cols),
                 note);
  return false;
}

bool require_numeric(const dsl::Stage& stage, PlanState& st) {
  DataInfo& d = st.data;
  const auto cats = columns::all_of(d.kinds, d.features.size(), columns::Want::categorical);
  if (cats.empty()) return true;
  if (d.categorical_reported) return false;  // an earlier stage said so
  st.diags.error(stage.op_loc,
                 "'" + stage.op() + "' needs numeric data, but " + categorical_text(d, cats) +
                     (cats.size() == 1 ? " is categorical" : " are categorical"),
                 "encode categorical columns before it: add '- op: one_hot_encode' (or ordinal_encode) after 'split'");
  d.categorical_reported = true;
  return false;
}

std::string categorical_text(const DataInfo& d, const std::vector<std::size_t>& cols) {
  std::string out;
  for (auto c : cols) {
    const std::size_t n = c < d.categories.size() ? d.categories[c].size() : 0;
    out += (out.empty() ? "'" : ", '") + d.features[c] + "' (" + std::to_string(n) + (n == 1 ? " category)" : " categories)");
  }
  return out;
}

std::string of_columns(const DataInfo& d, const std::vector<std::size_t>& cols) {
  constexpr std::size_t kNamed = 4;
  if (cols.size() == d.features.size()) return {};
  if (cols.size() > kNamed) return " of " + std::to_string(cols.size()) + " columns";
  std::string out;
  for (auto c : cols) out += (out.empty() ? " of '" : ", '") + d.features[c] + "'";
  return out;
}

std::optional<std::vector<std::size_t>> planned_columns(const dsl::Stage& stage, const std::string& param, PlanState& st,
                                                        const columns::Request& request) {
  const DataInfo& d = st.data;
  const dsl::Param& p = stage.param(param);
  const char* every = request.want == columns::Want::numeric       ? "every numeric column"
                      : request.want == columns::Want::categorical ? "every categorical column"
                                                                   : "every column";
  if (!p.value.is_set()) {
    auto all = columns::all_of(d.kinds, d.features.size(), request.want);
    if (all.empty()) {
      std::string list;
      for (std::size_t c = 0; c < d.features.size(); ++c)
        list += (c ? ", '" : "'") + d.features[c] + "' (" + (d.is_categorical(c) ? "categorical" : "numeric") + ")";
      st.diags.error(stage.op_loc,
                     request.who + " finds no " + (request.want == columns::Want::numeric ? "numeric" : "categorical") +
                         " column",
                     "the columns are " + list);
      return std::nullopt;
    }
    return all;
  }
  const auto& entries = p.value.as_string_list();
  if (entries.empty()) {
    st.diags.error(p.loc, "'" + param + "' is empty", std::string("name columns or patterns, or leave '") + param + "' out for " + every);
    return std::nullopt;
  }
  auto sel = columns::select(entries, d.features, d.kinds, request);
  for (const auto& problem : sel.problems) st.diags.error(p.item_loc(problem.entry), problem.message, problem.note);
  if (!sel.problems.empty()) return std::nullopt;
  return sel.indices;
}

std::vector<std::size_t> run_columns(const dsl::Stage& stage, const std::string& param, const Table& t,
                                     const columns::Request& request) {
  const dsl::Param& p = stage.param(param);
  if (!p.value.is_set()) return columns::all_of(t.kinds, t.cols(), request.want);
  auto sel = columns::select(p.value.as_string_list(), t.columns, t.kinds, request);
  if (!sel.problems.empty()) throw UserError(sel.problems.front().message);
  return sel.indices;
}

std::optional<Table> planned_part(const DataInfo& d, const std::string& part, const std::vector<std::size_t>& cols) {
  const auto rows = d.part_rows.find(part);
  if (rows == d.part_rows.end()) return std::nullopt;
  Table t;
  t.rows = rows->second.size();
  for (auto c : cols) {
    if (!d.is_categorical(c) || c >= d.codes.size() || d.codes[c].empty()) return std::nullopt;
    t.columns.push_back(d.features[c]);
    t.kinds.push_back(ColumnKind::categorical);
    t.categories.push_back(d.categories[c]);
  }
  t.x.reserve(t.rows * cols.size());
  for (auto r : rows->second)
    for (auto c : cols) t.x.push_back(d.codes[c][r]);
  return t;
}

namespace {

void refresh_row_has_missing(DataInfo& d) {
  std::fill(d.row_has_missing.begin(), d.row_has_missing.end(), 0);
  for (const auto& rows : d.missing_rows)
    for (auto r : rows)
      if (r < d.row_has_missing.size()) d.row_has_missing[r] = 1;
}

}  // namespace

void set_features(DataInfo& d, const std::vector<NewFeature>& features) {
  DataInfo before = d;
  d.features.clear();
  d.kinds.clear();
  d.categories.clear();
  d.codes.clear();
  d.missing_per_col.clear();
  d.missing_rows.clear();
  for (const auto& f : features) {
    d.features.push_back(f.name);
    const bool old = f.from >= 0;
    const auto c = static_cast<std::size_t>(f.from);
    d.kinds.push_back(old && before.is_categorical(c) ? ColumnKind::categorical : ColumnKind::numeric);
    d.categories.push_back(old && c < before.categories.size() ? before.categories[c] : std::vector<std::string>{});
    d.codes.push_back(old && c < before.codes.size() ? before.codes[c] : std::vector<float>{});
    d.missing_per_col.push_back(old && c < before.missing_per_col.size() ? before.missing_per_col[c] : 0);
    d.missing_rows.push_back(old && c < before.missing_rows.size() ? before.missing_rows[c] : std::vector<std::size_t>{});
  }
  refresh_row_has_missing(d);
}

void set_missing_rows(DataInfo& d, std::size_t c, std::vector<std::size_t> rows) {
  if (d.missing_rows.size() <= c) d.missing_rows.resize(d.features.size());
  d.missing_per_col[c] = rows.size();
  d.missing_rows[c] = std::move(rows);
  refresh_row_has_missing(d);
}

bool require_train_part(const dsl::Stage& stage, PlanState& st) {
  const auto& part = stage.param("part");
  if (part.value.as_string() == "train") return true;
  st.diags.error(part.loc,
                 "'" + stage.op() + "' on the " + part.value.as_string() +
                     " part would score the model on rows that are not real data",
                 "resampling and augmentation apply to the training part only: 'part: train'");
  return false;
}

bool require_fit_on_train(const dsl::Stage& stage, PlanState& st) {
  const auto& fit = stage.param("fit_on");
  if (fit.value.as_string() == "train") return true;
  st.diags.error(fit.loc,
                 "'" + stage.op() + "' fitted on " + fit.value.as_string() +
                     " rows learns from the test part (leakage)",
                 "fit on the training part only: 'fit_on: train'");
  return false;
}

std::size_t total_missing(const DataInfo& d) {
  std::size_t n = 0;
  for (auto m : d.missing_per_col) n += m;
  return n;
}

std::string missing_columns_text(const DataInfo& d) {
  std::string out;
  for (std::size_t c = 0; c < d.missing_per_col.size() && c < d.features.size(); ++c) {
    if (d.missing_per_col[c] == 0) continue;
    if (!out.empty()) out += ", ";
    out += "'" + d.features[c] + "' (" + std::to_string(d.missing_per_col[c]) + ")";
  }
  return out;
}

std::optional<EncoderInput> encoder_input(const dsl::Stage& stage, PlanState& st, const columns::Request& request) {
  DataInfo& d = st.data;
  const auto cols = planned_columns(stage, "columns", st, request);
  if (!cols) {
    d.categorical_reported = true;  // the model does not also report the columns this stage was to encode
    return std::nullopt;
  }
  const bool split_ok = require_split(stage, st, "learns its categories from test rows too (leakage)");
  auto train = planned_part(d, split_ok ? "train" : "all", *cols);
  if (!train) {
    d.categorical_reported = true;
    st.diags.error(stage.op_loc, "'" + stage.op() + "' must come before the stages that add or remove training rows",
                   "it learns the categories of the training rows: encode right after 'split'");
    return std::nullopt;
  }
  return EncoderInput{*cols, std::move(*train), split_ok};
}

}  // namespace pipeml::rules
