// What runtime/exec/cuda's .cu files share about launching: the stream handed in as void*
// (kernels.h keeps CUDA's types out of its callers), and after a launch null or CUDA's error
// text, which the LibTorch side (fused_ops.cc) turns into an exception; and how many blocks a
// grid-stride kernel gets. For nvcc (and tests/cuda_emu) only.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace pipeml::cuda_kernels {

inline cudaStream_t as_stream(void* s) { return static_cast<cudaStream_t>(s); }

/// Blocks for `items` work items, `per_block` to a block: at least one, and at most `most` (the
/// kernels loop grid-stride over the rest); by default eight for each of an H100's or H200's
/// 132 multiprocessors.
inline int grid_blocks(std::int64_t items, std::int64_t per_block, std::int64_t most = 132 * 8) {
  const std::int64_t wanted = (items + per_block - 1) / per_block;
  return static_cast<int>(wanted < 1 ? 1 : (wanted > most ? most : wanted));
}

inline const char* launched() {
  const cudaError_t e = cudaGetLastError();
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

}  // namespace pipeml::cuda_kernels
