// pipe — a declarative ML pipeline interpreter. `pipe VERB --help` for each verb.
#include <cstring>
#include <iostream>

#include "runtime/cli/verbs.h"

namespace {

struct Verb {
  const char* name;
  int (*main)(int, char**);
  const char* summary;
};

const Verb kVerbs[] = {
    {"validate", pipeml::cli::validate_main, "check a pipeline file; every error with file:line:col"},
    {"plan", pipeml::cli::plan_main, "show what will run: stages, rows, class counts, layers, schedule"},
    {"run", pipeml::cli::run_main, "train and evaluate a pipeline (or a saved plan)"},
    {"sweep", pipeml::cli::sweep_main, "run a pipeline's variants over seeds: the table of mean \u00b1 std"},
    {"predict", pipeml::cli::predict_main, "apply a run's model and fitted data stages to new rows"},
    {"report", pipeml::cli::report_main, "rebuild a run's report.html from its run directory"},
    {"ops", pipeml::cli::ops_main, "list the ops and their parameters"},
    {"compare", pipeml::cli::compare_main, "print the metrics of finished runs side by side"},
    {"schema", pipeml::cli::schema_main, "write the JSON Schema of pipeline files, for editors"},
};

void usage(std::ostream& os) {
  os << "usage: pipe VERB [options] [FILE]\n\n"
        "A declarative ML pipeline interpreter: validate, plan and run YAML pipelines.\n\nverbs:\n";
  for (const auto& v : kVerbs) os << "  " << v.name << std::string(10 - std::strlen(v.name), ' ') << v.summary << '\n';
  os << "\noptions:\n  -h [ --help ]  this help; 'pipe VERB --help' for a verb's options\n"
        "  --version      print the version\n\n"
        "example:\n  pipe validate pipelines/heart.yaml\n  pipe plan pipelines/heart.yaml\n"
        "  pipe run pipelines/heart.yaml --set train.epochs=10\n"
        "  pipe sweep examples/heart_ablation.yaml --repeat 10 --jobs 2\n"
        "  pipe predict runs/heart-20261124-101500 new_patients.csv -o predictions.csv\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  const std::string verb = argv[1];
  if (verb == "-h" || verb == "--help" || verb == "help") {
    usage(std::cout);
    return 0;
  }
  if (verb == "--version") {
    std::cout << "pipe 0.1.0\n";
    return 0;
  }
  for (const auto& v : kVerbs)
    if (verb == v.name) return v.main(argc - 1, argv + 1);
  std::cerr << "pipe: unknown verb '" << verb << "'\n\n";
  usage(std::cerr);
  return 2;
}
