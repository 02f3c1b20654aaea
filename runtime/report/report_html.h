// report.html: one self-contained page about a finished run — the plan summary, the test
// metrics, the confusion matrix, ROC and precision-recall curves (or predicted against
// true values for a regression), and the learning curves — made from the run directory's
// files alone, so that `pipe run` (at its end) and `pipe report RUN_DIR` write the same page.
#pragma once
#include <string>

#include "runtime/report/run_artifacts.h"

namespace pipeml::report {

/// The page. Every chart is an <img class="plot"> holding a PNG as a data: URI; an inline
/// script, on load, writes how many of them rendered into the <body>'s
/// data-plots-rendered attribute (and their number into data-plots), which the headless
/// browser test reads.
std::string report_html(const RunArtifacts& run);

/// Reads `run_dir` and writes its page atomically to `out` (empty: run_dir/report.html).
/// Returns the path written. Throws UserError when run_dir is not a finished run.
std::string write_report(const std::string& run_dir, const std::string& out = "");

}  // namespace pipeml::report
