#include "runtime/report/run_artifacts.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "runtime/user_error.h"

// POSIX calls rather than std::filesystem: this file is linked into the test binary with
// PyTorch's pip LibTorch, which exports clashing copies of std::filesystem (tests/temp_dir.h).
namespace pipeml::report {
namespace {

bool is_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UserError("cannot read '" + path + "': " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One line's fields; a field in double quotes may hold commas, "" is a quote.
std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') fields.back() += '"', ++i;
      else if (c == '"') quoted = false;
      else fields.back() += c;
    } else if (c == '"') quoted = true;
    else if (c == ',') fields.emplace_back();
    else fields.back() += c;
  }
  return fields;
}

nlohmann::json read_json(const std::string& dir, const std::string& name) {
  try {
    return nlohmann::json::parse(read_text(dir + "/" + name));
  } catch (const nlohmann::json::parse_error& e) {
    throw UserError(fmt::format("{}/{} is not valid JSON: {}", dir, name, e.what()));
  }
}

CsvArtifact read_csv_artifact(const std::string& dir, const std::string& name) {
  CsvArtifact a;
  const std::string path = dir + "/" + name;
  if (!is_file(path)) {
    a.problem = fmt::format("{} was not written", name);
    return a;
  }
  try {
    a.csv = parse_csv(read_text(path), name);
  } catch (const UserError& e) {
    a.problem = e.what();
  }
  return a;
}

}  // namespace

int Csv::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

std::vector<double> Csv::numbers(const std::string& name) const {
  const int c = column(name);
  std::vector<double> out(rows.size(), NAN);
  if (c < 0) return out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string& field = rows[r][c];
    char* end = nullptr;
    const double v = std::strtod(field.c_str(), &end);
    if (!field.empty() && end == field.c_str() + field.size()) out[r] = v;
  }
  return out;
}

std::vector<std::string> Csv::texts(const std::string& name) const {
  const int c = column(name);
  std::vector<std::string> out(rows.size());
  if (c >= 0)
    for (std::size_t r = 0; r < rows.size(); ++r) out[r] = rows[r][c];
  return out;
}

Csv parse_csv(const std::string& text, const std::string& file) {
  Csv csv;
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields = split_line(line);
    if (csv.header.empty()) {
      csv.header = std::move(fields);
      continue;
    }
    if (fields.size() != csv.header.size())
      throw UserError(fmt::format("{} line {} has {} fields, its header {}", file, number, fields.size(), csv.header.size()));
    csv.rows.push_back(std::move(fields));
  }
  if (csv.header.empty()) throw UserError(file + " is empty");
  return csv;
}

RunArtifacts read_run(const std::string& dir) {
  struct stat info {};
  if (::stat(dir.c_str(), &info) != 0) throw UserError("cannot read run directory '" + dir + "': " + std::strerror(errno));
  if (!S_ISDIR(info.st_mode)) throw UserError("'" + dir + "' is not a directory; pipe report takes a run directory");

  std::vector<std::string> missing;
  for (const char* name : {"plan.json", "metrics.json"})
    if (!is_file(dir + "/" + name)) missing.push_back(name);
  if (!missing.empty()) {
    std::string what = missing.size() == 2 ? "plan.json and metrics.json" : missing.front();
    std::string message = fmt::format("'{}' has no {}", dir, what);
    if (is_file(dir + "/error.txt")) {
      std::string error = read_text(dir + "/error.txt");
      while (!error.empty() && error.back() == '\n') error.pop_back();
      message += fmt::format(": the run failed ({}/error.txt: {})", dir, error);
    } else {
      message += ": not a finished run of pipe run";
    }
    throw UserError(message);
  }

  RunArtifacts run;
  run.dir = dir;
  run.plan = read_json(dir, "plan.json");
  run.metrics = read_json(dir, "metrics.json");
  if (run.cross_validated()) {
    for (const auto& fold : run.metrics["folds"]) {
      TrainingFiles t;
      t.fold = fold.value("fold", 0);
      const std::string fold_dir = fmt::format("{}/fold-{}", dir, t.fold);
      t.history = read_csv_artifact(fold_dir, "history.csv");
      t.predictions = read_csv_artifact(fold_dir, "predictions.csv");
      if (t.history.problem.size()) t.history.problem = fmt::format("fold-{}/{}", t.fold, t.history.problem);
      if (t.predictions.problem.size()) t.predictions.problem = fmt::format("fold-{}/{}", t.fold, t.predictions.problem);
      run.trainings.push_back(std::move(t));
    }
  } else {
    TrainingFiles t;
    t.history = read_csv_artifact(dir, "history.csv");
    t.predictions = read_csv_artifact(dir, "predictions.csv");
    run.trainings.push_back(std::move(t));
  }
  return run;
}

}  // namespace pipeml::report
