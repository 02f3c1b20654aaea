// A finished run's directory as the report reads it: plan.json and metrics.json (both
// required), and each training's history.csv and predictions.csv (optional: a missing or
// unreadable one only leaves its section of the page empty, with the reason).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pipeml::report {

/// A CSV file with a header line, every field kept as text.
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  /// The column's index, or -1 when there is none by that name.
  int column(const std::string& name) const;
  /// The column's values; NaN where a field is empty or not a number (or no such column).
  std::vector<double> numbers(const std::string& name) const;
  std::vector<std::string> texts(const std::string& name) const;
};

/// Parses CSV text (fields may be double-quoted). Throws UserError naming `file` and the
/// line when a row's field count differs from the header's.
Csv parse_csv(const std::string& text, const std::string& file);

/// An optional CSV artifact: its content, or why there is none.
struct CsvArtifact {
  std::optional<Csv> csv;
  std::string problem;  ///< "history.csv was not written", or the parse error
};

/// One trained model's files: the run directory itself, or its fold-N/ folder.
struct TrainingFiles {
  int fold = 0;  ///< 0 for a run without kfold
  CsvArtifact history, predictions;
};

struct RunArtifacts {
  std::string dir;
  nlohmann::json plan, metrics;
  std::vector<TrainingFiles> trainings;  ///< one, or one per fold in metrics.json's order
  bool cross_validated() const { return metrics.contains("folds"); }
};

/// Reads a run directory. Throws UserError when it is not one: not a directory, plan.json
/// or metrics.json missing (saying so, and quoting error.txt when the run failed), or
/// either not valid JSON.
RunArtifacts read_run(const std::string& dir);

}  // namespace pipeml::report
