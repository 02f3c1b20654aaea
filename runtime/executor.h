// Runs a plan: the data stages (plain C++), then training through libpipe_exec.so, then
// the test-set evaluation. Every data stage runs, and no NaN or infinite value may be left,
// before the first artifact is written: bad data leaves only error.txt. With a kfold stage,
// the stages after it, training and evaluation run once per fold (artifacts in fold-N/).
#pragma once
#include <csignal>
#include <iosfwd>
#include <string>

#include "runtime/plan.h"
#include "runtime/trainer_loader.h"

namespace pipeml {

struct RunOptions {
  std::string out_dir;       ///< empty: runs/<pipeline>-<timestamp>/
  bool progress_bar = false;  ///< draw the in-place bar (stderr is a terminal)
  /// Set to a signal's number (by pipe run's handler) to interrupt training: it stops before
  /// its next batch, writes resume.pt, and the run ends with exit code 128 + the number.
  const volatile std::sig_atomic_t* stop = nullptr;
  /// Continue the interrupted run in out_dir (its plan.json is `plan`): training starts from
  /// its resume.pt (a fold's from fold-N/resume.pt; finished folds are not trained again).
  bool resume = false;
  /// Data-parallel training (pipe run --nproc-per-node, or torchrun's environment): this
  /// process's rank and the rendezvous; the world size must be the plan's. Only rank 0
  /// prints and writes artifacts; the others run the same stages and train their share.
  DistSpec dist;
  bool writes() const { return dist.rank == 0; }
};

/// Returns the process exit code. User errors are printed to `err`, and written to
/// error.txt in the run directory when one was made (by rank 0; another rank prints its
/// errors with its rank and writes nothing). An interruption prints where training
/// stopped and the command that continues it.
int execute(const Plan& plan, TrainerLoader& loader, const RunOptions& options, std::ostream& out,
            std::ostream& err);

}  // namespace pipeml
