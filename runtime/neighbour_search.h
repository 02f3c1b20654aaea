// The seam through which a data stage may search nearest neighbours on an accelerator:
// libpipe_exec.so (LibTorch, CUDA) offers the search, plain C++ code (SMOTE's exact
// re-ranking, the data stages) consumes it without including LibTorch.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace pipeml {

/// For each of the n rows of `x` (row-major doubles, n x d), writes `keep` candidate
/// neighbours to out[i * keep ...]: the `keep` other rows nearest to row i by squared
/// Euclidean distance as the accelerator computes it, in any order, never i itself. The
/// caller re-ranks them exactly, so rounding in the accelerator's arithmetic only needs a
/// small margin in `keep`. Returns an error text, empty on success.
using NeighbourCandidates =
    std::function<std::string(const double* x, std::size_t n, std::size_t d, std::size_t keep, std::uint32_t* out)>;

}  // namespace pipeml
