// Loads libpipe_exec.so (LibTorch) in the background while `pipe run` reads the data and
// plans: the 0.3-0.8 s LibTorch costs to load then overlaps work that needs no LibTorch.
#pragma once
#include <future>
#include <string>

#include "runtime/neighbour_search.h"
#include "runtime/trainer_api.h"

namespace pipeml {

class TrainerLoader {
 public:
  /// Starts loading at once, on another thread.
  TrainerLoader();
  /// Waits for the load; throws UserError naming the library and dlerror() on failure.
  TrainEntry get();
  /// Waits for the load; the entry that predicts with a saved model.
  PredictEntry predict();
  /// Waits for the load; the GPU neighbour search when CUDA is usable here, else empty.
  NeighbourCandidates gpu_neighbour_search();

  struct Loaded {
    TrainEntry train = nullptr;
    PredictEntry predict = nullptr;
    CudaAvailableEntry cuda_available = nullptr;
    NeighbourCandidatesEntry neighbour_candidates = nullptr;
    std::string error;
  };

 private:
  const Loaded& loaded();
  std::shared_future<Loaded> future_;
};

/// Where libpipe_exec.so is looked for: beside the pipe executable, then ../lib/pipe/.
std::string exec_library_path();

}  // namespace pipeml
