// After a kernel launch in one of runtime/exec/cuda's .cu files: null, or CUDA's error text,
// which the LibTorch side (fused_ops.cc) turns into an exception. For nvcc-compiled files only.
#pragma once
#include <cuda_runtime.h>

namespace pipeml::cuda_kernels {

inline const char* launched() {
  const cudaError_t e = cudaGetLastError();
  return e == cudaSuccess ? nullptr : cudaGetErrorString(e);
}

}  // namespace pipeml::cuda_kernels
