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
  ModelSpec model;
  LossSpec loss;
  OptimizerSpec optimizer;
  TrainSpec spec;          ///< spec.device may be "auto": the trainer resolves it
  std::string model_path;  ///< where to save the state dict (written atomically); empty: nowhere
  std::function<void(const EpochRecord&)> on_epoch;
  std::function<void(int epoch, int batch, int batches)> on_batch;
};

struct TrainOutcome {
  std::vector<EpochRecord> history;
  std::vector<double> test_outputs;  ///< per test row, in order: the probability of class 1, or the predicted value
  std::vector<double> validation_outputs;  ///< the same for the validation rows (empty without a validation part)
  std::string device;              ///< what it ran on: "cpu" or "cuda:0 (NVIDIA H100 ...)"
  std::string torch_version;
  double train_seconds = 0;  ///< the training loop alone
  TrainingSummary summary;   ///< what early stopping and the checkpoints did; an interruption (interrupted_by)
  std::string error;         ///< non-empty: a user-facing failure (e.g. cuda asked, none there)
};

using TrainEntry = TrainOutcome (*)(const TrainJob&);

/// `pipe predict`: a trained model (model.pt) on new rows, already transformed as the run
/// transformed its test part.
struct PredictJob {
  const Table* rows = nullptr;
  ModelSpec model;
  LossSpec loss;
  std::string model_path;  ///< the run's model.pt
  std::string device;      ///< cpu | cuda | auto
  int batch_size = 0;      ///< the run's: the CPU thread count follows it, as in training
  std::string precision = "32";  ///< the run's: mixed precision evaluates under autocast on CUDA
};

struct PredictOutcome {
  std::vector<double> outputs;  ///< per row as TrainOutcome::test_outputs: probabilities, or values
  std::string device;
  std::string error;  ///< non-empty: a user-facing failure
};

using PredictEntry = PredictOutcome (*)(const PredictJob&);

/// The symbols libpipe_exec.so exports: training, prediction with a saved model, and for the data stages a CUDA probe and
/// the GPU neighbour search (runtime/neighbour_search.h; its arguments, an error text back).
inline constexpr const char* kTrainEntrySymbol = "pipe_train_entry";
inline constexpr const char* kPredictEntrySymbol = "pipe_predict_entry";
inline constexpr const char* kCudaAvailableSymbol = "pipe_cuda_available";
inline constexpr const char* kNeighbourCandidatesSymbol = "pipe_neighbour_candidates";
using CudaAvailableEntry = bool (*)();
using NeighbourCandidatesEntry = std::string (*)(const double* x, std::size_t n, std::size_t d, std::size_t keep,
                                                 std::uint32_t* out);

}  // namespace pipeml
