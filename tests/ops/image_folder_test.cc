// The ImageFolder reader: classes and files in torchvision's order (sorted class folders,
// sorted(os.walk) within each, hidden and other files skipped), PNG pixels exactly in the
// planar [C, H, W] layout, JPEG within its rounding, the PNG variants PIL reads (palette,
// alpha, 16-bit, interlaced, grayscale) and an error naming the file for every bad input.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>

#include "ops/image_folder.h"
#include "tests/cli/cli_helpers.h"
#include "tests/image_files.h"
#include "tests/message_of.h"
#include "tests/temp_dir.h"

namespace {

using pipetest::message_of;

using namespace pipeml;
using pipetest::pattern;
using pipetest::pattern_pixels;

constexpr int kW = 8, kH = 6;

void mkdirs(const pipetest::TempDir& dir, std::initializer_list<const char*> names) {
  for (const char* n : names) REQUIRE(::mkdir(dir.path(n).c_str(), 0755) == 0);
}

// Pixel (c, y, x) of row i of an image table.
int at(const Table& t, std::size_t i, int c, int y, int x) {
  const auto h = t.image_shape[1], w = t.image_shape[2];
  return t.pixels[i * t.image_bytes() + static_cast<std::size_t>(c * h * w + y * w + x)];
}

std::string note_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const image_folder::Error& e) {
    return e.note;
  }
  return "(no error)";
}

// Three classes of RGB 8x6 PNGs (image i of the listing has pattern i), two each.
void three_classes(const pipetest::TempDir& d) {
  mkdirs(d, {"cat", "airplane", "bird"});
  int i = 0;
  for (const char* f : {"airplane/0.png", "airplane/1.png", "bird/0.png", "bird/1.png", "cat/0.png", "cat/1.png"})
    pipetest::write_png(d.path(f), kW, kH, 3, pattern_pixels(i++, kW, kH, 3));
}

}  // namespace

TEST_CASE("image_folder: classes sorted, files sorted within each as ImageFolder walks them", "[image_folder]") {
  pipetest::TempDir d;
  mkdirs(d, {"cat", "airplane", "bird", ".cache", "cat/sub"});
  const auto px = pattern_pixels(0, kW, kH, 3);
  for (const char* f : {"cat/2.png", "cat/10.png", "cat/sub/3.png", "airplane/b.PNG", "airplane/a.JPG", "bird/x.jpeg"})
    pipetest::write_png(d.path(f), kW, kH, 3, px);  // the name's extension does not choose the decoder
  for (const char* f : {"cat/.DS_Store", "bird/notes.txt", "README", ".cache/z.png", "cat/.hidden.png"})
    pipetest::write_file(d.path(f), "x");
  REQUIRE(::symlink(d.path("cat").c_str(), d.path("cat/sub/loop").c_str()) == 0);  // walked once, not forever
  const auto l = image_folder::list(d.str());
  CHECK(l.classes == std::vector<std::string>{"airplane", "bird", "cat"});
  CHECK(l.files == std::vector<std::string>{"airplane/a.JPG", "airplane/b.PNG", "bird/x.jpeg", "cat/10.png", "cat/2.png",
                                            "cat/sub/3.png"});
  CHECK(l.labels == std::vector<int>{0, 0, 1, 2, 2, 2});
  CHECK(l.skipped == 5);  // .cache, README, notes.txt, .DS_Store, .hidden.png
}

TEST_CASE("image_folder: PNG pixels come out exactly, as C planes of rows", "[image_folder]") {
  pipetest::TempDir d;
  three_classes(d);
  const auto l = image_folder::list(d.str());
  std::size_t png = 0;
  CHECK(image_folder::check_headers(l, 3, &png) == std::vector<std::int64_t>{3, kH, kW});
  CHECK(png == 6);
  for (unsigned threads : {1u, 3u}) {
    const Table t = image_folder::read_table(l, 3, threads);
    REQUIRE(t.rows == 6);
    CHECK(t.images());
    CHECK(t.cols() == 0);
    CHECK(t.class_names == std::vector<std::string>{"airplane", "bird", "cat"});
    CHECK(t.y == std::vector<int>{0, 0, 1, 1, 2, 2});
    REQUIRE(t.pixels.size() == 6u * 3 * kH * kW);
    bool all_equal = true;
    for (int i = 0; i < 6; ++i)
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < kH; ++y)
          for (int x = 0; x < kW; ++x) all_equal = all_equal && at(t, i, c, y, x) == pattern(i, c, y, x);
    CHECK(all_equal);
    CHECK(at(t, 4, 1, 2, 3) == pattern(4, 1, 2, 3));  // cat/0.png, green, row 2, column 3
  }
}

TEST_CASE("image_folder: JPEG pixels within the format's rounding, RGB and grayscale", "[image_folder]") {
  pipetest::TempDir d;
  mkdirs(d, {"a", "b"});
  pipetest::write_jpeg(d.path("a/0.jpg"), kW, kH, 3, pipetest::flat_pixels(kW, kH, {200, 30, 90}));
  pipetest::write_jpeg(d.path("b/0.jpeg"), kW, kH, 3, pipetest::flat_pixels(kW, kH, {10, 250, 128}));
  const Table t = image_folder::read_table(image_folder::list(d.str()), 3);
  REQUIRE(t.image_shape == std::vector<std::int64_t>{3, kH, kW});
  const int want[2][3] = {{200, 30, 90}, {10, 250, 128}};
  int worst = 0;
  for (int i = 0; i < 2; ++i)
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < kH; ++y)
        for (int x = 0; x < kW; ++x) worst = std::max(worst, std::abs(at(t, i, c, y, x) - want[i][c]));
  CHECK(worst <= 2);

  pipetest::TempDir g;
  mkdirs(g, {"a", "b"});
  pipetest::write_jpeg(g.path("a/0.jpg"), kW, kH, 1, pipetest::flat_pixels(kW, kH, {77}));
  pipetest::write_png(g.path("b/0.png"), kW, kH, 1, pattern_pixels(3, kW, kH, 1));
  const Table gray = image_folder::read_table(image_folder::list(g.str()), 1);
  REQUIRE(gray.image_shape == std::vector<std::int64_t>{1, kH, kW});
  CHECK(std::abs(at(gray, 0, 0, 5, 7) - 77) <= 1);
  CHECK(at(gray, 1, 0, 4, 6) == pattern(3, 0, 4, 6));
}

TEST_CASE("image_folder: palette, alpha, 16-bit and interlaced PNGs read as PIL reads them", "[image_folder]") {
  pipetest::TempDir d;
  mkdirs(d, {"a", "b"});
  // RGBA: the alpha channel is dropped.
  pipetest::write_png(d.path("a/rgba.png"), kW, kH, 4, pattern_pixels(1, kW, kH, 4));
  // 16-bit RGB: each sample's high byte (the low byte is noise that must not show).
  std::vector<std::uint8_t> wide;
  for (auto v : pattern_pixels(2, kW, kH, 3)) wide.insert(wide.end(), {v, 0xa5});
  pipetest::write_png(d.path("a/wide.png"), kW, kH, PNG_COLOR_TYPE_RGB, 16, wide);
  // Interlaced (Adam7): the passes put back together.
  pipetest::write_png(d.path("b/adam7.png"), kW, kH, PNG_COLOR_TYPE_RGB, 8, pattern_pixels(3, kW, kH, 3), true);
  // A palette of 4 colours, 2 bits per pixel: index (x + y) % 4.
  const std::vector<std::uint8_t> colors = {255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 99, 199};
  std::vector<std::uint8_t> indices;
  for (int y = 0; y < kH; ++y)
    for (int x = 0; x < kW; x += 4) {
      std::uint8_t byte = 0;
      for (int k = 0; k < 4; ++k) byte = static_cast<std::uint8_t>(byte << 2 | ((x + k + y) % 4));
      indices.push_back(byte);
    }
  pipetest::write_png(d.path("b/palette.png"), kW, kH, PNG_COLOR_TYPE_PALETTE, 2, indices, false, colors);
  const Table t = image_folder::read_table(image_folder::list(d.str()), 3);
  REQUIRE(t.rows == 4);  // a/rgba, a/wide, b/adam7, b/palette
  bool rgba = true, high = true, adam7 = true, palette = true;
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x) {
        rgba = rgba && at(t, 0, c, y, x) == pattern(1, c, y, x);
        high = high && at(t, 1, c, y, x) == pattern(2, c, y, x);
        adam7 = adam7 && at(t, 2, c, y, x) == pattern(3, c, y, x);
        palette = palette && at(t, 3, c, y, x) == colors[3 * ((x + y) % 4) + c];
      }
  CHECK(rgba);
  CHECK(high);
  CHECK(adam7);
  CHECK(palette);
}

TEST_CASE("image_folder: a bad folder or image is an error naming it, with what to do", "[image_folder]") {
  pipetest::TempDir d;
  SECTION("a folder that is not there") {
    const std::string missing = d.path("nothing");
    CHECK(message_of([&] { image_folder::list(missing); }) ==
          "cannot read the image folder '" + missing + "': no such file or directory");
  }
  SECTION("no class folders") {
    pipetest::write_png(d.path("0.png"), kW, kH, 3, pattern_pixels(0, kW, kH, 3));
    CHECK(message_of([&] { image_folder::list(d.str()); }) == "'" + d.str() + "' has no class folders");
    CHECK(note_of([&] { image_folder::list(d.str()); }) ==
          "load_images reads ImageFolder's layout: a subfolder per class, named after it (cat/1.png, dog/2.jpg, ...)");
  }
  SECTION("a class folder without images") {
    three_classes(d);
    mkdirs(d, {"deer"});
    pipetest::write_file(d.path("deer/list.txt"), "x");
    CHECK(message_of([&] { image_folder::list(d.str()); }) == "class folder 'deer' has no .png, .jpg or .jpeg image (only 1 other file)");
    CHECK(note_of([&] { image_folder::list(d.str()); }) ==
          "every subfolder is a class: add the class's images, or move the folder out of '" + d.str() + "'");
  }
  SECTION("a single class") {
    mkdirs(d, {"cat"});
    pipetest::write_png(d.path("cat/0.png"), kW, kH, 3, pattern_pixels(0, kW, kH, 3));
    CHECK(message_of([&] { image_folder::list(d.str()); }) == "'" + d.str() + "' has a single class: every image is in 'cat'");
  }
  SECTION("an image of another size") {
    three_classes(d);
    pipetest::write_png(d.path("cat/1.png"), 5, 4, 3, pattern_pixels(0, 5, 4, 3));
    const auto l = image_folder::list(d.str());
    CHECK(message_of([&] { image_folder::check_headers(l, 3); }) ==
          "'cat/1.png' is 4x5, the first image 'airplane/0.png' is 6x8: every image must have one size");
    CHECK(note_of([&] { image_folder::check_headers(l, 3); }) ==
          "sizes are height x width; load_images does not resize: make every image 6x8 first");
    CHECK(message_of([&] { image_folder::read_table(l, 3); }) == message_of([&] { image_folder::check_headers(l, 3); }));
  }
  SECTION("a grayscale image among RGB ones, and RGB ones read as grayscale") {
    three_classes(d);
    pipetest::write_png(d.path("bird/1.png"), kW, kH, 1, pattern_pixels(0, kW, kH, 1));
    const auto l = image_folder::list(d.str());
    CHECK(message_of([&] { image_folder::check_headers(l, 3); }) == "'bird/1.png' is grayscale (1 channel), and 'channels' is 3");
    CHECK(note_of([&] { image_folder::check_headers(l, 3); }) ==
          "set 'channels: 1' if every image is grayscale, or convert this one to RGB");
    CHECK(message_of([&] { image_folder::check_headers(l, 1); }) == "'airplane/0.png' is RGB (3 channels), and 'channels' is 1");
    CHECK(note_of([&] { image_folder::check_headers(l, 1); }) ==
          "set 'channels: 3' if the images are in colour, or convert this one to grayscale");
  }
  SECTION("a file that is no image, and an empty one") {
    three_classes(d);
    pipetest::write_file(d.path("bird/0.png"), "GIF89a, not a PNG");
    pipetest::write_file(d.path("cat/1.png"), "");
    const auto l = image_folder::list(d.str());
    CHECK(message_of([&] { image_folder::check_headers(l, 3); }) ==
          "'bird/0.png' is not a PNG or JPEG image: its first bytes are neither format's signature");
    CHECK(note_of([&] { image_folder::check_headers(l, 3); }) ==
          "the file is damaged or not an image: replace it, or move it out of the folder");
    CHECK(message_of([&] { image_folder::read_header(d.str(), "cat/1.png"); }) == "'cat/1.png' is empty");
  }
  SECTION("a PNG whose header is damaged") {
    three_classes(d);
    std::string bytes = pipetest::read_file(d.path("cat/0.png"));
    bytes[20] = static_cast<char>(bytes[20] ^ 0x40);  // inside IHDR: its CRC no longer matches
    pipetest::write_file(d.path("cat/0.png"), bytes);
    CHECK(message_of([&] { image_folder::read_header(d.str(), "cat/0.png"); }) == "'cat/0.png' is not a valid PNG: IHDR: CRC error");
  }
  SECTION("a PNG and a JPEG cut short after their headers: found when decoding") {
    three_classes(d);
    pipetest::write_jpeg(d.path("bird/1.png"), kW, kH, 3, pattern_pixels(0, kW, kH, 3));
    // The JPEG a few bytes into its scan (after the SOS marker and its header), the PNG a few
    // into its first IDAT chunk (after the signature, IHDR and IDAT's length and type).
    const std::string jpeg = pipetest::read_file(d.path("bird/1.png"));
    const std::size_t sos = jpeg.find("\xff\xda");
    REQUIRE(sos != std::string::npos);
    pipetest::write_file(d.path("bird/1.png"), jpeg.substr(0, sos + 2 + (std::uint8_t(jpeg[sos + 2]) << 8 | std::uint8_t(jpeg[sos + 3])) + 5));
    pipetest::write_file(d.path("cat/0.png"), pipetest::read_file(d.path("cat/0.png")).substr(0, 8 + 25 + 8 + 5));
    const auto l = image_folder::list(d.str());
    CHECK(image_folder::check_headers(l, 3) == std::vector<std::int64_t>{3, kH, kW});  // the headers are whole
    CHECK(message_of([&] { image_folder::read_table(l, 3, 4); }) ==
          "'bird/1.png' is not a valid JPEG: the file ends early (cut short?)");
    std::vector<std::uint8_t> out(3 * kH * kW);
    CHECK(message_of([&] { image_folder::decode(d.str(), "cat/0.png", 3, kH, kW, out.data()); }) ==
          "'cat/0.png' is not a valid PNG: the file ends early (cut short?)");
  }
}
