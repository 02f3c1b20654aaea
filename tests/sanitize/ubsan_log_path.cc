// Linked into the sanitized build's executables only (-DPIPE_SANITIZE=ON): makes
// UBSAN_OPTIONS=log_path work with g++'s AddressSanitizer. g++ links two runtimes,
// libasan.so and libubsan.so, and both export __sanitizer_set_report_path: the call with which
// libubsan applies its log_path binds to libasan's copy (libasan comes first), so UBSan kept
// writing its reports to stderr, where a test that folds pipe's stderr into its output would
// swallow them. This calls libubsan's own copy, found through libubsan's handle, with the
// log_path of UBSAN_OPTIONS, before main.
#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace {

__attribute__((constructor)) void ubsan_log_path() {
  const char* options = std::getenv("UBSAN_OPTIONS");
  if (options == nullptr) return;
  const std::string all = std::string(":") + options;
  const std::size_t at = all.rfind(":log_path=");
  if (at == std::string::npos) return;
  const std::size_t from = at + std::strlen(":log_path=");
  const std::string path = all.substr(from, all.find(':', from) - from);
  if (void* ubsan = dlopen("libubsan.so.1", RTLD_NOW | RTLD_NOLOAD))
    if (auto set = reinterpret_cast<void (*)(const char*)>(dlsym(ubsan, "__sanitizer_set_report_path"))) set(path.c_str());
}

}  // namespace
