// One function per `pipe` verb, each in its own file; main.cc only dispatches.
#pragma once

namespace pipeml::cli {

/// argv[0] is the verb itself.
int validate_main(int argc, char** argv);
int plan_main(int argc, char** argv);
int run_main(int argc, char** argv);
int predict_main(int argc, char** argv);
int ops_main(int argc, char** argv);
int schema_main(int argc, char** argv);
int compare_main(int argc, char** argv);
int report_main(int argc, char** argv);
int sweep_main(int argc, char** argv);

}  // namespace pipeml::cli
