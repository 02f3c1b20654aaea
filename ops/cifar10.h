// The CIFAR-10 binary format (cifar-10-batches-bin): each record is 1 label byte (0-9) then
// 3,072 pixel bytes, the red, green and blue 32x32 planes, each row-major.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/table.h"

namespace pipeml::cifar {

inline constexpr std::size_t kPixels = 3 * 32 * 32;
inline constexpr std::size_t kRecord = 1 + kPixels;
inline constexpr int kClasses = 10;

/// The class names of batches.meta.txt (one per line), or CIFAR-10's own when `dir` has none.
std::vector<std::string> class_names(const std::string& dir);

/// Reads the first `limit` records of `path` (all when limit is 0): labels only, or labels
/// and pixels. Throws UserError naming the file for a file that cannot be read, one that is
/// not a whole number of records (truncated), and a label outside 0-9 (with its record).
struct Records {
  std::vector<int> labels;
  std::vector<std::uint8_t> pixels;  ///< kPixels per record; empty when only labels were read
  std::size_t in_file = 0;           ///< the records the file holds
};
Records read_records(const std::string& path, std::size_t limit, bool with_pixels);

/// The records of several files in order (the first `limit` of them all; 0: all) as an
/// image Table {3, 32, 32}, labels into `classes`.
Table read_table(const std::vector<std::string>& paths, std::size_t limit, const std::vector<std::string>& classes);

/// Writes records (label, then kPixels bytes each): what tests and benchmarks make data with.
void write_records(const std::string& path, const std::vector<int>& labels, const std::vector<std::uint8_t>& pixels);

}  // namespace pipeml::cifar
