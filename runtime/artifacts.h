// A run's directory and its files. Every file is written to a temporary name and renamed
// into place, so a killed run never leaves half a metrics.json; a run never reuses
// another run's directory.
#pragma once
#include <string>

namespace pipeml {

/// Creates the run directory: `out` if given (it must not exist or be empty), else a new
/// runs/<pipeline>-<YYYYmmdd-HHMMSS>[-N]/. Throws UserError when it cannot.
std::string make_run_dir(const std::string& out, const std::string& pipeline_name);

/// Writes `content` to `path` atomically (same-directory temporary file, then rename).
void write_atomic(const std::string& path, const std::string& content);

}  // namespace pipeml
