#include "runtime/trainer_loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <fstream>

#include "runtime/user_error.h"

namespace pipeml {

std::string exec_library_path() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  std::string dir = n > 0 ? std::string(buf, n) : std::string(".");
  dir = dir.substr(0, dir.find_last_of('/'));
  for (const std::string& candidate : {dir + "/libpipe_exec.so", dir + "/../lib/pipe/libpipe_exec.so"})
    if (std::ifstream(candidate)) return candidate;
  return dir + "/libpipe_exec.so";
}

TrainerLoader::TrainerLoader() {
  future_ = std::async(std::launch::async, []() -> std::pair<TrainEntry, std::string> {
    const std::string path = exec_library_path();
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) return {nullptr, "cannot load the training library '" + path + "': " + dlerror()};
    auto entry = reinterpret_cast<TrainEntry>(dlsym(handle, kTrainEntrySymbol));
    if (entry == nullptr) return {nullptr, "'" + path + "' has no '" + kTrainEntrySymbol + "'"};
    return {entry, {}};
  });
}

TrainEntry TrainerLoader::get() {
  auto [entry, error] = future_.get();
  if (entry == nullptr) throw UserError(error);
  return entry;
}

}  // namespace pipeml
