// np.sum of a contiguous float64 array, bit for bit: numpy's pairwise summation (umath's
// pairwise_sum: 8 accumulators below 128 values, halves above), applied to the 8192-value
// blocks its reduction hands the inner loop, and the blocks' sums added in order. Where a
// rounded sum decides something (ADASYN's row counts, a CV mean), pipe adds as numpy does.
#pragma once
#include <cstddef>

namespace pipeml {

double numpy_sum(const double* a, std::size_t n);

}  // namespace pipeml
