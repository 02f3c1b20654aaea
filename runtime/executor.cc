#include "runtime/executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>
#include <ostream>

#include <nlohmann/json.hpp>

#include "runtime/artifacts.h"
#include "runtime/classification_report.h"
#include "runtime/cv_summary.h"
#include "runtime/finite_check.h"
#include "runtime/metrics.h"
#include "runtime/plan_print.h"
#include "runtime/predictions_csv.h"
#include "runtime/prepare.h"
#include "runtime/progress.h"
#include "runtime/scores.h"
#include "runtime/registry.h"
#include "runtime/threshold_tuning.h"
#include "runtime/report/report_html.h"
#include "runtime/user_error.h"

namespace pipeml {
namespace {

using nlohmann::json;

// Training was interrupted and its state saved (TrainingSummary::interrupted_by): what
// execute() tells the user. Not a UserError: nothing went wrong, and no error.txt is written.
struct RunInterrupted {
  TrainingSummary where;
  int epochs = 0;
  std::string checkpoint;  ///< the resume.pt written
  int fold = 0, folds = 0;  ///< with a kfold stage: which fold
};

// An artifact, written by the process that writes them (rank 0 of a data-parallel run).
void put(const RunOptions& opt, const std::string& path, const std::string& text) {
  if (opt.writes()) write_atomic(path, text);
}

std::string signal_name(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal);
}

// With a monitor (early stopping, a best checkpoint) a last column `best` marks the best
// epoch's row with 1: the one whose weights the model ends with (restore_best_weights) or
// best.pt holds.
std::string history_csv(const std::vector<EpochRecord>& history, const LossSpec& loss, int best_epoch = -1) {
  std::string csv = fmt::format("epoch,train_loss,{},val_loss,{},lr,seconds{}\n", train_metric_name(loss),
                                val_metric_name(loss), best_epoch >= 0 ? ",best" : "");
  auto num = [](double v) { return std::isnan(v) ? std::string() : fmt::format("{:.8g}", v); };
  for (const auto& r : history) {
    csv += fmt::format("{},{},{},{},{},{},{}", r.epoch, num(r.train_loss), num(r.train_metric), num(r.val_loss),
                       num(r.val_metric), num(r.lr), num(r.seconds));
    if (best_epoch >= 0) csv += r.epoch == best_epoch ? ",1" : ",";
    csv += '\n';
  }
  return csv;
}

// metrics.json's "training": what the training controls did. Empty when none is on.
json training_json(const TrainSpec& spec, const TrainingSummary& s) {
  json t = json::object();
  auto value = [](double v) -> json { return std::isnan(v) ? json(nullptr) : json(v); };
  t["epochs"] = spec.epochs;
  t["epochs_run"] = s.epochs_run;
  if (s.steps > 0) t["cuda_graph"] = {{"steps", s.steps}, {"replayed", s.graph_replays}};
  if (s.resumed_epoch > 0) t["resumed"] = {{"epoch", s.resumed_epoch}, {"batches_done", s.resumed_batch}};
  if (spec.early_stopping.on) {
    const EarlyStoppingSpec& e = spec.early_stopping;
    t["early_stopping"] = {{"monitor", e.monitor},
                           {"mode", e.mode},
                           {"patience", e.patience},
                           {"min_delta", e.min_delta},
                           {"stopped_early", s.stopped_early},
                           {"stopped_epoch", s.stopped_early ? json(s.epochs_run) : json(nullptr)},
                           {"best_epoch", s.best_epoch ? json(s.best_epoch) : json(nullptr)},
                           {"best_value", value(s.best_value)},
                           {"restored_best_weights", s.restored_best_weights}};
  }
  if (spec.checkpoints.best || spec.checkpoints.last) {
    json c = json::object();
    if (spec.checkpoints.best)
      c["best"] = {{"file", "best.pt"},
                   {"monitor", spec.checkpoints.monitor},
                   {"mode", spec.checkpoints.mode},
                   {"epoch", s.best_checkpoint_epoch ? json(s.best_checkpoint_epoch) : json(nullptr)},
                   {"value", value(s.best_checkpoint_value)}};
    if (spec.checkpoints.last)
      c["last"] = {{"file", "last.pt"}, {"epoch", s.last_checkpoint_epoch ? json(s.last_checkpoint_epoch) : json(nullptr)}};
    t["checkpoints"] = c;
  }
  if (spec.clip_grad_norm > 0) t["clip_grad_norm"] = spec.clip_grad_norm;
  if (spec.clip_grad_value > 0) t["clip_grad_value"] = spec.clip_grad_value;
  if (spec.l1 > 0) t["l1"] = spec.l1;
  if (spec.l2 > 0) t["l2"] = spec.l2;
  t["precision"] = spec.precision;
  return t;
}

// The seed of every random stage, as plan.json lists them; a gaussian_noise stage whose
// noise the trainer draws from its own generator is listed with train's seed.
json seeds_json(const Plan& plan) {
  json seeds = json::object();
  for (const auto& s : plan.seeds) seeds[s.stage] = {{"seed", s.seed}, {"from_pipeline", s.from_pipeline}};
  for (const auto& stage : plan.pipeline.data)
    if (stage.op() == "gaussian_noise" && !seeds.contains(stage.id))
      seeds[stage.id] = {{"seed", plan.train.seed}, {"drawn_from", "train"}};
  return seeds;
}

// A binary classifier's decision threshold: the plan's, or chosen on the validation part
// (evaluate's tune_threshold) from the final model's outputs there.
struct Decision {
  double threshold = 0.5;
  std::optional<metrics::TunedThreshold> tuned;
};

Decision decide_threshold(const Plan& plan, const Table* validation, const std::vector<double>& validation_outputs) {
  Decision d;
  d.threshold = plan.eval.threshold;
  const std::string& metric = plan.eval.tune_threshold;
  if (metric.empty()) return d;
  // The plan refused tuning without a validation part; a fold cannot lose it on the way.
  if (validation == nullptr || validation->rows == 0) throw UserError("tune_threshold: the validation part is empty");
  try {
    d.tuned = metrics::tune_threshold(validation->y, metrics::positive_probs(validation_outputs, plan.loss.cross_entropy()), metric);
  } catch (const std::invalid_argument& e) {  // a model that diverged predicts NaN
    throw UserError(std::string("cannot tune the threshold on the validation part: ") + e.what());
  }
  d.threshold = d.tuned->threshold;
  return d;
}

// A test part's scores, whatever the task: every metric by name, what metrics.json says
// of the test part, and the lines `pipe run` prints after the metrics.
struct TestScores {
  std::map<std::string, double> values;
  json test = json::object();
  std::vector<std::string> warnings;
  std::string extra;  ///< the confusion matrix and the classification report, for a classifier
  std::string threshold_line;  ///< a binary classifier's decision threshold, fixed or tuned
};

std::string confusion_text(const metrics::ConfusionMatrix& cm, const Plan& plan) {
  std::string out;
  const auto& names = plan.data.class_names;
  out += "  confusion matrix (rows: true, columns: predicted)\n";
  // Columns as wide as the longest class name ("automobile"), at least 6; the row labels 8.
  std::size_t width = 6, label = 8;
  for (const auto& n : names) width = std::max(width, n.size()), label = std::max(label, n.size());
  out += fmt::format("  {:>{}}", "", label);
  for (const auto& n : names) out += fmt::format(" {:>{}}", n, width);
  out += '\n';
  for (std::size_t i = 0; i < cm.counts.size(); ++i) {
    out += fmt::format("  {:>{}}", i < names.size() ? names[i] : std::to_string(i), label);
    for (auto c : cm.counts[i]) out += fmt::format(" {:>{}}", c, width);
    out += '\n';
  }
  return out;
}

// sklearn's classification_report as metrics.json holds it: output_dict's form.
json report_json(const metrics::ClassificationReport& r) {
  auto line = [](const metrics::ReportLine& l) {
    return json{{"precision", l.precision}, {"recall", l.recall}, {"f1-score", l.f1}, {"support", l.support}};
  };
  json out = json::object();
  for (const auto& c : r.classes) out[c.name] = line(c);
  if (r.micro.name == "accuracy") out["accuracy"] = r.micro.precision;
  else out[r.micro.name] = line(r.micro);
  out[r.macro.name] = line(r.macro);
  out[r.weighted.name] = line(r.weighted);
  return out;
}

// The classification report of a classifier's predictions: in metrics.json, and its text
// (sklearn's, 4 digits) after the confusion matrix.
void add_report(TestScores& s, const Plan& plan, const Table& test, const std::vector<int>& predicted) {
  const metrics::ClassificationReport r = metrics::classification_report(test.y, predicted, plan.data.class_names);
  s.test["classification_report"] = report_json(r);
  s.extra += "\n  classification report\n";
  const std::string text = metrics::classification_report_text(r, 4);
  for (std::size_t at = 0; at < text.size();) {  // indented as the lines above it
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    s.extra += (line.empty() ? "" : "  " + line) + "\n";
    at = end + 1;
  }
}

// A binary classifier's decision threshold, fixed or tuned: in metrics.json and the line
// `pipe run` prints above the metrics.
void decide(TestScores& s, const Decision& decision, const Plan& plan) {
  s.test["threshold"] = decision.threshold;
  const auto& t = decision.tuned;
  if (!t) {
    s.threshold_line = fmt::format("  threshold {} (fixed)\n", decision.threshold);
    return;
  }
  s.test["threshold_tuning"] = {{"metric", plan.eval.tune_threshold},
                                {"validation_rows", t->rows},
                                {"validation_value", t->value},
                                {"candidates", t->candidates}};
  s.threshold_line = fmt::format("  threshold {:.4f} (tuned on the validation part's {} rows for {}: {:.4f})\n", t->threshold,
                                 t->rows, plan.eval.tune_threshold, t->value);
}

// Scores the test part's outputs with the functions that equal sklearn's.
TestScores score_test(const Plan& plan, const Table& test, const std::vector<double>& outputs, const Decision& decision) {
  TestScores s;
  try {
    const metrics::OutputLayout layout{test.regression, plan.data.class_names.size(), plan.loss.cross_entropy()};
    const metrics::Scores m =
        metrics::score_outputs(test, outputs, layout, decision.threshold, metrics::parse_average(plan.eval.average));
    s.values = m.values;
    s.warnings = m.warnings;
    if (!test.regression) {
      s.extra = confusion_text(m.cm, plan);
      s.test["confusion_matrix"] = m.cm.counts;
      s.test["classes"] = plan.data.class_names;  // the confusion matrix's rows and columns
      if (m.multiclass) s.test["average"] = plan.eval.average;
      else decide(s, decision, plan);
      add_report(s, plan, test, m.predicted);
    }
  } catch (const std::invalid_argument& e) {  // a model that diverged predicts NaN
    throw UserError(std::string("cannot score the test part: ") + e.what());
  }
  for (const auto& name : plan.eval.metrics) s.test[name] = s.values.at(name);
  if (test.regression) s.test["target"] = plan.data.target;
  s.test["rows"] = test.rows;
  return s;
}

void print_metrics(std::ostream& out, const TestScores& s, const Plan& plan, std::size_t test_rows) {
  if (plan.data.regression) out << fmt::format("\ntest ({} rows, target '{}')\n", test_rows, plan.data.target);
  else if (plan.data.class_names.size() > 2)
    out << fmt::format("\ntest ({} rows, {} classes; precision, recall, f1: {} averages)\n", test_rows,
                       plan.data.class_names.size(), plan.eval.average);
  else out << fmt::format("\ntest ({} rows)\n", test_rows);
  out << s.threshold_line;
  std::size_t width = 10;
  for (const auto& name : plan.eval.metrics) width = std::max(width, name.size());
  for (const auto& name : plan.eval.metrics) out << fmt::format("  {:<{}} {:.4f}\n", name, width, s.values.at(name));
  out << s.extra;
  for (const auto& w : s.warnings) out << "  warning: " << w << '\n';
}

// No NaN or infinite value may reach the model; a row still known to be a file row is
// named by its line there (the loader's locate_row).
void check_parts(const Plan& plan, const Prepared& p) {
  const dsl::Stage& loader = plan.pipeline.data.front();
  const OpDef* op = Registry::builtin().op(loader.op());
  std::function<std::string(std::size_t)> locate;
  if (op->locate_row) locate = [&](std::size_t row) { return op->locate_row(loader, plan, row); };
  for (const char* name : {"train", "validation", "test"}) {
    const auto part = p.parts.find(name);
    if (part == p.parts.end()) continue;
    const auto rows = p.info->part_rows.find(name);
    const bool known = rows != p.info->part_rows.end() && rows->second.size() == part->second.rows;
    check_finite(part->second, std::string(name) + " part" + (p.fold ? " of fold " + std::to_string(p.fold) : ""),
                 known ? &rows->second : nullptr, locate);
  }
}

// What training and scoring one model gave.
struct Scored {
  TrainOutcome outcome;
  TestScores report;
  std::size_t train_rows = 0, test_rows = 0;
};

// Trains a fresh model on p's train part and scores it on its test part, writing
// transforms.json, model.pt, history.csv and predictions.csv into `dir`.
Scored train_and_score(const Plan& plan, TrainEntry train, const Prepared& p, const std::string& dir,
                       const RunOptions& opt, std::ostream& out, std::ostream& err) {
  json fitted = json::object();
  for (const auto& [id, state] : p.fitted) fitted[id] = json::parse(state);
  json order = json::array();  // "stages" is keyed by id: this is the order to apply them in
  for (const auto& stage : plan.pipeline.data)
    if (p.fitted.count(stage.id)) order.push_back(stage.id);
  json transforms{{"features", p.info->features}, {"classes", plan.data.class_names}, {"order", order}, {"stages", fitted}};
  if (plan.data.regression) transforms["target"] = {{"name", plan.data.target}, {"type", "number"}};
  put(opt, dir + "/transforms.json", transforms.dump(2) + "\n");

  Progress progress(out, err, opt.progress_bar, plan.train.epochs, val_metric_name(plan.loss));
  TrainJob job;
  job.train = &p.parts.at("train");
  job.test = &p.parts.at("test");
  auto val = p.parts.find("validation");
  job.validation = val == p.parts.end() ? nullptr : &val->second;
  job.model = plan.model;
  job.loss = plan.loss;
  job.optimizer = plan.optimizer;
  job.spec = plan.train;
  job.spec.device = plan.pipeline.device;
  job.spec.dist = opt.dist;
  // The fold's own batches per epoch: a per-batch schedule is made for them.
  const std::size_t fold = p.fold == 0 ? 0 : p.fold - 1;
  const int steps = fold < plan.steps_per_epoch.size() ? plan.steps_per_epoch[fold] : 0;
  job.spec.schedule = make_schedule(plan.schedule, plan.optimizer.lr, plan.train.epochs, steps);
  job.model_path = opt.writes() ? dir + "/model.pt" : "";
  job.spec.checkpoints.dir = opt.writes() ? dir : "";
  job.spec.stop = opt.stop;
  job.spec.resume_path = dir + "/resume.pt";
  job.spec.resume = opt.resume && path_exists(job.spec.resume_path);
  job.on_epoch = [&](const EpochRecord& r) { progress.epoch(r); };
  job.on_batch = [&](int e, int b, int n) { progress.batch(e, b, n); };

  // The plan's count: noisy copies the trainer makes are not in job.train yet.
  const std::size_t train_rows = p.info->part("train")->rows;
  const auto& image = job.train->image_shape;
  if (job.train->images())
    out << fmt::format("training on {} images {}x{}x{}, {} epochs\n", train_rows, image[0], image[1], image[2], plan.train.epochs);
  else
    out << fmt::format("training on {} rows x {} features, {} epochs\n", train_rows, job.train->cols(), plan.train.epochs);
  if (job.spec.resume) out << fmt::format("continuing from {}\n", job.spec.resume_path);
  Scored s;
  s.outcome = train(job);
  if (s.outcome.summary.interrupted_by) {
    progress.clear();
    if (!s.outcome.history.empty()) put(opt, dir + "/history.csv", history_csv(s.outcome.history, plan.loss));
    throw RunInterrupted{s.outcome.summary, plan.train.epochs, job.spec.resume_path};
  }
  if (!s.outcome.error.empty()) {
    // Nothing a run produced is lost: the epochs that finished before it stopped.
    if (!s.outcome.history.empty()) put(opt, dir + "/history.csv", history_csv(s.outcome.history, plan.loss));
    throw UserError(s.outcome.error);
  }
  if (!opt.writes()) return s;  // another rank: rank 0 predicts, scores and writes
  const TrainSpec& t = plan.train;
  if (const TrainingSummary& sum = s.outcome.summary; sum.steps > 0)
    out << fmt::format("CUDA graph: {} of {} steps replayed from one captured step\n", sum.graph_replays, sum.steps);
  if (t.early_stopping.on) {
    const TrainingSummary& sum = s.outcome.summary;
    out << fmt::format("early stopping: {} after epoch {} of {}", sum.stopped_early ? "stopped" : "ran to the end",
                       sum.epochs_run, t.epochs);
    if (sum.best_epoch) {
      out << fmt::format("; best {} {:.4f} at epoch {}", t.early_stopping.monitor, sum.best_value, sum.best_epoch);
      if (sum.restored_best_weights) out << " (its weights restored)";
    }
    out << '\n';
  }
  const int best_epoch = t.early_stopping.on    ? s.outcome.summary.best_epoch
                         : t.checkpoints.best ? s.outcome.summary.best_checkpoint_epoch
                                              : -1;
  put(opt, dir + "/history.csv", history_csv(s.outcome.history, plan.loss, best_epoch));
  const auto ids = p.info->part_rows.find("test");
  const bool known = ids != p.info->part_rows.end() && ids->second.size() == job.test->rows;
  const Decision decision = decide_threshold(plan, job.validation, s.outcome.validation_outputs);
  put(opt, dir + "/predictions.csv", predictions_csv(*job.test, known ? &ids->second : nullptr, plan.data.class_names,
                                                         plan.loss.cross_entropy(), decision.threshold, s.outcome.test_outputs));
  s.report = score_test(plan, *job.test, s.outcome.test_outputs, decision);
  s.train_rows = train_rows;
  s.test_rows = job.test->rows;
  return s;
}

// report.html, made from the files just written (the page `pipe report DIR` rebuilds). The
// run's results are on disk already: a page that cannot be made costs only a warning.
std::string write_report_page(const std::string& dir, std::ostream& err) {
  try {
    report::write_report(dir);
    return ", report.html";
  } catch (const std::exception& e) {
    err << "warning: report.html not written: " << e.what() << '\n';
    return "";
  }
}

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Where the time went: reading and preparing the data, waiting for LibTorch to load,
// training; the total counts from the start of the run.
struct Clock {
  std::chrono::steady_clock::time_point start;
  json seconds;  ///< "data" and "wait_for_libtorch" so far
  json with(double train_seconds) const {
    json out = seconds;
    out["train"] = train_seconds;
    out["total"] = seconds_between(start, std::chrono::steady_clock::now());
    return out;
  }
};

// One train/test split: the artifacts straight in the run directory.
void run_single(const Plan& plan, TrainEntry train, const Prepared& p, const RunOptions& opt, const std::string& dir,
                const Clock& clock, std::ostream& out, std::ostream& err) {
  const Scored s = train_and_score(plan, train, p, dir, opt, out, err);
  if (!opt.writes()) return;
  print_metrics(out, s.report, plan, s.test_rows);
  const json seconds = clock.with(s.outcome.train_seconds);
  json m = {
      {"pipeline", plan.pipeline.name},
      {"seed", plan.pipeline.seed},
      {"device", s.outcome.device},
      {"torch_version", s.outcome.torch_version},
      {"train_rows", s.train_rows},
      {"world_size", opt.dist.world_size},
      {"seeds", seeds_json(plan)},
      {"training", training_json(plan.train, s.outcome.summary)},
      {"test", s.report.test},
      {"warnings", s.report.warnings},
      {"seconds", seconds},
  };
  write_atomic(dir + "/metrics.json", m.dump(2) + "\n");
  std::remove((dir + "/resume.pt").c_str());  // the run is complete: nothing to resume
  const std::string report = write_report_page(dir, err);
  const std::string checkpoints = std::string(plan.train.checkpoints.best ? ", best.pt" : "") + (plan.train.checkpoints.last ? ", last.pt" : "");
  out << fmt::format("\nartifacts in {}/ (plan.json, transforms.json, history.csv, model.pt{}, predictions.csv, metrics.json{})\n",
                     dir, checkpoints, report);
}

// Cross-validation: a fresh model per fold, its artifacts in fold-N/; metrics.json gives
// every fold's test metrics and each metric's mean and std over the folds.
void run_folds(const Plan& plan, TrainEntry train, const std::vector<Prepared>& folds, const RunOptions& opt,
               const std::string& dir, const Clock& clock, std::ostream& out, std::ostream& err) {
  json per_fold = json::array();
  std::vector<std::map<std::string, double>> values;
  double train_seconds = 0;
  std::string device, torch_version;
  for (const Prepared& p : folds) {
    // A resumed run goes on in its fold directories; a fold whose metrics.json exists is done.
    const std::string fold_path = fmt::format("{}/fold-{}", dir, p.fold);
    const bool reuse = opt.resume && path_exists(fold_path);
    const std::string fold_dir = reuse || !opt.writes() ? fold_path : make_run_dir(fold_path, plan.pipeline.name);
    json fold;  // the fold's entry in metrics.json, as fold-N/metrics.json keeps it
    if (reuse && path_exists(fold_dir + "/metrics.json")) {
      const json saved = read_run_json(fold_dir + "/metrics.json");
      if (!saved.contains("fold")) throw UserError(fold_dir + "/metrics.json: not the JSON that 'pipe run' writes");
      fold = saved["fold"];
      device = saved.value("device", device);
      torch_version = saved.value("torch_version", torch_version);
      out << fmt::format("{}fold {}/{}: trained before the interruption\n", p.fold == 1 ? "" : "\n", p.fold, folds.size());
    } else {
      out << fmt::format("{}fold {}/{}: ", p.fold == 1 ? "" : "\n", p.fold, folds.size());
      Scored s;
      try {
        s = train_and_score(plan, train, p, fold_dir, opt, out, err);
      } catch (RunInterrupted& interrupted) {
        interrupted.fold = p.fold;
        interrupted.folds = static_cast<int>(folds.size());
        throw;
      }
      if (!opt.writes()) continue;
      fold = {{"fold", p.fold},
              {"train_rows", s.train_rows},
              {"training", training_json(plan.train, s.outcome.summary)},
              {"test", s.report.test},
              {"warnings", s.report.warnings},
              {"seconds", {{"train", s.outcome.train_seconds}}}};
      device = s.outcome.device;
      torch_version = s.outcome.torch_version;
      write_atomic(fold_dir + "/metrics.json",
                   json{{"fold", fold}, {"device", device}, {"torch_version", torch_version}}.dump(2) + "\n");
      std::remove((fold_dir + "/resume.pt").c_str());
    }
    std::map<std::string, double> all;  // the fold's test metrics, as metrics.json has them
    for (const auto& name : plan.eval.metrics) all[name] = fold["test"][name].get<double>();
    std::string line = fmt::format("fold {}/{}: test {} rows", p.fold, folds.size(), fold["test"]["rows"].get<std::size_t>());
    for (const auto& name : plan.eval.metrics) line += fmt::format("  {} {:.4f}", name, all.at(name));
    out << line << '\n';
    for (const auto& w : fold["warnings"]) out << "  warning: " << w.get<std::string>() << '\n';
    values.push_back(all);
    per_fold.push_back(fold);
    train_seconds += fold["seconds"]["train"].get<double>();
  }
  if (!opt.writes()) return;
  const cv::Summary summary = cv::summarize(values, plan.eval.metrics);
  cv::print_summary(out, summary);
  json m = {
      {"pipeline", plan.pipeline.name},
      {"seed", plan.pipeline.seed},
      {"device", device},
      {"torch_version", torch_version},
      {"world_size", opt.dist.world_size},
      {"seeds", seeds_json(plan)},
      {"folds", per_fold},
      {"mean", summary.mean},
      {"std", summary.std},
      {"std_ddof", 0},
      {"seconds", clock.with(train_seconds)},
  };
  write_atomic(dir + "/metrics.json", m.dump(2) + "\n");
  const std::string report = write_report_page(dir, err);
  out << fmt::format("\nartifacts in {}/ (plan.json, metrics.json{}; fold-1/ to fold-{}/: transforms.json, history.csv, "
                     "model.pt, predictions.csv, metrics.json)\n", dir, report, folds.size());
}

bool searches_neighbours(const Plan& plan) {
  for (const auto& stage : plan.pipeline.data)
    if (stage.op() == "smote") return true;
  return false;
}

// `wrote` turns true with the first artifact: until then a failure leaves only error.txt.
int run_in(const Plan& plan, TrainerLoader& loader, const RunOptions& opt, const std::string& dir, std::ostream& out,
           std::ostream& err, bool& wrote) {
  const auto t0 = std::chrono::steady_clock::now();
  // A run that trains on a GPU searches neighbours there too (waiting for LibTorch); a CPU
  // run keeps LibTorch's load overlapping the data stages.
  NeighbourCandidates gpu_neighbours;
  if (plan.pipeline.device != "cpu" && searches_neighbours(plan)) gpu_neighbours = loader.gpu_neighbour_search();
  // Every data stage runs, and its output is checked, before anything is written.
  const std::vector<Prepared> prepared = prepare(plan, gpu_neighbours ? &gpu_neighbours : nullptr);
  for (const auto& p : prepared) check_parts(plan, p);
  wrote = true;
  if (!opt.resume) put(opt, dir + "/plan.json", plan_json(plan).dump(2) + "\n");  // a resumed run's is this plan

  const auto t_data = std::chrono::steady_clock::now();
  TrainEntry train = loader.get();
  const auto t_loaded = std::chrono::steady_clock::now();
  const Clock clock{t0, {{"data", seconds_between(t0, t_data)}, {"wait_for_libtorch", seconds_between(t_data, t_loaded)}}};
  if (plan.fold_data.empty()) run_single(plan, train, prepared.front(), opt, dir, clock, out, err);
  else run_folds(plan, train, prepared, opt, dir, clock, out, err);
  return 0;
}

// A data-parallel rank other than 0: the same stages and its share of training, nothing
// printed but its own error (with its rank), nothing written; a resumed run reads its
// directory.
int execute_quietly(const Plan& plan, TrainerLoader& loader, const RunOptions& options, std::ostream& err) {
  std::ostream quiet(nullptr);
  bool wrote = false;
  try {
    return run_in(plan, loader, options, options.resume ? options.out_dir : "", quiet, quiet, wrote);
  } catch (const RunInterrupted& i) {
    return 128 + i.where.interrupted_by;
  } catch (const UserError& e) {
    err << fmt::format("rank {}: error: {}\n", options.dist.rank, e.what());
    return 1;
  }
}

}  // namespace

int execute(const Plan& plan, TrainerLoader& loader, const RunOptions& options, std::ostream& out, std::ostream& err) {
  if (!options.writes()) return execute_quietly(plan, loader, options, err);
  std::string dir;
  bool wrote = false;
  try {
    dir = options.resume ? options.out_dir : make_run_dir(options.out_dir, plan.pipeline.name);
    return run_in(plan, loader, options, dir, out, err, wrote);
  } catch (const RunInterrupted& i) {
    const TrainingSummary& w = i.where;
    std::string where = w.interrupted_batch == 0 ? fmt::format("at the start of epoch {} of {}", w.interrupted_epoch, i.epochs)
                                                 : fmt::format("in epoch {} of {}, after batch {} of {}", w.interrupted_epoch,
                                                               i.epochs, w.interrupted_batch, w.batches_per_epoch);
    if (i.folds) where = fmt::format("in fold {} of {}, ", i.fold, i.folds) + where;
    const std::string processes = options.dist.active() ? fmt::format(" --nproc-per-node {}", options.dist.world_size) : "";
    err << fmt::format("pipe: interrupted by {} {}; training's state is saved in {}\n", signal_name(w.interrupted_by), where,
                       i.checkpoint)
        << fmt::format("continue with: pipe run --resume {}{}\n", dir, processes);
    return 128 + w.interrupted_by;
  } catch (const UserError& e) {
    err << "error: " << e.what() << '\n';
    if (!dir.empty()) {
      try {
        write_atomic(dir + "/error.txt", std::string(e.what()) + "\n");
      } catch (const UserError&) {
      }
      if (wrote) err << "the run stopped; what it wrote is in " << dir << "/\n";
      else err << "the run stopped before writing any artifact; the error is in " << dir << "/error.txt\n";
    }
    return 1;
  }
}

}  // namespace pipeml
