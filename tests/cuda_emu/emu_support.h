// What the emulation tests share: buffers between guard zones, and bfloat16 rounding.
#pragma once
#include <cuda_bf16.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace emutest {

using bf16 = __nv_bfloat16;

/// A buffer between guard zones, all of it 0xff (NaN as float, double and bfloat16): a value
/// no kernel wrote, or one read from outside, shows as NaN; a write outside changes a guard.
template <typename T>
class Guarded {
 public:
  explicit Guarded(std::size_t n) : raw_((n + 2 * kGuard) * sizeof(T) + 64, 0xff), n_(n) {
    auto p = reinterpret_cast<std::uintptr_t>(raw_.data()) + kGuard * sizeof(T);
    data_ = reinterpret_cast<T*>((p + 63) / 64 * 64);  // cudaMalloc's are aligned more than this
  }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](std::size_t i) { return data_[i]; }
  std::size_t size() const { return n_; }
  bool guards_intact() const {
    const auto* begin = reinterpret_cast<const unsigned char*>(data_);
    const auto* end = begin + n_ * sizeof(T);
    for (const unsigned char* p = raw_.data(); p < raw_.data() + raw_.size(); ++p)
      if ((p < begin || p >= end) && *p != 0xff) return false;
    return true;
  }

 private:
  static constexpr std::size_t kGuard = 256;
  std::vector<unsigned char> raw_;
  std::size_t n_;
  T* data_;
};

inline float rounded(float x) { return __bfloat162float(__float2bfloat16(x)); }

}  // namespace emutest
