// libFuzzer target: any bytes as a data file for load_csv's reader, read with a header and
// without, features only and with the last column as a class or a number target. Bad files
// must be UserErrors (with FILE:LINE), never a crash, leak or hang.
//   build: see tests/fuzz/README.md
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "ops/load_csv.h"
#include "runtime/user_error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/pipe-csv-fuzz-" + std::to_string(::getpid()) + ".csv";
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  for (int variant = 0; variant < 4; ++variant) {
    pipeml::csv::CsvOptions o;
    o.path = path;
    o.header = variant != 3;
    if (!o.header) o.column_names = {"a", "b", "y"};
    try {
      if (variant >= 1) {
        const auto header = pipeml::csv::read_header(o);
        if (!header.columns.empty()) o.target = header.columns.back();
        o.numeric_target = variant == 2;
      }
      pipeml::csv::read_csv(o);
    } catch (const pipeml::UserError&) {
    }
  }
  return 0;
}
