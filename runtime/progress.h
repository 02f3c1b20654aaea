// What `pipe run` shows while it trains: on a terminal, a bar redrawn in place during each
// epoch; always, one line per epoch (train loss, validation loss and accuracy or MAE, lr).
#pragma once
#include <chrono>
#include <iosfwd>

#include "runtime/train_spec.h"

namespace pipeml {

class Progress {
 public:
  /// `bar` draws the in-place bar on `err` (a terminal); lines go to `out`.
  /// `val_metric` names EpochRecord::val_metric (val_metric_name).
  Progress(std::ostream& out, std::ostream& err, bool bar, int epochs, const char* val_metric = "val_accuracy");
  void batch(int epoch, int batch, int batches);
  void epoch(const EpochRecord& r);
  /// Clears the bar (training stopped in the middle of an epoch).
  void clear();

 private:
  std::ostream& out_;
  std::ostream& err_;
  bool bar_;
  int epochs_;
  const char* val_metric_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace pipeml
