// A LibTorch without CUDA (Debian's): no graphs, and no CUDA stream to switch to.
#include "runtime/exec/cuda_graph.h"

#include <stdexcept>

namespace pipeml {

bool cuda_graphs_available() { return false; }

bool select_cuda_device(int) { return false; }

std::shared_ptr<void> side_stream(const c10::Device&) { return nullptr; }

std::unique_ptr<StepGraph> capture_graph(const std::function<void()>&) {
  throw std::logic_error("this build's LibTorch has no CUDA: no CUDA graphs");
}

}  // namespace pipeml
