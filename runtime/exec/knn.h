// The GPU neighbour search's body (knn.cc), on any LibTorch device: libpipe_exec.so
// exports it for CUDA (pipe_neighbour_candidates); the tests also run it on the CPU.
#pragma once
#include <ATen/ATen.h>

#include <cstddef>
#include <cstdint>

namespace pipeml {

/// NeighbourCandidates (runtime/neighbour_search.h) computed on `device`: for each of the n
/// rows of x (n x d doubles), `keep` other rows nearest by float32 distance, in any order,
/// never the row itself. Throws what LibTorch throws (out of memory, say).
void neighbour_candidates_on(at::Device device, const double* x, std::size_t n, std::size_t d, std::size_t keep,
                             std::uint32_t* out);

}  // namespace pipeml
