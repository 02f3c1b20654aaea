// pipe predict RUN_DIR DATA: a trained run's model and fitted data stages on new rows.
#include <iostream>

#include "runtime/cli/common.h"
#include "runtime/cli/verbs.h"
#include "runtime/predict.h"

namespace pipeml::cli {

int predict_main(int argc, char** argv) {
  static const char* kUsageText = "usage: pipe predict [options] RUN_DIR DATA";
  po::options_description desc("options");
  desc.add_options()("help,h", "this help")
      ("run", po::value<std::string>(), "a run directory of 'pipe run', or a cross-validated run's fold-N/")
      ("data", po::value<std::string>(), "a CSV file with the columns the model was trained on")
      ("out,o", po::value<std::string>()->value_name("FILE"), "write the predictions there (default: stdout)")
      ("device", po::value<std::string>()->value_name("cpu|cuda|auto")->default_value("cpu"), "where the model runs")
      ("threshold", po::value<double>()->value_name("P"),
       "predict class 1 where its probability is >= P (default: the run's, from metrics.json)");
  po::positional_options_description pos;
  pos.add("run", 1).add("data", 1);
  po::variables_map vm;
  if (!parse_args(argc, argv, desc, pos, vm, kUsageText)) return kUsage;
  if (vm.count("help")) {
    std::cout << kUsageText << "\n\nApplies a run's fitted data stages (transforms.json) and its model (model.pt) to\n"
              << "new rows and writes predictions.csv's layout: row (0-based, in DATA's order), label\n"
              << "when DATA has the target column, the probability of each class (or the predicted\n"
              << "value) and the predicted class. DATA is read with the pipeline's load_csv options and\n"
              << "must have the columns the model was trained on.\n\n" << desc;
    return kOk;
  }
  if (!vm.count("run") || !vm.count("data")) {
    std::cerr << "pipe predict: which run, and which data?\n" << kUsageText << '\n';
    return kUsage;
  }
  PredictOptions o;
  o.run_dir = vm["run"].as<std::string>();
  o.data = vm["data"].as<std::string>();
  if (vm.count("out")) o.out = vm["out"].as<std::string>();
  o.device = vm["device"].as<std::string>();
  if (o.device != "cpu" && o.device != "cuda" && o.device != "auto") {
    std::cerr << "pipe predict: --device is cpu, cuda or auto, not '" << o.device << "'\n";
    return kUsage;
  }
  if (vm.count("threshold")) {
    o.threshold = vm["threshold"].as<double>();
    if (!(*o.threshold >= 0 && *o.threshold <= 1)) {
      std::cerr << "pipe predict: --threshold is a probability, from 0 to 1\n";
      return kUsage;
    }
  }
  TrainerLoader loader;  // LibTorch loads while the rows are read and transformed
  return predict(o, loader, std::cout, std::cerr);
}

}  // namespace pipeml::cli
