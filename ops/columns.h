// Naming the columns a stage works on (`columns: [chol, "thal*"]`): names and glob
// patterns resolved against the table as it stands, with the errors a user needs when
// one matches nothing. Also what stages that change categorical columns share: the
// order of categories, and taking a few columns out of a table and putting them back.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "runtime/table.h"

namespace pipeml::columns {

/// The columns a stage may take.
enum class Want { any, numeric, categorical };

/// A name that has a glob character (*, ? or [) is a pattern (fnmatch's rules).
bool is_pattern(const std::string& entry);
/// fnmatch(3) without flags: '*' and '?' match any character, '/' and '.' included.
bool matches(const std::string& pattern, const std::string& name);

/// What a selection is for, in the words of its errors.
struct Request {
  std::string param;     ///< the parameter that lists the entries: "columns", "keep"
  std::string who;       ///< "'standardize'", "'impute' with strategy 'mean'"
  Want want = Want::any;
  std::string wrong_kind_note;  ///< how to fix a name of the wrong kind (default: a generic hint)
};

/// One entry that selects nothing, or the wrong kind of column.
struct Problem {
  std::size_t entry = 0;  ///< index into the entries
  std::string message;
  std::string note;
};

struct Selection {
  std::vector<std::size_t> indices;  ///< in table order, each column once
  std::vector<Problem> problems;
};

/// Resolves names and patterns against `names` (with their kinds; empty kinds: all
/// numeric). A name must be a column of the wanted kind; a pattern must match at least
/// one column of that kind, and selects only those.
Selection select(const std::vector<std::string>& entries, const std::vector<std::string>& names,
                 const std::vector<ColumnKind>& kinds, const Request& request);

/// Every column of the wanted kind, in table order.
std::vector<std::size_t> all_of(const std::vector<ColumnKind>& kinds, std::size_t count, Want want);

/// The columns' names.
std::vector<std::string> names_of(const std::vector<std::string>& names, const std::vector<std::size_t>& indices);

// --- Categories ---------------------------------------------------------------------

/// The text as a number, read as load_csv reads numbers; false when it is not one.
bool parse_number(const std::string& text, double& value);
/// Sorts categories as sklearn's encoders and load_csv do: numerically when every one is
/// a number, else as text (byte order, which is code point order in UTF-8).
void sort_categories(std::vector<std::string>& categories);
/// Adds `name` to sorted categories, keeping them sorted. Returns, per old code, its new
/// code (the identity when the name was there already), and sets `code` to the name's.
std::vector<float> add_category(std::vector<std::string>& categories, const std::string& name, float& code);
/// Replaces each code v of column `c` by new_codes[v] (NaN stays NaN).
void recode(Table& t, std::size_t c, const std::vector<float>& new_codes);

// --- Sub-tables ---------------------------------------------------------------------

/// A table of the given columns (names, kinds, categories and values), no labels.
Table gather(const Table& t, const std::vector<std::size_t>& indices);
/// `t` narrowed to its columns `left`, its labels (classes or targets) kept.
void keep_only(Table& t, const std::vector<std::size_t>& left);
/// Writes the values of `sub`'s columns back into `t`'s columns `indices`.
void scatter(Table& t, const std::vector<std::size_t>& indices, const Table& sub);

}  // namespace pipeml::columns
