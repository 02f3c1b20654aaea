// CUDA graphs for the training step and the choice of GPU, behind one small adapter: runtime/exec/cuda/cuda_graph.cc
// where LibTorch has CUDA (the GPU machine), runtime/exec/no_cuda/cuda_graph.cc elsewhere
// (Debian's CPU-only LibTorch has no CUDA headers). CMake compiles one of the two.
#pragma once
#include <c10/core/Device.h>

#include <functional>
#include <memory>

namespace pipeml {

/// A captured step: replay() launches all of its kernels at once on the current stream.
class StepGraph {
 public:
  virtual ~StepGraph() = default;
  virtual void replay() = 0;
};

/// Makes GPU `index` the current one, so that "cuda" means it from now on (a data-parallel
/// rank's own GPU, by its local rank). False where there is no such GPU.
bool select_cuda_device(int index);

/// Whether this build can capture CUDA graphs.
bool cuda_graphs_available();

/// While it lives, a stream of `device` other than the default one is current: a capture
/// cannot use the default stream, and the steps before it (the warm-up) and the replays after
/// it run on the same stream. Synchronises that stream when it ends.
std::shared_ptr<void> side_stream(const c10::Device& device);

/// Records `body` (device work only: no host reads of device values) into a CUDA graph: its
/// kernels do not run now but at every replay(). Throws where graphs are not available.
std::unique_ptr<StepGraph> capture_graph(const std::function<void()>& body);

}  // namespace pipeml
