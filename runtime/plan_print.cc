#include "runtime/plan_print.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
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

void print_params(std::ostream& os, const dsl::Stage& s, const std::string& indent = "      ") {
  std::size_t width = 0;
  for (const auto& [name, p] : s.params) width = std::max(width, name.size());
  for (const auto& [name, p] : s.params) {
    const auto* spec = s.schema->param(name);
    if (spec->type == dsl::ParamType::kStages) continue;  // printed below, stage by stage
    if (const dsl::Stage* g = spec->type == dsl::ParamType::kGroup ? s.group(name) : nullptr) {
      os << fmt::format("{}{}\n", indent, name);  // a mapping of options: each under it
      print_params(os, *g, indent + "  ");
      continue;
    }
    std::string value = p.value.is_set() ? p.value.str() : spec->unset_text_;
    os << fmt::format("{}{:<{}}  {}{}\n", indent, name, width, value, p.is_default ? "  (default)" : "");
  }
  // Nested stages (sequential_lr's schedulers): each with its parameters, indented under it.
  // A model's layers are shown by the layer table instead.
  if (s.schema->kind == dsl::OpKind::kModel) return;
  for (std::size_t i = 0; i < s.children.size(); ++i) {
    os << fmt::format("{}{}. {}\n", indent, i + 1, s.children[i].op());
    print_params(os, s.children[i], indent + "   ");
  }
}

std::string num(double v) { return fmt::format("{:.6g}", v); }

// The schedule as a small chart, epochs along x: one column per epoch up to 60 epochs (or
// per bucket of epochs beyond, showing the rate at the bucket's first step), kHeight rows of
// eighth blocks, the lowest rate a one-eighth bar and the highest a full column.
void print_chart(std::ostream& os, const std::vector<double>& values, int epochs, const std::string& label) {
  constexpr int kHeight = 4, kWidth = 60;
  if (values.empty() || epochs <= 0) return;
  const int width = std::min(epochs, kWidth);
  std::vector<double> cols(width);
  for (int c = 0; c < width; ++c) {
    const std::size_t first = static_cast<std::size_t>(static_cast<double>(c) * values.size() / width);
    cols[c] = values[std::min(first, values.size() - 1)];
  }
  const double lo = *std::min_element(values.begin(), values.end()), hi = *std::max_element(values.begin(), values.end());
  static const char* kBlocks[] = {" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
  std::vector<int> eighths(width);
  for (int c = 0; c < width; ++c)
    eighths[c] = hi == lo ? 1 : 1 + static_cast<int>(std::lround((cols[c] - lo) / (hi - lo) * (kHeight * 8 - 1)));
  const std::string top = num(hi), bottom = num(lo);
  const std::size_t margin = std::max(top.size(), bottom.size());
  const int rows = hi == lo ? 1 : kHeight;
  for (int r = rows - 1; r >= 0; --r) {
    std::string line;
    for (int c = 0; c < width; ++c) line += kBlocks[std::clamp(eighths[c] - r * 8, 0, 8)];
    while (!line.empty() && line.back() == ' ') line.pop_back();
    const std::string y = r == rows - 1 ? top : r == 0 ? bottom : "";
    os << fmt::format("      {:>{}} \u2524{}\n", y, margin, line);
  }
  std::string axis;
  for (int c = 0; c < width; ++c) axis += "\u2500";
  os << fmt::format("      {:>{}} \u2514{}\n", "", margin, axis);
  const std::string first = "1", last = std::to_string(epochs);
  os << fmt::format("      {:>{}}  {}{:>{}}  epoch{}\n", "", margin, first, last,
                    std::max<int>(static_cast<int>(last.size()), width - 1), label);
}

// The scheduler's schedule: its runs of equal rates in a line, then the chart; a per-batch
// schedule per step; ReduceLROnPlateau's rule, since its rates depend on the run.
void print_schedule(std::ostream& os, const Plan& plan) {
  const SchedulerSpec& s = plan.schedule;
  const int epochs = plan.train.epochs;
  if (s.on_plateau()) {
    os << fmt::format("    lr: {} at first, then depends on {} at run time: times {} after more than {} epoch{} without "
                      "a{} improvement of {} ({}), then {} epoch{} of cooldown; never below {}\n",
                      num(plan.optimizer.lr), s.monitor, num(s.factor), s.patience, s.patience == 1 ? "" : "s",
                      s.mode == "min" ? " downward" : "n upward", num(s.threshold),
                      s.threshold_mode == "rel" ? "relative" : "absolute", s.cooldown, s.cooldown == 1 ? "" : "s",
                      num(s.min_lr));
    return;
  }
  if (s.per_step() && !plan.lr_by_step.empty()) {
    const auto peak = std::max_element(plan.lr_by_step.begin(), plan.lr_by_step.end());
    os << fmt::format("    lr: per batch, {} steps: {} at step 1, {} at step {}, {} at step {}\n", plan.lr_by_step.size(),
                      num(plan.lr_by_step.front()), num(*peak), peak - plan.lr_by_step.begin() + 1,
                      num(plan.lr_by_step.back()), plan.lr_by_step.size());
    print_chart(os, plan.lr_by_step, epochs, "");
    if (!plan.momentum_by_step.empty()) {
      const auto low = std::min_element(plan.momentum_by_step.begin(), plan.momentum_by_step.end());
      os << fmt::format("    {} {}: {} at step 1, {} at step {}, {} at step {}\n", plan.optimizer.type,
                        cycled_momentum_name(plan.optimizer.type),
                        num(plan.momentum_by_step.front()), num(*low), low - plan.momentum_by_step.begin() + 1,
                        num(plan.momentum_by_step.back()), plan.momentum_by_step.size());
    }
    return;
  }
  os << "    lr: " << schedule_text(plan.lr_by_epoch) << '\n';
  print_chart(os, plan.lr_by_epoch, epochs, "");
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
  os << fmt::format("  seed    {}\n", p.seed);
  if (const int world = plan.train.dist.world_size; world > 1)
    os << fmt::format("  world   {} processes, data-parallel (c10d: Gloo on the CPU, NCCL on CUDA); batch_size {} per "
                      "process, {} in all\n", world, plan.train.batch_size, plan.train.batch_size * world);
  if (!p.variant.empty()) os << fmt::format("  variant {}\n", p.variant);
  if (p.variant.empty() && !p.variant_names.empty()) {
    std::string names;
    for (const auto& n : p.variant_names) names += (names.empty() ? "" : ", ") + n;
    os << fmt::format("  variants {}  (this is the file as written; --variant NAME plans one, pipe sweep runs them all)\n", names);
  }
  if (!p.switched_off.empty()) {
    std::string off;
    for (const auto& id : p.switched_off) off += (off.empty() ? "" : ", ") + id;
    os << fmt::format("  off     {}  (enabled: false)\n", off);
  }
  os << "\ndata\n";
  int number = 0;
  for (const auto& step : plan.steps)
    if (step.stage->section == "data") print_step(os, step, plan, ++number);
  os << "\nmodel\n";
  for (const auto& step : plan.steps)
    if (step.stage->section == "model") print_step(os, step, plan, 0);
  if (!plan.layers.empty()) {
    // torchsummary's table; the columns widen for long layer types and shapes.
    std::size_t name_w = 4, type_w = 22, shape_w = 8;
    for (const auto& l : plan.layers) {
      name_w = std::max(name_w, l.name.size());
      type_w = std::max(type_w, l.type.size());
      shape_w = std::max(shape_w, shape_text(l.out_shape).size());
    }
    auto row = [&](const std::string& a, const std::string& b, const std::string& c, const std::string& d) {
      os << fmt::format("      {:<{}} {:<{}} {:<{}} {:>8}\n", a, name_w, b, type_w, c, shape_w, d);
    };
    row("#", "layer", "output", "params");
    for (const auto& l : plan.layers) row(l.name, l.type, shape_text(l.out_shape), with_commas(l.params));
    row("", "total", "", with_commas(plan.total_params));
  }
  os << "\ntraining\n";
  for (const auto& step : plan.steps) {
    const std::string& sec = step.stage->section;
    if (sec == "data" || sec == "model") continue;
    print_step(os, step, plan, 0);
    if (sec == "scheduler") print_schedule(os, plan);
    if (sec == "optimizer" && !p.scheduler) os << "    lr: " << schedule_text(plan.lr_by_epoch) << '\n';
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
      if (const dsl::Stage* g = s.group(name)) {  // a mapping of options: their values
        json options = json::object();
        for (const auto& [option, value] : g->params) options[option] = param_json(value.value);
        params[name] = options;
      }
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
    if (!s.children.empty()) {  // sequential_lr's schedulers, a model's layers: each with its parameters
      std::function<json(const dsl::Stage&)> children_of = [&](const dsl::Stage& parent) {
        json children = json::array();
        for (const auto& c : parent.children) {
          json cp = json::object();
          for (const auto& [name, prm] : c.params)
            cp[name] = c.schema->param(name)->type == dsl::ParamType::kStages ? children_of(c) : param_json(prm.value);
          children.push_back({{"op", c.op()}, {"params", cp}, {"location", fmt::format("{}:{}:{}", c.loc.file, c.loc.line, c.loc.col)}});
        }
        return children;
      };
      for (const auto& spec : s.schema->params)
        if (spec.type == dsl::ParamType::kStages) st[spec.name] = children_of(s);
    }
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
  if (plan.overrides.variant) overrides["variant"] = *plan.overrides.variant;
  if (plan.overrides.seed) overrides["seed"] = *plan.overrides.seed;
  if (plan.overrides.device) overrides["device"] = *plan.overrides.device;
  if (plan.overrides.world_size > 1) overrides["world_size"] = plan.overrides.world_size;
  json out{
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
      {"hashes", plan.all_hashes()},
  };
  // A per-batch schedule: every step's rate (and momentum); one that depends on the run: what it watches.
  if (!plan.lr_by_step.empty()) out["lr_by_step"] = plan.lr_by_step;
  if (!plan.momentum_by_step.empty()) out["momentum_by_step"] = plan.momentum_by_step;
  if (plan.schedule.on_plateau()) out["lr_depends_on"] = plan.schedule.monitor;
  if (!plan.data.image_shape.empty()) out["image_shape"] = plan.data.image_shape;  // images: no features
  return out;
}

}  // namespace pipeml
