// Nearest-neighbour candidates on the GPU for the data stages (SMOTE and kin): brute force
// over every pair, |x|^2 - 2 q.x in float32 by one matrix product per chunk of query rows,
// then topk; the CPU re-ranks the candidates in double (ops/smote.cc), so the neighbours
// are exact. The chunk is sized so its distance block stays near 1 GiB, whatever the
// class size. Exported as plain functions (see trainer_api.h).
#include <ATen/ATen.h>
#include <torch/cuda.h>

#include <cstring>
#include <limits>

#include "runtime/trainer_api.h"

namespace pipeml {
namespace {

std::string candidates_on_cuda(const double* x, std::size_t n, std::size_t d, std::size_t keep, std::uint32_t* out) {
  if (!torch::cuda::is_available()) return "this machine has no usable CUDA GPU";
  const auto rows = static_cast<std::int64_t>(n), cols = static_cast<std::int64_t>(d);
  // float32: half the memory traffic of float64, which is what bounds this search; the
  // caller's exact re-ranking absorbs the rounding (it asks for a margin of candidates).
  const at::Tensor all =
      at::from_blob(const_cast<double*>(x), {rows, cols}, at::kDouble).to(at::TensorOptions().dtype(at::kFloat).device(at::kCUDA));
  const at::Tensor norms = all.mul(all).sum(1);  // |x|^2 per row
  // Per query row only |x|^2 - 2 q.x orders the candidates; |q|^2 is the same for all.
  const std::int64_t chunk = std::max<std::int64_t>(1, std::min<std::int64_t>(rows, (std::int64_t{1} << 28) / rows));
  const auto k = static_cast<std::int64_t>(keep);
  for (std::int64_t q0 = 0; q0 < rows; q0 += chunk) {
    const std::int64_t c = std::min(chunk, rows - q0);
    at::Tensor dist = at::addmm(norms.unsqueeze(0).expand({c, rows}), all.narrow(0, q0, c), all.t(), 1.0, -2.0);
    dist.narrow(1, q0, c).diagonal().fill_(std::numeric_limits<float>::infinity());  // never the row itself
    const at::Tensor idx = std::get<1>(dist.topk(k, 1, /*largest=*/false, /*sorted=*/false)).to(at::kInt).cpu();
    std::memcpy(out + q0 * k, idx.data_ptr<int>(), static_cast<std::size_t>(c * k) * sizeof(std::uint32_t));
  }
  return {};
}

}  // namespace
}  // namespace pipeml

extern "C" __attribute__((visibility("default"))) bool pipe_cuda_available() { return torch::cuda::is_available(); }

extern "C" __attribute__((visibility("default"))) std::string pipe_neighbour_candidates(const double* x, std::size_t n,
                                                                                        std::size_t d, std::size_t keep,
                                                                                        std::uint32_t* out) {
  try {
    return pipeml::candidates_on_cuda(x, n, d, keep, out);
  } catch (const std::exception& e) {
    return e.what();
  }
}
