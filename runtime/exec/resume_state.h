// resume.pt: what training needs to go on exactly where an interruption (SIGINT, SIGTERM)
// stopped it — after the last finished batch — so that `pipe run --resume DIR` ends with
// the same weights and metrics as a run that was never stopped (bit for bit on the CPU).
// Everything random is replayed from generator states, nothing is redrawn: the epoch's
// shuffle and noisy copies come from the states at the epoch's start, the later draws from
// the state after the last batch.
#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/exec/tensor_dict.h"
#include "runtime/train_spec.h"

namespace pipeml {

struct ResumeState {
  int epoch = 0;             ///< the epoch in progress, 0-based
  std::int64_t batch = 0;    ///< its batches done
  std::int64_t batches = 0;  ///< per epoch; the resumed run must have as many
  std::int64_t rows = 0;     ///< training rows per epoch (noisy copies included); likewise
  long graph_replays = 0;
  std::vector<EpochRecord> history;  ///< the epochs done
  std::vector<double> controls;      ///< early stopping's and the checkpoints' counters
  TensorDict model, best, last_good, optimizer, scaler;
  /// Generator states (uint8): the CPU generator after the last batch and at the epoch's
  /// start, the noise stage's own generator at the epoch's start, the CUDA generator after
  /// the last batch. Undefined where there is none.
  at::Tensor rng_cpu, rng_cpu_epoch, rng_noise_epoch, rng_cuda;
  at::Tensor epoch_losses;  ///< float32, the losses of the epoch's batches done
  double epoch_metric = 0;  ///< their summed train metric
  double epoch_seconds = 0;  ///< time spent on the epoch before the interruption
};

/// Writes `state` to `path` (a torch.save-compatible dict of tensors), atomically.
void save_resume_state(const ResumeState& state, const std::string& path);

/// Reads what save_resume_state wrote; a UserError naming `path` when it is not that.
ResumeState read_resume_state(const std::string& path);

}  // namespace pipeml
