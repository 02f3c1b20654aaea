#include "ops/resampler.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <numeric>

#include "ops/data_rules.h"
#include "runtime/planner.h"
#include "runtime/user_error.h"

namespace pipeml::resampler {
namespace {

using dsl::ParamSpec;

std::optional<double> number_of(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (errno != 0 || *end != '\0' || !std::isfinite(v) || text.find_first_of("nNxX") != std::string::npos)
    return std::nullopt;
  return v;
}

// The stage's sampling_strategy; `unknown` is called with the index of each class name
// not in the data (a key of the mapping or an item of the list) and must throw or return.
template <typename Unknown>
sampling::Strategy read_strategy(const dsl::Stage& s, const std::vector<std::string>& classes, Unknown unknown) {
  const dsl::Value& v = s.param("sampling_strategy").value;
  if (v.is_string()) return sampling::Strategy::named(v.as_string());
  if (v.is_counts()) {
    std::map<int, std::int64_t> targets;
    const auto& counts = v.as_counts();
    for (std::size_t i = 0; i < counts.size(); ++i) {
      const int label = label_of(counts[i].first, classes);
      if (label < 0) unknown(i, counts[i].first);
      else targets[label] = counts[i].second;
    }
    return sampling::Strategy::targets_of(std::move(targets));
  }
  if (v.is_string_list()) {
    std::vector<int> labels;
    const auto& names = v.as_string_list();
    for (std::size_t i = 0; i < names.size(); ++i) {
      const int label = label_of(names[i], classes);
      if (label < 0) unknown(i, names[i]);
      else labels.push_back(label);
    }
    return sampling::Strategy::classes_of(std::move(labels));
  }
  return sampling::Strategy::ratio_of(v.as_number());
}

}  // namespace

const std::vector<std::string>& over_names() {
  static const std::vector<std::string> names{"auto", "minority", "not minority", "not majority", "all"};
  return names;
}

const std::vector<std::string>& under_names() {
  static const std::vector<std::string> names{"auto", "majority", "not minority", "not majority", "all"};
  return names;
}

dsl::ParamSpec strategy_param(sampling::Type type) {
  switch (type) {
    case sampling::Type::over:
      return ParamSpec::string_number_or_map("sampling_strategy", over_names(), "auto")
          .min(0, true)
          .max(1)
          .doc("which classes to grow: a name as in imblearn ('auto' = 'not majority'), the minority/majority ratio "
               "after resampling (two classes), or the rows wanted per class, {class: rows}");
    case sampling::Type::under:
      return ParamSpec::string_number_or_map("sampling_strategy", under_names(), "auto")
          .min(0, true)
          .max(1)
          .doc("which classes to shrink: a name as in imblearn ('auto' = 'not minority'), the minority/majority "
               "ratio after resampling (two classes), or the rows to keep per class, {class: rows}");
    case sampling::Type::clean:
      break;
  }
  return ParamSpec::string_or_list("sampling_strategy", under_names(), "auto")
      .doc("which classes to clean: a name as in imblearn ('auto' = 'not minority') or a list of classes");
}

dsl::ParamSpec part_param() {
  return ParamSpec::enumeration("part", {"train", "validation", "test"}, "train")
      .doc("the part to resample (only train is allowed)");
}

dsl::ParamSpec seed_param() {
  return ParamSpec::integer("seed").min(0).max(4294967295.0).optional("pipeline seed").doc("random_state of the sampler");
}

dsl::ParamSpec k_neighbors_param() {
  return ParamSpec::integer("k_neighbors", 5).min(1).doc("nearest same-class neighbours to interpolate towards");
}

dsl::ParamSpec enn_n_neighbors_param() {
  return ParamSpec::integer("n_neighbors", 3).min(1).doc("nearest neighbours (of any class) that judge each row");
}

dsl::ParamSpec enn_kind_sel_param() {
  return ParamSpec::enumeration("kind_sel", {"all", "mode"}, "all")
      .doc("keep a row when all its neighbours share its class ('all'), or when most do ('mode')");
}

cleaning::KindSel kind_sel_of(const dsl::Stage& s) {
  return s.string("kind_sel") == "mode" ? cleaning::KindSel::mode : cleaning::KindSel::all;
}

int label_of(const std::string& name, const std::vector<std::string>& class_names) {
  for (std::size_t c = 0; c < class_names.size(); ++c)
    if (class_names[c] == name) return static_cast<int>(c);
  const auto number = number_of(name);
  if (!number) return -1;
  for (std::size_t c = 0; c < class_names.size(); ++c)
    if (number_of(class_names[c]) == number) return static_cast<int>(c);
  return -1;
}

sampling::Strategy strategy_of(const dsl::Stage& s, const std::vector<std::string>& class_names) {
  return read_strategy(s, class_names, [&](std::size_t, const std::string& name) {
    throw UserError("sampling_strategy names class '" + name + "', which is not in the data");
  });
}

PartInfo* training_part(const dsl::Stage& s, PlanState& st, const std::string& leakage_why, bool needs_complete) {
  if (s.schema->param("seed") != nullptr) use_seed(s, st.plan);
  const bool part_ok = rules::require_train_part(s, st);
  if (!rules::has_data(st)) return nullptr;
  if (!rules::require_split(s, st, leakage_why) || !part_ok) return nullptr;
  if (!rules::require_classes(s, st, "balances classes")) return nullptr;
  // smote_nc interpolates numeric columns and votes on the categorical ones it is told of.
  if (s.op() != "smote_nc" && !rules::require_numeric(s, st)) return nullptr;
  if (needs_complete && !rules::require_complete(s, st)) return nullptr;
  return st.data.part("train");
}

std::optional<std::map<int, std::size_t>> planned_targets(const dsl::Stage& s, PlanState& st, sampling::Type type) {
  const dsl::Param& p = s.param("sampling_strategy");
  const auto& classes = st.data.class_names;
  bool unknown = false;
  const sampling::Strategy strategy = read_strategy(s, classes, [&](std::size_t i, const std::string& name) {
    st.diags.error(i < p.item_locs.size() ? p.item_locs[i] : p.loc,
                   "no class '" + name + "' in the data for 'sampling_strategy'" + dsl::did_you_mean(name, classes),
                   "the classes are " + dsl::quoted_list(classes, "and"));
    unknown = true;
  });
  if (unknown) return std::nullopt;
  try {
    return sampling::resolve(st.data.part("train")->class_counts, strategy, type, classes, s.op());
  } catch (const UserError& e) {
    st.diags.error(p.is_default ? s.op_loc : p.loc, e.what());
    return std::nullopt;
  }
}

bool check_neighbours(const dsl::Stage& s, PlanState& st, const std::string& param, int label, std::size_t rows) {
  const dsl::Param& kp = s.param(param);
  const auto k = static_cast<std::size_t>(kp.value.as_int());
  if (rows >= k + 1) return true;
  // A default has no line of its own: point at the op and say it is the default.
  st.diags.error(kp.is_default ? s.op_loc : kp.loc,
                 "class '" + st.data.class_names[label] + "' has " + std::to_string(rows) + " training row" +
                     (rows == 1 ? "" : "s") + ", too few for " + param + " " + std::to_string(k) +
                     (kp.is_default ? " (the default)" : "") + ": " + s.op() + " needs " + param +
                     " + 1 rows of each class it grows",
                 rows >= 2 ? "set '" + param + ": " + std::to_string(rows - 1) + "' or lower"
                           : s.op() + " needs two rows of a class to interpolate between; use more data");
  return false;
}

std::optional<std::vector<std::size_t>> interpolation_counts(const dsl::Stage& s, PlanState& st,
                                                             const std::string& param) {
  PartInfo* train = training_part(s, st, "would put synthetic copies of test rows into training (leakage)", true);
  if (train == nullptr) return std::nullopt;
  const auto todo = planned_targets(s, st, sampling::Type::over);
  if (!todo) return std::nullopt;
  auto counts = train->class_counts;
  for (const auto& [label, n] : *todo) {
    if (n == 0) continue;
    if (!check_neighbours(s, st, param, label, counts[label])) return std::nullopt;
    counts[label] += n;
  }
  return counts;
}

void plan_smote_then_clean(const dsl::Stage& s, PlanState& st, const std::string& cleaner) {
  const auto grown = interpolation_counts(s, st, "k_neighbors");
  if (!grown) return;
  counts_from_data(s, st, [&](const std::vector<std::size_t>& before) {
    const auto& names = st.data.class_names;
    return "smote: " + change_text(before, *grown, names) + "; then " + cleaner + ": " +
           change_text(*grown, st.data.part("train")->class_counts, names) + "; validation and test parts untouched";
  });
}

void set_train_counts(PlanState& st, const std::vector<std::size_t>& counts) {
  PartInfo* train = st.data.part("train");
  train->class_counts = counts;
  train->rows = std::accumulate(counts.begin(), counts.end(), std::size_t{0});
  st.data.part_rows.erase("train");
}

void set_train_rows(PlanState& st, const std::vector<std::size_t>& counts,
                    const std::function<std::vector<std::size_t>(const Table& labels)>& pick) {
  DataInfo& d = st.data;
  const auto known = d.part_rows.find("train");
  std::vector<std::size_t> source;
  if (known != d.part_rows.end()) {
    Table labels;
    labels.class_names = d.class_names;
    labels.rows = known->second.size();
    for (auto r : known->second) labels.y.push_back(d.labels[r]);
    for (auto i : pick(labels)) source.push_back(known->second.at(i));
  }
  const bool follow = known != d.part_rows.end();
  set_train_counts(st, counts);
  if (follow) d.part_rows["train"] = std::move(source);
}

bool counts_from_data(const dsl::Stage& s, PlanState& st,
                      const std::function<std::string(const std::vector<std::size_t>& before)>& note) {
  const auto before = st.data.part("train")->class_counts;
  const auto* tables = planned_tables(s, st);
  if (tables == nullptr) {
    rules::forget_data(st);
    return false;
  }
  set_train_counts(st, tables->at("train").class_counts());
  st.step.notes.push_back(note(before));
  st.step.notes.push_back("counted on the data: which rows " + s.op() +
                          " removes or adds depends on their values, so the stages up to here ran while planning");
  return true;
}

std::string change_text(const std::vector<std::size_t>& before, const std::vector<std::size_t>& after,
                        const std::vector<std::string>& class_names) {
  std::string out;
  for (std::size_t c = 0; c < before.size() && c < after.size(); ++c) {
    if (before[c] == after[c]) continue;
    if (!out.empty()) out += ", ";
    const std::string name = c < class_names.size() ? class_names[c] : std::to_string(c);
    const std::size_t n = after[c] > before[c] ? after[c] - before[c] : before[c] - after[c];
    out += std::to_string(n) + (n == 1 ? " row " : " rows ") + (after[c] > before[c] ? "added to" : "removed from") +
           " class '" + name + "'";
  }
  return out.empty() ? "no rows added or removed" : out;
}

}  // namespace pipeml::resampler
