#include "runtime/progress.h"

#include <fmt/format.h>

#include <cmath>
#include <ostream>

namespace pipeml {

Progress::Progress(std::ostream& out, std::ostream& err, bool bar, int epochs)
    : out_(out), err_(err), bar_(bar), epochs_(epochs) {}

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
  if (!std::isnan(r.val_loss)) line += fmt::format("  val_loss {:.4f}  val_accuracy {:.4f}", r.val_loss, r.val_accuracy);
  line += fmt::format("  lr {:.6g}  {:.0f} ms", r.lr, r.seconds * 1000);
  out_ << line << '\n';
}

}  // namespace pipeml
