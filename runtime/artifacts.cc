#include "runtime/artifacts.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "runtime/user_error.h"

namespace pipeml {
namespace fs = std::filesystem;

std::string make_run_dir(const std::string& out, const std::string& pipeline_name) {
  std::error_code ec;
  if (!out.empty()) {
    if (fs::exists(out, ec)) {
      if (!fs::is_directory(out, ec) || !fs::is_empty(out, ec))
        throw UserError("output directory '" + out + "' exists and is not empty; pipe never overwrites a run");
      return out;
    }
    fs::create_directories(out, ec);
    if (ec) throw UserError("cannot create output directory '" + out + "': " + ec.message());
    return out;
  }
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", std::localtime(&now));
  fs::create_directories("runs", ec);
  if (ec) throw UserError("cannot create 'runs': " + ec.message());
  const std::string base = fmt::format("runs/{}-{}", pipeline_name, stamp);
  for (int n = 1; n < 1000; ++n) {
    const std::string dir = n == 1 ? base : fmt::format("{}-{}", base, n);
    if (::mkdir(dir.c_str(), 0777) == 0) return dir;  // mkdir is the atomic claim
    if (errno != EEXIST) throw UserError("cannot create '" + dir + "': " + std::strerror(errno));
  }
  throw UserError("too many runs named '" + base + "'");
}

void write_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << content;
    f.flush();
    if (!f) throw UserError("cannot write '" + tmp + "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw UserError("cannot write '" + path + "': " + std::strerror(errno));
  }
}

}  // namespace pipeml
