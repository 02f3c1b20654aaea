// Data-parallel training's collectives, on LibTorch's own distributed engine (c10d): a
// TCPStore rendezvous at the master's address, then ProcessGroupGloo for CPU tensors or
// ProcessGroupNCCL for CUDA tensors — what torch.distributed.init_process_group builds. The
// c10d types, and where 1.13 and 2.x differ, stay in process_group.cc; the trainer sees
// this class only.
#pragma once
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>

#include "runtime/train_spec.h"
#include "runtime/user_error.h"

namespace pipeml {

/// A collective that could not finish: a rank that stopped or died, a timeout, an unreachable
/// master. Every rank reports it; the launcher names the rank that died first.
class DistributedError : public UserError {
 public:
  using UserError::UserError;
};

/// Whether this build has a backend for `device`: Gloo for the CPU (Debian's LibTorch with
/// libgloo-dev), NCCL for CUDA (PyTorch's LibTorch with CUDA).
bool process_group_available(const c10::Device& device, std::string* why);

class ProcessGroup {
 public:
  /// Joins the `dist.world_size` processes at dist.master_addr:master_port (rank 0 serves the
  /// store there), with collectives for tensors on `device`. Throws DistributedError when the
  /// rendezvous fails: the port taken, the master unreachable, a rank missing past the timeout.
  ProcessGroup(const DistSpec& dist, const c10::Device& device);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const { return dist_.rank; }
  int size() const { return dist_.world_size; }
  /// In place, every rank's `t` becomes the sum (max) over the ranks; waits for the result.
  void sum(at::Tensor& t, const char* what);
  void max(at::Tensor& t, const char* what);
  /// In place, every rank's `t` becomes rank 0's.
  void broadcast(at::Tensor& t, const char* what);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  DistSpec dist_;
};

}  // namespace pipeml
