#include "ops/image_folder.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <thread>
#include <utility>

// libjpeg's header needs <cstdio> (FILE) before it; jerror.h names its warnings.
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include <fmt/format.h>

namespace pipeml::image_folder {
namespace {

std::string reason(int error_number) {
  std::string r = std::strerror(error_number);
  if (!r.empty()) r[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(r[0])));
  return r;
}

bool hidden(const std::string& name) { return !name.empty() && name[0] == '.'; }

// ImageFolder's test is the extension, lower-cased; these are the ones pipe decodes.
bool image_name(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* ext : {".png", ".jpg", ".jpeg"}) {
    const std::size_t n = std::strlen(ext);
    if (name.size() > n && name.compare(name.size() - n, n, ext) == 0) return true;
  }
  return false;
}

// The names in a folder (without . and ..), sorted as Python sorts str (UTF-8 bytes sort in
// code point order); false when it cannot be opened (errno says why).
bool names_in(const std::string& dir, std::vector<std::string>& names) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return false;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return true;
}

// One class's files, as sorted(os.walk(class_dir, followlinks=True)) visits them: every
// folder under it (by its path), then that folder's files by name. `seen` keeps a folder
// linked into itself from being walked forever.
void walk(const std::string& root, const std::string& rel, Listing& l, std::set<std::pair<dev_t, ino_t>>& seen,
          std::vector<std::pair<std::string, std::vector<std::string>>>& folders) {
  std::vector<std::string> names;
  if (!names_in(root + "/" + rel, names))
    throw Error(Problem::unreadable, fmt::format("cannot read the folder '{}/{}': {}", root, rel, reason(errno)),
                "make it readable, or move it out of the image folder");
  std::vector<std::string> files;
  for (const auto& name : names) {
    struct stat info {};
    const std::string path = root + "/" + rel + "/" + name;
    if (hidden(name) || ::stat(path.c_str(), &info) != 0) {
      ++l.skipped;
    } else if (S_ISDIR(info.st_mode)) {
      if (seen.insert({info.st_dev, info.st_ino}).second) walk(root, rel + "/" + name, l, seen, folders);
    } else if (S_ISREG(info.st_mode) && image_name(name)) {
      files.push_back(rel + "/" + name);
    } else {
      ++l.skipped;
    }
  }
  folders.emplace_back(rel, std::move(files));
}

std::string channels_text(int channels) {
  switch (channels) {
    case 1: return "grayscale (1 channel)";
    case 3: return "RGB (3 channels)";
    case 4: return "CMYK (4 channels)";
    default: return fmt::format("{} channels", channels);
  }
}

Error bad_image(const std::string& file, const std::string& why) {
  return Error(Problem::bad_image, fmt::format("'{}' {}", file, why),
               "the file is damaged or not an image: replace it, or move it out of the folder");
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Opens `dir`/`file` and tells PNG from JPEG by its first bytes (as PIL does), not its name.
File open_image(const std::string& dir, const std::string& file, bool& png) {
  File f(std::fopen((dir + "/" + file).c_str(), "rb"));
  if (!f) throw bad_image(file, "cannot be read: " + reason(errno));
  unsigned char head[8] = {};
  const std::size_t n = std::fread(head, 1, sizeof head, f.get());
  std::rewind(f.get());
  if (n == 0) throw bad_image(file, "is empty");
  static const unsigned char kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  png = n == 8 && std::memcmp(head, kPng, 8) == 0;
  if (!png && !(n >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff))
    throw bad_image(file, "is not a PNG or JPEG image: its first bytes are neither format's signature");
  return f;
}

// "Not enough image data" -> "not enough ..."; "IHDR: CRC error" keeps its chunk's name.
std::string lowercase_first(std::string s) {
  if (s.size() > 1 && std::islower(static_cast<unsigned char>(s[1]))) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

constexpr const char* kEndsEarly = "the file ends early (cut short?)";

// ---- PNG (libpng) ----
// libpng reports an error by calling the error function, which must not return: it longjmps
// back to the setjmp of the step that was running. Each step is a function of its own with
// no C++ object to unwind, and the state that outlives a jump lives in PngRead.

struct PngRead {
  std::FILE* file = nullptr;
  png_structp png = nullptr;
  png_infop info = nullptr;
  int passes = 1;
  char message[256] = "";
};

void on_png_error(png_structp png, png_const_charp message) {
  auto* r = static_cast<PngRead*>(png_get_error_ptr(png));
  std::snprintf(r->message, sizeof r->message, "%s", message);
  png_longjmp(png, 1);
}

// Warnings (a damaged ancillary chunk, an odd colour profile) leave the pixels readable, as
// they do in PIL: not printed, not errors.
void on_png_warning(png_structp, png_const_charp) {}

void read_png_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* file = static_cast<std::FILE*>(png_get_io_ptr(png));
  if (std::fread(data, 1, length, file) != length) png_error(png, kEndsEarly);
}

bool png_header_step(PngRead* r) {
  if (setjmp(png_jmpbuf(r->png))) return false;
  png_set_read_fn(r->png, r->file, read_png_bytes);
  png_read_info(r->png, r->info);
  return true;
}

// Asks libpng for 8-bit samples: 16-bit ones keep their high byte (as PIL reads them),
// 1/2/4-bit grayscale and palettes are expanded. Alpha is left in (dropped when copying).
bool png_transform_step(PngRead* r) {
  if (setjmp(png_jmpbuf(r->png))) return false;
  const int type = png_get_color_type(r->png, r->info);
  if (png_get_bit_depth(r->png, r->info) == 16) png_set_strip_16(r->png);
  if (type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(r->png);
  if (type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(r->png, r->info) < 8) png_set_expand_gray_1_2_4_to_8(r->png);
  r->passes = png_set_interlace_handling(r->png);
  png_read_update_info(r->png, r->info);
  return true;
}

// Reads every pass of every row into `data` (rows of `stride` bytes): an interlaced image's
// later passes fill in the rows the earlier ones began.
bool png_rows_step(PngRead* r, png_bytep data, std::size_t stride, png_uint_32 height) {
  if (setjmp(png_jmpbuf(r->png))) return false;
  for (int pass = 0; pass < r->passes; ++pass)
    for (png_uint_32 y = 0; y < height; ++y) png_read_row(r->png, data + y * stride, nullptr);
  return true;
}

class Png {
 public:
  Png(File file, const std::string& name) : file_(std::move(file)), name_(name) {
    r_.file = file_.get();
    r_.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r_, on_png_error, on_png_warning);
    if (r_.png) r_.info = png_create_info_struct(r_.png);
    if (!r_.png || !r_.info) throw UserError("libpng could not start (out of memory?)");
  }
  ~Png() { png_destroy_read_struct(&r_.png, &r_.info, nullptr); }
  Png(const Png&) = delete;
  Png& operator=(const Png&) = delete;

  Header header() {
    if (!png_header_step(&r_)) fail();
    Header h;
    h.png = true;
    h.width = png_get_image_width(r_.png, r_.info);
    h.height = png_get_image_height(r_.png, r_.info);
    h.channels = (png_get_color_type(r_.png, r_.info) & PNG_COLOR_MASK_COLOR) ? 3 : 1;
    return h;
  }
  // After header(): the pixels, interleaved, `samples` bytes per pixel (1 to 4: alpha included).
  std::vector<std::uint8_t> pixels(int& samples) {
    if (!png_transform_step(&r_)) fail();
    samples = png_get_channels(r_.png, r_.info);
    const std::size_t stride = png_get_rowbytes(r_.png, r_.info);
    const png_uint_32 height = png_get_image_height(r_.png, r_.info);
    std::vector<std::uint8_t> data(stride * height);
    if (!png_rows_step(&r_, data.data(), stride, height)) fail();
    return data;
  }

 private:
  [[noreturn]] void fail() const { throw bad_image(name_, "is not a valid PNG: " + lowercase_first(r_.message)); }
  File file_;
  std::string name_;
  PngRead r_;
};

// ---- JPEG (libjpeg) ----
// The same scheme: error_exit longjmps back to the running step.

struct JpegRead {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr err{};
  std::jmp_buf jump{};
  char message[JMSG_LENGTH_MAX] = "";
};

void on_jpeg_error(j_common_ptr c) {
  auto* r = static_cast<JpegRead*>(c->client_data);
  if (c->err->msg_code == JWRN_JPEG_EOF) std::snprintf(r->message, sizeof r->message, "%s", kEndsEarly);
  else (*c->err->format_message)(c, r->message);
  std::longjmp(r->jump, 1);
}

// libjpeg only warns about damaged data and goes on, painting what is missing gray; PIL
// refuses a file cut short, and so does pipe (these three). Other warnings are ignored.
void on_jpeg_message(j_common_ptr c, int level) {
  if (level >= 0) return;  // trace messages
  const int code = c->err->msg_code;
  if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE) on_jpeg_error(c);
}

bool jpeg_header_step(JpegRead* r, std::FILE* file) {
  if (setjmp(r->jump)) return false;
  jpeg_stdio_src(&r->cinfo, file);
  jpeg_read_header(&r->cinfo, TRUE);
  return true;
}

// Sizes `data` once libjpeg knows the output (it is the caller's: a jump skips no destructor).
bool jpeg_pixels_step(JpegRead* r, std::vector<std::uint8_t>* data, int* samples) {
  if (setjmp(r->jump)) return false;
  jpeg_start_decompress(&r->cinfo);
  *samples = r->cinfo.output_components;  // libjpeg's default output: RGB for 3 components, grayscale for 1
  const std::size_t stride = static_cast<std::size_t>(r->cinfo.output_width) * r->cinfo.output_components;
  data->resize(stride * r->cinfo.output_height);
  while (r->cinfo.output_scanline < r->cinfo.output_height) {
    JSAMPROW row = data->data() + r->cinfo.output_scanline * stride;
    jpeg_read_scanlines(&r->cinfo, &row, 1);
  }
  jpeg_finish_decompress(&r->cinfo);
  return true;
}

class Jpeg {
 public:
  Jpeg(File file, const std::string& name) : file_(std::move(file)), name_(name) {
    r_.cinfo.err = jpeg_std_error(&r_.err);
    r_.err.error_exit = on_jpeg_error;
    r_.err.emit_message = on_jpeg_message;
    r_.cinfo.client_data = &r_;
    jpeg_create_decompress(&r_.cinfo);
  }
  ~Jpeg() { jpeg_destroy_decompress(&r_.cinfo); }
  Jpeg(const Jpeg&) = delete;
  Jpeg& operator=(const Jpeg&) = delete;

  Header header() {
    if (!jpeg_header_step(&r_, file_.get())) fail();
    Header h;
    h.width = r_.cinfo.image_width;
    h.height = r_.cinfo.image_height;
    h.channels = r_.cinfo.num_components;  // 1 grayscale, 3 YCbCr (RGB), 4 CMYK
    return h;
  }
  // After header(): the pixels, interleaved, `samples` bytes per pixel.
  std::vector<std::uint8_t> pixels(int& samples) {
    std::vector<std::uint8_t> data;
    if (!jpeg_pixels_step(&r_, &data, &samples)) fail();
    return data;
  }

 private:
  [[noreturn]] void fail() const { throw bad_image(name_, "is not a valid JPEG: " + lowercase_first(r_.message)); }
  File file_;
  std::string name_;
  JpegRead r_;
};

Error size_error(const Listing& l, std::size_t i, const Header& h, const Header& first) {
  return Error(Problem::size,
               fmt::format("'{}' is {}x{}, the first image '{}' is {}x{}: every image must have one size", l.files[i], h.height,
                           h.width, l.files[0], first.height, first.width),
               fmt::format("sizes are height x width; load_images does not resize: make every image {}x{} first", first.height,
                           first.width));
}

Error channels_error(const std::string& file, int found, int channels) {
  std::string note;
  if (found == 1) note = "set 'channels: 1' if every image is grayscale, or convert this one to RGB";
  else if (found == 3) note = "set 'channels: 3' if the images are in colour, or convert this one to grayscale";
  else note = "convert it to RGB";
  return Error(Problem::channels, fmt::format("'{}' is {}, and 'channels' is {}", file, channels_text(found), channels), note);
}

}  // namespace

Listing list(const std::string& dir) {
  Listing l;
  l.dir = dir;
  std::vector<std::string> names;
  if (!names_in(dir, names))
    throw Error(Problem::unreadable, fmt::format("cannot read the image folder '{}': {}", dir, reason(errno)), "");
  for (const auto& name : names) {
    struct stat info {};
    if (!hidden(name) && ::stat((dir + "/" + name).c_str(), &info) == 0 && S_ISDIR(info.st_mode)) l.classes.push_back(name);
    else ++l.skipped;
  }
  if (l.classes.empty())
    throw Error(Problem::no_classes, fmt::format("'{}' has no class folders", dir),
                "load_images reads ImageFolder's layout: a subfolder per class, named after it (cat/1.png, dog/2.jpg, ...)");
  for (std::size_t c = 0; c < l.classes.size(); ++c) {
    std::set<std::pair<dev_t, ino_t>> seen;
    struct stat info {};
    if (::stat((dir + "/" + l.classes[c]).c_str(), &info) == 0) seen.insert({info.st_dev, info.st_ino});
    std::vector<std::pair<std::string, std::vector<std::string>>> folders;
    const std::size_t skipped = l.skipped;
    walk(dir, l.classes[c], l, seen, folders);
    std::sort(folders.begin(), folders.end());
    const std::size_t before = l.files.size();
    for (auto& [folder, files] : folders) l.files.insert(l.files.end(), files.begin(), files.end());
    if (l.files.size() == before) {
      const std::size_t others = l.skipped - skipped;
      throw Error(Problem::empty_class,
                  fmt::format("class folder '{}' has no .png, .jpg or .jpeg image{}", l.classes[c],
                              others ? fmt::format(" (only {} other file{})", others, others == 1 ? "" : "s") : ""),
                  "every subfolder is a class: add the class's images, or move the folder out of '" + dir + "'");
    }
    l.labels.resize(l.files.size(), static_cast<int>(c));
  }
  if (l.classes.size() == 1)
    throw Error(Problem::single_class, fmt::format("'{}' has a single class: every image is in '{}'", dir, l.classes[0]),
                "a classifier needs two or more classes: one subfolder of images per class");
  return l;
}

Header read_header(const std::string& dir, const std::string& file) {
  bool png = false;
  File f = open_image(dir, file, png);
  if (png) return Png(std::move(f), file).header();
  return Jpeg(std::move(f), file).header();
}

std::vector<std::int64_t> check_headers(const Listing& l, int channels, std::size_t* png) {
  Header first;
  std::size_t pngs = 0;
  for (std::size_t i = 0; i < l.files.size(); ++i) {
    const Header h = read_header(l.dir, l.files[i]);
    if (i == 0) first = h;
    if (h.height != first.height || h.width != first.width) throw size_error(l, i, h, first);
    if (h.channels != channels) throw channels_error(l.files[i], h.channels, channels);
    pngs += h.png;
  }
  if (png) *png = pngs;
  return {channels, first.height, first.width};
}

void decode(const std::string& dir, const std::string& file, int channels, std::int64_t height, std::int64_t width,
            std::uint8_t* out) {
  bool is_png = false;
  File f = open_image(dir, file, is_png);
  int samples = 0;
  Header h;
  std::vector<std::uint8_t> data;
  if (is_png) {
    Png png(std::move(f), file);
    h = png.header();
    if (h.height == height && h.width == width && h.channels == channels) data = png.pixels(samples);
  } else {
    Jpeg jpeg(std::move(f), file);
    h = jpeg.header();
    if (h.height == height && h.width == width && h.channels == channels) data = jpeg.pixels(samples);
  }
  // The plan checked every header; a file changed since is caught here.
  if (h.height != height || h.width != width)
    throw Error(Problem::size, fmt::format("'{}' is {}x{}, the other images {}x{}: every image must have one size", file,
                                           h.height, h.width, height, width), "");
  if (h.channels != channels) throw channels_error(file, h.channels, channels);
  // Interleaved samples to planes; alpha (the last sample of 2 or 4) is left behind.
  const std::size_t pixels = static_cast<std::size_t>(height * width);
  if (samples < channels || data.size() != pixels * static_cast<std::size_t>(samples))
    throw bad_image(file, fmt::format("decoded to {} bytes of {} samples, not {}x{}x{}", data.size(), samples, height, width, channels));
  for (int c = 0; c < channels; ++c) {
    std::uint8_t* plane = out + c * pixels;
    const std::uint8_t* src = data.data() + c;
    for (std::size_t p = 0; p < pixels; ++p) plane[p] = src[p * samples];
  }
}

Table read_table(const Listing& l, int channels, unsigned threads) {
  Table t;
  t.class_names = l.classes;
  t.image_shape = check_headers(l, channels);
  t.rows = l.files.size();
  t.y = l.labels;
  const std::size_t bytes = t.image_bytes();
  t.pixels.resize(t.rows * bytes);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, t.rows)));
  // Each thread takes the next file; a failure keeps the first file's error in order.
  std::atomic<std::size_t> next{0};
  std::vector<std::pair<std::size_t, std::exception_ptr>> failed(threads, {t.rows, nullptr});
  auto work = [&](unsigned w) {
    for (std::size_t i; (i = next++) < t.rows;) {
      try {
        decode(l.dir, l.files[i], channels, t.image_shape[1], t.image_shape[2], t.pixels.data() + i * bytes);
      } catch (...) {
        if (i < failed[w].first) failed[w] = {i, std::current_exception()};
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < threads; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& th : pool) th.join();
  const auto first = std::min_element(failed.begin(), failed.end(),
                                      [](const auto& a, const auto& b) { return a.first < b.first; });
  if (first != failed.end() && first->second) std::rethrow_exception(first->second);
  return t;
}

}  // namespace pipeml::image_folder
