// Reading new rows for a trained model (`pipe predict`): the file read as the run read its
// data (the same load_csv options and reader), its columns checked against the run's, and
// its categories and classes mapped by name to the run's, so that every later stage sees
// what it saw in the run.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ops/load_csv.h"

namespace pipeml::csv {

/// Reads `o.path` (o: the run's load_csv options). `fitted` is load_csv's entry in the run's
/// transforms.json: the file's feature columns and each categorical column's categories.
/// The file must have exactly those features, in any order, and may have the target (then
/// mapped to `classes`, or read as a number for regression) and the dropped columns. The
/// table's features come in the run's order; a categorical column's categories are the
/// run's plus any new ones (which the encoders then refuse or ignore as they were told).
/// `locate` is set to the "FILE:LINE" of a row. Throws UserError: the columns that are
/// missing and extra, or a value's FILE:LINE.
Table read_new_rows(CsvOptions o, const nlohmann::json& fitted, const std::vector<std::string>& classes,
                    std::function<std::string(std::size_t)>& locate);

}  // namespace pipeml::csv
