// select_batch and record_loss (kernels.h): a CUDA graph's per-step bookkeeping, the batch's
// rows cut at a device-side counter and its loss kept at that counter, each in one kernel
// where ATen ran three (the rows' index, two index_selects) and two (index_copy_, add_).
#include <cuda_runtime.h>

#include <cstdint>

#include "runtime/exec/cuda/kernels.h"
#include "runtime/exec/cuda/launched.h"

namespace pipeml::cuda_kernels {
namespace {

constexpr int kThreads = 256;

// One array's rows: copied `unit` bytes (1, 2, 4, 8 or 16, which divides the row and both
// pointers' alignment) at a time.
struct RowCopy {
  const unsigned char* src;
  unsigned char* dst;
  std::int64_t row_bytes;
  int unit;
};

__device__ inline void copy_unit(const unsigned char* s, unsigned char* d, int unit) {
  switch (unit) {
    case 16: *reinterpret_cast<uint4*>(d) = *reinterpret_cast<const uint4*>(s); break;
    case 8: *reinterpret_cast<uint2*>(d) = *reinterpret_cast<const uint2*>(s); break;
    case 4: *reinterpret_cast<unsigned*>(d) = *reinterpret_cast<const unsigned*>(s); break;
    case 2: *reinterpret_cast<unsigned short*>(d) = *reinterpret_cast<const unsigned short*>(s); break;
    default: *d = *s;
  }
}

// Both arrays' units in one grid-stride walk: x's first, then y's.
__global__ void select_batch_kernel(RowCopy x, RowCopy y, std::int64_t rows, const std::int64_t* counter,
                                    std::int64_t batch) {
  const std::int64_t first = *counter * batch;
  const std::int64_t x_per_row = x.row_bytes / x.unit, y_per_row = y.row_bytes / y.unit;
  const std::int64_t x_units = batch * x_per_row, all = x_units + batch * y_per_row;
  for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < all;
       i += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const bool in_x = i < x_units;
    const RowCopy& r = in_x ? x : y;
    const std::int64_t u = in_x ? i : i - x_units, per_row = in_x ? x_per_row : y_per_row;
    const std::int64_t row = u / per_row, offset = u % per_row * r.unit;
    if (first < 0 || first + row >= rows) continue;  // a counter past the data: nothing read out of bounds
    copy_unit(r.src + (first + row) * r.row_bytes + offset, r.dst + row * r.row_bytes + offset, r.unit);
  }
}

__global__ void record_loss_kernel(float* losses, std::int64_t count, std::int64_t* slot, const float* loss, bool advance) {
  const std::int64_t at = *slot;
  if (at >= 0 && at < count) losses[at] = *loss;
  if (advance) *slot = at + 1;
}

int unit_for(const void* src, const void* dst, std::int64_t row_bytes) {
  const auto bits = reinterpret_cast<std::uintptr_t>(src) | reinterpret_cast<std::uintptr_t>(dst) |
                    static_cast<std::uintptr_t>(row_bytes);
  for (int unit = 16; unit > 1; unit /= 2)
    if (bits % unit == 0) return unit;
  return 1;
}

}  // namespace

const char* select_batch(const void* x, std::int64_t x_row_bytes, const void* y, std::int64_t y_row_bytes,
                         std::int64_t rows, const std::int64_t* counter, std::int64_t batch, void* xb, void* yb,
                         void* stream) {
  if (batch < 1 || x_row_bytes < 1 || y_row_bytes < 1) return "select_batch: an empty batch or row";
  const RowCopy rx{static_cast<const unsigned char*>(x), static_cast<unsigned char*>(xb), x_row_bytes,
                   unit_for(x, xb, x_row_bytes)};
  const RowCopy ry{static_cast<const unsigned char*>(y), static_cast<unsigned char*>(yb), y_row_bytes,
                   unit_for(y, yb, y_row_bytes)};
  const std::int64_t units = batch * (x_row_bytes / rx.unit) + batch * (y_row_bytes / ry.unit);
  const std::int64_t blocks = (units + kThreads - 1) / kThreads;
  select_batch_kernel<<<static_cast<unsigned>(blocks < 1024 ? blocks : 1024), kThreads, 0, as_stream(stream)>>>(
      rx, ry, rows, counter, batch);
  return launched();
}

const char* record_loss(float* losses, std::int64_t count, std::int64_t* slot, const float* loss, bool advance,
                        void* stream) {
  record_loss_kernel<<<1, 1, 0, as_stream(stream)>>>(losses, count, slot, loss, advance);
  return launched();
}

}  // namespace pipeml::cuda_kernels
