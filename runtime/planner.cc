#include "runtime/planner.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "runtime/sha256.h"
#include "runtime/user_error.h"

namespace pipeml {

std::map<std::string, std::string> Plan::all_hashes() const {
  auto out = hashes;
  for (const auto& [name, file] : hash_later) out[name] = sha256_file(file);
  return out;
}

namespace {

// A table stage (impute, smote, ...) on image data: refused at its op, once.
// Then the data is unknown from here on (as after a failed stage): one mistake, one error.
bool refuses_images(const dsl::Stage& stage, const OpDef& op, DataInfo& data, dsl::Diagnostics& diags) {
  if (stage.section != "data" || op.images || data.image_shape.empty()) return false;
  const auto s = data.image_shape;
  data.parts.clear();
  data.part_rows.clear();
  data.split = false;
  data.image_shape.clear();
  diags.error(stage.op_loc,
              "'" + stage.op() + "' works on table columns, and this data is images (" + std::to_string(s[0]) + "x" +
                  std::to_string(s[1]) + "x" + std::to_string(s[2]) + ")",
              "image data takes split and the image transforms: random_horizontal_flip, random_crop, scale_pixels, normalize");
  return true;
}

// A loader anywhere but first: one pipeline reads one table (or dataset). Its plan is skipped.
bool loader_out_of_place(const dsl::Stage& stage, const OpDef& op, const Plan& plan, dsl::Diagnostics& diags) {
  if (!op.loads || &stage == &plan.pipeline.data.front()) return false;
  diags.error(stage.op_loc, "'" + stage.op() + "' must be the first data stage",
              std::string("one pipeline reads one ") + (op.images ? "dataset" : "table"));
  return true;
}

void plan_stage(const dsl::Stage& stage, const Registry& registry, Plan& plan, dsl::Diagnostics& diags,
                std::size_t errors_before) {
  plan.steps.push_back(PlanStep{&stage, {}, {}, {}});
  PlanState state{plan, plan.data, plan.steps.back(), diags, registry, errors_before, std::nullopt, false};
  const OpDef& op = *registry.op(stage.op());
  if (refuses_images(stage, op, plan.data, diags)) return;
  if (!loader_out_of_place(stage, op, plan, diags)) op.plan(stage, state);
  if (stage.section == "data" && plan.data.folds.empty()) plan.steps.back().parts = plan.data.parts;
}

// A fold's data as the stages after kfold see it: its own "train" and "test" parts.
DataInfo fold_info(const DataInfo& all, const FoldRows& fold) {
  DataInfo d = all;
  d.folds.clear();
  d.parts.clear();
  d.part_rows.clear();
  for (const auto& [name, rows] : {std::pair{"train", &fold.train}, std::pair{"test", &fold.test}}) {
    d.parts.push_back(PartInfo{name, rows->size(), all.count_classes(*rows)});
    d.part_rows[name] = *rows;
  }
  return d;
}

// The notes every fold gave go to the step; the others stay with their fold.
void share_notes(PlanStep& step) {
  for (const auto& note : step.folds.front().notes) {
    const bool everywhere = std::all_of(step.folds.begin(), step.folds.end(), [&](const FoldStep& f) {
      return std::find(f.notes.begin(), f.notes.end(), note) != f.notes.end();
    });
    if (everywhere) step.notes.push_back(note);
  }
  for (auto& f : step.folds)
    f.notes.erase(std::remove_if(f.notes.begin(), f.notes.end(),
                                 [&](const std::string& n) { return std::count(step.notes.begin(), step.notes.end(), n) > 0; }),
                  f.notes.end());
}

// An error every fold found is reported once as it is; one that only some folds found
// says which ("fold 3: class '1' has 4 training rows, ...").
void merge_fold_errors(const std::vector<dsl::Diagnostics>& per_fold, dsl::Diagnostics& diags) {
  std::vector<std::pair<const dsl::Diagnostic*, std::vector<std::size_t>>> seen;
  for (std::size_t f = 0; f < per_fold.size(); ++f)
    for (const auto& d : per_fold[f].all()) {
      auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& s) {
        const dsl::Diagnostic& o = *s.first;
        return o.message == d.message && o.note == d.note && o.loc.file == d.loc.file && o.loc.line == d.loc.line &&
               o.loc.col == d.loc.col;
      });
      if (it == seen.end()) seen.push_back({&d, {f}});
      else if (it->second.back() != f) it->second.push_back(f);
    }
  for (const auto& [d, folds] : seen)
    diags.error(d->loc, (folds.size() < per_fold.size() ? folds_text(folds) + ": " : "") + d->message, d->note);
}

// Cross-validation: every stage after kfold (`rest`: the remaining data stages, then the
// sections) is planned once per fold on that fold's data, as the executor will run it.
// The plan keeps each fold's parts and notes; fold 1's data becomes plan.data.
void plan_folds(const std::vector<const dsl::Stage*>& rest, const Registry& registry, Plan& plan,
                dsl::Diagnostics& diags, std::size_t errors_before) {
  const DataInfo& all = plan.data;  // replaced by fold 1's data at the end
  const std::size_t k = all.folds.size();
  const bool errors_earlier = diags.size() != errors_before;
  std::vector<DataInfo> data;
  for (const auto& fold : all.folds) data.push_back(fold_info(all, fold));
  std::vector<dsl::Diagnostics> fold_diags(k);
  for (const dsl::Stage* stage : rest) {
    plan.steps.push_back(PlanStep{stage, {}, {}, std::vector<FoldStep>(k)});
    for (std::size_t f = 0; f < k; ++f) {
      PlanStep scratch{stage, {}, {}, {}};
      PlanState state{plan, data[f], scratch, fold_diags[f], registry, 0, f, errors_earlier};
      const OpDef& op = *registry.op(stage->op());
      if (!loader_out_of_place(*stage, op, plan, fold_diags[f])) op.plan(*stage, state);
      FoldStep& out = plan.steps.back().folds[f];
      if (stage->section == "data") out.parts = data[f].parts;
      out.notes = std::move(scratch.notes);
    }
    share_notes(plan.steps.back());
  }
  merge_fold_errors(fold_diags, diags);
  plan.data = data.front();
  for (auto& d : data) {
    d.labels.clear();  // per source row: kept once, in plan.data
    d.row_has_missing.clear();
  }
  plan.fold_data = std::move(data);
}

bool is_splitter(const dsl::Stage& s) { return s.op() == "split" || s.op() == "kfold"; }

// Values that no stage filled would reach the model as NaN: an error at the model, naming
// the columns, rather than a failed run.
void check_complete(const Plan& plan, dsl::Diagnostics& diags) {
  const DataInfo& d = plan.data;
  std::size_t missing = 0;
  std::string columns;
  for (std::size_t c = 0; c < d.missing_per_col.size() && c < d.features.size(); ++c) {
    if (d.missing_per_col[c] == 0) continue;
    missing += d.missing_per_col[c];
    columns += (columns.empty() ? "'" : ", '") + d.features[c] + "' (" + std::to_string(d.missing_per_col[c]) + ")";
  }
  if (missing == 0) return;
  const auto& data = plan.pipeline.data;
  const auto splitter = std::find_if(data.begin(), data.end(), is_splitter);
  diags.error(plan.pipeline.model.op_loc,
              std::to_string(missing) + (missing == 1 ? " value is" : " values are") +
                  " still missing after the data stages, and the model cannot take missing values: " + columns,
              "fill them with '- op: impute' after '" + (splitter != data.end() ? splitter->op() : std::string("split")) + "'");
}

// Where `stage` is among the data stages (planned_tables is only for data stages).
std::size_t stage_index(const std::vector<dsl::Stage>& data, const dsl::Stage& stage) {
  std::size_t i = 0;
  while (i < data.size() && &data[i] != &stage) ++i;
  if (i == data.size()) throw std::logic_error("planned_tables: not a data stage of this plan");
  return i;
}

// Runs the data stages after `planned`'s, up to and including `last`, with the run hooks
// `pipe run` uses. A UserError becomes an error at the stage that raised it (false).
bool run_stages(PlannedData& planned, std::size_t last, PlanState& st) {
  const auto& data = st.plan.pipeline.data;
  if (planned.stages > last + 1) throw std::logic_error("planned_tables: stages planned out of order");
  DataRun run{st.plan, std::move(planned.parts), std::move(planned.fitted), nullptr, std::move(planned.fold_rows)};
  std::size_t i = planned.stages;
  try {
    for (; i <= last; ++i) st.registry.op(data[i].op())->run(data[i], run);
  } catch (const UserError& e) {
    st.diags.error(data[i].op_loc, e.what());
    return false;
  }
  planned.parts = std::move(run.parts);
  planned.fitted = std::move(run.fitted);
  planned.fold_rows = std::move(run.folds);
  planned.stages = last + 1;
  return true;
}

}  // namespace

PartInfo* DataInfo::part(const std::string& name) {
  for (auto& p : parts)
    if (p.name == name) return &p;
  return nullptr;
}

const PartInfo* DataInfo::part(const std::string& name) const {
  for (const auto& p : parts)
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::size_t> DataInfo::count_classes(const std::vector<std::size_t>& rows) const {
  std::vector<std::size_t> counts(class_names.size(), 0);
  if (regression) return counts;
  for (auto r : rows) ++counts[labels[r]];
  return counts;
}

std::int64_t seed_of(const dsl::Stage& stage, const dsl::Pipeline& pipeline) {
  const auto& p = stage.param("seed");
  return p.value.is_set() ? p.value.as_int() : pipeline.seed;
}

std::int64_t use_seed(const dsl::Stage& stage, Plan& plan) {
  const bool own = stage.param("seed").value.is_set();
  const std::int64_t seed = seed_of(stage, plan.pipeline);
  for (const auto& s : plan.seeds)
    if (s.stage == stage.id) return seed;
  plan.seeds.push_back(SeedUse{stage.id, seed, !own});
  return seed;
}

const std::map<std::string, Table>* planned_tables(const dsl::Stage& stage, PlanState& st) {
  // Run hooks trust their plan hooks' checks: with an error anywhere so far, none may run.
  if (st.diags.size() != st.errors_before || st.errors_earlier) return nullptr;
  const auto& data = st.plan.pipeline.data;
  const std::size_t last = stage_index(data, stage);
  if (!st.plan.planned) st.plan.planned = std::make_shared<PlannedData>();
  PlannedData* planned = st.plan.planned.get();
  if (st.fold) {
    // The stages up to kfold run once, on all the rows; each fold goes on from its own rows.
    const auto kfold = std::find_if(data.begin(), data.end(), [](const dsl::Stage& x) { return x.op() == "kfold"; });
    const std::size_t at = stage_index(data, *kfold);
    if (planned->stages <= at && !run_stages(*planned, at, st)) {
      st.plan.planned.reset();
      return nullptr;
    }
    if (*st.fold >= planned->fold_rows.size()) throw std::logic_error("planned_tables: a fold kfold did not make");
    planned->folds.resize(planned->fold_rows.size());
    PlannedData& mine = planned->folds[*st.fold];
    if (mine.stages == 0) {
      const Table& all = planned->parts.at("all");
      const FoldRows& rows = planned->fold_rows[*st.fold];
      mine.parts = {{"train", all.take(rows.train)}, {"test", all.take(rows.test)}};
      mine.fitted = planned->fitted;
      mine.stages = at + 1;
    }
    planned = &mine;
  }
  if (!run_stages(*planned, last, st)) {
    *planned = PlannedData{};  // a fold's error fails the plan; the other folds still report theirs
    if (!st.fold) st.plan.planned.reset();
    return nullptr;
  }
  return &planned->parts;
}

std::string counts_text(const std::vector<std::size_t>& counts, const std::vector<std::string>& names) {
  std::string out = "{";
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (i) out += ", ";
    out += (i < names.size() ? names[i] : std::to_string(i)) + ": " + std::to_string(counts[i]);
  }
  return out + "}";
}

std::string folds_text(const std::vector<std::size_t>& folds) {
  std::string out;
  for (std::size_t i = 0; i < folds.size();) {
    std::size_t j = i;  // a run of consecutive folds, i..j
    while (j + 1 < folds.size() && folds[j + 1] == folds[j] + 1) ++j;
    out += (out.empty() ? "" : ", ") + std::to_string(folds[i] + 1);
    if (j > i) out += (j == i + 1 ? ", " : "-") + std::to_string(folds[j] + 1);
    i = j + 1;
  }
  return (folds.size() == 1 ? "fold " : "folds ") + out;
}

std::unique_ptr<Plan> make_plan(dsl::Pipeline pipeline, const dsl::Overrides& overrides,
                                const Registry& registry, dsl::Diagnostics& diags) {
  auto plan = std::make_unique<Plan>();
  plan->pipeline = std::move(pipeline);
  plan->overrides = overrides;
  plan->train.dist.world_size = std::max(1, overrides.world_size);
  const std::size_t errors_before = diags.size();
  const dsl::Pipeline& p = plan->pipeline;

  // The data comes from a loader, first. A loader further down is reported at it
  // (loader_out_of_place); this is for a pipeline without one (its loader switched off, say).
  const bool has_loader = std::any_of(p.data.begin(), p.data.end(), [&](const dsl::Stage& s) {
    const OpDef* op = registry.op(s.op());
    return op && op->loads;
  });
  if (!p.data.empty() && !has_loader) {
    std::vector<std::string> loaders, off;
    for (const auto* op : registry.of_kind(dsl::OpKind::kData))
      if (registry.op(op->name)->loads) loaders.push_back(op->name);
    for (const auto& id : p.switched_off) off.push_back("'" + id + "'");
    std::string note = "start 'data:' with " + dsl::quoted_list(loaders);
    if (!off.empty()) note += fmt::format(" (switched off here: {})", fmt::join(off, ", "));
    diags.error(p.data.front().op_loc, "the first data stage must read the data; '" + p.data.front().op() + "' does not", note);
  }

  // Data stages, in order. A stage whose input is already broken still runs its own
  // checks, so every mistake is reported; hooks skip inference when there is no data.
  // After a kfold stage, the rest is planned per fold.
  std::vector<const dsl::Stage*> rest;
  for (const auto& stage : p.data) {
    if (!plan->data.folds.empty()) rest.push_back(&stage);
    else plan_stage(stage, registry, *plan, diags, errors_before);
  }
  // Reported once here, whatever else failed; the stages that need the split stay quiet.
  const bool has_split = std::any_of(p.data.begin(), p.data.end(), [&](const dsl::Stage& s) {
    const OpDef* op = registry.op(s.op());
    return is_splitter(s) || (op && op->splits);
  });
  // It points where the split belongs: right after the loader.
  if (p.data.size() == 1 && !has_split)
    diags.error(p.data[0].op_loc, "the data is never split into a training and a test part",
                "add a stage '- op: split' after this one");
  if (p.data.size() > 1 && !has_split)
    diags.error(p.data[1].op_loc, "the data is never split into a training and a test part",
                "add a stage '- op: split' before this one: fitted and resampling stages use the training part only");

  // The sections: model first (it needs the data's width), then what trains it.
  std::vector<const dsl::Stage*> sections = {&p.model, &p.loss, &p.optimizer, &p.train};
  if (p.scheduler) sections.push_back(&*p.scheduler);
  sections.push_back(&p.evaluate);
  if (!plan->data.folds.empty()) {
    rest.insert(rest.end(), sections.begin(), sections.end());
    plan_folds(rest, registry, *plan, diags, errors_before);
  } else {
    for (const dsl::Stage* s : sections) plan_stage(*s, registry, *plan, diags, errors_before);
  }
  // Only when nothing else is wrong: a stage that failed (standardize before impute, say)
  // is the likelier cause, and said so already.
  if (diags.size() == errors_before) check_complete(*plan, diags);

  if (diags.size() > errors_before) return nullptr;
  // The schedule for every epoch (and step): printed by `pipe plan`; the executor makes the
  // trainer's from plan->schedule the same way, per fold.
  const int epochs = plan->train.epochs;
  const int steps = plan->steps_per_epoch.empty() ? 0 : plan->steps_per_epoch.front();
  if (plan->schedule.empty()) {
    plan->lr_by_epoch.assign(epochs, plan->optimizer.lr);
  } else if (plan->schedule.per_step()) {
    auto s = make_schedule(plan->schedule, plan->optimizer.lr, epochs, steps);
    for (int e = 0; e < epochs; ++e)
      for (int b = 0; b < steps; ++b) {
        plan->lr_by_step.push_back(s->lr(e, b));
        if (plan->schedule.cycle_momentum) plan->momentum_by_step.push_back(s->momentum(e, b));
        if (b == 0) plan->lr_by_epoch.push_back(plan->lr_by_step.back());
      }
  } else if (!plan->schedule.on_plateau()) {
    plan->lr_by_epoch = epoch_lrs(plan->schedule, plan->optimizer.lr, epochs);
  }
  return plan;
}

std::unique_ptr<Plan> plan_file(const std::string& path, const dsl::Overrides& overrides,
                                const Registry& registry, dsl::Diagnostics& diags) {
  // A folder opens as a stream and reads as empty: ask the file system first, so the
  // error says why ("no such file or directory", "is a directory").
  struct stat info {};
  int error_number = ::stat(path.c_str(), &info) != 0 ? errno : S_ISDIR(info.st_mode) ? EISDIR : 0;
  std::ifstream in(path, std::ios::binary);
  if (error_number == 0 && !in) error_number = errno != 0 ? errno : EIO;
  if (error_number != 0) {
    std::string reason = std::strerror(error_number);
    reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
    diags.error(dsl::Loc{path, 0, 0, 1}, "cannot read the pipeline file: " + reason,
                "check the path; pipelines live in pipelines/ and examples/");
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto pipeline = dsl::parse_pipeline(path, text.str(), registry, overrides, diags);
  if (!pipeline) return nullptr;
  auto plan = make_plan(std::move(*pipeline), overrides, registry, diags);
  if (plan) plan->hashes[path] = sha256_hex(text.str());
  return plan;
}

}  // namespace pipeml
