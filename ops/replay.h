// What the replay hooks share (`pipe predict`: a run's fitted stages applied to new rows):
// finding a stage's fitted columns in the new table, and refusing a missing value, at its
// file line, where the stage cannot take one.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "ops/encoders.h"
#include "runtime/op.h"
#include "runtime/user_error.h"

namespace pipeml::replayed {

/// The indices in r.rows of the fitted state's "columns", in that order. The rows hold every
/// column the run's table held at this stage, so a missing name is a damaged transforms.json:
/// UserError.
std::vector<std::size_t> fitted_columns(const Replay& r);

/// Throws UserError "FILE:LINE: column 'chol' is missing: WHO cannot take a missing value
/// ..." at the first missing value of columns `cols` of r.rows, row by row.
void require_values(const Replay& r, const std::vector<std::size_t>& cols, const std::string& who);

/// An encoder's fitted categories as transforms.json keeps them: per column a list of
/// names, null standing for the missing value (sklearn's nan category).
std::vector<encode::Categories> fitted_categories(const Replay& r);

/// "FILE:LINE: " of row `row`, or "row N of the data (counted from 0): " without a locator.
std::string where(const Replay& r, std::size_t row);

}  // namespace pipeml::replayed
