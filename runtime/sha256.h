// SHA-256 of a file, recorded in plans so a run can tell whether its data changed.
// Self-written (FIPS 180-4) to keep the planner free of crypto libraries.
#pragma once
#include <string>

namespace pipeml {

/// The file's SHA-256 as 64 lowercase hex digits (what `sha256sum` prints).
/// Throws UserError when the file cannot be read.
std::string sha256_file(const std::string& path);

/// The SHA-256 of `bytes`, as 64 lowercase hex digits.
std::string sha256_hex(const std::string& bytes);

}  // namespace pipeml
