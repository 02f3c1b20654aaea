// The seam between pipe (no LibTorch) and libpipe_exec.so (LibTorch), which `pipe run`
// loads with dlopen so that validate and plan never pay LibTorch's start-up. Only plain
// structs cross it; both sides are built together, so they share one C++ ABI.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "runtime/table.h"
#include "runtime/train_spec.h"

namespace pipeml {

struct TrainJob {
  const Table* train = nullptr;
  const Table* validation = nullptr;  ///< may be null
  const Table* test = nullptr;
  MlpSpec mlp;
  LossSpec loss;
  OptimizerSpec optimizer;
  TrainSpec spec;          ///< spec.device may be "auto": the trainer resolves it
  std::string model_path;  ///< where to save the state dict (written atomically)
  std::function<void(const EpochRecord&)> on_epoch;
  std::function<void(int epoch, int batch, int batches)> on_batch;
};

struct TrainOutcome {
  std::vector<EpochRecord> history;
  std::vector<double> test_probs;  ///< probability of class 1, test rows in order
  std::string device;              ///< what it ran on: "cpu" or "cuda:0 (NVIDIA H100 ...)"
  std::string torch_version;
  double train_seconds = 0;  ///< the training loop alone
  std::string error;         ///< non-empty: a user-facing failure (e.g. cuda asked, none there)
};

using TrainEntry = TrainOutcome (*)(const TrainJob&);

/// The symbol libpipe_exec.so exports.
inline constexpr const char* kTrainEntrySymbol = "pipe_train_entry";

}  // namespace pipeml
