// The CIFAR-10 binary reader: records laid out as the format's page says (a label byte, then
// the red, green and blue 32x32 planes, rows in order), the first N records of several
// files, class names from batches.meta.txt, and the errors for a file that is truncated,
// empty, missing or holds a label beyond 9.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>

#include "ops/cifar10.h"
#include "runtime/user_error.h"
#include "tests/message_of.h"
#include "tests/temp_dir.h"

namespace {

using pipetest::message_of;

using namespace pipeml;

// Record i: label i % 10, pixel p = (i + p) % 251 (a prime, so planes differ).
void write_file(const std::string& path, int records, int first = 0) {
  std::vector<int> labels;
  std::vector<std::uint8_t> pixels;
  for (int i = first; i < first + records; ++i) {
    labels.push_back(i % 10);
    for (std::size_t p = 0; p < cifar::kPixels; ++p) pixels.push_back(static_cast<std::uint8_t>((i + p) % 251));
  }
  cifar::write_records(path, labels, pixels);
}

}  // namespace

TEST_CASE("cifar10: records are a label byte then the R, G and B planes", "[cifar10]") {
  pipetest::TempDir dir;
  write_file(dir.path("a.bin"), 3);
  std::ifstream in(dir.path("a.bin"), std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(bytes.size() == 3 * 3073);
  CHECK(bytes[3073] == 1);  // record 2's label

  const Table t = cifar::read_table({dir.path("a.bin")}, 0, cifar::class_names(dir.str()));
  CHECK(t.rows == 3);
  CHECK(t.images());
  CHECK(t.image_shape == std::vector<std::int64_t>{3, 32, 32});
  CHECK(t.y == std::vector<int>{0, 1, 2});
  CHECK(t.cols() == 0);
  // Record 2 (i = 1), green plane (c = 1), row 2, column 3: pixel 1024 + 2 * 32 + 3 of the record.
  const std::size_t p = 1024 + 2 * 32 + 3;
  CHECK(t.pixels[1 * cifar::kPixels + p] == (1 + p) % 251);
  CHECK(static_cast<unsigned char>(bytes[3073 + 1 + p]) == (1 + p) % 251);
  CHECK(t.class_names.front() == "airplane");
  CHECK(t.class_names.back() == "truck");
}

TEST_CASE("cifar10: the first N records over several files, in order", "[cifar10]") {
  pipetest::TempDir dir;
  write_file(dir.path("a.bin"), 4, 0);
  write_file(dir.path("b.bin"), 4, 4);
  const auto names = cifar::class_names(dir.str());
  const Table all = cifar::read_table({dir.path("a.bin"), dir.path("b.bin")}, 0, names);
  CHECK(all.y == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
  const Table six = cifar::read_table({dir.path("a.bin"), dir.path("b.bin")}, 6, names);
  CHECK(six.rows == 6);
  CHECK(six.y == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(std::equal(six.pixels.begin(), six.pixels.end(), all.pixels.begin()));
  // Taking rows keeps their pixels.
  const Table two = all.take({7, 2});
  CHECK(two.y == std::vector<int>{7, 2});
  CHECK(std::equal(two.pixels.begin(), two.pixels.begin() + cifar::kPixels, all.pixels.begin() + 7 * cifar::kPixels));
  CHECK(two.image_shape == all.image_shape);
}

TEST_CASE("cifar10: class names come from batches.meta.txt when it has ten", "[cifar10]") {
  pipetest::TempDir dir;
  std::ofstream(dir.path("batches.meta.txt")) << "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n";
  CHECK(cifar::class_names(dir.str()) == std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"});
  std::ofstream(dir.path("batches.meta.txt")) << "only\ntwo\n";
  CHECK(cifar::class_names(dir.str()).at(3) == "cat");
}

TEST_CASE("cifar10: a truncated, empty or missing file, or a label beyond 9, is an error naming it", "[cifar10]") {
  pipetest::TempDir dir;
  write_file(dir.path("cut.bin"), 2);
  ::truncate(dir.path("cut.bin").c_str(), 3073 + 1000);
  CHECK(message_of([&] { cifar::read_records(dir.path("cut.bin"), 0, true); }) ==
        "'" + dir.path("cut.bin") +
            "' is truncated: its 4073 bytes are 1 whole record of 3073 (a label byte and 3072 pixel bytes) and 1000 bytes of one "
            "more");
  std::ofstream(dir.path("empty.bin"));
  CHECK(message_of([&] { cifar::read_records(dir.path("empty.bin"), 0, false); }) ==
        "'" + dir.path("empty.bin") + "' is empty: a CIFAR-10 file holds records of 3073 bytes");
  CHECK(message_of([&] { cifar::read_records(dir.path("none.bin"), 0, false); }) ==
        "cannot read '" + dir.path("none.bin") + "': no such file or directory");
  std::vector<std::uint8_t> pixels(2 * cifar::kPixels, 0);
  cifar::write_records(dir.path("label.bin"), {3, 12}, pixels);
  CHECK(message_of([&] { cifar::read_records(dir.path("label.bin"), 0, false); }) ==
        "'" + dir.path("label.bin") + "': record 2 (byte 3073) has label 12; CIFAR-10's labels are 0 to 9");
  // Only the records read are checked: the first one alone is fine.
  CHECK(cifar::read_records(dir.path("label.bin"), 1, false).labels == std::vector<int>{3});
}
