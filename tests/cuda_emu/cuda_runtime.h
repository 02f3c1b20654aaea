// The CUDA runtime as far as pipe's kernels tested here use it, emulated on the CPU for
// tests/cuda_emu/ (translate.py turns a .cu file's launches and shared arrays into calls
// here). Each CUDA thread of a block is a fiber (ucontext) on one OS thread; a barrier
// (__syncthreads, __syncwarp, a shuffle) switches to the next fiber that can go on, in an order
// the test picks (forward, reverse, random), so a missing barrier shows as stale data. Shared
// memory is a heap block of exactly the launch's size, filled with 0xff (NaN as float and as
// bfloat16): AddressSanitizer sees an overrun, and a read of what no thread wrote shows as NaN.
// A launch's configuration is checked as CUDA checks it (threads, grid, at most 48 KB of
// static and of dynamic shared memory).
#pragma once
#include <ucontext.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(n) alignas(n)

struct alignas(16) uint4 {
  unsigned int x, y, z, w;
};
inline uint4 make_uint4(unsigned a, unsigned b, unsigned c, unsigned d) { return uint4{a, b, c, d}; }
struct alignas(16) float4 {
  float x, y, z, w;
};
inline float4 make_float4(float a, float b, float c, float d) { return float4{a, b, c, d}; }
using std::isnan;  // device code's math functions, as <cmath> has them
struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct CUstream_st;
using cudaStream_t = CUstream_st*;
enum cudaError_t { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorInvalidConfiguration = 9 };

namespace emu {
[[noreturn]] inline void fail(const std::string& what) {
  std::fprintf(stderr, "EMU FAILURE: %s\n", what.c_str());
  std::abort();
}
struct Barrier {
  int expected = 0, arrived = 0;
  unsigned gen = 0;
};
struct Fiber {
  ucontext_t ctx;
  std::unique_ptr<char[]> stack;
  dim3 tid;
  int lane = 0, warp = 0;
  bool done = false;
  Barrier* waiting = nullptr;
  unsigned wait_gen = 0;
};
struct Block {
  dim3 idx, dim, grid;
  std::vector<Fiber> fibers;
  Barrier block;
  std::vector<Barrier> warps;
  std::vector<std::uint64_t> shfl;
  unsigned char* dyn = nullptr;
  std::map<int, void*> statics;  ///< the kernel's static shared arrays, by source line
  std::size_t static_bytes = 0;
  ucontext_t sched;
  void (*body)() = nullptr;
  Fiber* cur = nullptr;
};
inline Block* blk = nullptr;
inline constexpr std::size_t kStack = 256 * 1024;
inline int order = 0;  // 0: fibers in thread order; 1: reversed; 2: shuffled on every pass
inline void set_order(int o) { order = o; }
inline cudaError_t& last_error() {
  static cudaError_t e = cudaSuccess;
  return e;
}
inline int lane() { return blk->cur->lane; }

inline void complete_if_full(Barrier& b) {
  if (b.arrived > 0 && b.arrived == b.expected) b.arrived = 0, ++b.gen;
}
inline void wait(Barrier& b) {
  const unsigned g = b.gen;
  if (++b.arrived == b.expected) {
    b.arrived = 0, ++b.gen;
    return;
  }
  Fiber* f = blk->cur;
  f->waiting = &b, f->wait_gen = g;
  swapcontext(&f->ctx, &blk->sched);
}
inline void trampoline() {
  blk->body();
  Fiber* f = blk->cur;
  f->done = true;
  --blk->block.expected, complete_if_full(blk->block);
  --blk->warps[f->warp].expected, complete_if_full(blk->warps[f->warp]);
  setcontext(&blk->sched);
}
// Runs one block to completion: each fiber in turn (in `order`) until it waits or ends.
inline void run_block(Block& b) {
  static std::mt19937 rng(7);
  blk = &b;
  const int n = static_cast<int>(b.fibers.size());
  std::vector<int> seq(n);
  for (int i = 0; i < n; ++i) seq[i] = order == 1 ? n - 1 - i : i;
  for (;;) {
    if (order == 2) std::shuffle(seq.begin(), seq.end(), rng);
    bool any = false, progressed = false;
    for (const int i : seq) {
      Fiber& f = b.fibers[i];
      if (f.done) continue;
      any = true;
      if (f.waiting && f.waiting->gen == f.wait_gen) continue;
      f.waiting = nullptr;
      b.cur = &f;
      swapcontext(&b.sched, &f.ctx);
      progressed = true;
    }
    if (!any) return;
    if (!progressed) fail("deadlock: every thread of a block waits at a barrier that cannot complete");
  }
}
}  // namespace emu

#define threadIdx (::emu::blk->cur->tid)
#define blockIdx (::emu::blk->idx)
#define blockDim (::emu::blk->dim)
#define gridDim (::emu::blk->grid)

inline void __syncthreads() { emu::wait(emu::blk->block); }
inline void __syncwarp(unsigned mask = 0xffffffffu) {
  if (mask != 0xffffffffu) emu::fail("__syncwarp with a partial mask");
  emu::wait(emu::blk->warps[emu::blk->cur->warp]);
}
template <typename T>
T __shfl_xor_sync(unsigned mask, T v, int m) {
  static_assert(sizeof(T) <= 8, "");
  if (mask != 0xffffffffu) emu::fail("shuffle with a partial mask");
  emu::Fiber* f = emu::blk->cur;
  std::uint64_t* slots = emu::blk->shfl.data() + f->warp * 32;
  std::memcpy(&slots[f->lane], &v, sizeof(T));
  __syncwarp();
  T r;
  std::memcpy(&r, &slots[f->lane ^ m], sizeof(T));
  __syncwarp();
  return r;
}
inline double atomicAdd(double* p, double v) {
  const double old = *p;
  *p = old + v;  // fibers on one thread: no interleaving inside
  return old;
}
inline unsigned int atomicAdd(unsigned int* p, unsigned int v) {
  const unsigned int old = *p;
  *p = old + v;
  return old;
}
// Blocks run one after another and a block's threads on one OS thread: every write is seen.
inline void __threadfence() {}
template <typename T>
T __ldcg(const T* p) {
  return *p;
}
[[noreturn]] inline void __trap() { emu::fail("__trap"); }

inline cudaError_t cudaGetLastError() {
  const cudaError_t e = emu::last_error();
  emu::last_error() = cudaSuccess;
  return e;
}
inline const char* cudaGetErrorString(cudaError_t e) {
  return e == cudaSuccess ? "no error" : e == cudaErrorInvalidConfiguration ? "invalid configuration argument" : "invalid argument";
}

namespace emu {
struct Launcher {
  dim3 grid, block;
  std::size_t shared;
  Launcher(dim3 g, dim3 b, std::size_t s = 0, cudaStream_t = nullptr) : grid(g), block(b), shared(s) {}
  // Runs `call` (the kernel called with its arguments) as every thread of every block.
  template <typename F>
  void run(F call) {
    const unsigned threads = block.x * block.y * block.z;
    if (threads == 0 || threads > 1024 || grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 ||
        grid.z > 65535 || shared > 48 * 1024) {
      std::fprintf(stderr, "EMU: bad launch: grid %u,%u,%u block %u shared %zu\n", grid.x, grid.y, grid.z, threads, shared);
      last_error() = cudaErrorInvalidConfiguration;
      return;
    }
    if (threads % 32 || block.y != 1 || block.z != 1) fail("emulation takes 1-D blocks of whole warps");
    static F* call_now;
    call_now = &call;
    Block b;
    b.dim = block, b.grid = grid;
    b.fibers.resize(threads);
    for (auto& f : b.fibers) f.stack.reset(new char[kStack]);
    b.shfl.resize(threads);
    b.body = [] { (*call_now)(); };
    for (unsigned z = 0; z < grid.z; ++z)
      for (unsigned y = 0; y < grid.y; ++y)
        for (unsigned x = 0; x < grid.x; ++x) {
          b.idx = dim3(x, y, z);
          b.block = Barrier{static_cast<int>(threads), 0, 0};
          b.warps.assign(threads / 32, Barrier{32, 0, 0});
          b.dyn = shared ? static_cast<unsigned char*>(::operator new(shared, std::align_val_t(128))) : nullptr;
          if (b.dyn) std::memset(b.dyn, 0xff, shared);  // bfloat16 NaN, float NaN: unwritten reads show
          for (unsigned t = 0; t < threads; ++t) {
            Fiber& f = b.fibers[t];
            f.tid = dim3(t), f.lane = t % 32, f.warp = t / 32, f.done = false, f.waiting = nullptr;
            getcontext(&f.ctx);
            f.ctx.uc_stack.ss_sp = f.stack.get();
            f.ctx.uc_stack.ss_size = kStack;
            f.ctx.uc_link = nullptr;
            makecontext(&f.ctx, trampoline, 0);
          }
          run_block(b);
          for (auto& [k, p] : b.statics) ::operator delete(p, std::align_val_t(128));
          b.statics.clear(), b.static_bytes = 0;
          if (b.dyn) ::operator delete(b.dyn, std::align_val_t(128));
        }
    blk = nullptr;
  }
};
inline unsigned char* dynamic_shared() { return blk->dyn; }
template <typename T>
T& block_static(int key) {
  void*& p = blk->statics[key];
  if (!p) {  // aligned as a __shared__ __align__(128) array is; at most 48 KB of them, as on the GPU
    if ((blk->static_bytes += sizeof(T)) > 48 * 1024) fail("more than 48 KB of static shared memory");
    p = ::operator new(sizeof(T), std::align_val_t(128));
    std::memset(p, 0xff, sizeof(T));
  }
  return *static_cast<T*>(p);
}
}  // namespace emu
