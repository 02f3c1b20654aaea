#include "runtime/progress.h"

#include <fmt/format.h>

#include <cmath>
#include <ostream>

namespace pipeml {

Progress::Progress(std::ostream& out, std::ostream& err, bool bar, int epochs, const char* val_metric)
    : out_(out), err_(err), bar_(bar), epochs_(epochs), val_metric_(val_metric) {}

void Progress::batch(int epoch, int batch, int batches) {
  if (!bar_) return;
  // Redraw at most every 50 ms: a terminal is slower than a small model's batches.
  const auto now = std::chrono::steady_clock::now();
  if (batch != batches && now - last_draw_ < std::chrono::milliseconds(50)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  const int filled = batches ? batch * kWidth / batches : kWidth;
  err_ << fmt::format("\r  epoch {}/{} [{}{}] {}/{}", epoch, epochs_, std::string(filled, '#'),
                      std::string(kWidth - filled, '.'), batch, batches)
       << std::flush;
}

void Progress::epoch(const EpochRecord& r) {
  if (bar_) err_ << "\r\033[K" << std::flush;
  std::string line = fmt::format("epoch {:>3}/{}  train_loss {:.4f}", r.epoch, epochs_, r.train_loss);
  if (!std::isnan(r.val_loss)) line += fmt::format("  val_loss {:.4f}  {} {:.4f}", r.val_loss, val_metric_, r.val_metric);
  line += fmt::format("  lr {:.6g}  {:.0f} ms", r.lr, r.seconds * 1000);
  out_ << line << std::endl;  // flushed: a pipe (pipe run | tee) sees each epoch as it ends
}

void Progress::clear() {
  if (bar_) err_ << "\r\033[K" << std::flush;
}

}  // namespace pipeml
