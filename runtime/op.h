// An op: its schema (the one description of its parameters) and the hooks the planner
// and the executor call. Each op file defines one `const OpDef& NAME_op()`; the explicit
// list in ops/ops.def puts them in the registry (no static-initialisation tricks).
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "dsl/diagnostics.h"
#include "dsl/pipeline.h"
#include "dsl/schema.h"
#include "runtime/neighbour_search.h"
#include "runtime/plan.h"
#include "runtime/table.h"

namespace pipeml {

class Registry;

/// What a plan hook sees: the plan so far, the data as it stands, and where errors go.
struct PlanState {
  Plan& plan;
  DataInfo& data;
  PlanStep& step;
  dsl::Diagnostics& diags;
  const Registry& registry;
  std::size_t errors_before = 0;  ///< diags.size() when planning began
  /// After kfold: the fold being planned (0-based). Its errors go to the fold's own `diags`;
  /// `errors_earlier` says whether a stage before kfold already reported one.
  std::optional<std::size_t> fold;
  bool errors_earlier = false;
};

/// The tables as they stand while data stages run, by part name, plus what fitted
/// stages learned (saved with the model so new data is transformed the same way).
struct DataRun {
  const Plan& plan;
  std::map<std::string, Table> parts;
  std::map<std::string, std::string> fitted;  ///< stage id -> JSON of its fitted state
  /// Set when the run trains on a GPU: neighbour searches (SMOTE) run there too.
  const NeighbourCandidates* gpu_neighbours = nullptr;
  /// Set by kfold, which leaves "all" in `parts`: the executor runs the stages after it once
  /// per fold, each on a DataRun of that fold's "train" and "test" rows.
  std::vector<FoldRows> folds;
};

/// What a replay hook sees (`pipe predict`): new rows, and what the stage learned when the
/// run fitted it, to transform the rows exactly as the run transformed its test part.
struct Replay {
  const dsl::Stage& stage;         ///< the stage as the run's plan.json has it
  const nlohmann::json& fitted;    ///< its entry in the run's transforms.json
  Table& rows;                     ///< the new rows, in file order: no replayed stage drops or adds one
  std::string path;                ///< the new rows' file (load_csv reads it)
  std::vector<std::string> classes;  ///< the run's classes: load_csv maps the file's labels to them
  /// "FILE:LINE" of a row, for errors about its values; set by load_csv.
  std::function<std::string(std::size_t)> locate;
};

/// What a layer's shape rule sees: the input shape (without the batch dimension) and where
/// errors go; it fills `layer` (torch's constructor arguments, output shape, parameters).
struct LayerContext {
  const dsl::Stage& stage;
  std::vector<std::int64_t> in;  ///< the previous layer's output shape
  std::string label;             ///< "layer 3 'conv2d'", for messages
  std::string name;              ///< its state_dict prefix: "3", "4.body.0"
  dsl::Diagnostics& diags;
  const Registry& registry;
  LayerSpec& layer;
  /// The layer rows of `pipe plan` (a residual block adds its body's after its own).
  std::vector<LayerRow>& rows;
  /// The model's init and bias_init, for layers that leave theirs unset.
  std::string init, bias_init;
};

struct OpDef {
  dsl::OpSchema schema;
  /// Infers what the stage makes of the data (counts, shapes) and fills its part of the
  /// plan; adds located errors. Required.
  void (*plan)(const dsl::Stage&, PlanState&) = nullptr;
  /// Runs a data stage on real tables (plain C++). Only data ops have one.
  void (*run)(const dsl::Stage&, DataRun&) = nullptr;
  /// Where row `row` (0-based, file order) of the data it read is, as "FILE:LINE", for
  /// messages about that row. Only loaders have one; it may re-read the file.
  std::string (*locate_row)(const dsl::Stage&, const Plan&, std::size_t row) = nullptr;
  /// Layers only: infers the output shape from ctx.in, fills ctx.layer, or reports a
  /// located error naming the layer and both shapes and returns false.
  bool (*layer)(LayerContext& ctx) = nullptr;
  /// Stages that save what they fitted (DataRun::fitted), and load_csv: applies that state to
  /// new rows with the code `run` applies it with. Stages that only change rows (split,
  /// resamplers, noise) have none: new rows skip them. Throws UserError naming FILE:LINE.
  void (*replay)(Replay& r) = nullptr;
  /// Data stages: whether the stage takes image data (load_cifar10's rows). The planner
  /// refuses the others on images, at the op, so that each table op need not check.
  bool images = false;
  /// Loaders whose data comes split by its authors (load_cifar10's train and test files):
  /// the pipeline needs no split stage.
  bool splits = false;
  /// Loaders: the op reads the data, so it must be the first data stage (the planner
  /// checks it and skips `plan` for a loader further down).
  bool loads = false;
};

}  // namespace pipeml
