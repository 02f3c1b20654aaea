// The CIFAR-10 recipe (pipelines/cifar10.yaml) end to end on a small CIFAR-10 written by the
// test in the binary format: the plan (each layer's shape and parameters, the first conv's
// 896, the total, as torchsummary prints them), a short run on the CPU with its artifacts,
// and the bad inputs the issue names — a truncated file, a crop larger than the padded
// image — and the mix-ups between image and table stages, each a located error.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/cli/fake_cifar.h"
#include "tests/dsl/error_helpers.h"
#include "tests/temp_dir.h"

using pipetest::golden;
using pipetest::read_file;
using pipetest::run_pipe;
using pipetest::TempDir;

namespace {

// The plan with the data folder's path replaced, so the golden file does not name a temp dir.
std::string without(const std::string& text, const std::string& path) { return pipetest::replaced_all(text, path, "DATA"); }

}  // namespace

TEST_CASE("cifar10: pipe plan shows the SimpleCNN layer by layer, as torchsummary") {
  TempDir data;
  pipetest::write_fake_cifar(data.str());
  const auto r = run_pipe("plan pipelines/cifar10.yaml --set load_cifar10.path=" + data.str(), false);
  REQUIRE(r.code == 0);
  CHECK(without(r.out, data.str()) == golden("cifar10.plan.txt", without(r.out, data.str())));
  CHECK(r.out.find("      0    Conv2d(3, 32, kernel_size=3, padding=1)   [32, 32, 32]      896\n") != std::string::npos);
  CHECK(r.out.find("      13   Linear(2048, 10)                          [10]           20,490\n") != std::string::npos);
  CHECK(r.out.find("           total                                                   114,186\n") != std::string::npos);
  CHECK(r.out.find("    -> train 200 = {airplane: 20, automobile: 20,") != std::string::npos);
  CHECK(r.out.find("    note: input [3, 32, 32] from the images; output [10]\n") != std::string::npos);
  const auto j = nlohmann::json::parse(run_pipe("plan pipelines/cifar10.yaml --format json --set load_cifar10.path=" + data.str(), false).out);
  CHECK(j["image_shape"] == nlohmann::json({3, 32, 32}));
  CHECK(j["model"]["total_params"] == 114186);
  CHECK(j["model"]["layers"][0]["params"] == 896);
  const auto v = run_pipe("validate pipelines/cifar10.yaml --set load_cifar10.path=" + data.str());
  CHECK(v.out == "pipelines/cifar10.yaml: ok \u2014 5 data stages, sequential (114186 parameters), adam, 10 epochs\n");
}

TEST_CASE("cifar10: a short run on the CPU trains, evaluates and writes its artifacts") {
  TempDir data, out;
  pipetest::write_fake_cifar(data.str(), 60);
  const std::string args = "run pipelines/cifar10.yaml --device cpu --set load_cifar10.path=" + data.str() +
                           " --set load_cifar10.validation_rows=50 --set train.epochs=2 --set train.batch_size=50 --out ";
  const auto r = run_pipe(args + out.path("a"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("training on 250 images 3x32x32, 2 epochs\n") != std::string::npos);
  CHECK(r.out.find("test (60 rows, 10 classes") != std::string::npos);
  const auto metrics = nlohmann::json::parse(read_file(out.path("a/metrics.json")));
  const double accuracy = metrics["test"]["accuracy"];
  CHECK(accuracy >= 0.0);
  CHECK(accuracy <= 1.0);
  CHECK(pipetest::occurrences(read_file(out.path("a/history.csv")), "\n") == 3);  // a header and two epochs
  CHECK(pipetest::occurrences(read_file(out.path("a/predictions.csv")), "\n") == 61);
  // The same seed gives the same run: the augmentation's draws are seeded with the rest.
  const auto again = run_pipe(args + out.path("b"));
  REQUIRE(again.code == 0);
  CHECK(read_file(out.path("a/history.csv")).substr(0, 60) == read_file(out.path("b/history.csv")).substr(0, 60));
  CHECK(read_file(out.path("a/predictions.csv")) == read_file(out.path("b/predictions.csv")));
}

TEST_CASE("cifar10: bad files and impossible transforms are located errors") {
  TempDir data;
  pipetest::write_fake_cifar(data.str());
  const std::string set = " --set load_cifar10.path=" + data.str();
  SECTION("a truncated file") {
    REQUIRE(::truncate(data.path("data_batch_3.bin").c_str(), 3073 * 5 + 100) == 0);
    const auto r = run_pipe("run pipelines/cifar10.yaml" + set);
    CHECK(r.code == 1);
    CHECK(r.out == "--set load_cifar10.path=" + data.str() + ": error: '" + data.path("data_batch_3.bin") +
                       "' is truncated: its 15465 bytes are 5 whole records of 3073 (a label byte and 3072 pixel bytes) "
                       "and 100 bytes of one more\n"
                       "  note: the file is damaged: unpack cifar-10-binary.tar.gz again\n1 error\n");
  }
  SECTION("a folder without the files") {
    const auto r = run_pipe("validate pipelines/cifar10.yaml --set load_cifar10.path=" + data.path("nothing"));
    CHECK(r.code == 1);
    CHECK(r.out.find("error: cannot read '" + data.path("nothing") + "/data_batch_1.bin': no such file or directory\n"
                     "  note: point 'path' at the folder of data_batch_1.bin") != std::string::npos);
  }
  SECTION("a crop larger than the padded image") {
    const auto r = run_pipe("validate pipelines/cifar10.yaml --set random_crop.size=48" + set);
    CHECK(r.code == 1);
    CHECK(r.out == "--set random_crop.size=48: error: a 48x48 crop is larger than the padded image: 40x40 with padding 4\n"
                   "  note: crop at most 40x40, or pad by at least 8\n1 error\n");
  }
  SECTION("a training-only crop that changes the size") {
    const auto r = run_pipe("validate pipelines/cifar10.yaml --set random_crop.size=24" + set);
    CHECK(r.code == 1);
    CHECK(r.out.find("error: a 24x24 crop of training batches only leaves the other parts 32x32: the model takes one size\n")
          != std::string::npos);
  }
  SECTION("a mean per channel") {
    const auto r = run_pipe("validate pipelines/cifar10.yaml --set normalize.mean=[0.5]" + set);
    CHECK(r.code == 1);
    CHECK(r.out == "--set normalize.mean=[0.5]: error: 'mean' has 1 values for 3 channels\n"
                   "  note: give one value per channel\n1 error\n");
  }
}

TEST_CASE("cifar10: table stages on images, and image stages on a table, are refused at the op") {
  TempDir dir;
  pipetest::write_fake_cifar(dir.str());
  const auto write = [&](const std::string& name, const std::string& text) {
    pipetest::write_file(dir.path(name), text);
    return dir.path(name);
  };
  const std::string tail =
      "loss: {op: cross_entropy}\n"
      "optimizer: {op: adam}\n"
      "train: {epochs: 1}\n";
  SECTION("standardize on images") {
    const auto f = write("a.yaml", "data:\n  - op: load_cifar10\n    path: .\n  - op: standardize\n"
                                   "model: {op: sequential, layers: [{op: flatten}, {op: linear, out_features: 10}]}\n" + tail);
    const auto r = run_pipe("validate " + f);
    CHECK(r.code == 1);
    CHECK(r.out == f + ":4:9: error: 'standardize' works on table columns, and this data is images (3x32x32)\n"
                       "    - op: standardize\n"
                       "          ^~~~~~~~~~~\n"
                       "  note: image data takes split and the image transforms: random_horizontal_flip, random_crop, "
                       "scale_pixels, normalize\n1 error\n");
  }
  SECTION("an mlp on images") {
    const auto f = write("b.yaml", "data:\n  - op: load_cifar10\n    path: .\nmodel: {op: mlp, hidden: [8]}\n" + tail);
    const auto r = run_pipe("validate " + f);
    CHECK(r.code == 1);
    CHECK(r.out.find(f + ":4:13: error: 'mlp' takes table rows, and this data is images (3x32x32)\n") == 0);
    CHECK(r.out.find("  note: use 'op: sequential' with conv2d layers, then flatten and linear (pipelines/cifar10.yaml)\n") !=
          std::string::npos);
  }
  SECTION("a flip on a table") {
    const auto f = write("c.yaml", "data:\n  - op: load_csv\n    path: t.csv\n    target: y\n  - op: split\n"
                                   "  - op: random_horizontal_flip\n"
                                   "model: {op: mlp, hidden: [8]}\n" + tail);
    pipetest::write_file(dir.path("t.csv"), "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n7,0\n8,1\n");
    const auto r = run_pipe("validate " + f);
    CHECK(r.code == 1);
    CHECK(r.out.find(f + ":6:9: error: 'random_horizontal_flip' transforms images, and this data is a table\n") == 0);
  }
}

namespace {

// history.csv's train_loss column.
std::vector<double> train_losses(const std::string& history) {
  std::vector<double> out;
  std::istringstream in(history);
  std::string line;
  std::getline(in, line);  // the header: epoch,train_loss,...
  while (std::getline(in, line)) out.push_back(std::stod(line.substr(line.find(',') + 1)));
  return out;
}

}  // namespace

TEST_CASE("cifar10: on CUDA the step replayed from a CUDA graph trains as the eager step") {
  TempDir data, out;
  pipetest::write_fake_cifar(data.str(), 400);
  const std::string args = "run pipelines/cifar10.yaml --device cuda --set load_cifar10.path=" + data.str() +
                           " --set train.epochs=3 --set train.batch_size=100 --out ";
  const auto graphed = run_pipe(args + out.path("graph"));
  if (graphed.out.find("no usable CUDA GPU") != std::string::npos) {
    WARN("skipped: no CUDA GPU here");
    return;
  }
  INFO(graphed.out);
  REQUIRE(graphed.code == 0);
  // 20 full batches per epoch; the first 3 steps are the eager warm-up before the capture.
  CHECK(graphed.out.find("CUDA graph: 57 of 60 steps replayed from one captured step\n") != std::string::npos);
  const auto eager = run_pipe(args + out.path("eager") + " --set train.cuda_graph=off");
  REQUIRE(eager.code == 0);
  CHECK(eager.out.find("CUDA graph:") == std::string::npos);
  // Not to the bit (the graph's Adam keeps its step count on the device, cuDNN may choose
  // other algorithms), but a graph that froze the batch, the rate or the augmentation would
  // train to other losses.
  const auto a = train_losses(read_file(out.path("graph/history.csv")));
  const auto b = train_losses(read_file(out.path("eager/history.csv")));
  REQUIRE(a.size() == 3);
  REQUIRE(b.size() == 3);
  for (int e = 0; e < 3; ++e) CHECK(std::abs(a[e] - b[e]) < 0.01 * b[e]);
  CHECK(a[2] < a[0]);  // it learns
  const auto metrics = nlohmann::json::parse(read_file(out.path("graph/metrics.json")));
  CHECK(metrics["training"]["cuda_graph"] == nlohmann::json({{"steps", 60}, {"replayed", 57}}));
}
