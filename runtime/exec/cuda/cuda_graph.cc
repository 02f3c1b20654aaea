// CUDA graphs with LibTorch's CUDA (see runtime/exec/cuda_graph.h).
#include "runtime/exec/cuda_graph.h"

#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>

namespace pipeml {
namespace {

class CudaStepGraph final : public StepGraph {
 public:
  explicit CudaStepGraph(const std::function<void()>& body) {
    graph_.capture_begin();
    try {
      body();
    } catch (...) {
      graph_.capture_end();
      throw;
    }
    graph_.capture_end();
  }
  void replay() override { graph_.replay(); }

 private:
  at::cuda::CUDAGraph graph_;
};

struct SideStream {
  explicit SideStream(const c10::Device& device)
      : stream(c10::cuda::getStreamFromPool(false, device.index())), guard(stream) {}
  ~SideStream() { stream.synchronize(); }
  c10::cuda::CUDAStream stream;
  c10::cuda::CUDAStreamGuard guard;
};

}  // namespace

bool select_cuda_device(int index) {
  if (index < 0 || index >= static_cast<int>(c10::cuda::device_count())) return false;
  c10::cuda::set_device(static_cast<c10::DeviceIndex>(index));
  return true;
}

bool cuda_graphs_available() { return true; }

std::shared_ptr<void> side_stream(const c10::Device& device) {
  if (!device.is_cuda()) return nullptr;
  // The side stream waits for what the default stream was given before (the data's upload).
  c10::cuda::getCurrentCUDAStream(device.index()).synchronize();
  return std::make_shared<SideStream>(device);
}

std::unique_ptr<StepGraph> capture_graph(const std::function<void()>& body) { return std::make_unique<CudaStepGraph>(body); }

}  // namespace pipeml
