// Reading a delimited text file of numeric features and one class column into a Table,
// the way pandas.read_csv + sklearn's LabelEncoder would, but without pandas' cost: the
// file is mapped, numbers are parsed in place with std::from_chars and no field becomes a
// std::string. Errors name the file, the 1-based line and the column.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "runtime/table.h"
#include "runtime/user_error.h"

namespace pipeml::csv {

/// What to read and how. Mirrors the load_csv op's parameters.
struct CsvOptions {
  std::string path;
  bool header = true;  ///< the first non-blank line names the columns
  /// Names of the columns in file order: needed when header is false, renames them when
  /// header is true (then there must be one name per header column).
  std::vector<std::string> column_names;
  char delimiter = ',';
  /// Texts that mean a missing value. A numeric one (say "-999") also matches the same
  /// number written differently ("-999.0"), as in pandas.
  std::vector<std::string> na_values = {"", "NA", "NaN", "nan", "N/A", "NULL", "null", "?"};
  /// The class column; empty reads features only (Table::y stays empty).
  std::string target;
  /// When set, the label is 1 where the target value is > threshold, else 0 (classes "0", "1").
  std::optional<double> target_threshold;
  /// The target is a number (regression): its values go to Table::target as float64, as
  /// pandas reads them, and no classes are made.
  bool numeric_target = false;
  /// Columns left out of the features (they need not be numeric).
  std::vector<std::string> drop;
  /// Feature columns read as categorical (names or glob patterns), besides those found
  /// to be: a column whose first value that is not missing is text is categorical too.
  std::vector<std::string> categorical;
};

/// Text in a column read as numbers ("'abc' is not a number"), naming the column, so that
/// the caller can suggest reading it as categorical.
class TextInNumericColumn : public UserError {
 public:
  TextInNumericColumn(const std::string& message, std::string column) : UserError(message), column(std::move(column)) {}
  std::string column;
};

/// The column names a read would see, after renaming.
struct CsvHeader {
  std::vector<std::string> columns;
};

/// Reads only the first record: cheap, for validation messages that list the columns.
/// Without a header and without column_names the columns are named "0", "1", ...
CsvHeader read_header(const CsvOptions& options);

/// Reads the whole file. Features are every column but the target and the dropped ones,
/// in file order; missing markers become NaN. A categorical column's values become codes
/// into its categories (Table::kinds, Table::categories), which are its distinct values
/// sorted as the target's classes are (numerically when all are numbers, else as text). Labels: with target_threshold 0/1 named
/// "0" and "1"; otherwise the distinct target values sorted (numerically when all are
/// numbers, else as text) become 0..k-1, as sklearn's LabelEncoder; with numeric_target the
/// values themselves (Table::target; missing or infinite ones refused). Throws UserError.
Table read_csv(const CsvOptions& options);

/// The 1-based line on which data row `row` (0-based, as read_csv numbers its rows) starts,
/// for messages about a row found bad after reading; 0 when the file has fewer rows. Reads
/// the file again record by record: slow next to read_csv, and meant only for errors.
std::size_t line_of_row(const CsvOptions& options, std::size_t row);

}  // namespace pipeml::csv
