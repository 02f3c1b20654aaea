// A finished run's directory as `pipe predict` reads it: what it trained (plan.json), what
// its data stages learned (transforms.json), the weights (model.pt) and the decision
// threshold it scored with (metrics.json). No LibTorch here: the model is only described.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dsl/pipeline.h"
#include "runtime/train_spec.h"

namespace pipeml {

struct SavedRun {
  std::string dir;  ///< the folder with transforms.json and model.pt: the run's, or a fold's fold-N/
  int fold = 0;     ///< a cross-validated run's fold (1-based); 0 for a single split
  nlohmann::json plan, transforms;  ///< plan.json (a fold's is its parent's), transforms.json
  /// The run's load_csv and fitted stages and its model, read back from plan.json's stages.
  dsl::Pipeline pipeline;
  ModelSpec model;  ///< rebuilt by the model op's plan hook from the run's features
  LossSpec loss;    ///< its type: what the outputs are (probabilities or values)
  double threshold = 0.5;  ///< metrics.json's test.threshold, else the plan's evaluate threshold
  int batch_size = 0;
  std::string precision = "32";
  std::vector<std::string> features, classes;  ///< the model's input columns; the classes (none for regression)
  bool regression = false;
  std::string target;
  std::string model_path() const { return dir + "/model.pt"; }
};

/// Reads a run directory. Throws UserError when it is missing, is a cross-validated run's
/// top folder (which fold-N/ to choose), or lacks an artifact (naming it and what makes it).
SavedRun read_saved_run(const std::string& dir);

}  // namespace pipeml
