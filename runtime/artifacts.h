// A run's directory and its files, through POSIX calls rather than std::filesystem (this is
// linked into the test binary with PyTorch's pip LibTorch, which exports clashing copies of
// std::filesystem: tests/temp_dir.h). Every file is written to a temporary name and renamed
// into place, so a killed run never leaves half a metrics.json; a run never reuses
// another run's directory.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace pipeml {

/// Creates the run directory: `out` if given (it must not exist or be empty), else a new
/// <parent>/<pipeline>-<YYYYmmdd-HHMMSS>[-N]/ (runs/, or sweeps/ for a sweep). Throws
/// UserError when it cannot.
std::string make_run_dir(const std::string& out, const std::string& pipeline_name, const std::string& parent = "runs");

/// Whether run directory `dir` holds a resume.pt, directly or in one of its fold-N/ directories.
bool has_checkpoint(const std::string& dir);

/// Whether `path` exists (a file or a directory); whether it is a directory.
bool path_exists(const std::string& path);
bool is_directory(const std::string& path);

/// The names in directory `dir`, without "." and "..", in no order; empty when it cannot be read.
std::vector<std::string> dir_entries(const std::string& dir);

/// A JSON object that pipe run wrote (plan.json, metrics.json); a UserError naming `path`
/// when it is unreadable or not an object.
nlohmann::json read_run_json(const std::string& path);

/// Writes `content` to `path` atomically (same-directory temporary file, then rename).
void write_atomic(const std::string& path, const std::string& content);

}  // namespace pipeml
