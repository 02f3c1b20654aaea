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
  future_ = std::async(std::launch::async, []() -> Loaded {
    Loaded l;
    const std::string path = exec_library_path();
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      l.error = "cannot load the training library '" + path + "': " + dlerror();
      return l;
    }
    l.train = reinterpret_cast<TrainEntry>(dlsym(handle, kTrainEntrySymbol));
    l.predict = reinterpret_cast<PredictEntry>(dlsym(handle, kPredictEntrySymbol));
    l.cuda_available = reinterpret_cast<CudaAvailableEntry>(dlsym(handle, kCudaAvailableSymbol));
    l.neighbour_candidates = reinterpret_cast<NeighbourCandidatesEntry>(dlsym(handle, kNeighbourCandidatesSymbol));
    if (!l.train || !l.predict || !l.cuda_available || !l.neighbour_candidates)
      l.error = "'" + path + "' lacks pipe's entry points: rebuild it with this pipe";
    return l;
  }).share();
}

const TrainerLoader::Loaded& TrainerLoader::loaded() {
  const Loaded& l = future_.get();
  if (!l.error.empty()) throw UserError(l.error);
  return l;
}

TrainEntry TrainerLoader::get() { return loaded().train; }

PredictEntry TrainerLoader::predict() { return loaded().predict; }

NeighbourCandidates TrainerLoader::gpu_neighbour_search() {
  const Loaded& l = loaded();
  if (!l.cuda_available()) return {};
  return l.neighbour_candidates;
}

}  // namespace pipeml
