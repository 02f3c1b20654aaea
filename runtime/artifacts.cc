#include "runtime/artifacts.h"

#include <fmt/format.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "runtime/user_error.h"

// POSIX calls rather than std::filesystem: this file is linked into the test binary with
// PyTorch's pip LibTorch, which exports clashing copies of std::filesystem (tests/temp_dir.h).
namespace pipeml {
namespace {

bool is_empty_dir(const std::string& path) { return is_directory(path) && dir_entries(path).empty(); }

/// mkdir -p. Returns errno of the first failure, or 0.
int make_dirs(const std::string& path) {
  for (std::size_t at = 1; at <= path.size(); ++at) {
    if (at != path.size() && path[at] != '/') continue;
    const std::string prefix = path.substr(0, at);
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) return errno;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return errno;
  return S_ISDIR(info.st_mode) ? 0 : ENOTDIR;
}

}  // namespace

bool path_exists(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0;
}

bool is_directory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

std::vector<std::string> dir_entries(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d))
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
    ::closedir(d);
  }
  return names;
}

nlohmann::json read_run_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw UserError(path + ": not the JSON that 'pipe run' writes");
  return j;
}

std::string make_run_dir(const std::string& out, const std::string& pipeline_name, const std::string& parent) {
  if (!out.empty()) {
    struct stat info {};
    if (::stat(out.c_str(), &info) == 0) {
      if (!S_ISDIR(info.st_mode) || !is_empty_dir(out))
        throw UserError("output directory '" + out + "' exists and is not empty; pipe never overwrites a run");
      return out;
    }
    if (const int e = make_dirs(out)) throw UserError("cannot create output directory '" + out + "': " + std::strerror(e));
    return out;
  }
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", std::localtime(&now));
  if (const int e = make_dirs(parent)) throw UserError("cannot create '" + parent + "': " + std::strerror(e));
  const std::string base = fmt::format("{}/{}-{}", parent, pipeline_name, stamp);
  for (int n = 1; n < 1000; ++n) {
    const std::string dir = n == 1 ? base : fmt::format("{}-{}", base, n);
    if (::mkdir(dir.c_str(), 0777) == 0) return dir;  // mkdir is the atomic claim
    if (errno != EEXIST) throw UserError("cannot create '" + dir + "': " + std::strerror(errno));
  }
  throw UserError("too many runs named '" + base + "'");
}

bool has_checkpoint(const std::string& dir) {
  if (path_exists(dir + "/resume.pt")) return true;
  for (const std::string& name : dir_entries(dir))
    if (name.rfind("fold-", 0) == 0 && path_exists(dir + "/" + name + "/resume.pt")) return true;
  return false;
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
