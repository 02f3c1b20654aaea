// The processes of `pipe sweep` (and the helpers pipe run --nproc-per-node shares): each run is this executable's `pipe run` in a child process
// of its own, so a run that crashes or runs out of memory costs that run only, and runs go
// in parallel without sharing LibTorch's process-wide state (threads, generators, CUDA).
#pragma once
#include <signal.h>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace pipeml::cli {

struct Job {
  std::vector<std::string> args;  ///< after the executable: "run", FILE, ...
  std::string log;                ///< stdout and stderr are appended here
  std::string command;            ///< the args as a shell line, written to the log first
};

struct JobEnd {
  std::size_t index = 0;  ///< into the jobs given
  int exit_code = 0;      ///< the child's exit status, or 128 + the signal that killed it
  double seconds = 0;
};

/// While it lives, SIGINT and SIGTERM wait (blocked), so that a handler never sees a
/// half-updated list of children; saved() is the mask before, for a child to restore.
class BlockStopSignals {
 public:
  BlockStopSignals();
  ~BlockStopSignals();
  BlockStopSignals(const BlockStopSignals&) = delete;
  BlockStopSignals& operator=(const BlockStopSignals&) = delete;
  const sigset_t& saved() const { return saved_; }

 private:
  sigset_t saved_;
};

/// While it lives, SIGINT and SIGTERM are passed on to the children in its slots: the first
/// as it is (each child saves its state and stops), a second as SIGKILL. `note`, when not
/// empty, is written to stderr at the first. Set slots with BlockStopSignals held. One at a
/// time: the signal handler's state is the process's.
class StopSignalRelay {
 public:
  static constexpr int kSlots = 256;
  explicit StopSignalRelay(const char* note);
  ~StopSignalRelay();
  StopSignalRelay(const StopSignalRelay&) = delete;
  StopSignalRelay& operator=(const StopSignalRelay&) = delete;
  void set(int slot, pid_t pid);  ///< 0: empty
  pid_t at(int slot) const;
  int first_signal() const;  ///< 0 until a signal came
  void kill_all(int signal) const;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

/// This executable's path (/proc/self/exe), which child processes run.
std::string self_executable();

/// The GPUs a sweep's runs may be spread over: CUDA_VISIBLE_DEVICES's list when it is set,
/// else those the NVIDIA driver lists in /proc (no CUDA library is loaded to ask).
std::vector<std::string> visible_gpus();

/// Runs `jobs`, at most `parallel` at a time, calling `on_end` as each finishes. Each child
/// is in a process group of its own, with stdin from /dev/null, OMP_NUM_THREADS shared out
/// when unset, and SIGTERM when the sweep itself dies. With `gpus`, the child in slot k sees
/// only gpus[k % gpus.size()] (CUDA_VISIBLE_DEVICES), so parallel runs go one per GPU. The
/// first SIGINT or SIGTERM the sweep gets is passed on to the running children (which save
/// their state and stop) and no more start; a second kills them. Returns that first signal,
/// or 0 when every job ran.
int run_jobs(const std::vector<Job>& jobs, int parallel, const std::vector<std::string>& gpus,
             const std::function<void(const JobEnd&)>& on_end);

}  // namespace pipeml::cli
