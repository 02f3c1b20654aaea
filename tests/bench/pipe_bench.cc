// The pipe side of tests/bench/data_bench.py: times one data stage on a CSV file and
// prints a JSON line. Not a test; built as `pipe_bench` beside `pipe`.
//   pipe_bench csv FILE                   read_csv (header row, class column "y")
//   pipe_bench smote FILE [cpu|cuda]      read_csv untimed, then SMOTE(k=5, 'auto', seed 42)
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ops/load_csv.h"
#include "ops/nearest_neighbours.h"
#include "ops/smote.h"
#include "runtime/trainer_loader.h"
#include "runtime/user_error.h"

namespace {

// VmHWM, not getrusage's ru_maxrss: that one survives exec, so a child of a big Python
// process would report its parent's peak.
double peak_rss_mib() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (!f) return 0;
  char line[256];
  double kib = 0;
  while (std::fgets(line, sizeof line, f))
    if (std::sscanf(line, "VmHWM: %lf kB", &kib) == 1) break;
  std::fclose(f);
  return kib / 1024.0;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pipeml;
  if (argc < 3) {
    std::fprintf(stderr, "usage: pipe_bench csv|smote FILE [cpu|cuda]\n");
    return 2;
  }
  const std::string what = argv[1];
  csv::CsvOptions o;
  o.path = argv[2];
  o.target = "y";
  try {
    auto t0 = std::chrono::steady_clock::now();
    const Table t = csv::read_csv(o);
    const double read_s = seconds_since(t0);
    if (what == "csv") {
      std::printf("{\"seconds\": %.4f, \"rows\": %zu, \"cols\": %zu, \"peak_rss_mib\": %.1f}\n", read_s, t.rows, t.cols(),
                  peak_rss_mib());
      return 0;
    }
    const bool cuda = argc > 3 && std::string(argv[3]) == "cuda";
    NeighbourCandidates gpu;
    double load_s = 0;
    if (cuda) {
      t0 = std::chrono::steady_clock::now();
      TrainerLoader loader;
      gpu = loader.gpu_neighbour_search();
      if (!gpu) throw UserError("no CUDA GPU here");
      load_s = seconds_since(t0);
    }
    // Twice: the first run pays one-off costs (on a GPU: the CUDA context, cuBLAS), the
    // second shows the steady state. Then the neighbour search alone, on the minority class.
    const NeighbourCandidates* accel = cuda ? &gpu : nullptr;
    double smote_s[2];
    std::size_t rows_out = 0;
    for (double& s : smote_s) {
      t0 = std::chrono::steady_clock::now();
      rows_out = smote::fit_resample(t, sampling::Strategy::named("auto"), 5, 42, "smote", accel).rows;
      s = seconds_since(t0);
    }
    std::vector<double> minority;
    for (std::size_t r = 0; r < t.rows; ++r)
      if (t.y[r] == 1) minority.insert(minority.end(), t.row(r), t.row(r) + t.cols());
    t0 = std::chrono::steady_clock::now();
    knn::nearest_neighbours_on(accel, minority, minority.size() / t.cols(), t.cols(), 5);
    const double knn_s = seconds_since(t0);
    std::printf("{\"seconds\": %.4f, \"warm_seconds\": %.4f, \"knn_seconds\": %.4f, \"rows_in\": %zu, \"rows_out\": %zu, "
                "\"libtorch_load_s\": %.3f, \"peak_rss_mib\": %.1f}\n",
                smote_s[0], smote_s[1], knn_s, t.rows, rows_out, load_s, peak_rss_mib());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pipe_bench: %s\n", e.what());
    return 1;
  }
}
