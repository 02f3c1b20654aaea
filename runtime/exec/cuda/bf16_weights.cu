// cast_weights_bf16 and add_bf16_grads (kernels.h): a step's bfloat16 weight copies, and the
// addition of their gradients to the float32 .grad, each in one kernel over all the tensors.
// One thread per value of the tensors laid end to end; a thread finds its tensor by walking
// the (at most kMaxWeights) counts.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "runtime/exec/cuda/kernels.h"
#include "runtime/exec/cuda/launched.h"

namespace pipeml::cuda_kernels {
namespace {

constexpr int kThreads = 256;

// The tensor that value e of the concatenation is in, and e made its index there.
__device__ inline int locate(const std::int64_t* n, int count, std::int64_t& e) {
  int t = 0;
  while (t < count - 1 && e >= n[t]) e -= n[t++];
  return t;
}

__global__ void cast_kernel(WeightCasts w, std::int64_t total) {
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    std::int64_t e = i;
    const int t = locate(w.n, w.count, e);
    static_cast<__nv_bfloat16*>(w.bf16[t])[e] = __float2bfloat16(w.weight[t][e]);
  }
}

__global__ void add_kernel(GradAdds g, std::int64_t total) {
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    std::int64_t e = i;
    const int t = locate(g.n, g.count, e);
    if (g.grad_bf16[t]) g.grad[t][e] += __bfloat162float(static_cast<const __nv_bfloat16*>(g.grad_bf16[t])[e]);
  }
}

std::int64_t total_of(const std::int64_t* n, int count) {
  std::int64_t total = 0;
  for (int t = 0; t < count; ++t) total += n[t];
  return total;
}

}  // namespace

const char* cast_weights_bf16(const WeightCasts& w, void* stream) {
  if (w.count < 1 || w.count > kMaxWeights) return "cast_weights_bf16: 1 to kMaxWeights tensors";
  const std::int64_t total = total_of(w.n, w.count);
  cast_kernel<<<grid_blocks(total, kThreads), kThreads, 0, as_stream(stream)>>>(w, total);
  return launched();
}

const char* add_bf16_grads(const GradAdds& g, void* stream) {
  if (g.count < 1 || g.count > kMaxWeights) return "add_bf16_grads: 1 to kMaxWeights tensors";
  const std::int64_t total = total_of(g.n, g.count);
  add_kernel<<<grid_blocks(total, kThreads), kThreads, 0, as_stream(stream)>>>(g, total);
  return launched();
}

}  // namespace pipeml::cuda_kernels
