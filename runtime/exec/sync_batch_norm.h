// torch.nn.SyncBatchNorm for pipe's data-parallel training: in training mode the batch
// statistics are those of every process's batch together (two all-reduces per layer: the
// sums forward, the gradient sums backward); in eval mode it is BatchNorm on the running
// statistics. Its parameters and buffers are BatchNorm's, by the same names, so a model.pt
// loads into a plain BatchNorm (pipe predict, Python).
#pragma once
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include <cstdint>

namespace pipeml {

class ProcessGroup;

class SyncBatchNormImpl : public torch::nn::Cloneable<SyncBatchNormImpl> {
 public:
  SyncBatchNormImpl(std::int64_t features, double eps, double momentum, ProcessGroup* group);
  void reset() override;
  at::Tensor forward(const at::Tensor& x);

  at::Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  std::int64_t features_;
  double eps_, momentum_;
  ProcessGroup* group_;
};
TORCH_MODULE(SyncBatchNorm);

}  // namespace pipeml
