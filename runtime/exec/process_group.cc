// The c10d adapter (process_group.h). CMake defines PIPE_GLOO where Gloo's headers are there
// (Debian: libgloo-dev; PyTorch's wheel ships none) and PIPE_NCCL (with USE_C10D_NCCL, which
// c10d's header asks for) where LibTorch has CUDA and nccl.h is found.
#include "runtime/exec/process_group.h"

#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#ifdef PIPE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef PIPE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace pipeml {
namespace {

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

std::string where(const DistSpec& d) { return d.master_addr + ":" + std::to_string(d.master_port); }

// The first line of a c10d/Gloo message: the rest is a C++ backtrace.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

[[noreturn]] void lost(const DistSpec& d, const char* what, const std::exception& e) {
  throw DistributedError("rank " + std::to_string(d.rank) + " lost the other processes during " + what + " (" +
                         first_line(e.what()) + "): another rank stopped or died, or " +
                         std::to_string(static_cast<int>(d.timeout_s)) + " s passed (--dist-timeout)");
}

bool loopback(const std::string& addr) { return addr == "localhost" || addr.rfind("127.", 0) == 0; }

}  // namespace

bool process_group_available(const c10::Device& device, std::string* why) {
#ifdef PIPE_NCCL
  if (device.is_cuda()) return true;
#endif
#ifdef PIPE_GLOO
  if (device.is_cpu()) return true;
#endif
  if (why)
    *why = device.is_cuda() ? "this build of pipe has no NCCL (LibTorch with CUDA and nccl.h are needed)"
                            : "this build of pipe has no Gloo (install libgloo-dev and build again)";
  return false;
}

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::Store> store;
#ifdef PIPE_GLOO
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif
#ifdef PIPE_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
  std::chrono::milliseconds timeout{};

  // Runs `start` (which returns the collective's Work) on the backend and waits for it:
  // Gloo's on the host, up to the timeout; NCCL's by making the current CUDA stream wait
  // (the host goes on, and a CUDA graph can capture it), its timeout kept by NCCL's watchdog.
  template <class Start>
  void run(Start start) {
#ifdef PIPE_NCCL
    if (nccl) start(*nccl)->wait();
#endif
#ifdef PIPE_GLOO
    if (gloo) start(*gloo)->wait(timeout);
#endif
  }
  void all_reduce(at::Tensor& t, c10d::ReduceOp op, const DistSpec& d, const char* what) {
    std::vector<at::Tensor> ts{t};
    c10d::AllreduceOptions options;
    options.reduceOp = op;
    options.timeout = timeout;
    try {
      run([&](auto& pg) { return pg.allreduce(ts, options); });
    } catch (const std::exception& e) {
      lost(d, what, e);
    }
  }
};

ProcessGroup::ProcessGroup(const DistSpec& dist, const c10::Device& device) : impl_(std::make_unique<Impl>()), dist_(dist) {
  std::string why;
  if (!process_group_available(device, &why)) throw DistributedError("data-parallel training on " + device.str() + ": " + why);
  impl_->timeout = millis(dist.timeout_s);
  c10d::TCPStoreOptions opts;
  opts.port = static_cast<std::uint16_t>(dist.master_port);
  opts.isServer = dist.rank == 0;
  opts.numWorkers = static_cast<std::size_t>(dist.world_size);
  opts.waitWorkers = true;
  opts.timeout = impl_->timeout;
  try {
    impl_->store = c10::make_intrusive<c10d::TCPStore>(dist.master_addr, opts);
  } catch (const std::exception& e) {
    const std::string text = first_line(e.what());
    if (dist.rank == 0)
      throw DistributedError("rank 0 cannot serve the rendezvous at " + where(dist) + ": " + text +
                             (text.find("in use") != std::string::npos ? " (choose another --master-port)" : ""));
    throw DistributedError("rank " + std::to_string(dist.rank) + " cannot reach the master at " + where(dist) + " within " +
                           std::to_string(static_cast<int>(dist.timeout_s)) + " s: " + text);
  }
  try {
#ifdef PIPE_NCCL
    if (device.is_cuda()) {
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = impl_->timeout;
      impl_->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, dist.rank, dist.world_size, options);
    }
#endif
#ifdef PIPE_GLOO
    if (device.is_cpu()) {
      auto options = c10d::ProcessGroupGloo::Options::create(impl_->timeout);
      // One host: the loopback device; several: GLOO_SOCKET_IFNAME's interface, or the address
      // this host's name resolves to (what torch.distributed picks).
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      options->devices.push_back(ifname                        ? c10d::ProcessGroupGloo::createDeviceForInterface(ifname)
                                 : loopback(dist.master_addr) ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                                               : c10d::ProcessGroupGloo::createDefaultDevice());
      options->threads = 2;
      impl_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, dist.rank, dist.world_size, options);
    }
#endif
  } catch (const std::exception& e) {
    const int others = dist.world_size - 1;
    throw DistributedError("rank " + std::to_string(dist.rank) + " could not join the other " + std::to_string(others) +
                           (others == 1 ? " process" : " processes") + " within " +
                           std::to_string(static_cast<int>(dist.timeout_s)) + " s (" + first_line(e.what()) +
                           "): is every host's pipe run started, with the same --nnodes, --master-addr and --master-port?");
  }
}

ProcessGroup::~ProcessGroup() = default;

void ProcessGroup::sum(at::Tensor& t, const char* what) { impl_->all_reduce(t, c10d::ReduceOp::SUM, dist_, what); }

void ProcessGroup::max(at::Tensor& t, const char* what) { impl_->all_reduce(t, c10d::ReduceOp::MAX, dist_, what); }

void ProcessGroup::broadcast(at::Tensor& t, const char* what) {
  std::vector<at::Tensor> ts{t};
  try {
    c10d::BroadcastOptions options;
    options.rootRank = 0;
    options.timeout = impl_->timeout;
    impl_->run([&](auto& pg) { return pg.broadcast(ts, options); });
  } catch (const std::exception& e) {
    lost(dist_, what, e);
  }
}

}  // namespace pipeml
