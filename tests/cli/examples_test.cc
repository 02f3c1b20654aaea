// Every pipeline shipped in pipelines/ and examples/ is valid, so a teaching file never
// rots as ops change.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <algorithm>
#include <vector>

#include "tests/cli/cli_helpers.h"

namespace {

std::vector<std::string> yaml_files(const std::string& folder) {
  std::vector<std::string> files;
  if (DIR* d = ::opendir((std::string(PIPE_SOURCE_DIR) + "/" + folder).c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name.size() > 5 && name.compare(name.size() - 5, 5, ".yaml") == 0) files.push_back(folder + "/" + name);
    }
    ::closedir(d);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("every shipped pipeline validates") {
  auto files = yaml_files("pipelines");
  const auto examples = yaml_files("examples");
  CHECK(files.size() >= 1);
  CHECK(examples.size() >= 2);
  files.insert(files.end(), examples.begin(), examples.end());
  for (const auto& f : files) {
    const auto r = pipetest::run_pipe("validate " + f);
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.out.rfind(f + ": ok", 0) == 0);
  }
}
