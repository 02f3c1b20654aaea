#include "runtime/cli/launch.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <stdexcept>
#include <thread>

#include "runtime/cli/sweep_jobs.h"

extern char** environ;

namespace pipeml::cli {
namespace {

// A whole number from an environment variable or option text; false when it is not one.
bool parse_int(const char* text, int& out) {
  if (text == nullptr || *text == '\0') return false;
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text, &end, 10);
  if (*end != '\0' || errno != 0 || v < 0 || v > 1 << 30) return false;
  out = static_cast<int>(v);
  return true;
}

// A port the kernel says is free on this host (for a one-host run without --master-port).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error(std::string("cannot open a socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error(std::string("cannot find a free port: ") + std::strerror(errno));
  return ntohs(addr.sin_port);
}

// Why rank 0 could not serve the rendezvous on `port` of this host ("" when it can): what the
// TCPStore would meet, found before any worker starts.
std::string port_problem(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::string("cannot open a socket: ") + std::strerror(errno);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));  // as the TCPStore binds
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  std::string problem;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) problem = std::strerror(errno);
  ::close(fd);
  return problem;
}

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status)) {
    const char* name = ::sigabbrev_np(WTERMSIG(status));
    return fmt::format("was killed by {}", name ? std::string("SIG") + name : std::to_string(WTERMSIG(status)));
  }
  return fmt::format("exited with code {}", WEXITSTATUS(status));
}

// The environment of worker `local_rank`: this one's, with torchrun's variables set.
std::vector<std::string> worker_environment(const Launch& l, int local_rank) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  env["RANK"] = std::to_string(l.node_rank * l.nproc_per_node + local_rank);
  env["LOCAL_RANK"] = std::to_string(local_rank);
  env["GROUP_RANK"] = std::to_string(l.node_rank);
  env["WORLD_SIZE"] = std::to_string(l.nnodes * l.nproc_per_node);
  env["LOCAL_WORLD_SIZE"] = std::to_string(l.nproc_per_node);
  env["MASTER_ADDR"] = l.master_addr;
  env["MASTER_PORT"] = std::to_string(l.master_port);
  env["PIPE_DIST_TIMEOUT"] = fmt::format("{}", l.timeout_s);
  // c10d's own log lines (glog in Debian's 1.13, c10's logger in 2.x) repeat, with a
  // timestamp and a source line, what the workers report themselves: quiet unless asked for.
  env.emplace("GLOG_minloglevel", "3");
  env.emplace("TORCH_CPP_LOG_LEVEL", "FATAL");
  // As torchrun: the cores shared out among the workers unless the user chose.
  if (env.count("OMP_NUM_THREADS") == 0) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    env["OMP_NUM_THREADS"] = std::to_string(std::max(1u, cores / static_cast<unsigned>(l.nproc_per_node)));
  }
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

bool dist_from_environment(DistSpec& dist, std::string& error) {
  const char* world = std::getenv("WORLD_SIZE");
  if (world == nullptr) return false;
  auto need = [&](const char* name, int& out) {
    if (parse_int(std::getenv(name), out)) return true;
    const char* v = std::getenv(name);
    error = v ? fmt::format("{}='{}' is not a whole number", name, v) : fmt::format("{} is not set", name);
    return false;
  };
  if (!need("WORLD_SIZE", dist.world_size) || !need("RANK", dist.rank)) return true;
  if (dist.world_size < 1 || dist.rank >= dist.world_size) {
    error = fmt::format("RANK {} is not below WORLD_SIZE {}", dist.rank, dist.world_size);
    return true;
  }
  dist.local_rank = dist.rank;
  if (std::getenv("LOCAL_RANK") && !need("LOCAL_RANK", dist.local_rank)) return true;
  if (dist.world_size == 1) return true;
  const char* addr = std::getenv("MASTER_ADDR");
  if (addr == nullptr || *addr == '\0') {
    error = "MASTER_ADDR is not set: the address of the host of rank 0";
    return true;
  }
  dist.master_addr = addr;
  if (!need("MASTER_PORT", dist.master_port)) return true;
  if (const char* t = std::getenv("PIPE_DIST_TIMEOUT")) {
    char* end = nullptr;
    dist.timeout_s = std::strtod(t, &end);
    if (*end != '\0' || !(dist.timeout_s > 0)) error = fmt::format("PIPE_DIST_TIMEOUT='{}' is not a positive number of seconds", t);
  }
  return true;
}

int check_launch(Launch& launch) {
  if (launch.nproc_per_node > StopSignalRelay::kSlots) {
    std::cerr << fmt::format("error: --nproc-per-node {} is more than {} processes\n", launch.nproc_per_node,
                             StopSignalRelay::kSlots);
    return 2;
  }
  if (launch.cuda) {
    const std::size_t gpus = visible_gpus().size();
    if (gpus == 0) {
      std::cerr << fmt::format("error: --nproc-per-node {} with --device cuda trains on one GPU per process, and this host "
                               "has none visible{}; train on the CPU with --device cpu\n", launch.nproc_per_node,
                               std::getenv("CUDA_VISIBLE_DEVICES") ? " (CUDA_VISIBLE_DEVICES)" : "");
      return 2;
    }
    if (static_cast<std::size_t>(launch.nproc_per_node) > gpus) {
      std::cerr << fmt::format("error: --nproc-per-node {} trains on one GPU per process, and this host has {} visible{}; "
                               "start at most {} process{}, or train on the CPU with --device cpu\n",
                               launch.nproc_per_node, gpus, std::getenv("CUDA_VISIBLE_DEVICES") ? " (CUDA_VISIBLE_DEVICES)" : "",
                               gpus, gpus == 1 ? "" : "es");
      return 2;
    }
  }
  if (launch.master_port == 0) launch.master_port = launch.nnodes == 1 ? free_port() : 29500;
  if (launch.node_rank == 0)
    if (const std::string problem = port_problem(launch.master_port); !problem.empty()) {
      std::cerr << fmt::format("error: rank 0 cannot serve the rendezvous on port {}: {} (another run, or torchrun, may "
                               "hold it); choose another with --master-port\n", launch.master_port, problem);
      return 2;
    }
  return 0;
}

int launch_workers(const Launch& launch) {
  const std::string exe = self_executable();
  // A Ctrl-C reaches the workers once: each stops at the batch they agree on and saves.
  StopSignalRelay relay("");

  std::vector<pid_t> pids(static_cast<std::size_t>(launch.nproc_per_node), 0);
  for (int local = 0; local < launch.nproc_per_node; ++local) {
    std::vector<std::string> args = launch.worker_args;
    args.insert(args.begin(), exe);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env = worker_environment(launch, local);
    std::vector<char*> envp;
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    BlockStopSignals block;
    if (relay.first_signal() != 0) break;
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);                     // a terminal's Ctrl-C reaches the launcher, which passes it on once
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // a launcher that dies stops its workers
      const int in = ::open("/dev/null", O_RDONLY);
      if (in >= 0) ::dup2(in, STDIN_FILENO);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      ::sigaction(SIGINT, &dfl, nullptr);
      ::sigaction(SIGTERM, &dfl, nullptr);
      ::sigprocmask(SIG_SETMASK, &block.saved(), nullptr);
      ::execve(exe.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    if (pid < 0) {
      std::cerr << "error: cannot start a worker: " << std::strerror(errno) << '\n';
      for (pid_t p : pids)
        if (p > 0) ::kill(p, SIGKILL);
      return 1;
    }
    pids[static_cast<std::size_t>(local)] = pid;
    relay.set(local, pid);
  }

  // Wait for them all. When one fails (not after a user's signal), the others' next
  // collective fails too and they stop, writing what they have; any still running once the
  // timeout (at most 30 s) has passed is killed.
  using Clock = std::chrono::steady_clock;
  int running = 0;
  for (pid_t p : pids) running += p > 0;
  int exit_code = 0;
  std::string first_failure;
  Clock::time_point kill_at = Clock::time_point::max();
  const auto grace = std::chrono::milliseconds(static_cast<std::int64_t>(std::min(launch.timeout_s, 30.0) * 1000));
  while (running > 0) {
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid < 0 && errno != EINTR) break;
    if (pid <= 0) {
      if (Clock::now() >= kill_at) {
        BlockStopSignals block;
        relay.kill_all(SIGKILL);
        kill_at = Clock::time_point::max();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    int local = 0;
    {
      BlockStopSignals block;
      while (local < launch.nproc_per_node && pids[static_cast<std::size_t>(local)] != pid) ++local;
      if (local == launch.nproc_per_node) continue;
      relay.set(local, 0);
    }
    --running;
    const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    if (!failed || relay.first_signal() != 0 || !first_failure.empty()) continue;
    const int rank = launch.node_rank * launch.nproc_per_node + local;
    first_failure = fmt::format("rank {} (pid {}) {}", rank, pid, how_it_ended(status));
    exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    if (running > 0) {  // they find out by themselves (a collective fails), or are killed
      std::cerr << fmt::format("pipe: {}; {} at {} next collective (killed if still running in {:g} s)\n", first_failure,
                               running == 1 ? "the other rank stops" : "the other ranks stop", running == 1 ? "its" : "their",
                               std::chrono::duration<double>(grace).count());
      kill_at = Clock::now() + grace;
    }
  }
  if (relay.first_signal() != 0) return 128 + relay.first_signal();
  if (!first_failure.empty()) {
    std::cerr << fmt::format("pipe: the run failed: {}\n", first_failure);
    return exit_code;
  }
  return 0;
}

}  // namespace pipeml::cli
