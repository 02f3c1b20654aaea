// A folder of images in torchvision's ImageFolder layout: one subfolder per class, the
// classes sorted by name (label i = the i-th), each class's images found by walking its
// folder as ImageFolder's make_dataset does (sorted(os.walk(...)), then sorted names).
// PNG is decoded with libpng, JPEG with libjpeg, through their C APIs; a damaged file is a
// UserError naming it, never a crash. Plain C++ (no LibTorch).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/table.h"
#include "runtime/user_error.h"

namespace pipeml::image_folder {

/// What went wrong, so that the op can put each error at the right parameter with its note.
enum class Problem { unreadable, no_classes, empty_class, single_class, bad_image, size, channels };

/// A UserError with its kind and a note (what to do about it).
class Error : public UserError {
 public:
  Error(Problem p, const std::string& message, std::string note)
      : UserError(message), problem(p), note(std::move(note)) {}
  Problem problem;
  std::string note;
};

/// The images of a folder, in ImageFolder's order: class by class, files sorted.
struct Listing {
  std::string dir;
  std::vector<std::string> classes;  ///< the class folders' names, sorted
  std::vector<std::string> files;    ///< relative to `dir`: "cat/1.png", "cat/sub/2.jpg"
  std::vector<int> labels;           ///< per file: its class's index
  /// Entries left out: hidden files and folders, files of other extensions, and files
  /// beside the class folders.
  std::size_t skipped = 0;
};

/// Lists `dir`. Throws Error: the folder cannot be read (unreadable), has no class folder
/// (no_classes), a class folder has no .png/.jpg/.jpeg file (empty_class), there is only
/// one class (single_class).
Listing list(const std::string& dir);

/// What a file's header says, without decoding its pixels.
struct Header {
  std::int64_t height = 0, width = 0;
  int channels = 0;  ///< colour channels: 1 (grayscale) or 3 (colour; a palette counts as 3); alpha not counted
  bool png = false;  ///< else JPEG (chosen by the file's first bytes, not its name)
};

/// Reads `dir`/`file`'s header. Throws Error(bad_image) naming `file` for a file that is
/// neither a PNG nor a JPEG, or whose header is damaged or cut short.
Header read_header(const std::string& dir, const std::string& file);

/// Every image's header, checked: one size (the first image's) and `channels` colour
/// channels each. Returns {channels, height, width}; `png` counts the PNG files. Throws
/// Error(bad_image, size or channels) at the first file in order that fails.
std::vector<std::int64_t> check_headers(const Listing& l, int channels, std::size_t* png = nullptr);

/// Decodes `dir`/`file` into `out` as `channels` planes of height x width bytes, each
/// row-major (torch's [C, H, W]). 16-bit PNG samples keep their high byte (as PIL reads
/// them); an alpha channel is dropped (as PIL's convert('RGB') drops it). Throws Error
/// (bad_image, size, channels) naming `file`.
void decode(const std::string& dir, const std::string& file, int channels, std::int64_t height, std::int64_t width,
            std::uint8_t* out);

/// Every image of `l`, decoded into an image Table {channels, H, W} with its labels.
/// Decodes on up to `threads` threads (0: the machine's cores); the error reported is the
/// first file's in order, whatever the threads' timing.
Table read_table(const Listing& l, int channels, unsigned threads = 0);

}  // namespace pipeml::image_folder
