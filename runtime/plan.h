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
#include "runtime/lr_schedule.h"
#include "runtime/table.h"
#include "runtime/train_spec.h"

namespace pipeml {

/// Rows and class counts of one part of the data ("all" before the split; then "train",
/// "validation", "test").
struct PartInfo {
  std::string name;
  std::size_t rows = 0;
  std::vector<std::size_t> class_counts;  ///< indexed by label; empty for a regression target
};

/// One fold of a cross-validation (the kfold stage): the source rows of its two parts.
struct FoldRows {
  std::vector<std::size_t> train, test;
};

/// What the planner knows about the data between stages. While rows are still the
/// source file's rows, their ids are kept so row-dependent counts (dropping rows with
/// missing values after a split) stay exact.
struct DataInfo {
  std::vector<std::string> features;
  std::vector<std::string> class_names;  ///< empty for a regression target
  std::vector<PartInfo> parts;
  bool split = false;
  bool regression = false;  ///< the target is a number: no classes, no class counts
  std::string target;       ///< the target column's name, for messages
  std::vector<int> labels;                   ///< per source row (regression: 0 for every row)
  std::vector<char> row_has_missing;         ///< per source row
  std::vector<std::size_t> missing_per_col;  ///< missing values per feature, all rows
  std::map<std::string, std::vector<std::size_t>> part_rows;  ///< source row ids, while known
  /// Set by kfold: each fold's rows. The stages after kfold are planned once per fold, each
  /// fold on a copy of this with that fold's "train" and "test" parts.
  std::vector<FoldRows> folds;
  /// Per feature as in Table (empty: every feature is numeric), and the categories of
  /// each categorical one.
  std::vector<ColumnKind> kinds;
  std::vector<std::vector<std::string>> categories;
  /// Per feature: a categorical feature's code in each source row (NaN: missing), so
  /// that encoders can be planned with the categories of the training rows; empty for
  /// a numeric feature.
  std::vector<std::vector<float>> codes;
  /// Per feature: the source rows where it is missing (missing_per_col counts them), so
  /// that stages that fill or drop some columns keep row_has_missing exact.
  std::vector<std::vector<std::size_t>> missing_rows;
  /// A stage already reported the categorical features that should have been encoded
  /// before it: the model does not report them again.
  bool categorical_reported = false;
  /// Images (load_cifar10): {channels, height, width} of every row; `features` is empty.
  std::vector<std::int64_t> image_shape;

  bool is_categorical(std::size_t c) const { return c < kinds.size() && kinds[c] == ColumnKind::categorical; }
  PartInfo* part(const std::string& name);
  const PartInfo* part(const std::string& name) const;
  /// Rows of each class among the given source rows (empty for a regression target).
  std::vector<std::size_t> count_classes(const std::vector<std::size_t>& rows) const;
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

/// What one fold of a cross-validation made of a stage.
struct FoldStep {
  std::vector<PartInfo> parts;     ///< the fold's data after a data stage
  std::vector<std::string> notes;  ///< the notes that are this fold's own (they differ between folds)
};

/// A plan step: a stage, and what flows out of it.
struct PlanStep {
  const dsl::Stage* stage = nullptr;
  std::vector<PartInfo> parts;     ///< the data after a data stage (empty from kfold on)
  std::vector<std::string> notes;  ///< why, in a line each ("fitted on train only"); from kfold on, those every fold shares
  std::vector<FoldStep> folds;     ///< cross-validation: the kfold stage and every stage after it, per fold
};

/// The data after the first `stages` data stages, when planning had to run them on the real
/// tables: a stage whose row counts depend on the values (tomek_links, adasyn, ...) is
/// planned with the counts it will really give. `pipe run` goes on from here rather than
/// running those stages twice.
struct PlannedData {
  std::size_t stages = 0;
  std::map<std::string, Table> parts;
  std::map<std::string, std::string> fitted;
  /// Cross-validation, once planning ran kfold (`parts` then holds "all", as kfold leaves
  /// it): its folds' rows, and each fold's own data as far as planning ran that fold
  /// (`stages` counts every data stage, kfold's included; 0: not started).
  std::vector<FoldRows> fold_rows;
  std::vector<PlannedData> folds;
};

struct EvalSpec {
  double threshold = 0.5;
  std::vector<std::string> metrics;
  std::string average = "macro";  ///< multiclass precision, recall and f1: macro, weighted or micro
  std::string tune_threshold;     ///< a metric to choose the threshold for on the validation part; empty: fixed
};

struct Plan {
  dsl::Pipeline pipeline;
  dsl::Overrides overrides;
  std::vector<PlanStep> steps;
  DataInfo data;  ///< after the last data stage; with cross-validation, fold 1's
  /// Cross-validation: each fold's data after the last data stage (parts and their source
  /// rows; the per-row facts stay in `data`). Empty without kfold.
  std::vector<DataInfo> fold_data;
  ModelSpec model;  ///< the model section's MLP or layer list
  std::vector<LayerRow> layers;
  std::int64_t total_params = 0;
  LossSpec loss;
  OptimizerSpec optimizer;
  /// The scheduler section as torch's scheduler (a scheduler op's plan hook fills it); empty: none.
  SchedulerSpec schedule;
  /// Batches per epoch, from the planned training rows, batch_size and drop_last: one per
  /// fold with cross-validation (folds can differ by a row), else one. Set by the train op.
  std::vector<int> steps_per_epoch;
  /// The whole schedule, epoch 1 first: each epoch's rate (a per-batch schedule's at the
  /// epoch's first batch); empty when it depends on the run (reduce_lr_on_plateau). Fold 1's.
  std::vector<double> lr_by_epoch;
  /// A per-batch schedule (one_cycle_lr): the rate and, when it cycles it, the momentum of
  /// every step, epoch by epoch; empty otherwise. Fold 1's.
  std::vector<double> lr_by_step, momentum_by_step;
  TrainSpec train;
  EvalSpec eval;
  std::vector<SeedUse> seeds;
  std::map<std::string, std::string> hashes;  ///< path as written -> sha256 of its content
  /// Inputs hashed only when the plan is saved (plan.json, `pipe plan -o`, a saved plan's
  /// check), not for `pipe plan`'s text: path as written -> the file. CIFAR-10's 180 MB take
  /// most of a second to hash, its labels a tenth of that to read.
  std::map<std::string, std::string> hash_later;
  /// `hashes` with the `hash_later` files hashed now.
  std::map<std::string, std::string> all_hashes() const;
  std::shared_ptr<PlannedData> planned;       ///< null unless a stage needed the real data
};

}  // namespace pipeml
