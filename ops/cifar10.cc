#include "ops/cifar10.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "runtime/user_error.h"

namespace pipeml::cifar {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

std::string reason(int error_number) {
  std::string r = std::strerror(error_number);
  if (!r.empty()) r[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(r[0])));
  return r;
}

}  // namespace

std::vector<std::string> class_names(const std::string& dir) {
  std::vector<std::string> names;
  std::ifstream meta(dir + "/batches.meta.txt");
  for (std::string line; std::getline(meta, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  if (names.size() == static_cast<std::size_t>(kClasses)) return names;
  return {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};
}

Records read_records(const std::string& path, std::size_t limit, bool with_pixels) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) throw UserError(fmt::format("cannot read '{}': {}", path, reason(errno)));
  if (std::fseek(f.get(), 0, SEEK_END) != 0) throw UserError(fmt::format("cannot read '{}': {}", path, reason(errno)));
  const long size = std::ftell(f.get());
  if (size < 0) throw UserError(fmt::format("cannot read '{}': {}", path, reason(errno)));
  std::rewind(f.get());
  const auto bytes = static_cast<std::size_t>(size);
  if (bytes == 0) throw UserError(fmt::format("'{}' is empty: a CIFAR-10 file holds records of {} bytes", path, kRecord));
  if (bytes % kRecord != 0)
    throw UserError(fmt::format("'{}' is truncated: its {} bytes are {} whole record{} of {} (a label byte and {} pixel "
                                "bytes) and {} bytes of one more",
                                path, bytes, bytes / kRecord, bytes / kRecord == 1 ? "" : "s", kRecord, kPixels,
                                bytes % kRecord));
  Records r;
  r.in_file = bytes / kRecord;
  const std::size_t n = limit ? std::min(limit, r.in_file) : r.in_file;
  r.labels.resize(n);
  if (with_pixels) r.pixels.resize(n * kPixels);
  // Labels alone (the plan) are read a byte per record: a tenth of the time of the whole file.
  std::vector<std::uint8_t> buffer(with_pixels ? n * kRecord : n);
  bool complete = true;
  if (with_pixels) {
    complete = std::fread(buffer.data(), 1, buffer.size(), f.get()) == buffer.size();
  } else {
    for (std::size_t i = 0; i < n && complete; ++i)
      complete = ::pread(::fileno(f.get()), buffer.data() + i, 1, static_cast<off_t>(i * kRecord)) == 1;
  }
  if (!complete) throw UserError(fmt::format("cannot read '{}': it ended early (changed while reading?)", path));
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* rec = buffer.data() + i * (with_pixels ? kRecord : 1);
    if (rec[0] >= kClasses)
      throw UserError(fmt::format("'{}': record {} (byte {}) has label {}; CIFAR-10's labels are 0 to 9", path, i + 1,
                                  i * kRecord, rec[0]));
    r.labels[i] = rec[0];
    if (with_pixels) std::memcpy(r.pixels.data() + i * kPixels, rec + 1, kPixels);
  }
  return r;
}

Table read_table(const std::vector<std::string>& paths, std::size_t limit, const std::vector<std::string>& classes) {
  Table t;
  t.class_names = classes;
  t.image_shape = {3, 32, 32};
  for (const auto& path : paths) {
    const std::size_t left = limit ? limit - t.rows : 0;
    if (limit && left == 0) break;
    Records r = read_records(path, left, true);
    t.y.insert(t.y.end(), r.labels.begin(), r.labels.end());
    t.pixels.insert(t.pixels.end(), r.pixels.begin(), r.pixels.end());
    t.rows += r.labels.size();
  }
  return t;
}

void write_records(const std::string& path, const std::vector<int>& labels, const std::vector<std::uint8_t>& pixels) {
  File f(std::fopen(path.c_str(), "wb"));
  if (!f) throw UserError(fmt::format("cannot write '{}': {}", path, reason(errno)));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto label = static_cast<std::uint8_t>(labels[i]);
    std::fwrite(&label, 1, 1, f.get());
    std::fwrite(pixels.data() + i * kPixels, 1, kPixels, f.get());
  }
}

}  // namespace pipeml::cifar
