// Nearest-neighbour candidates on the GPU for the data stages (SMOTE and kin): brute force
// over every pair in float32, then an exact re-ranking in double by the caller
// (ops/nearest_neighbours.cc), so the neighbours are exact. Exported as plain functions
// (see trainer_api.h).
//
// The rows go to the device once, as doubles, and are centred and rounded to float32
// there. Distances come from one matrix product per chunk of query rows, with no bias
// term: the candidate side is [x, |x|^2, 0...] and the query side [-2q, 1, 0...], so the
// product is |x|^2 - 2 q.x, which orders the candidates of q (|q|^2 is the same for all).
// Selecting `keep` of ~100,000 columns per row is what costs (a radix select per row), so
// the selection goes in two steps: the minimum of each group of B columns (one pass over
// the distances), the `keep` groups with the smallest minima (a select over n / B
// columns), then the `keep` nearest among those groups' keep * B columns. The kept groups
// hold every one of the row's `keep` nearest: a column outside them is no nearer than
// `keep` group minima. The candidates stay on the device; one copy comes back at the end.
#include <ATen/ATen.h>
#include <torch/cuda.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "runtime/exec/knn.h"
#include "runtime/profile.h"
#include "runtime/trainer_api.h"

namespace pipeml {
namespace {

constexpr std::int64_t kDistanceBytes = std::int64_t{1} << 31;  // one chunk's distance block: 2 GiB
constexpr std::int64_t kBlock = 64;                              // columns per group minimum

}  // namespace

void neighbour_candidates_on(at::Device device, const double* x, std::size_t n, std::size_t d, std::size_t keep,
                             std::uint32_t* out) {
  PhaseTimer timer("knn.cuda");
  const bool cuda = device.is_cuda();
  auto sync_mark = [&](const char* phase) {
    if (!timer.on()) return;
    if (cuda) torch::cuda::synchronize();
    timer.mark(phase);
  };
  const auto rows = static_cast<std::int64_t>(n), cols = static_cast<std::int64_t>(d), k = static_cast<std::int64_t>(keep);
  // Groups of `block` columns; at least `keep` of them, so small classes take smaller groups.
  std::int64_t block = kBlock;
  while (block > 1 && (rows + block - 1) / block < k) block /= 2;
  const std::int64_t groups = (rows + block - 1) / block, padded = groups * block;
  const std::int64_t width = (cols + 1 + 7) / 8 * 8;  // x, |x|^2, zeros: rows of 32-byte multiples

  const at::Tensor xd = at::from_blob(const_cast<double*>(x), {rows, cols}, at::kDouble).to(device);
  sync_mark("upload");
  // Centred (distances do not move) so that |x|^2 - 2 q.x cancels less in float32.
  const at::Tensor xf = (xd - xd.mean(0, /*keepdim=*/true)).to(at::kFloat);
  const at::Tensor norms = xf.mul(xf).sum(1, /*keepdim=*/true);
  const auto fopts = xf.options();
  at::Tensor cand = at::zeros({padded, width}, fopts), query = at::zeros({rows, width}, fopts);
  cand.narrow(0, 0, rows).narrow(1, 0, cols).copy_(xf);
  cand.narrow(0, 0, rows).narrow(1, cols, 1).copy_(norms);
  cand.narrow(0, rows, padded - rows).narrow(1, cols, 1).fill_(std::numeric_limits<float>::infinity());  // padding
  query.narrow(1, 0, cols).copy_(xf.mul(-2.0));
  query.narrow(1, cols, 1).fill_(1.0);
  const at::Tensor cand_t = cand.t();
  sync_mark("prepare");

  const std::int64_t chunk = std::max<std::int64_t>(1, std::min<std::int64_t>(rows, kDistanceBytes / 4 / padded));
  at::Tensor dist = at::empty({chunk, padded}, fopts);
  at::Tensor found = at::empty({rows, k}, xf.options().dtype(at::kLong));
  const auto inf = std::numeric_limits<float>::infinity();
  // With PIPE_PROFILE: the chunk loop's steps, each synchronised and summed over chunks.
  double step_s[4] = {0, 0, 0, 0};
  auto step = [&, t = std::chrono::steady_clock::now()](int i) mutable {
    if (!timer.on()) return;
    if (cuda) torch::cuda::synchronize();
    const auto now = std::chrono::steady_clock::now();
    step_s[i] += std::chrono::duration<double>(now - t).count();
    t = now;
  };
  step(3);
  for (std::int64_t q0 = 0; q0 < rows; q0 += chunk) {
    const std::int64_t c = std::min(chunk, rows - q0);
    at::Tensor d_c = dist.narrow(0, 0, c);
    at::mm_out(d_c, query.narrow(0, q0, c), cand_t);
    d_c.narrow(1, q0, c).diagonal().fill_(inf);  // never the row itself
    step(0);
    // Column j is member j / groups of group j % groups: a group's minimum is the minimum
    // over the rows of a (block x groups) view, read in coalesced rows.
    const at::Tensor by_group = d_c.view({c, block, groups});
    const at::Tensor group_min = by_group.amin(1);
    step(1);
    const at::Tensor nearest_groups = std::get<1>(group_min.topk(k, 1, /*largest=*/false, /*sorted=*/false));  // c x k
    const at::Tensor members = by_group.gather(2, nearest_groups.unsqueeze(1).expand({c, block, k})).view({c, block * k});
    const at::Tensor pos = std::get<1>(members.topk(k, 1, /*largest=*/false, /*sorted=*/false));  // c x k
    found.narrow(0, q0, c)
        .copy_(at::div(pos, k, "floor").mul_(groups).add_(nearest_groups.gather(1, pos.remainder(k))));
    step(2);
  }
  if (timer.on())
    std::fprintf(stderr, "profile knn.cuda.chunks %lld x %lld rows: mm %.4f s, group minima %.4f s, selects %.4f s\n",
                 static_cast<long long>((rows + chunk - 1) / chunk), static_cast<long long>(chunk), step_s[0], step_s[1],
                 step_s[2]);
  sync_mark("chunks");
  const at::Tensor host = found.to(at::kInt).cpu();
  std::memcpy(out, host.data_ptr<int>(), static_cast<std::size_t>(rows * k) * sizeof(std::uint32_t));
  timer.mark("download");
}

}  // namespace pipeml

extern "C" __attribute__((visibility("default"))) bool pipe_cuda_available() { return torch::cuda::is_available(); }

extern "C" __attribute__((visibility("default"))) std::string pipe_neighbour_candidates(const double* x, std::size_t n,
                                                                                        std::size_t d, std::size_t keep,
                                                                                        std::uint32_t* out) {
  try {
    if (!torch::cuda::is_available()) return "this machine has no usable CUDA GPU";
    pipeml::neighbour_candidates_on(at::kCUDA, x, n, d, keep, out);
    return {};
  } catch (const std::exception& e) {
    return e.what();
  }
}
