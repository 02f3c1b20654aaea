// pipe run --nproc-per-node N: torchrun's part. Starts N worker processes of this executable
// (`pipe run` again, with torchrun's environment variables), watches them, passes a
// Ctrl-C on, and stops them all when one fails, naming it.
#pragma once
#include <string>
#include <vector>

#include "runtime/train_spec.h"

namespace pipeml::cli {

/// How the launcher was asked to start the workers on this host.
struct Launch {
  int nproc_per_node = 1;
  int nnodes = 1;
  int node_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 0;  ///< 0: a free port (one host), 29500 (several: torchrun's default)
  double timeout_s = 300;
  std::vector<std::string> worker_args;  ///< after the executable: "run", FILE or --resume DIR, options
  bool cuda = false;                     ///< the workers train on GPUs: one each, by local rank
};

/// This process's place in a data-parallel run started by a launcher — pipe's or torchrun,
/// SLURM — from RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (and PIPE_DIST_TIMEOUT).
/// False when WORLD_SIZE is not set; `error` is set when what is set is not usable.
bool dist_from_environment(DistSpec& dist, std::string& error);

/// What can be checked before any worker starts: enough GPUs, the master's port free (a free
/// one chosen when none was given). Prints the error and returns 2, or returns 0.
int check_launch(Launch& launch);

/// Runs the workers and waits for them all. Returns the exit code: 0, the first failed
/// rank's code, or 128 + the signal that interrupted the run.
int launch_workers(const Launch& launch);

}  // namespace pipeml::cli
