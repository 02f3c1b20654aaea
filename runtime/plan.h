// The reviewed plan: everything `pipe plan` shows and `pipe run` executes — stage order,
// resolved parameters, rows and class counts per part, the model's layers, the learning
// rate schedule, seeds, and content hashes. Built without LibTorch and without training.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dsl/pipeline.h"
#include "runtime/table.h"
#include "runtime/train_spec.h"

namespace pipeml {

/// Rows and class counts of one part of the data ("all" before the split; then "train",
/// "validation", "test").
struct PartInfo {
  std::string name;
  std::size_t rows = 0;
  std::vector<std::size_t> class_counts;  ///< indexed by label
};

/// What the planner knows about the data between stages. While rows are still the
/// source file's rows, their ids are kept so row-dependent counts (dropping rows with
/// missing values after a split) stay exact.
struct DataInfo {
  std::vector<std::string> features;
  std::vector<std::string> class_names;
  std::vector<PartInfo> parts;
  bool split = false;
  std::vector<int> labels;                   ///< per source row
  std::vector<char> row_has_missing;         ///< per source row
  std::vector<std::size_t> missing_per_col;  ///< missing values per feature, all rows
  std::map<std::string, std::vector<std::size_t>> part_rows;  ///< source row ids, while known

  PartInfo* part(const std::string& name);
  const PartInfo* part(const std::string& name) const;
};

/// One model layer as torchsummary shows it.
struct LayerRow {
  std::string name;  ///< index in the Sequential: "0", "1", ... (state_dict prefixes)
  std::string type;  ///< "Linear(13, 128)", "BatchNorm1d(128)", "ReLU", "Dropout(p=0.3)"
  std::vector<std::int64_t> out_shape;  ///< without the batch dimension
  std::int64_t params = 0;
};

/// A seed that a random stage will use, and where it came from.
struct SeedUse {
  std::string stage;
  std::int64_t seed = 0;
  bool from_pipeline = false;  ///< not set on the stage: the pipeline's seed
};

/// A plan step: a stage, and what flows out of it.
struct PlanStep {
  const dsl::Stage* stage = nullptr;
  std::vector<PartInfo> parts;     ///< the data after a data stage
  std::vector<std::string> notes;  ///< why, in a line each ("fitted on train only")
};

/// The data after the first `stages` data stages, when planning had to run them on the real
/// tables: a stage whose row counts depend on the values (tomek_links, adasyn, ...) is
/// planned with the counts it will really give. `pipe run` goes on from here rather than
/// running those stages twice.
struct PlannedData {
  std::size_t stages = 0;
  std::map<std::string, Table> parts;
  std::map<std::string, std::string> fitted;
};

struct EvalSpec {
  double threshold = 0.5;
  std::vector<std::string> metrics;
};

struct Plan {
  dsl::Pipeline pipeline;
  dsl::Overrides overrides;
  std::vector<PlanStep> steps;
  DataInfo data;  ///< after the last data stage
  MlpSpec mlp;
  std::vector<LayerRow> layers;
  std::int64_t total_params = 0;
  LossSpec loss;
  OptimizerSpec optimizer;
  std::vector<double> lr_by_epoch;  ///< the whole schedule, epoch 1 first
  TrainSpec train;
  EvalSpec eval;
  std::vector<SeedUse> seeds;
  std::map<std::string, std::string> hashes;  ///< path as written -> sha256 of its content
  std::shared_ptr<PlannedData> planned;       ///< null unless a stage needed the real data
};

}  // namespace pipeml
