#include "runtime/numpy_sum.h"

#include <algorithm>

namespace pipeml {
namespace {

double pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += a[i];
    return s;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - n % 8; i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += a[i];
    return s;
  }
  std::size_t half = n / 2;
  half -= half % 8;
  return pairwise_sum(a, half) + pairwise_sum(a + half, n - half);
}

}  // namespace

double numpy_sum(const double* a, std::size_t n) {
  constexpr std::size_t kBlock = 8192;  // numpy's buffer size
  double s = 0.0;
  for (std::size_t i = 0; i < n; i += kBlock) s += pairwise_sum(a + i, std::min(kBlock, n - i));
  return s;
}

}  // namespace pipeml
