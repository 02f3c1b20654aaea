#include "runtime/predict.h"

#include <fmt/format.h>

#include <numeric>
#include <ostream>

#include "runtime/artifacts.h"
#include "runtime/finite_check.h"
#include "runtime/predictions_csv.h"
#include "runtime/registry.h"
#include "runtime/scores.h"
#include "runtime/user_error.h"

namespace pipeml {

Table replay_rows(const SavedRun& run, const std::string& data, std::function<std::string(std::size_t)>& locate) {
  Table rows;
  for (const auto& id : run.transforms.at("order")) {
    const dsl::Stage* stage = nullptr;
    for (const auto& s : run.pipeline.data)
      if (s.id == id) stage = &s;
    const OpDef* op = stage ? Registry::builtin().op(stage->op()) : nullptr;
    if (!op || !op->replay)
      throw UserError(run.dir + "/transforms.json: stage '" + id.get<std::string>() + "' cannot be applied to new rows");
    Replay r{*stage, run.transforms.at("stages").at(id.get<std::string>()), rows, data, run.classes, locate};
    op->replay(r);
    locate = r.locate;
  }
  // The model takes the run's final columns, in order: what transforms.json says it does.
  if (rows.columns != run.features)
    throw UserError(run.dir + "/transforms.json: its stages make other columns than the model takes (was it edited?)");
  std::vector<std::size_t> ids(rows.rows);
  std::iota(ids.begin(), ids.end(), std::size_t{0});
  check_finite(rows, "new rows", &ids, locate);
  return rows;
}

namespace {

// With the target in the file: the run's test metrics on these rows, one line (with
// sklearn's warnings), or why they cannot be computed (one class only: no ROC-AUC).
std::string score_line(const SavedRun& run, const Table& rows, const std::vector<double>& outputs, double threshold) {
  if ((run.regression ? rows.target.size() : rows.y.size()) != rows.rows) return {};  // no target in the file
  try {
    const metrics::OutputLayout layout{run.regression, run.classes.size(), run.loss.cross_entropy()};
    const metrics::Scores m = metrics::score_outputs(rows, outputs, layout, threshold, metrics::Average::macro);
    const auto& v = m.values;
    std::string line =
        run.regression
            ? fmt::format("scored on the file's '{}': mae {:.4f}  mse {:.4f}  rmse {:.4f}  r2 {:.4f}\n", run.target, v.at("mae"),
                          v.at("mse"), v.at("rmse"), v.at("r2"))
            : fmt::format("scored on the file's '{}'{}: accuracy {:.4f}  precision {:.4f}  recall {:.4f}  f1 {:.4f}  "
                          "roc_auc {:.4f}\n", run.target, m.multiclass ? " (macro)" : "", v.at("accuracy"), v.at("precision"),
                          v.at("recall"), v.at("f1"), v.at("roc_auc"));
    for (const auto& w : m.warnings) line += "  warning: " + w + "\n";
    return line;
  } catch (const std::invalid_argument& e) {
    return std::string("not scored: ") + e.what() + "\n";
  }
}

std::string predict_csv(const PredictOptions& o, TrainerLoader& loader, std::ostream& err) {
  const SavedRun run = read_saved_run(o.run_dir);
  std::function<std::string(std::size_t)> locate;
  const Table rows = replay_rows(run, o.data, locate);
  PredictJob job;
  job.rows = &rows;
  job.model = run.model;
  job.loss = run.loss;
  job.model_path = run.model_path();
  job.device = o.device;
  job.batch_size = run.batch_size;
  job.precision = run.precision;
  const PredictOutcome outcome = loader.predict()(job);
  if (!outcome.error.empty()) throw UserError(outcome.error);
  std::vector<std::size_t> ids(rows.rows);
  std::iota(ids.begin(), ids.end(), std::size_t{0});
  const double threshold = o.threshold.value_or(run.threshold);
  err << fmt::format("{} row{} of {} predicted by {}{} on {}", rows.rows, rows.rows == 1 ? "" : "s", o.data, run.dir, run.fold ? " (fold " + std::to_string(run.fold) + ")" : "",
                     outcome.device);
  if (!run.regression && !run.loss.cross_entropy()) err << fmt::format(", threshold {}", threshold);
  err << '\n' << score_line(run, rows, outcome.outputs, threshold);
  return predictions_csv(rows, &ids, run.classes, run.loss.cross_entropy(), threshold, outcome.outputs);
}

}  // namespace

int predict(const PredictOptions& o, TrainerLoader& loader, std::ostream& out, std::ostream& err) {
  try {
    const std::string csv = predict_csv(o, loader, err);
    if (o.out.empty()) out << csv;
    else write_atomic(o.out, csv);
    return 0;
  } catch (const UserError& e) {
    err << "error: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace pipeml
