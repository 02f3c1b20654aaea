// `pipe compare`: finished runs' metrics side by side, read from each run directory's
// metrics.json (runtime/executor.cc writes it). Any numeric test metric is compared, so a
// metric added to metrics.json shows up without a change here.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace pipeml::compare {

/// One run: its directory's name, its pipeline, and its metrics.json.
struct Run {
  std::string dir;   ///< as given
  std::string name;  ///< the directory's own name (runs/heart-20261203-130000 -> heart-20261203-130000)
  nlohmann::json metrics;
};

/// Reads DIR/metrics.json. Throws UserError when DIR does not exist, when the run did not
/// finish (no metrics.json; error.txt named when it is there) or the file is not a run's.
Run read_run(const std::string& dir);

/// One cell: a value (with its std over folds for a cross-validated run), a text, or empty.
struct Cell {
  std::optional<double> value, std;
  std::string text;  ///< a fact (device, seed, ...) as shown
  nlohmann::json raw;  ///< a fact as metrics.json has it (null: the run does not say)
  bool best = false;
};

/// One row of the table: a metric or a fact about the runs, one cell per run.
struct Row {
  std::string name;
  bool metric = false;  ///< a metric row (best marked), not a fact (device, seed, ...)
  std::vector<Cell> cells;
};

struct Table {
  std::vector<std::string> runs;       ///< the run directories' names
  std::vector<std::string> pipelines;  ///< each run's pipeline
  std::vector<Row> rows;
};

/// Metrics in the order they are read (known ones first, any other after them by name),
/// then device, seed, folds, test rows, threshold, train seconds. In each metric row
/// given by two runs or more, the best value (the mean for folds) is marked; lower is
/// better for losses and errors (mae, mse, rmse, log_loss).
Table compare_runs(const std::vector<Run>& runs);

/// True for metrics where lower is better.
bool lower_is_better(const std::string& metric);

/// The table as text (aligned columns, '*' on the best), CSV or JSON.
std::string format_text(const Table& t);
std::string format_csv(const Table& t);
std::string format_json(const Table& t);

}  // namespace pipeml::compare
