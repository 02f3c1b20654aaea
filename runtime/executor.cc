#include "runtime/executor.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <ostream>

#include <nlohmann/json.hpp>

#include "runtime/artifacts.h"
#include "runtime/metrics.h"
#include "runtime/plan_print.h"
#include "runtime/progress.h"
#include "runtime/registry.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

using nlohmann::json;

std::string history_csv(const std::vector<EpochRecord>& history) {
  std::string csv = "epoch,train_loss,val_loss,val_accuracy,lr,seconds\n";
  auto num = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{:.8g}", v); };
  for (const auto& r : history)
    csv += fmt::format("{},{},{},{},{},{}\n", r.epoch, num(r.train_loss), num(r.val_loss), num(r.val_accuracy), num(r.lr),
                       num(r.seconds));
  return csv;
}

// One line per test row: which data row it is (0-based, in file order, header not
// counted), its true class, the model's probability of class 1 and the predicted class.
std::string predictions_csv(const Plan& plan, const Table& test, const std::vector<double>& probs) {
  const auto ids = plan.data.part_rows.find("test");
  const bool known = ids != plan.data.part_rows.end() && ids->second.size() == test.rows;
  const auto& names = plan.data.class_names;
  std::string csv = "row,label,prob_" + names.at(1) + ",predicted\n";
  for (std::size_t i = 0; i < test.rows; ++i) {
    const int predicted = probs[i] >= plan.eval.threshold ? 1 : 0;
    csv += fmt::format("{},{},{:.9g},{}\n", known ? std::to_string(ids->second[i]) : std::string(), names.at(test.y[i]),
                       probs[i], names.at(predicted));
  }
  return csv;
}

json metrics_json(const metrics::BinaryReport& m, const Plan& plan) {
  json test = json::object();
  const std::map<std::string, double> all = {{"accuracy", m.accuracy}, {"precision", m.precision},
                                             {"recall", m.recall},     {"f1", m.f1},
                                             {"roc_auc", m.roc_auc}};
  for (const auto& name : plan.eval.metrics) test[name] = all.at(name);
  test["confusion_matrix"] = m.cm.counts;
  test["threshold"] = plan.eval.threshold;
  test["rows"] = plan.data.part("test")->rows;
  return test;
}

void print_metrics(std::ostream& out, const metrics::BinaryReport& m, const Plan& plan) {
  const std::map<std::string, double> all = {{"accuracy", m.accuracy}, {"precision", m.precision},
                                             {"recall", m.recall},     {"f1", m.f1},
                                             {"roc_auc", m.roc_auc}};
  out << fmt::format("\ntest ({} rows, threshold {})\n", plan.data.part("test")->rows, plan.eval.threshold);
  for (const auto& name : plan.eval.metrics) out << fmt::format("  {:<10} {:.4f}\n", name, all.at(name));
  const auto& names = plan.data.class_names;
  out << "  confusion matrix (rows: true, columns: predicted)\n";
  out << fmt::format("  {:>8}", "");
  for (const auto& n : names) out << fmt::format(" {:>6}", n);
  out << '\n';
  for (std::size_t i = 0; i < m.cm.counts.size(); ++i) {
    out << fmt::format("  {:>8}", i < names.size() ? names[i] : std::to_string(i));
    for (auto c : m.cm.counts[i]) out << fmt::format(" {:>6}", c);
    out << '\n';
  }
  for (const auto& w : m.warnings) out << "  warning: " << w << '\n';
}

int run_in(const Plan& plan, TrainerLoader& loader, const RunOptions& opt, const std::string& dir, std::ostream& out,
           std::ostream& err) {
  const auto t0 = std::chrono::steady_clock::now();
  write_atomic(dir + "/plan.json", plan_json(plan).dump(2) + "\n");

  DataRun data{plan, {}, {}};
  std::size_t first = 0;
  if (plan.planned && plan.planned->stages > 0) {
    // Planning already ran these stages on the real data: go on from their tables (once).
    data.parts = std::move(plan.planned->parts);
    data.fitted = std::move(plan.planned->fitted);
    first = plan.planned->stages;
    plan.planned->stages = 0;
  }
  const Registry& registry = Registry::builtin();
  for (std::size_t i = first; i < plan.pipeline.data.size(); ++i)
    registry.op(plan.pipeline.data[i].op())->run(plan.pipeline.data[i], data);
  json fitted = json::object();
  for (const auto& [id, state] : data.fitted) fitted[id] = json::parse(state);
  write_atomic(dir + "/transforms.json",
               json{{"features", plan.data.features}, {"classes", plan.data.class_names}, {"stages", fitted}}.dump(2) + "\n");

  Progress progress(out, err, opt.progress_bar, plan.train.epochs);
  TrainJob job;
  job.train = &data.parts.at("train");
  job.test = &data.parts.at("test");
  auto val = data.parts.find("validation");
  job.validation = val == data.parts.end() ? nullptr : &val->second;
  job.mlp = plan.mlp;
  job.loss = plan.loss;
  job.optimizer = plan.optimizer;
  job.spec = plan.train;
  job.spec.device = plan.pipeline.device;
  const std::vector<double> schedule = plan.lr_by_epoch;
  job.spec.lr_at = [schedule](int e) { return schedule.at(e); };
  job.model_path = dir + "/model.pt";
  job.on_epoch = [&](const EpochRecord& r) { progress.epoch(r); };
  job.on_batch = [&](int e, int b, int n) { progress.batch(e, b, n); };

  const auto t_data = std::chrono::steady_clock::now();
  TrainEntry train = loader.get();
  const auto t_loaded = std::chrono::steady_clock::now();
  out << fmt::format("training on {} rows x {} features, {} epochs\n", job.train->rows, job.train->cols(), plan.train.epochs);
  TrainOutcome outcome = train(job);
  if (!outcome.error.empty()) throw UserError(outcome.error);
  write_atomic(dir + "/history.csv", history_csv(outcome.history));

  write_atomic(dir + "/predictions.csv", predictions_csv(plan, *job.test, outcome.test_probs));
  const auto report = metrics::evaluate_binary(job.test->y, outcome.test_probs, plan.eval.threshold);
  print_metrics(out, report, plan);
  const auto t_end = std::chrono::steady_clock::now();
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  json m = {
      {"pipeline", plan.pipeline.name},
      {"seed", plan.pipeline.seed},
      {"device", outcome.device},
      {"torch_version", outcome.torch_version},
      {"train_rows", job.train->rows},
      {"test", metrics_json(report, plan)},
      {"warnings", report.warnings},
      {"seconds", {{"data", secs(t0, t_data)}, {"wait_for_libtorch", secs(t_data, t_loaded)},
                   {"train", outcome.train_seconds}, {"total", secs(t0, t_end)}}},
  };
  write_atomic(dir + "/metrics.json", m.dump(2) + "\n");
  out << fmt::format("\nartifacts in {}/ (plan.json, transforms.json, history.csv, model.pt, predictions.csv, metrics.json)\n", dir);
  return 0;
}

}  // namespace

int execute(const Plan& plan, TrainerLoader& loader, const RunOptions& options, std::ostream& out, std::ostream& err) {
  std::string dir;
  try {
    dir = make_run_dir(options.out_dir, plan.pipeline.name);
    return run_in(plan, loader, options, dir, out, err);
  } catch (const UserError& e) {
    err << "error: " << e.what() << '\n';
    if (!dir.empty()) {
      try {
        write_atomic(dir + "/error.txt", std::string(e.what()) + "\n");
      } catch (const UserError&) {
      }
      err << "the run stopped; what it wrote is in " << dir << "/\n";
    }
    return 1;
  }
}

}  // namespace pipeml
