// Every pipeline shipped in pipelines/ and examples/ is valid, so a teaching file never
// rots as ops change.
#include <catch2/catch.hpp>

#include "tests/cli/cli_helpers.h"
#include "tests/cli/fake_cifar.h"
#include "tests/temp_dir.h"

TEST_CASE("every shipped pipeline validates") {
  auto files = pipetest::yaml_files("pipelines");
  const auto examples = pipetest::yaml_files("examples");
  CHECK(files.size() >= 1);
  CHECK(examples.size() >= 2);
  files.insert(files.end(), examples.begin(), examples.end());
  // CIFAR-10 is not in the checkout: the image pipelines read a small copy written here.
  pipetest::TempDir cifar;
  pipetest::write_fake_cifar(cifar.str());
  for (const auto& f : files) {
    const bool images = pipetest::read_file(std::string(PIPE_SOURCE_DIR) + "/" + f).find("load_cifar10") != std::string::npos;
    const auto r = pipetest::run_pipe("validate " + f + (images ? " --set load_cifar10.path=" + cifar.str() : ""));
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.out.rfind(f + ": ok", 0) == 0);
  }
}
