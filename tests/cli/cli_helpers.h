// Running the built `pipe` binary from tests, as a user would from the source folder.
#pragma once
#include <dirent.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace pipetest {

struct Result {
  int code = -1;
  std::string out;  ///< stdout and stderr together (stderr after 2>&1)
};

/// Runs a shell command line and collects its stdout.
inline Result run_command(const std::string& cmd) {
  Result r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// Runs `pipe ARGS` in the source folder. `merge_stderr` folds stderr into out.
inline Result run_pipe(const std::string& args, bool merge_stderr = true) {
  return run_command(std::string("cd '") + PIPE_SOURCE_DIR + "' && '" + PIPE_BINARY_DIR + "/pipe' " + args +
                     (merge_stderr ? " 2>&1" : " 2>/dev/null"));
}

/// Runs `pipe ARGS` in the source folder as run_pipe does (stdout and stderr together), and
/// calls `act` with pipe's pid once its output has shown each of `marks` in turn. code: the
/// exit status (-1 when a signal killed it).
inline Result run_pipe_until(const std::string& args, const std::vector<std::string>& marks,
                             const std::function<void(pid_t)>& act) {
  const std::string cmd = std::string("cd '") + PIPE_SOURCE_DIR + "' && exec '" + PIPE_BINARY_DIR + "/pipe' " + args + " 2>&1";
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls from here to exec: the test binary has threads
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  Result r;
  std::size_t mark = 0, from = 0;
  std::array<char, 4096> buf;
  ssize_t n;
  while ((n = ::read(fds[0], buf.data(), buf.size())) > 0) {
    r.out.append(buf.data(), static_cast<std::size_t>(n));
    while (mark < marks.size() && r.out.find(marks[mark], from) != std::string::npos)
      from = r.out.find(marks[mark], from) + marks[mark].size(), ++mark;
    if (mark == marks.size() && !marks.empty()) {
      act(pid);
      mark = marks.size() + 1;  // once
    }
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// run_pipe_until that sends pipe `signal` — the way a user's Ctrl-C or a scheduler's
/// SIGTERM arrives in the middle of a run.
inline Result run_pipe_interrupted(const std::string& args, const std::vector<std::string>& marks, int signal) {
  return run_pipe_until(args, marks, [signal](pid_t pid) { ::kill(pid, signal); });
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// How many times `what` occurs in `text`.
inline int occurrences(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// The names in a folder, without "." and "..": empty when it does not exist.
inline std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.insert(e->d_name);
    ::closedir(d);
  }
  return names;
}

/// The .yaml files of a folder of the source tree ("examples"), as "examples/NAME.yaml",
/// sorted: every shipped pipeline, so that a new one is covered by itself.
inline std::vector<std::string> yaml_files(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& name : entries(std::string(PIPE_SOURCE_DIR) + "/" + folder))
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".yaml") == 0) files.push_back(folder + "/" + name);
  return files;  // a std::set's order: sorted
}

/// Compares `actual` with tests/golden/NAME; with PIPE_UPDATE_GOLDEN=1 in the environment
/// rewrites the golden file instead (review the diff before committing it).
inline std::string golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(PIPE_TEST_DIR) + "/golden/" + name;
  if (std::getenv("PIPE_UPDATE_GOLDEN")) write_file(path, actual);
  return read_file(path);
}

}  // namespace pipetest
