#include "runtime/plan_print.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "runtime/planner.h"

namespace pipeml {
namespace {

std::string with_commas(std::int64_t v) {
  std::string s = std::to_string(v), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// "train 242 = {0: 131, 1: 111}"; a regression target has no classes: "train 242 rows".
std::string part_text(const PartInfo& p, const std::vector<std::string>& classes) {
  if (classes.empty()) return fmt::format("{} {} rows", p.name, p.rows);
  return fmt::format("{} {} = {}", p.name, p.rows, counts_text(p.class_counts, classes));
}

void print_params(std::ostream& os, const dsl::Stage& s) {
  std::size_t width = 0;
  for (const auto& [name, p] : s.params) width = std::max(width, name.size());
  for (const auto& [name, p] : s.params) {
    const auto* spec = s.schema->param(name);
    std::string value = p.value.is_set() ? p.value.str() : spec->unset_text_;
    os << fmt::format("      {:<{}}  {}{}\n", name, width, value, p.is_default ? "  (default)" : "");
  }
}

void print_step(std::ostream& os, const PlanStep& step, const Plan& plan, int number) {
  const dsl::Stage& s = *step.stage;
  const std::string title = s.section == "data" ? fmt::format("{}. {}", number, s.id) : s.section;
  os << fmt::format("  {}{}\n", title, s.id == s.op() ? "" : fmt::format(" ({})", s.op()));
  print_params(os, s);
  for (const auto& part : step.parts) os << "    -> " << part_text(part, plan.data.class_names) << '\n';
  // Cross-validation: each fold's parts on a line, "fold 2: train 242 = {...}, test 61 = {...}".
  for (std::size_t f = 0; f < step.folds.size(); ++f) {
    if (step.folds[f].parts.empty()) continue;
    std::string line;
    for (const auto& part : step.folds[f].parts) line += (line.empty() ? "" : ", ") + part_text(part, plan.data.class_names);
    os << "    -> fold " << f + 1 << ": " << line << '\n';
  }
  for (const auto& note : step.notes) os << "    note: " << note << '\n';
  // A fold's own notes, each once with the folds that gave it: "folds 1-3: 20 synthetic rows ...".
  std::vector<std::pair<std::string, std::vector<std::size_t>>> notes;
  for (std::size_t f = 0; f < step.folds.size(); ++f)
    for (const auto& note : step.folds[f].notes) {
      auto it = std::find_if(notes.begin(), notes.end(), [&](const auto& n) { return n.first == note; });
      if (it == notes.end()) notes.push_back({note, {f}});
      else it->second.push_back(f);
    }
  for (const auto& [note, folds] : notes) os << "    note: " << folds_text(folds) << ": " << note << '\n';
}

}  // namespace

std::string schedule_text(const std::vector<double>& lr, std::size_t max_runs) {
  std::string out;
  std::size_t runs = 0, start = 0;
  for (std::size_t e = 1; e <= lr.size(); ++e) {
    if (e < lr.size() && lr[e] == lr[start]) continue;
    if (runs == max_runs) return out + ", ...";
    out += fmt::format("{}{:.6g} (epoch{} {})", runs ? ", " : "", lr[start], e - start > 1 ? "s" : "",
                       e - start > 1 ? fmt::format("{}-{}", start + 1, e) : std::to_string(start + 1));
    ++runs;
    start = e;
  }
  return out;
}

void print_plan(std::ostream& os, const Plan& plan) {
  const dsl::Pipeline& p = plan.pipeline;
  os << fmt::format("plan of '{}' ({})\n", p.name, p.file);
  os << fmt::format("  device  {}{}\n", p.device, p.device == "auto" ? " (cuda if available when it runs, else cpu)" : "");
  os << fmt::format("  seed    {}\n\n", p.seed);
  os << "data\n";
  int number = 0;
  for (const auto& step : plan.steps)
    if (step.stage->section == "data") print_step(os, step, plan, ++number);
  os << "\nmodel\n";
  for (const auto& step : plan.steps)
    if (step.stage->section == "model") print_step(os, step, plan, 0);
  if (!plan.layers.empty()) {
    os << fmt::format("      {:<4} {:<22} {:<8} {:>8}\n", "#", "layer", "output", "params");
    for (const auto& l : plan.layers)
      os << fmt::format("      {:<4} {:<22} {:<8} {:>8}\n", l.name, l.type, shape_text(l.out_shape), with_commas(l.params));
    os << fmt::format("      {:<4} {:<22} {:<8} {:>8}\n", "", "total", "", with_commas(plan.total_params));
  }
  os << "\ntraining\n";
  for (const auto& step : plan.steps) {
    const std::string& sec = step.stage->section;
    if (sec == "data" || sec == "model") continue;
    print_step(os, step, plan, 0);
    if (sec == "scheduler" || (sec == "optimizer" && !p.scheduler))
      os << "    lr: " << schedule_text(plan.lr_by_epoch) << '\n';
  }
  os << "\nseeds\n";
  for (const auto& s : plan.seeds)
    os << fmt::format("  {:<16} {}{}\n", s.stage, s.seed, s.from_pipeline ? "  (pipeline seed)" : "");
}

nlohmann::json plan_json(const Plan& plan) {
  using nlohmann::json;
  const dsl::Pipeline& p = plan.pipeline;
  auto param_json = [](const dsl::Value& v) -> json {
    return std::visit(
        [](const auto& x) -> json {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            return nullptr;
          } else if constexpr (std::is_same_v<T, dsl::NamedCounts>) {
            json counts = json::object();
            for (const auto& [name, count] : x) counts[name] = count;
            return counts;
          } else {
            return x;
          }
        },
        v.v);
  };
  json stages = json::array();
  for (const auto& step : plan.steps) {
    const dsl::Stage& s = *step.stage;
    json params = json::object(), defaults = json::array();
    for (const auto& [name, prm] : s.params) {
      params[name] = param_json(prm.value);
      if (prm.is_default) defaults.push_back(name);
    }
    auto parts_json = [](const std::vector<PartInfo>& list) {
      json parts = json::array();
      for (const auto& part : list)
        parts.push_back({{"name", part.name}, {"rows", part.rows}, {"class_counts", part.class_counts}});
      return parts;
    };
    const json parts = parts_json(step.parts);
    json folds = json::array();
    bool fold_facts = false;  // a section whose folds all planned alike has no "folds"
    for (std::size_t f = 0; f < step.folds.size(); ++f) {
      json fold = {{"fold", f + 1}};
      if (!step.folds[f].parts.empty()) fold["parts"] = parts_json(step.folds[f].parts);
      if (!step.folds[f].notes.empty()) fold["notes"] = step.folds[f].notes;
      fold_facts = fold_facts || fold.size() > 1;
      folds.push_back(fold);
    }
    json st = {{"id", s.id}, {"section", s.section}, {"op", s.op()}, {"params", params}, {"defaults", defaults},
               {"location", fmt::format("{}:{}:{}", s.loc.file, s.loc.line, s.loc.col)}};
    if (!parts.empty()) st["parts"] = parts;
    if (!step.notes.empty()) st["notes"] = step.notes;
    if (fold_facts) st["folds"] = folds;
    stages.push_back(st);
  }
  json layers = json::array();
  for (const auto& l : plan.layers)
    layers.push_back({{"name", l.name}, {"type", l.type}, {"output_shape", l.out_shape}, {"params", l.params}});
  json seeds = json::object();
  for (const auto& s : plan.seeds) seeds[s.stage] = {{"seed", s.seed}, {"from_pipeline", s.from_pipeline}};
  json overrides = {{"set", plan.overrides.sets}};
  if (plan.overrides.seed) overrides["seed"] = *plan.overrides.seed;
  if (plan.overrides.device) overrides["device"] = *plan.overrides.device;
  return json{
      {"format", "pipe-plan/1"},
      {"pipeline", {{"name", p.name}, {"file", p.file}, {"seed", p.seed}, {"device", p.device}}},
      {"overrides", overrides},
      {"stages", stages},
      {"features", plan.data.features},
      {"classes", plan.data.class_names},
      {"target", {{"name", plan.data.target}, {"type", plan.data.regression ? "number" : "class"}}},
      {"model", {{"layers", layers}, {"total_params", plan.total_params}}},
      {"lr_by_epoch", plan.lr_by_epoch},
      {"seeds", seeds},
      {"hashes", plan.hashes},
  };
}

}  // namespace pipeml
