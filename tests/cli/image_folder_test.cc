// load_images end to end on a small ImageFolder written by the test (3 classes of 8x6 RGB
// images, PNG and JPEG): the plan's class counts and note, validate, a short run on the CPU
// with its metrics, and every bad folder or image as a located error with its exact text.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/dsl/error_helpers.h"
#include "tests/image_files.h"
#include "tests/temp_dir.h"

using pipetest::read_file;
using pipetest::run_pipe;
using pipetest::write_file;

namespace {

constexpr int kW = 8, kH = 6;

// A pipeline reading images/ beside it (line 4: path, line 5: channels), split, a tiny CNN.
const std::string kPipeline =
    "pipeline: shapes\n"
    "data:\n"
    "  - op: load_images\n"
    "    path: images\n"
    "    channels: 3\n"
    "  - op: split\n"
    "    test_size: 0.25\n"
    "  - op: scale_pixels\n"
    "model:\n"
    "  op: sequential\n"
    "  layers:\n"
    "    - {op: conv2d, out_channels: 4, kernel_size: 3, padding: 1}\n"
    "    - {op: relu}\n"
    "    - {op: flatten}\n"
    "    - {op: linear, out_features: 3}\n"
    "loss: {op: cross_entropy}\n"
    "optimizer: {op: adam}\n"
    "train: {epochs: 1, batch_size: 4}\n";

// kPipeline with `from` (which must be there) replaced by `to`.
std::string with_line(const std::string& from, const std::string& to) { return pipetest::replaced(kPipeline, from, to); }

// images/{airplane,bird,cat}/0.png 1.png 2.png 3.jpg: each class brighter in its own channel.
struct Folder {
  pipetest::TempDir dir;
  std::string yaml = dir.path("t.yaml");
  std::string images = dir.path("images");

  Folder() {
    write_file(yaml, kPipeline);
    ::mkdir(images.c_str(), 0755);
    const char* classes[] = {"airplane", "bird", "cat"};
    for (int c = 0; c < 3; ++c) {
      ::mkdir((images + "/" + classes[c]).c_str(), 0755);
      for (int i = 0; i < 4; ++i) {
        auto px = pipetest::pattern_pixels(4 * c + i, kW, kH, 3);
        for (std::size_t p = c; p < px.size(); p += 3) px[p] = static_cast<std::uint8_t>(px[p] / 2 + 120);
        const std::string file = images + "/" + classes[c] + "/" + std::to_string(i);
        if (i < 3) pipetest::write_png(file + ".png", kW, kH, 3, px);
        else pipetest::write_jpeg(file + ".jpg", kW, kH, 3, px);
      }
    }
  }
  std::string image(const std::string& name) const { return images + "/" + name; }
};

// What pipe prints for an error at line `line`'s value (`key: value`, indented 4).
std::string at(const Folder& f, int line, const std::string& key, const std::string& value, const std::string& message,
               const std::string& note) {
  const std::size_t col = 4 + key.size() + 2;  // 0-based column of the value
  return f.yaml + ":" + std::to_string(line) + ":" + std::to_string(col + 1) + ": error: " + message + "\n      " + key + ": " +
         value + "\n" + std::string(col + 2, ' ') + "^" + std::string(value.size() - 1, '~') + "\n  note: " + note + "\n1 error\n";
}

std::string at_path(const Folder& f, const std::string& message, const std::string& note) {
  return at(f, 4, "path", "images", message, note);
}

}  // namespace

TEST_CASE("load_images: pipe plan counts the classes from the headers; validate passes", "[image_folder][cli]") {
  Folder f;
  write_file(f.image("README.txt"), "not an image");
  const auto r = run_pipe("plan " + f.yaml, false);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("  1. load_images\n"
                   "      path      images\n"
                   "      channels  3\n"
                   "    -> all 12 = {airplane: 4, bird: 4, cat: 4}\n"
                   "    note: images 3x6x8 (uint8) from 12 files (9 PNG, 3 JPEG); classes: airplane, bird, cat\n"
                   "    note: 1 entry skipped: hidden, not .png, .jpg or .jpeg, or beside the class folders\n") !=
        std::string::npos);
  CHECK(r.out.find("    -> test 3 = {airplane: 1, bird: 1, cat: 1}\n") != std::string::npos);
  CHECK(r.out.find("    note: input [3, 6, 8] from the images; output [3]\n") != std::string::npos);
  const auto v = run_pipe("validate " + f.yaml);
  CHECK(v.code == 0);
  CHECK(v.out == f.yaml + ": ok \u2014 3 data stages, sequential (691 parameters), adam, 1 epochs\n");
}

TEST_CASE("load_images: a short run on the CPU trains and writes metrics.json", "[image_folder][cli]") {
  Folder f;
  const std::string out = f.dir.path("runs");
  const auto r = run_pipe("run " + f.yaml + " --device cpu --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("training on 9 images 3x6x8, 1 epochs\n") != std::string::npos);
  CHECK(r.out.find("test (3 rows, 3 classes") != std::string::npos);
  const auto metrics = nlohmann::json::parse(read_file(out + "/metrics.json"));
  const double accuracy = metrics["test"]["accuracy"];
  CHECK(accuracy >= 0.0);
  CHECK(accuracy <= 1.0);
  CHECK(pipetest::occurrences(read_file(out + "/predictions.csv"), "\n") == 4);  // a header, 3 rows
  // pipe predict reads table rows: a run on images is refused, naming its loader.
  write_file(f.dir.path("new.csv"), "a\n1\n");
  const auto p = run_pipe("predict " + out + " " + f.dir.path("new.csv"));
  CHECK(p.code == 1);
  CHECK(p.out.find("this run trained on images (load_images); pipe predict reads rows of a table file, not images") !=
        std::string::npos);
}

TEST_CASE("load_images: a bad folder or image is a located error naming it", "[image_folder][cli]") {
  Folder f;
  const auto validate = [&] { return run_pipe("validate " + f.yaml); };
  SECTION("a folder that is not there") {
    write_file(f.yaml, with_line("path: images", "path: imagez"));
    const auto r = validate();
    CHECK(r.code == 1);
    CHECK(r.out == at(f, 4, "path", "imagez", "cannot read the image folder '" + f.dir.path("imagez") + "': no such file or directory",
                      "point 'path' at a folder with a subfolder of images per class (relative paths start at the pipeline "
                      "file's folder), or change it with --set load_images.path=DIR"));
  }
  SECTION("no class folders") {
    write_file(f.yaml, with_line("path: images", "path: images/cat"));
    const auto r = validate();
    CHECK(r.code == 1);
    CHECK(r.out == at(f, 4, "path", "images/cat", "'" + f.image("cat") + "' has no class folders",
                      "load_images reads ImageFolder's layout: a subfolder per class, named after it (cat/1.png, dog/2.jpg, ...)"));
  }
  SECTION("a class folder without images") {
    ::mkdir(f.image("deer").c_str(), 0755);
    const auto r = validate();
    CHECK(r.code == 1);
    CHECK(r.out == at_path(f, "class folder 'deer' has no .png, .jpg or .jpeg image",
                           "every subfolder is a class: add the class's images, or move the folder out of '" + f.images + "'"));
  }
  SECTION("a single class") {
    ::mkdir(f.dir.path("one").c_str(), 0755);
    ::rename(f.image("cat").c_str(), f.dir.path("one/cat").c_str());
    write_file(f.yaml, with_line("path: images", "path: one"));
    const auto r = validate();
    CHECK(r.code == 1);
    CHECK(r.out == at(f, 4, "path", "one", "'" + f.dir.path("one") + "' has a single class: every image is in 'cat'",
                      "a classifier needs two or more classes: one subfolder of images per class"));
  }
  SECTION("an image of another size") {
    pipetest::write_png(f.image("cat/2.png"), 5, 4, 3, pipetest::pattern_pixels(0, 5, 4, 3));
    const auto r = validate();
    CHECK(r.code == 1);
    CHECK(r.out == at_path(f, "'cat/2.png' is 4x5, the first image 'airplane/0.png' is 6x8: every image must have one size",
                           "sizes are height x width; load_images does not resize: make every image 6x8 first"));
  }
  SECTION("a grayscale image with channels: 3") {
    pipetest::write_png(f.image("bird/1.png"), kW, kH, 1, pipetest::pattern_pixels(0, kW, kH, 1));
    const auto r = validate();
    CHECK(r.code == 1);
    CHECK(r.out == at(f, 5, "channels", "3", "'bird/1.png' is grayscale (1 channel), and 'channels' is 3",
                      "set 'channels: 1' if every image is grayscale, or convert this one to RGB"));
  }
  SECTION("RGB images with channels: 1") {
    const auto r = run_pipe("validate " + f.yaml + " --set load_images.channels=1");
    CHECK(r.code == 1);
    CHECK(r.out == "--set load_images.channels=1: error: 'airplane/0.png' is RGB (3 channels), and 'channels' is 1\n"
                   "  note: set 'channels: 3' if the images are in colour, or convert this one to grayscale\n1 error\n");
  }
  SECTION("a file that is not an image") {
    write_file(f.image("bird/2.png"), "<html>not found</html>");
    const auto r = validate();
    CHECK(r.code == 1);
    CHECK(r.out == at_path(f, "'bird/2.png' is not a PNG or JPEG image: its first bytes are neither format's signature",
                           "the file is damaged or not an image: replace it, or move it out of the folder"));
  }
  SECTION("a PNG cut short after its header: the run stops at it") {
    write_file(f.image("cat/1.png"), read_file(f.image("cat/1.png")).substr(0, 8 + 25 + 8 + 5));
    CHECK(validate().code == 0);  // the plan reads headers only
    const std::string out = f.dir.path("runs");
    const auto r = run_pipe("run " + f.yaml + " --device cpu --out " + out);
    CHECK(r.code == 1);
    CHECK(r.out.find("error: 'cat/1.png' is not a valid PNG: the file ends early (cut short?) (in '" + f.images + "')\n") !=
          std::string::npos);
  }
}
