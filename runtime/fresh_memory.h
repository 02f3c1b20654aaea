// Large fresh buffers, backed before they are written. A new buffer of hundreds of MiB
// costs one page fault per 4 KiB page on first touch, taken by whichever single thread
// fills it; on the GPU machine's VM that cost as much as SMOTE's whole GPU neighbour
// search. reserve_backed asks the kernel for huge pages (where transparent huge pages are
// in "madvise" mode) and has it back the buffer over all cores (MADV_POPULATE_WRITE,
// Linux 5.14+). Where either is refused, nothing changes: the pages fault in as before.
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace pipeml {

namespace fresh_memory {
#ifndef MADV_POPULATE_WRITE
inline constexpr int kPopulateWrite = 23;
#else
inline constexpr int kPopulateWrite = MADV_POPULATE_WRITE;
#endif
inline constexpr std::size_t kHugePage = std::size_t{2} << 20;

/// Backs the whole pages inside [begin, end) now; small ranges are left alone.
inline void back(void* begin, void* end) {
  const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t lo = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
  const std::uintptr_t hi = reinterpret_cast<std::uintptr_t>(end) / page * page;
  if (hi <= lo || hi - lo < 4 * kHugePage) return;
  madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
  const std::size_t pieces = (hi - lo) / kHugePage;
  const std::size_t threads =
      std::max<std::size_t>(1, std::min<std::size_t>(std::thread::hardware_concurrency(), pieces / 4));
  auto populate = [&](std::size_t t) {
    const std::uintptr_t a = t == 0 ? lo : lo + (pieces * t / threads) * kHugePage;
    const std::uintptr_t b = t + 1 == threads ? hi : lo + (pieces * (t + 1) / threads) * kHugePage;
    if (madvise(reinterpret_cast<void*>(a), b - a, kPopulateWrite) != 0) return;  // older kernel: faults later
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(populate, t);
  populate(0);
  for (auto& th : pool) th.join();
}
}  // namespace fresh_memory

/// v.reserve(n), with the new capacity backed by memory now (see above). Only for vectors
/// of trivially copyable values, whose storage can be backed before it is constructed.
template <typename T>
void reserve_backed(std::vector<T>& v, std::size_t n) {
  if (n <= v.capacity()) return;
  v.reserve(n);
  fresh_memory::back(v.data() + v.size(), v.data() + v.capacity());
}

}  // namespace pipeml
