#include "runtime/saved_run.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <optional>
#include <cstring>

#include "runtime/artifacts.h"
#include "runtime/registry.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

using nlohmann::json;


// What each artifact is and when `pipe run` writes it, for the error when one is missing.
const char* what_makes(const std::string& name) {
  if (name == "plan.json") return "the run's plan, which 'pipe run' writes once the data stages have run";
  if (name == "transforms.json") return "what the data stages learned, which 'pipe run' writes before training";
  return "the trained weights, which 'pipe run' writes when training ends";
}

void require(const std::string& dir, const std::string& where, const std::string& name) {
  if (path_exists(where + "/" + name)) return;
  std::string message = "the run directory '" + dir + "' has no " + name + " (" + what_makes(name) + ")";
  if (path_exists(where + "/error.txt")) message += "; the run stopped early: see " + where + "/error.txt";
  throw UserError(message);
}

// The fold number of a folder named fold-N, or 0.
int fold_of(const std::string& dir) {
  const std::string base = dir.substr(dir.find_last_of('/') + 1);
  if (base.rfind("fold-", 0) != 0 || base.size() == 5) return 0;
  for (std::size_t i = 5; i < base.size(); ++i)
    if (base[i] < '0' || base[i] > '9') return 0;
  return std::stoi(base.substr(5));
}

std::string parent_of(const std::string& dir) {
  const auto slash = dir.find_last_of('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : dir.substr(0, slash);
}

// The run's non-default parameters of one plan.json stage, or of a layer (whose params are
// all listed, unset ones as null), as a pipeline file would write them.
json stage_item(const std::string& op, const json& params, const json& defaults) {
  json item{{"op", op}};
  for (const auto& [name, value] : params.items()) {
    if (value.is_null() || std::find(defaults.begin(), defaults.end(), name) != defaults.end()) continue;
    item[name] = value;
  }
  return item;
}

json layers_of(const json& children) {
  json out = json::array();
  for (const auto& c : children) {
    json item = stage_item(c.at("op"), c.at("params"), json::array());
    for (const auto& [name, value] : c.at("params").items())  // a residual block's layers
      if (value.is_array() && !value.empty() && value.front().is_object() && value.front().contains("op"))
        item[name] = layers_of(value);
    out.push_back(item);
  }
  return out;
}

// A pipeline file made of plan.json's stages that prediction needs: load_csv and the fitted
// data stages, and the model with its layers (the loss, optimizer and train by name only,
// which the file needs and prediction does not use). Parsing it checks it as any pipeline.
dsl::Pipeline pipeline_of(const json& plan, const json& transforms, const std::string& path) {
  // plan.json names the image shape of a run on images (load_cifar10, load_images).
  if (plan.contains("image_shape"))
    throw UserError(path + ": this run trained on images (" + plan.at("stages").at(0).at("op").get<std::string>() +
                    "); pipe predict reads rows of a table file, not images");
  json data = json::array(), doc{{"pipeline", plan.at("pipeline").at("name")}};
  const json& order = transforms.at("order");
  for (const auto& s : plan.at("stages")) {
    const std::string id = s.at("id"), op = s.at("op"), section = s.at("section");
    if (section == "data" && (op == "load_csv" || std::find(order.begin(), order.end(), id) != order.end())) {
      json item = stage_item(op, s.at("params"), s.at("defaults"));
      if (id != op) item["id"] = id;
      data.push_back(item);
    } else if (section == "model") {
      json item = stage_item(op, s.at("params"), s.at("defaults"));
      if (s.contains("layers")) item["layers"] = layers_of(s.at("layers"));
      doc["model"] = item;
    } else if (section == "loss" || section == "optimizer") {
      doc[section] = {{"op", op}};
    }
  }
  doc["data"] = data;
  doc["train"] = json::object();
  dsl::Diagnostics diags;
  auto pipeline = dsl::parse_pipeline(path, doc.dump(2), Registry::builtin(), {}, diags);
  if (!pipeline) throw UserError(path + ": cannot read the run's stages back: " + diags.all().front().message);
  return std::move(*pipeline);
}

// The model the run trained, as its model op plans it for the run's features and classes;
// it must have the layers plan.json lists.
void plan_model(SavedRun& run, const std::string& path) {
  Plan plan;
  plan.pipeline = run.pipeline;
  DataInfo data;
  data.features = run.features;
  data.class_names = run.classes;
  data.regression = run.regression;
  data.target = run.target;
  PlanStep step;
  step.stage = &plan.pipeline.model;
  dsl::Diagnostics diags;
  PlanState st{plan, data, step, diags, Registry::builtin(), 0, std::nullopt, false};
  Registry::builtin().op(plan.pipeline.model.op())->plan(plan.pipeline.model, st);
  json layers = json::array();
  for (const auto& l : plan.layers) layers.push_back({{"name", l.name}, {"type", l.type}});
  json listed = json::array();
  for (const auto& l : run.plan.at("model").at("layers")) listed.push_back({{"name", l.at("name")}, {"type", l.at("type")}});
  if (!diags.empty() || layers != listed)
    throw UserError(path + ": the model does not rebuild as the run planned it" +
                    (diags.empty() ? std::string() : ": " + diags.all().front().message));
  run.model = plan.model;
}

// metrics.json's decision threshold for this model, if the run recorded one.
std::optional<double> recorded_threshold(const std::string& metrics_path, int fold) {
  if (!path_exists(metrics_path)) return std::nullopt;
  const json m = read_run_json(metrics_path);
  const json* test = nullptr;
  if (fold == 0 && m.contains("test")) test = &m.at("test");
  if (fold > 0 && m.contains("folds"))
    for (const auto& f : m.at("folds"))
      if (f.value("fold", 0) == fold && f.contains("test")) test = &f.at("test");
  if (test && test->contains("threshold") && test->at("threshold").is_number()) return test->at("threshold").get<double>();
  return std::nullopt;
}

}  // namespace

SavedRun read_saved_run(const std::string& given) {
  std::string dir = given;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0) {
    std::string why = std::strerror(errno);
    why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
    throw UserError("cannot open the run directory '" + given + "': " + why);
  }
  if (!S_ISDIR(info.st_mode)) throw UserError("'" + given + "' is not a run directory (pipe run writes one, with plan.json, transforms.json and model.pt)");

  SavedRun run;
  run.dir = dir;
  run.fold = path_exists(dir + "/plan.json") ? 0 : fold_of(dir);
  const std::string top = run.fold ? parent_of(dir) : dir;
  if (run.fold == 0 && path_exists(dir + "/fold-1") && !path_exists(dir + "/model.pt")) {
    int folds = 1;
    while (path_exists(dir + "/fold-" + std::to_string(folds + 1))) ++folds;
    throw UserError("'" + dir + "' is a cross-validated run, with a model per fold: choose one of " + dir + "/fold-1 to " +
                    dir + "/fold-" + std::to_string(folds));
  }
  require(dir, top, "plan.json");
  require(dir, dir, "transforms.json");
  require(dir, dir, "model.pt");

  const std::string plan_path = top + "/plan.json", transforms_path = dir + "/transforms.json";
  run.plan = read_run_json(plan_path);
  run.transforms = read_run_json(transforms_path);
  try {
    run.features = run.transforms.at("features").get<std::vector<std::string>>();
    run.classes = run.transforms.at("classes").get<std::vector<std::string>>();
    run.regression = run.transforms.contains("target");
    run.target = run.plan.at("target").at("name").get<std::string>();
    run.pipeline = pipeline_of(run.plan, run.transforms, plan_path);
    run.loss.type = run.pipeline.loss.op();
    plan_model(run, plan_path);
    double threshold = 0.5;
    for (const auto& s : run.plan.at("stages")) {
      if (s.at("section") == "evaluate" && s.at("params").contains("threshold")) threshold = s.at("params").at("threshold");
      if (s.at("section") == "train") {
        run.batch_size = s.at("params").value("batch_size", 0);
        run.precision = s.at("params").value("precision", std::string("32"));
      }
    }
    run.threshold = recorded_threshold(top + "/metrics.json", run.fold).value_or(threshold);
  } catch (const json::exception& e) {
    throw UserError(plan_path + " or " + transforms_path + " is not what 'pipe run' writes: " + e.what());
  }
  return run;
}

}  // namespace pipeml
