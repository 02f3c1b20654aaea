// `pipe sweep`: the parts that are plain computation, kept apart from the processes that run
// the sweep (runtime/cli/sweep.cc) so they are tested directly. A sweep is a table: its rows
// are the variants of a pipeline (the file's `variants:` crossed with the grid of --set
// lists), each run once per seed; its columns are the evaluate stage's metrics, each as
// mean ± std over the seeds, as a notebook's df.groupby(variant).agg(["mean", "std"]) gives.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pipeml::sweep {

/// One parameter a grid sweeps: --set PATH=A,B,C, or --set PATH=range(START,STOP[,STEP]) as
/// Hydra's multirun writes it (STOP excluded, STEP 1 by default).
struct Axis {
  std::string path;                 ///< STAGE.PARAM
  std::vector<std::string> values;  ///< each as --set would take it
};

/// What a --set of `pipe sweep` holds: alternatives (an Axis) or one value (nullopt: a change
/// every run gets). Commas inside [...] do not separate, so 'model.hidden=[64],[128,64]' is
/// two values and 'model.hidden=[128,64]' one. A malformed range sets `error` (and returns
/// nullopt); a set without '=' is left to the pipeline's own check.
std::optional<Axis> parse_axis(const std::string& set, std::string& error);

/// A row of the table: a variant of the file (or none) and one value per axis.
struct Row {
  std::string name;     ///< what the table calls it: "smote", "smote, optimizer.lr=0.01"
  std::string variant;  ///< the file's variant, or "" (the file as written)
  std::vector<std::pair<std::string, std::string>> grid;  ///< axis path, value
  /// The --set options that make this row's grid point.
  std::vector<std::string> sets() const;
};

/// Every variant (in file order) crossed with every point of the grid (the last axis varying
/// fastest). No variants: the file as written; no axes: one row per variant.
std::vector<Row> rows_of(const std::vector<std::string>& variants, const std::vector<Axis>& axes);

/// A folder name for a row: its number and its name made safe ("03-smote_noise").
std::string row_folder(std::size_t index, const Row& row);

/// Whether a smaller value of the metric is the better one (log_loss, mae, mse, rmse).
bool lower_is_better(const std::string& metric);

/// One finished run: its row, its seed and its metric values by name.
struct RunResult {
  std::size_t row = 0;
  std::int64_t seed = 0;
  std::map<std::string, double> metrics;
};

/// A row's numbers: each metric's values over the seeds, their mean and sample std (ddof 1,
/// NaN with fewer than two values).
struct RowSummary {
  std::string name;
  std::size_t runs = 0;  ///< finished runs (the seeds that failed are missing)
  std::vector<std::vector<double>> values;  ///< [metric][run], in seed order
  std::vector<double> mean, std;            ///< [metric]
};

struct Summary {
  std::vector<std::string> metrics;  ///< the columns, in the evaluate stage's order
  std::string rank_metric;           ///< the one the best row is chosen by
  std::size_t seeds = 0;             ///< runs per row asked for
  std::vector<RowSummary> rows;
  int best = -1, next = -1;  ///< rows by rank_metric's mean (-1: none)
  double lead = 0;           ///< |best's mean - next's mean|
  double spread = 0;         ///< the larger of the two rows' std
  bool clear_lead = false;   ///< lead > spread
  std::size_t metric_index() const;
};

/// Summarises `results` (in any order) into `rows`' table over `metrics`.
Summary summarize(const std::vector<Row>& rows, const std::vector<RunResult>& results,
                  const std::vector<std::string>& metrics, const std::string& rank_metric, std::size_t seeds);

/// The sentence under the table: the best row, its lead over the next, and whether that lead
/// exceeds the seed-to-seed spread.
std::string verdict(const Summary& s);

/// "0.852 ± 0.021" (3 decimals), or the mean alone where there is no std.
std::string mean_std_text(double mean, double std);

/// The table for the terminal: one line per row, the best marked.
void print_table(std::ostream& out, const Summary& s);
/// The same table as CSV (full precision: row, grid values, runs, then each metric's mean and std).
std::string table_csv(const Summary& s, const std::vector<Row>& rows);
/// The same table in Markdown, the best row's cell in bold, the verdict under it.
std::string table_markdown(const Summary& s);
/// Every run: row, variant, grid values, seed, then each metric.
std::string results_csv(const std::vector<Row>& rows, const std::vector<RunResult>& results,
                        const std::vector<std::string>& metrics);

}  // namespace pipeml::sweep
