// Data-parallel training, by the real binary on the CPU: two worker processes that meet on
// the loopback address (c10d's TCPStore) and average their gradients with Gloo. One step of
// two processes on half a batch each is one step of one process on the whole batch; the
// heart recipe trains in two processes into one set of artifacts; what goes wrong — a
// taken port, a rank that dies, a Ctrl-C — is said, never a hang.
#include <ATen/ATen.h>  // before Catch: its CHECK replaces glog's
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/exec/model_io.h"
#include "tests/cli/cli_helpers.h"
#include "tests/temp_dir.h"

using nlohmann::json;
using pipetest::entries;
using pipetest::read_file;
using pipetest::run_pipe;

// The CPU's data-parallel backend is Gloo, which PyTorch's LibTorch ships without headers:
// a GPU machine's build has NCCL only (tests/bench/ddp_bench.py measures it there).
#ifdef PIPE_HAVE_GLOO
#define NEEDS_GLOO()
#else
#define NEEDS_GLOO()                                                   \
  do {                                                                 \
    WARN("skipped: this build has no Gloo (CPU data-parallel training)"); \
    return;                                                            \
  } while (false)
#endif

namespace {

// A TCP port the kernel chose, held by a socket bound to `address` (listening when asked)
// until release(), which closes it and returns the port.
struct BoundPort {
  BoundPort(in_addr_t address, bool listening) : fd(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(address);
    socklen_t len = sizeof(addr);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    if (listening) REQUIRE(::listen(fd, 1) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
  ~BoundPort() { release(); }
  int release() {
    if (fd >= 0) ::close(fd), fd = -1;
    return port;
  }
  int fd;
  int port = 0;
};

// 40 rows of four features and a class that depends on them: 20 training rows after an
// even split, one batch of 20 for one process or of 10 for each of two.
std::string write_small_pipeline(const pipetest::TempDir& tmp, const std::string& optimizer, bool batch_norm = false) {
  std::ofstream csv(tmp.path("rows.csv"));
  csv << "a,b,c,d,target\n";
  for (int i = 0; i < 40; ++i) {
    const double a = std::sin(i * 1.3), b = std::cos(i * 0.7), c = (i % 7) / 7.0, d = ((i * 13) % 11) / 11.0 - 0.5;
    csv << a << ',' << b << ',' << c << ',' << d << ',' << (a + b - c + d > 0 ? 1 : 0) << '\n';
  }
  const std::string yaml = tmp.path("small.yaml");
  std::ofstream(yaml) << "pipeline: small\nseed: 7\ndata:\n  - op: load_csv\n    path: rows.csv\n    target: target\n"
                         "  - op: split\n    test_size: 0.5\n  - op: standardize\n"
                         "model:\n  op: mlp\n  hidden: [8]\n  batch_norm: "
                      << (batch_norm ? "true" : "false") << "\n"
                         "loss:\n  op: bce_with_logits\noptimizer:\n"
                      << optimizer << "train:\n  epochs: 1\n  batch_size: 20\nevaluate:\n  metrics: [accuracy]\n";
  return yaml;
}

// Runs `pipe ARGS` (stdout and stderr together) and, once the output shows `mark`, sends
// `signal` to the worker of rank `rank`, found by its RANK in /proc.
pipetest::Result run_and_signal_rank(const std::string& args, const std::string& mark, int rank, int signal) {
  return pipetest::run_pipe_until(args, {mark}, [&](pid_t launcher) {
    const std::string task = "/proc/" + std::to_string(launcher) + "/task/" + std::to_string(launcher);
    std::istringstream children(read_file(task + "/children"));
    for (pid_t child; children >> child;) {
      const std::string env = '\0' + read_file("/proc/" + std::to_string(child) + "/environ");
      if (env.find(std::string(1, '\0') + "RANK=" + std::to_string(rank) + '\0') != std::string::npos)
        ::kill(child, signal);
    }
  });
}

// The largest difference between two model.pt files' tensors (infinity if their names differ).
double largest_difference(const std::string& a, const std::string& b) {
  const auto x = pipeml::read_tensor_dict(a), y = pipeml::read_tensor_dict(b);
  if (x.size() != y.size()) return INFINITY;
  double most = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i].first != y[i].first) return INFINITY;
    most = std::max(most, (x[i].second - y[i].second).abs().max().item<double>());
  }
  return most;
}

}  // namespace

TEST_CASE("one step of two processes on half the batch each is one step on the whole batch", "[distributed][cli]") {
  NEEDS_GLOO();
  for (const std::string optimizer : {"  op: sgd\n  lr: 0.5\n", "  op: adamw\n  lr: 0.01\n"}) {
    INFO(optimizer);
    const pipetest::TempDir tmp;
    const std::string yaml = write_small_pipeline(tmp, optimizer);
    const auto one = run_pipe("run " + yaml + " --device cpu --out " + tmp.path("one"));
    INFO(one.out);
    REQUIRE(one.code == 0);
    const auto two = run_pipe("run " + yaml + " --device cpu --set train.batch_size=10 --nproc-per-node 2 --out " +
                              tmp.path("two"));
    INFO(two.out);
    REQUIRE(two.code == 0);
    CHECK(largest_difference(tmp.path("one/model.pt"), tmp.path("two/model.pt")) <= 1e-6);
    // What the equality rules out: one process stepping twice through batches of 10 ends elsewhere.
    const auto halves = run_pipe("run " + yaml + " --device cpu --set train.batch_size=10 --out " + tmp.path("halves"));
    REQUIRE(halves.code == 0);
    CHECK(largest_difference(tmp.path("one/model.pt"), tmp.path("halves/model.pt")) > 1e-3);
    // The plan and metrics.json say it was two processes; rank 0 alone wrote and printed.
    CHECK(json::parse(read_file(tmp.path("two/metrics.json")))["world_size"] == 2);
    CHECK(json::parse(read_file(tmp.path("two/plan.json")))["overrides"]["world_size"] == 2);
    CHECK(pipetest::occurrences(two.out, "epoch   1/1") == 1);
    CHECK(pipetest::occurrences(two.out, "\nartifacts in ") == 1);
  }
}

TEST_CASE("with sync_batch_norm, BatchNorm sees both processes' halves as one batch", "[distributed][cli]") {
  NEEDS_GLOO();
  const pipetest::TempDir tmp;
  const std::string yaml = write_small_pipeline(tmp, "  op: sgd\n  lr: 0.5\n", true);
  REQUIRE(run_pipe("run " + yaml + " --device cpu --out " + tmp.path("one")).code == 0);
  const std::string two = "run " + yaml + " --device cpu --set train.batch_size=10 --nproc-per-node 2 --out ";
  const auto synced = run_pipe(two + tmp.path("synced") + " --set train.sync_batch_norm=true");
  INFO(synced.out);
  REQUIRE(synced.code == 0);
  REQUIRE(run_pipe(two + tmp.path("per-process")).code == 0);
  // The weights and the running statistics: those of one BatchNorm over all 20 rows...
  CHECK(largest_difference(tmp.path("one/model.pt"), tmp.path("synced/model.pt")) <= 1e-6);
  // ... which DDP's default, each process normalising its own 10, does not give.
  CHECK(largest_difference(tmp.path("one/model.pt"), tmp.path("per-process/model.pt")) > 1e-3);
  const auto plan = run_pipe("plan " + yaml + " --device cpu --nproc-per-node 2 --set train.sync_batch_norm=true");
  CHECK(plan.out.find("; BatchNorm statistics over all processes' batches together (SyncBatchNorm: two all-reduces per "
                      "BatchNorm layer and step); rank 0 validates") != std::string::npos);
}

TEST_CASE("the heart recipe trains in two processes into one set of artifacts", "[distributed][cli]") {
  NEEDS_GLOO();
  const pipetest::TempDir tmp;
  const std::string out = tmp.path("runs/heart");
  const auto r = run_pipe("run pipelines/heart.yaml --device cpu --nproc-per-node 2 --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(entries(tmp.path("runs")) == std::set<std::string>{"heart"});
  CHECK(entries(out) == std::set<std::string>{"plan.json", "transforms.json", "history.csv", "model.pt", "predictions.csv",
                                              "metrics.json", "report.html"});
  const auto m = json::parse(read_file(out + "/metrics.json"));
  CHECK(m["world_size"] == 2);
  CHECK(m["train_rows"] == 524);
  CHECK(m["test"]["confusion_matrix"][0][0].get<int>() + m["test"]["confusion_matrix"][0][1].get<int>() +
            m["test"]["confusion_matrix"][1][0].get<int>() + m["test"]["confusion_matrix"][1][1].get<int>() ==
        61);
  // The single-process recipe's band (its 50 epochs give 0.84 on this split).
  CHECK(m["test"]["accuracy"].get<double>() >= 0.8);
  CHECK(pipetest::occurrences(r.out, "epoch  50/50") == 1);
  CHECK(pipetest::occurrences(read_file(out + "/history.csv"), "\n") == 51);
}

TEST_CASE("two hosts' launchers (--nnodes 2) meet at the master and train as one run", "[distributed][cli]") {
  NEEDS_GLOO();
  const pipetest::TempDir tmp;
  // A port the kernel says is free, for the master (both "hosts" are this one, on loopback).
  const std::string port = std::to_string(BoundPort(INADDR_LOOPBACK, false).release());
  const std::string pipe = std::string("'") + PIPE_BINARY_DIR + "/pipe' run pipelines/heart.yaml --device cpu "
                           "--set train.epochs=3 --nnodes 2 --nproc-per-node 1 --master-port " + port;
  const auto r = pipetest::run_command(std::string("cd '") + PIPE_SOURCE_DIR + "' && { " + pipe + " --node-rank 0 --out '" +
                                       tmp.path("run") + "' > '" + tmp.path("node0.log") + "' 2>&1 & " + pipe +
                                       " --node-rank 1 2>&1; code=$?; wait $!; echo \"node 1: $code, node 0: $?\"; }");
  INFO(r.out);
  INFO(read_file(tmp.path("node0.log")));
  CHECK(r.out == "node 1: 0, node 0: 0\n");  // host 1 writes and prints nothing
  CHECK(json::parse(read_file(tmp.path("run/metrics.json")))["world_size"] == 2);
  CHECK(pipetest::occurrences(read_file(tmp.path("node0.log")), "epoch   3/3") == 1);
}

TEST_CASE("pipe plan shows the world size, the batch per process and each process's rows", "[distributed][cli]") {
  const auto r = run_pipe("plan pipelines/heart.yaml --device cpu --nproc-per-node 2 --nnodes 2");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("  world   4 processes, data-parallel (c10d: Gloo on the CPU, NCCL on CUDA); batch_size 32 per "
                   "process, 128 in all\n") != std::string::npos);
  CHECK(r.out.find("    note: data-parallel over 4 processes: each trains on 131 of the 524 training rows per epoch and "
                   "takes 5 batches of 32 (an effective batch of 128); gradients are averaged by an all-reduce after "
                   "every backward\n    note: learning rate as given, not scaled with the world size (lr_scaling: none); BatchNorm "
                   "statistics per process, as DDP without SyncBatchNorm (rank 0's running statistics are the model's); "
                   "rank 0 validates, tests and writes the artifacts\n") != std::string::npos);
  // 524 rows over 3 processes: the order is padded with 1 row, as DistributedSampler pads it.
  const auto three = run_pipe("plan pipelines/heart.yaml --device cpu --nproc-per-node 3");
  CHECK(three.out.find("each trains on 175 of the 524 training rows per epoch (the shuffled order padded with its first 1 "
                       "to a multiple of 3, as DistributedSampler pads) and takes 6 batches of 32") != std::string::npos);
}

TEST_CASE("data-parallel mistakes are said before training starts", "[distributed][cli]") {
  const pipetest::TempDir tmp;
  SECTION("a master port in use") {
    BoundPort taken(INADDR_ANY, true);
    const int port = taken.port;
    const auto r = run_pipe("run pipelines/heart.yaml --device cpu --nproc-per-node 2 --master-port " + std::to_string(port) +
                            " --out " + tmp.path("run"));
    taken.release();
    CHECK(r.code == 2);
    CHECK(r.out == "error: rank 0 cannot serve the rendezvous on port " + std::to_string(port) +
                       ": Address already in use (another run, or torchrun, may hold it); choose another with "
                       "--master-port\n");
    CHECK_FALSE(pipetest::path_exists(tmp.path("run")));
  }
  SECTION("more processes than GPUs") {
    const auto r = run_pipe("run pipelines/heart.yaml --device cuda --nproc-per-node 64 --out " + tmp.path("run"));
    CHECK(r.code == 2);
    // This host's GPUs, as the launcher counts them (none on CI).
    const std::string gpus = pipetest::run_command("ls /proc/driver/nvidia/gpus 2>/dev/null | wc -l").out;
    if (std::getenv("CUDA_VISIBLE_DEVICES") == nullptr && std::stoi(gpus) == 0)
      CHECK(r.out == "error: --nproc-per-node 64 with --device cuda trains on one GPU per process, and this host has none "
                     "visible; train on the CPU with --device cpu\n");
    else
      CHECK(r.out.rfind("error: --nproc-per-node 64 trains on one GPU per process, and this host has ", 0) == 0);
    CHECK_FALSE(pipetest::path_exists(tmp.path("run")));
  }
  SECTION("an unreachable master") {
    NEEDS_GLOO();
    // Node 1 of 2 waits for a master that never comes: it says so when the timeout passes.
    const auto start = std::chrono::steady_clock::now();
    const auto r = run_pipe("run pipelines/heart.yaml --device cpu --nproc-per-node 1 --nnodes 2 --node-rank 1 "
                            "--master-addr 127.0.0.1 --master-port 9 --dist-timeout 3");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK(r.out.find("rank 1: error: rank 1 cannot reach the master at 127.0.0.1:9 within 3 s: ") != std::string::npos);
    CHECK(r.out.find("pipe: the run failed: rank 1 (pid ") != std::string::npos);
    CHECK(seconds < 30);
  }
  SECTION("a host that never comes") {
    NEEDS_GLOO();
    // Node 0 of 2 alone: its rank waits for the other past the timeout, then says so.
    const auto start = std::chrono::steady_clock::now();
    const auto r = run_pipe("run pipelines/heart.yaml --device cpu --nproc-per-node 1 --nnodes 2 --node-rank 0 "
                            "--dist-timeout 2 --out " + tmp.path("run"));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK(r.out.find("error: rank 0 could not join the other 1 process within 2 s (") != std::string::npos);
    CHECK(r.out.find("): is every host's pipe run started, with the same --nnodes, --master-addr and --master-port?\n") !=
          std::string::npos);
    CHECK(seconds < 30);
    CHECK(pipetest::path_exists(tmp.path("run/error.txt")));
  }
  SECTION("bad options and environments") {
    CHECK(run_pipe("run pipelines/heart.yaml --nproc-per-node 0").code == 2);
    CHECK(run_pipe("run pipelines/heart.yaml --nproc-per-node 2 --nnodes 2 --node-rank 2").code == 2);
    const auto worker = pipetest::run_command(std::string("cd '") + PIPE_SOURCE_DIR + "' && WORLD_SIZE=2 RANK=x '" +
                                              PIPE_BINARY_DIR + "/pipe' run pipelines/heart.yaml 2>&1");
    CHECK(worker.code == 2);
    CHECK(worker.out == "pipe run: a data-parallel worker's environment is not usable: RANK='x' is not a whole number\n");
  }
}

TEST_CASE("a rank that dies stops the others with a message naming it", "[distributed][cli]") {
  NEEDS_GLOO();
  const pipetest::TempDir tmp;
  const std::string out = tmp.path("run");
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_and_signal_rank("run pipelines/heart.yaml --device cpu --set train.epochs=5000 --nproc-per-node 2 "
                                "--dist-timeout 20 --out " + out,
                                "epoch   3/5000", 1, SIGKILL);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("pipe: rank 1 (pid ") != std::string::npos);
  CHECK(r.out.find(") was killed by SIGKILL; the other rank stops at its next collective (killed if still running in 20 s)\n") != std::string::npos);
  CHECK(r.out.find("error: rank 0 lost the other processes during ") != std::string::npos);
  CHECK(r.out.find("pipe: the run failed: rank 1 (pid ") != std::string::npos);
  CHECK(seconds < 60);
  // What rank 0 had done is kept: the epochs that finished, and the error.
  CHECK(pipetest::path_exists(out + "/error.txt"));
  CHECK(pipetest::path_exists(out + "/history.csv"));
}

TEST_CASE("Ctrl-C stops every rank at the same batch, and --resume finishes the run as if uninterrupted", "[distributed][cli]") {
  NEEDS_GLOO();
  const pipetest::TempDir tmp;
  const std::string args = "run pipelines/heart.yaml --device cpu --set train.epochs=40 --nproc-per-node 2 --out ";
  const auto whole = run_pipe(args + tmp.path("whole"));
  REQUIRE(whole.code == 0);
  const std::string dir = tmp.path("stopped");
  const auto stopped = pipetest::run_pipe_interrupted(args + dir, {"epoch   5/40"}, SIGINT);
  INFO(stopped.out);
  REQUIRE(stopped.code == 128 + SIGINT);
  CHECK(pipetest::occurrences(stopped.out, "pipe: stopping before the next batch to save training's state") == 1);
  CHECK(stopped.out.find("training's state is saved in " + dir + "/resume.pt\ncontinue with: pipe run --resume " + dir +
                         " --nproc-per-node 2\n") != std::string::npos);
  CHECK(entries(dir) == std::set<std::string>{"history.csv", "plan.json", "resume.pt", "transforms.json"});
  // Resuming needs as many processes as the run had.
  const auto alone = run_pipe("run --resume " + dir);
  CHECK(alone.code == 1);
  CHECK(alone.out.find("was planned for 2 processes and this is 1; run it with as many (--nproc-per-node)") !=
        std::string::npos);
  const auto three = run_pipe("run --resume " + dir + " --nproc-per-node 3");
  CHECK(three.code == 1);
  CHECK(three.out == "error: '" + dir + "' was planned for 2 processes and this is 3; run it with as many (--nproc-per-node)\n");
  const auto resumed = run_pipe("run --resume " + dir + " --nproc-per-node 2");
  INFO(resumed.out);
  REQUIRE(resumed.code == 0);
  CHECK(read_file(dir + "/model.pt") == read_file(tmp.path("whole/model.pt")));
  CHECK(read_file(dir + "/predictions.csv") == read_file(tmp.path("whole/predictions.csv")));
}
