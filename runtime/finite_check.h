// The last check before training: no NaN or infinite feature value may reach the model.
// Missing values that no stage filled, an 'inf' in the data file, a transform that
// overflowed float32: each is an error naming the part, the row and the column, with the
// data file's line when the row is still one of the file's rows.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "runtime/table.h"

namespace pipeml {

/// Throws UserError at the first NaN or infinite feature value of `t`, row by row.
/// `part` names it ("train part", "test part of fold 2"). `source_rows`, when not null,
/// gives each row's 0-based row in the data file; `locate` turns such a row into "FILE:LINE"
/// (or returns "" when it cannot). Without source rows the row is named by its place in the part.
void check_finite(const Table& t, const std::string& part, const std::vector<std::size_t>* source_rows,
                  const std::function<std::string(std::size_t)>& locate);

}  // namespace pipeml
