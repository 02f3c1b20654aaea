// pipe run FILE: plan, then train and evaluate, writing a run directory.
// pipe run --resume DIR: continue a run that SIGINT or SIGTERM interrupted.
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <iostream>

#include "runtime/cli/common.h"
#include "runtime/cli/launch.h"
#include "runtime/cli/sweep_jobs.h"
#include "runtime/cli/verbs.h"
#include "runtime/artifacts.h"
#include "runtime/executor.h"
#include "runtime/user_error.h"

namespace pipeml::cli {
namespace {

// The first SIGINT or SIGTERM asks training to stop at its next batch and save its state;
// SA_RESETHAND gives the next one its default action, so a second Ctrl-C quits at once.
volatile std::sig_atomic_t g_stop = 0;
bool g_announce = true;  // false in a data-parallel worker but rank 0: one note is enough

extern "C" void on_stop_signal(int signal) {
  g_stop = signal;
  static const char kNote[] = "\npipe: stopping before the next batch to save training's state (again: quit at once)\n";
  if (g_announce) {
    ssize_t ignored = ::write(STDERR_FILENO, kNote, sizeof(kNote) - 1);  // write is async-signal-safe
    (void)ignored;
  }
}

void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

// The error that keeps `dir` from being resumed, or "".
std::string why_not_resumable(const std::string& dir) {
  if (!is_directory(dir)) return "'" + dir + "' is not a directory";
  if (!path_exists(dir + "/plan.json")) return "'" + dir + "' is not a run directory of pipe run: it has no plan.json";
  if (path_exists(dir + "/metrics.json")) return "'" + dir + "' has finished (its metrics.json is written): there is nothing to resume";
  if (!has_checkpoint(dir))
    return "'" + dir + "' has no resume.pt: only a run that SIGINT or SIGTERM interrupted during training can be resumed "
           "(start a run that failed or was killed again with 'pipe run FILE')";
  return "";
}

// Whether `plan` is for `world` processes; a resumed run, or a plan saved by pipe plan -o,
// keeps the world size it was planned for. Says so when not.
bool planned_for(const Plan& plan, const std::string& what, int world) {
  const int planned = plan.overrides.world_size;
  if (planned == world) return true;
  std::cerr << fmt::format("error: '{}' was planned for {} process{} and this is {}; run it with as many "
                           "(--nproc-per-node)\n", what, planned, planned == 1 ? "" : "es", world);
  return false;
}

// The options that change the pipeline, as a worker's command line repeats them.
std::vector<std::string> override_args(const po::variables_map& vm) {
  std::vector<std::string> args;
  if (vm.count("variant")) args.insert(args.end(), {"--variant", vm["variant"].as<std::string>()});
  if (vm.count("set"))
    for (const auto& s : vm["set"].as<std::vector<std::string>>()) args.insert(args.end(), {"--set", s});
  if (vm.count("seed")) args.insert(args.end(), {"--seed", std::to_string(vm["seed"].as<std::int64_t>())});
  if (vm.count("device")) args.insert(args.end(), {"--device", vm["device"].as<std::string>()});
  return args;
}

// pipe run --nproc-per-node N: plans once (every error before a worker starts), makes the
// run directory, then starts the workers, which plan again with the world size.
int launch_run(const po::variables_map& vm, const std::string& file, const RunOptions& options, dsl::Overrides overrides,
               Launch launch) {
  overrides.world_size = launch.nproc_per_node * launch.nnodes;
  auto plan = load_plan(file, overrides, options.resume);
  if (!plan) return kInvalid;
  if (!planned_for(*plan, options.resume ? options.out_dir : file, overrides.world_size)) return kInvalid;
  launch.cuda = plan->pipeline.device == "cuda" || (plan->pipeline.device == "auto" && !visible_gpus().empty());
  if (const int code = check_launch(launch)) return code;
  launch.worker_args = {"run"};
  if (options.resume) {
    launch.worker_args.insert(launch.worker_args.end(), {"--resume", options.out_dir});
  } else {
    launch.worker_args.push_back(file);
    if (launch.node_rank == 0) {  // rank 0 writes into it: made here, so that it is known now
      try {
        launch.worker_args.insert(launch.worker_args.end(), {"--out", make_run_dir(options.out_dir, plan->pipeline.name)});
      } catch (const UserError& e) {
        std::cerr << "error: " << e.what() << '\n';
        return kInvalid;
      }
    }
    const auto more = override_args(vm);
    launch.worker_args.insert(launch.worker_args.end(), more.begin(), more.end());
  }
  return launch_workers(launch);
}

}  // namespace

int run_main(int argc, char** argv) {
  static const char* kUsageText = "usage: pipe run [options] FILE\n       pipe run --resume RUN_DIR";
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")("file", po::value<std::string>(), "a pipeline, or a plan saved by 'pipe plan -o'")
      ("out", po::value<std::string>()->value_name("DIR"), "the run directory (default: a new runs/<pipeline>-<timestamp>/)")
      ("resume", po::value<std::string>()->value_name("RUN_DIR"),
       "continue a run that SIGINT or SIGTERM interrupted, from its resume.pt");
  add_override_options(desc);
  // A process whose environment sets torchrun's WORLD_SIZE, RANK, ... is one worker already.
  po::options_description dist("data-parallel training, as torchrun (docs/distributed.md)");
  dist.add_options()
      ("nproc-per-node", po::value<int>()->value_name("N"), "start N worker processes on this host (one GPU each on CUDA)")
      ("nnodes", po::value<int>()->default_value(1)->value_name("M"), "hosts taking part")
      ("node-rank", po::value<int>()->default_value(0)->value_name("K"), "this host's place among them (0: the master)")
      ("master-addr", po::value<std::string>()->default_value("127.0.0.1")->value_name("ADDR"),
       "the master's address, where rank 0 serves the rendezvous")
      ("master-port", po::value<int>()->value_name("PORT"), "its port (default: a free one on one host, else 29500)")
      ("dist-timeout", po::value<double>()->default_value(300)->value_name("SECONDS"),
       "how long a rank waits for the others (rendezvous, all-reduce) before it fails");
  desc.add(dist);
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (!parse_args(argc, argv, desc, pos, vm, kUsageText)) return kUsage;
  if (vm.count("help")) {
    std::cout << kUsageText << "\n\nTrains and evaluates. Writes plan.json, transforms.json, history.csv,\n"
              << "model.pt (a state dict Python's torch.load reads; see docs/model.md), predictions.csv\n"
              << "and metrics.json. With a kfold stage: plan.json, metrics.json (each fold's metrics,\n"
              << "their mean and std) and fold-N/ per fold with its transforms.json, history.csv,\n"
              << "model.pt, predictions.csv and metrics.json. Then report.html, the page 'pipe report'\n"
              << "rebuilds. Bad data leaves only error.txt.\n\n"
              << "SIGINT (Ctrl-C) or SIGTERM during training stops it before the next batch and saves\n"
              << "its state in resume.pt (a second one quits at once); 'pipe run --resume RUN_DIR', from\n"
              << "the same directory, continues it to the results an uninterrupted run gives.\n\n" << desc;
    return kOk;
  }
  const dsl::Overrides overrides = overrides_from(vm);
  RunOptions options;
  options.progress_bar = isatty(STDERR_FILENO);
  options.stop = &g_stop;
  std::string file;
  if (vm.count("resume")) {
    if (vm.count("file") || vm.count("out") || !overrides.empty()) {
      std::cerr << "pipe run: --resume continues a run as it was planned, in its directory: it takes no FILE, --out, "
                   "--variant, --set, --seed or --device\n" << kUsageText << '\n';
      return kUsage;
    }
    options.out_dir = vm["resume"].as<std::string>();
    options.resume = true;
    if (const std::string why = why_not_resumable(options.out_dir); !why.empty()) {
      std::cerr << "error: " << why << '\n';
      return kInvalid;
    }
    file = options.out_dir + "/plan.json";
  } else if (vm.count("file")) {
    file = vm["file"].as<std::string>();
    if (vm.count("out")) options.out_dir = vm["out"].as<std::string>();
  } else {
    std::cerr << "pipe run: which pipeline?\n" << kUsageText << '\n';
    return kUsage;
  }
  DistSpec env_dist;
  std::string env_error;
  const bool worker = dist_from_environment(env_dist, env_error);
  if (!env_error.empty()) {
    std::cerr << "pipe run: a data-parallel worker's environment is not usable: " << env_error << '\n';
    return kUsage;
  }
  if (worker && vm.count("nproc-per-node")) {
    std::cerr << "pipe run: --nproc-per-node starts workers, and this process is one already (WORLD_SIZE is set)\n";
    return kUsage;
  }
  if (!worker && vm.count("nproc-per-node")) {
    Launch launch;
    launch.nproc_per_node = vm["nproc-per-node"].as<int>();
    launch.nnodes = vm["nnodes"].as<int>();
    launch.node_rank = vm["node-rank"].as<int>();
    launch.master_addr = vm["master-addr"].as<std::string>();
    launch.master_port = vm.count("master-port") ? vm["master-port"].as<int>() : 0;
    launch.timeout_s = vm["dist-timeout"].as<double>();
    if (launch.nproc_per_node < 1 || launch.nnodes < 1 || launch.node_rank < 0 || launch.node_rank >= launch.nnodes ||
        !(launch.timeout_s > 0)) {
      std::cerr << "pipe run: --nproc-per-node and --nnodes must be at least 1, --node-rank from 0 to --nnodes - 1, "
                   "--dist-timeout positive\n" << kUsageText << '\n';
      return kUsage;
    }
    if (launch.nproc_per_node * launch.nnodes > 1) return launch_run(vm, file, options, overrides, launch);
  }
  if (worker) {
    options.dist = env_dist;
    options.progress_bar = options.progress_bar && env_dist.rank == 0;
    g_announce = env_dist.rank == 0;
  }
  catch_stop_signals();
  TrainerLoader loader;  // LibTorch loads while the pipeline is planned and the data prepared
  dsl::Overrides worker_overrides = overrides;
  worker_overrides.world_size = options.dist.world_size;
  auto plan = load_plan(file, worker_overrides, options.resume);
  if (!plan) return kInvalid;
  if (!planned_for(*plan, file, options.dist.world_size)) return kInvalid;
  return execute(*plan, loader, options, std::cout, std::cerr);
}

}  // namespace pipeml::cli
