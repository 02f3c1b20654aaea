// What runtime/exec/cuda's .cu files share about launching: the stream handed in as void*
// (kernels.h keeps CUDA's types out of its callers), and after a launch null or CUDA's error
// text, which the LibTorch side (fused_ops.cc) turns into an exception. For nvcc only.
#pragma once
#include <cuda_runtime.h>

namespace pipeml::cuda_kernels {

inline cudaStream_t as_stream(void* s) { return static_cast<cudaStream_t>(s); }

inline const char* launched() {
  const cudaError_t e = cudaGetLastError();
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

}  // namespace pipeml::cuda_kernels
