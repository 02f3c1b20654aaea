// `pipe predict RUN_DIR DATA`: a trained run's model on new rows. The rows go through the
// run's fitted data stages (each op's replay hook, transforms.json's order), then the model
// (libpipe_exec.so's predict entry); the output has predictions.csv's layout.
#pragma once
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "runtime/saved_run.h"
#include "runtime/table.h"
#include "runtime/trainer_loader.h"

namespace pipeml {

struct PredictOptions {
  std::string run_dir, data;
  std::string out;              ///< empty: stdout
  std::string device = "cpu";   ///< cpu | cuda | auto
  std::optional<double> threshold;  ///< the run's (metrics.json, else the plan's) when unset
};

/// The new rows of `data` as the run's data stages left its test part: the stages of
/// transforms.json's "order", each by its replay hook. `locate` gives a row's "FILE:LINE".
/// Throws UserError.
Table replay_rows(const SavedRun& run, const std::string& data, std::function<std::string(std::size_t)>& locate);

/// Returns the exit code; errors go to `err` as "error: ...", and no output file is written.
int predict(const PredictOptions& options, TrainerLoader& loader, std::ostream& out, std::ostream& err);

}  // namespace pipeml
