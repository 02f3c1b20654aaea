#include "runtime/planner.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "runtime/sha256.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

void plan_stage(const dsl::Stage& stage, const Registry& registry, Plan& plan, dsl::Diagnostics& diags,
                std::size_t errors_before) {
  plan.steps.push_back(PlanStep{&stage, {}, {}});
  PlanState state{plan, plan.data, plan.steps.back(), diags, registry, errors_before};
  registry.op(stage.op())->plan(stage, state);
  if (stage.section == "data") plan.steps.back().parts = plan.data.parts;
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
  if (st.diags.size() != st.errors_before) return nullptr;
  const auto& data = st.plan.pipeline.data;
  std::size_t last = 0;
  while (last < data.size() && &data[last] != &stage) ++last;
  if (last == data.size()) throw std::logic_error("planned_tables: not a data stage of this plan");
  if (!st.plan.planned) st.plan.planned = std::make_shared<PlannedData>();
  PlannedData& planned = *st.plan.planned;
  if (planned.stages > last + 1) throw std::logic_error("planned_tables: stages planned out of order");
  DataRun run{st.plan, std::move(planned.parts), std::move(planned.fitted)};
  std::size_t i = planned.stages;
  try {
    for (; i <= last; ++i) st.registry.op(data[i].op())->run(data[i], run);
  } catch (const UserError& e) {
    st.diags.error(data[i].op_loc, e.what());
    st.plan.planned.reset();
    return nullptr;
  }
  planned.parts = std::move(run.parts);
  planned.fitted = std::move(run.fitted);
  planned.stages = last + 1;
  return &planned.parts;
}

std::string counts_text(const std::vector<std::size_t>& counts, const std::vector<std::string>& names) {
  std::string out = "{";
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (i) out += ", ";
    out += (i < names.size() ? names[i] : std::to_string(i)) + ": " + std::to_string(counts[i]);
  }
  return out + "}";
}

std::unique_ptr<Plan> make_plan(dsl::Pipeline pipeline, const dsl::Overrides& overrides,
                                const Registry& registry, dsl::Diagnostics& diags) {
  auto plan = std::make_unique<Plan>();
  plan->pipeline = std::move(pipeline);
  plan->overrides = overrides;
  const std::size_t errors_before = diags.size();
  const dsl::Pipeline& p = plan->pipeline;

  // Data stages, in order. A stage whose input is already broken still runs its own
  // checks, so every mistake is reported; hooks skip inference when there is no data.
  for (const auto& stage : p.data) plan_stage(stage, registry, *plan, diags, errors_before);
  // Reported once here, whatever else failed; the stages that need the split stay quiet.
  const bool has_split = std::any_of(p.data.begin(), p.data.end(), [](const dsl::Stage& s) { return s.op() == "split"; });
  // It points where the split belongs: right after the loader.
  if (p.data.size() == 1 && !has_split)
    diags.error(p.data[0].op_loc, "the data is never split into a training and a test part",
                "add a stage '- op: split' after this one");
  if (p.data.size() > 1 && !has_split)
    diags.error(p.data[1].op_loc, "the data is never split into a training and a test part",
                "add a stage '- op: split' before this one: fitted and resampling stages use the training part only");

  // The sections: model first (it needs the data's width), then what trains it.
  for (const dsl::Stage* s : {&p.model, &p.loss, &p.optimizer, &p.train})
    plan_stage(*s, registry, *plan, diags, errors_before);
  if (p.scheduler) plan_stage(*p.scheduler, registry, *plan, diags, errors_before);
  plan_stage(p.evaluate, registry, *plan, diags, errors_before);

  // The schedule for every epoch: printed by `pipe plan`, applied by the trainer.
  plan->lr_by_epoch.clear();
  for (int e = 0; e < plan->train.epochs; ++e) {
    double lr = plan->optimizer.lr;
    if (p.scheduler) lr = registry.op(p.scheduler->op())->lr_at(*p.scheduler, plan->optimizer.lr, e);
    plan->lr_by_epoch.push_back(lr);
  }
  if (diags.size() > errors_before) return nullptr;
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
