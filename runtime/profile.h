// Phase timings for benchmarks and profiling: with PIPE_PROFILE set in the environment,
// each phase's wall time goes to stderr as "profile SCOPE.PHASE SECONDS"; otherwise a
// PhaseTimer measures nothing. Header-only, so libpipe_exec.so can use it too.
#pragma once
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace pipeml {

class PhaseTimer {
 public:
  explicit PhaseTimer(const char* scope) : scope_(scope), on_(enabled()) {
    if (on_) last_ = std::chrono::steady_clock::now();
  }
  /// Whether PIPE_PROFILE is set (read once per process).
  static bool enabled() {
    static const bool on = std::getenv("PIPE_PROFILE") != nullptr;
    return on;
  }
  bool on() const { return on_; }
  /// Prints the time since the last mark (or since construction) under `phase`.
  void mark(const char* phase) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    std::fprintf(stderr, "profile %s.%s %.4f s\n", scope_, phase, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  const char* scope_;
  bool on_;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace pipeml
