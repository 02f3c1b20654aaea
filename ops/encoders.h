// Encoding categorical columns as numbers, as sklearn's OneHotEncoder and OrdinalEncoder
// fitted on X_train: the categories come from the training rows only and are kept by
// name, so that any table whose column holds the same names is encoded the same way.
#pragma once
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "runtime/table.h"

namespace pipeml::encode {

/// A column's categories as the training rows have them: sklearn's categories_[i].
struct Categories {
  std::string column;
  std::vector<std::string> names;  ///< the categories seen, in the column's (sorted) order
  bool missing = false;            ///< a missing value was seen too: one more category, last (sklearn's nan)

  std::size_t size() const { return names.size() + (missing ? 1 : 0); }
  /// The name of category i: names[i], or "nan" for the missing one.
  std::string name(std::size_t i) const { return i < names.size() ? names[i] : "nan"; }
};

/// The categories of categorical column `c` among the rows of `train`.
Categories categories_of(const Table& train, std::size_t c);

/// A value of a column that the fitted categories do not have.
struct Unknown {
  std::string column;
  std::string category;  ///< its name; empty for a missing value
  bool missing = false;
  std::size_t row = 0;   ///< the first row that has it
};

/// The first value of `t` in the columns of `fitted` that is not among their categories.
std::optional<Unknown> first_unknown(const std::vector<Categories>& fitted, const Table& t);

/// "category 'purple' of column 'color'", "a missing value of column 'color'"
std::string unknown_text(const Unknown& u);

/// Why `op` ("one_hot_encode") refuses an unknown value with handle_unknown 'error'.
std::string unknown_error(const std::string& op, const Unknown& u);

// --- OneHotEncoder --------------------------------------------------------------------

enum class Drop { none, first, if_binary };

struct OneHotEncoder {
  std::vector<Categories> columns;
  std::vector<int> drop_idx;     ///< per column: the category left out (sklearn's drop_idx_), or -1
  bool ignore_unknown = false;   ///< handle_unknown 'ignore': an unknown category is all zeros

  /// sklearn's get_feature_names_out: "color_red" per kept category, column by column.
  std::vector<std::string> feature_names_out() const;
  /// The output columns of encoded column k.
  std::vector<std::string> feature_names_out(std::size_t k) const;
};

/// Learns each column's categories from `train` (the columns must be categorical).
/// drop 'first' leaves out each column's first category, 'if_binary' only that of a
/// column with exactly two.
OneHotEncoder fit_one_hot(const Table& train, const std::vector<std::size_t>& cols, Drop drop, bool ignore_unknown);

/// Replaces each encoded column (found by name) by its 0/1 columns, where it stood. Throws
/// UserError for an unknown category unless ignore_unknown, and when an output name is
/// already a column.
void transform(const OneHotEncoder& encoder, Table& t);

// --- OrdinalEncoder -------------------------------------------------------------------

struct OrdinalEncoder {
  std::vector<Categories> columns;
  bool use_encoded_value = false;  ///< handle_unknown 'use_encoded_value' (else 'error')
  double unknown_value = std::numeric_limits<double>::quiet_NaN();
  double encoded_missing_value = std::numeric_limits<double>::quiet_NaN();
};

/// Learns each column's categories from `train`. Throws UserError, as sklearn refuses,
/// when unknown_value is the code of a category, or encoded_missing_value is the code of
/// a category of a column that has missing values.
OrdinalEncoder fit_ordinal(const Table& train, const std::vector<std::size_t>& cols, bool use_encoded_value,
                           double unknown_value, double encoded_missing_value);

/// What fit_ordinal would refuse, or empty.
std::string ordinal_conflict(const OrdinalEncoder& encoder);

/// Replaces each encoded column's values by the category's position among the fitted
/// ones (missing: encoded_missing_value; unknown: unknown_value, or UserError); the
/// columns become numeric.
void transform(const OrdinalEncoder& encoder, Table& t);

}  // namespace pipeml::encode
