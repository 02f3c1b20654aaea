#include "runtime/cli/sweep_jobs.h"

#include "runtime/artifacts.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

namespace pipeml::cli {
namespace {

// The relay's state, for its signal handler (StopSignalRelay).
volatile pid_t g_children[StopSignalRelay::kSlots];
volatile std::sig_atomic_t g_first_signal = 0;
volatile std::sig_atomic_t g_signals = 0;
const char* g_note = "";

extern "C" void on_stop_signal_relayed(int signal) {
  const int saved_errno = errno;
  g_signals = g_signals + 1;
  if (g_first_signal == 0) g_first_signal = signal;
  const int pass_on = g_signals == 1 ? signal : SIGKILL;
  for (int i = 0; i < StopSignalRelay::kSlots; ++i)
    if (g_children[i] > 0) ::kill(g_children[i], pass_on);
  if (g_signals == 1 && *g_note) {
    ssize_t ignored = ::write(STDERR_FILENO, g_note, std::strlen(g_note));
    (void)ignored;
  }
  errno = saved_errno;
}

// In the child, between fork and exec: only async-signal-safe calls.
// `header` opens the run's part of the log: the command, as a user would type it.
[[noreturn]] void exec_child(const std::string& exe, char* const* argv, const char* log, const std::string& header,
                             const char* threads, const char* gpu, const sigset_t& mask) {
  ::setpgid(0, 0);                     // the terminal's Ctrl-C reaches the sweep, which passes it on once
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a sweep that dies stops its runs (they save their state)
  const int in = ::open("/dev/null", O_RDONLY);
  const int out = ::open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (in < 0 || out < 0) ::_exit(127);
  ::dup2(in, STDIN_FILENO);
  ::dup2(out, STDOUT_FILENO);
  ::dup2(out, STDERR_FILENO);
  ssize_t ignored = ::write(out, header.data(), header.size());
  (void)ignored;
  if (threads != nullptr) ::setenv("OMP_NUM_THREADS", threads, 0);
  if (gpu != nullptr) ::setenv("CUDA_VISIBLE_DEVICES", gpu, 1);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGINT, &dfl, nullptr);
  ::sigaction(SIGTERM, &dfl, nullptr);
  ::sigprocmask(SIG_SETMASK, &mask, nullptr);  // exec keeps the mask: unblock what pipe run catches
  ::execv(exe.c_str(), argv);
  ::_exit(127);
}

}  // namespace

StopSignalRelay::StopSignalRelay(const char* note) {
  for (int i = 0; i < kSlots; ++i) g_children[i] = 0;
  g_first_signal = 0;
  g_signals = 0;
  g_note = note;
  struct sigaction action {};
  action.sa_handler = on_stop_signal_relayed;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a waiting waitpid returns to look at the signal
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
}

StopSignalRelay::~StopSignalRelay() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

void StopSignalRelay::set(int slot, pid_t pid) { g_children[slot] = pid; }
pid_t StopSignalRelay::at(int slot) const { return g_children[slot]; }
int StopSignalRelay::first_signal() const { return g_first_signal; }

void StopSignalRelay::kill_all(int signal) const {
  for (int i = 0; i < kSlots; ++i)
    if (g_children[i] > 0) ::kill(g_children[i], signal);
}

BlockStopSignals::BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, &saved_);
}

BlockStopSignals::~BlockStopSignals() { sigprocmask(SIG_SETMASK, &saved_, nullptr); }

std::string self_executable() {
  char buf[4096];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) throw std::runtime_error(std::string("cannot find pipe's own executable: ") + std::strerror(errno));
  return std::string(buf, static_cast<std::size_t>(n));
}

std::vector<std::string> visible_gpus() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("CUDA_VISIBLE_DEVICES")) {
    std::string list = env, item;
    for (char c : list + ",") {
      if (c != ',') {
        item += c;
      } else if (!item.empty()) {
        out.push_back(item);
        item.clear();
      }
    }
    return out;
  }
  const std::size_t n = dir_entries("/proc/driver/nvidia/gpus").size();
  for (std::size_t i = 0; i < n; ++i) out.push_back(std::to_string(i));
  return out;
}

int run_jobs(const std::vector<Job>& jobs, int parallel, const std::vector<std::string>& gpus,
             const std::function<void(const JobEnd&)>& on_end) {
  using Clock = std::chrono::steady_clock;
  parallel = std::max(1, std::min(parallel, StopSignalRelay::kSlots));
  const std::string exe = self_executable();
  // OMP_NUM_THREADS for each child when the user set none: the cores shared out.
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::string threads = std::to_string(std::max(1u, cores / static_cast<unsigned>(parallel)));
  const bool share_threads = std::getenv("OMP_NUM_THREADS") == nullptr && parallel > 1;

  StopSignalRelay relay("\npipe sweep: stopping the running runs, which save their state (again: kill them)\n");

  struct Slot {
    std::size_t job = 0;
    Clock::time_point start;
  };
  std::vector<Slot> slots(parallel);
  std::size_t next = 0;
  int running = 0;
  while ((next < jobs.size() && relay.first_signal() == 0) || running > 0) {
    // Start jobs into free slots.
    while (running < parallel && next < jobs.size() && relay.first_signal() == 0) {
      std::vector<std::string> args = jobs[next].args;
      args.insert(args.begin(), exe);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      BlockStopSignals block;
      if (relay.first_signal() != 0) break;
      int slot = 0;
      while (relay.at(slot) > 0) ++slot;
      const char* gpu = gpus.empty() ? nullptr : gpus[static_cast<std::size_t>(slot) % gpus.size()].c_str();
      std::string header = "$ ";
      if (gpu != nullptr) header += std::string("CUDA_VISIBLE_DEVICES=") + gpu + " ";
      header += jobs[next].command + "\n";
      const pid_t pid = ::fork();
      if (pid == 0)
        exec_child(exe, argv.data(), jobs[next].log.c_str(), header, share_threads ? threads.c_str() : nullptr, gpu,
                   block.saved());
      if (pid < 0) throw std::runtime_error(std::string("cannot start a run: ") + std::strerror(errno));
      relay.set(slot, pid);
      slots[slot] = Slot{next, Clock::now()};
      ++next;
      ++running;
    }
    if (running == 0) break;
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;  // a signal: the handler has passed it on
      throw std::runtime_error(std::string("waiting for a run: ") + std::strerror(errno));
    }
    JobEnd end;
    {
      BlockStopSignals block;
      int slot = 0;
      while (slot < parallel && relay.at(slot) != pid) ++slot;
      if (slot == parallel) continue;  // not one of ours
      relay.set(slot, 0);
      --running;
      end.index = slots[slot].job;
      end.seconds = std::chrono::duration<double>(Clock::now() - slots[slot].start).count();
    }
    end.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    on_end(end);
  }
  return relay.first_signal();
}

}  // namespace pipeml::cli
