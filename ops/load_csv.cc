#include "ops/load_csv.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "dsl/diagnostics.h"
#include "dsl/utf8.h"
#include "ops/columns.h"
#include "runtime/user_error.h"

namespace pipeml::csv {
namespace {

UserError cannot_read(const std::string& path, int error_number) {
  std::string reason = std::strerror(error_number);
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return UserError("cannot read the data file '" + path + "': " + reason);
}

std::string at_line(const std::string& path, std::size_t line) { return path + ":" + std::to_string(line) + ": "; }

/// The file's bytes, mapped read-only; read into memory instead when the file cannot be
/// mapped (a pipe, /dev/stdin).
class FileBytes {
 public:
  explicit FileBytes(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw cannot_read(path, errno);
    struct stat info {};
    if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
      const int error_number = S_ISDIR(info.st_mode) ? EISDIR : errno;
      ::close(fd);
      throw cannot_read(path, error_number);
    }
    if (S_ISREG(info.st_mode) && info.st_size > 0) {
      void* map = ::mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (map != MAP_FAILED) {
        ::close(fd);
        map_ = map;
        size_ = static_cast<std::size_t>(info.st_size);
        data_ = static_cast<const char*>(map);
        ::madvise(map_, size_, MADV_SEQUENTIAL);
        return;
      }
    }
    char buffer[1 << 16];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) owned_.append(buffer, static_cast<std::size_t>(n));
    const int error_number = errno;
    ::close(fd);
    if (n < 0) throw cannot_read(path, error_number);
    data_ = owned_.data();
    size_ = owned_.size();
  }
  ~FileBytes() {
    if (map_) ::munmap(map_, size_);
  }
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  /// Where the text starts: after the UTF-8 byte order mark, if there is one.
  const char* text_begin() const {
    return size_ >= 3 && std::memcmp(data_, "\xEF\xBB\xBF", 3) == 0 ? data_ + 3 : data_;
  }
  const char* end() const { return data_ + size_; }

  /// Lets the process drop the mapped pages between `from` and `to`: they are parsed
  /// already, and on a large file keeping them resident would add the whole file to the
  /// peak memory. The bytes stay valid; touching them again reads them from the page cache.
  void release(const char* from, const char* to) const {
    if (!map_) return;
    static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t first = (static_cast<std::size_t>(from - data_) + page - 1) / page * page;
    const std::size_t last = static_cast<std::size_t>(to - data_) / page * page;
    if (last > first) ::madvise(static_cast<char*>(map_) + first, last - first, MADV_DONTNEED);
  }

 private:
  void* map_ = nullptr;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  std::string owned_;
};

/// One field of a record: its text inside the file, without surrounding spaces or quotes.
struct Field {
  const char* begin;
  const char* end;
  bool has_escaped_quote;  ///< a quoted field held "" (which means ")
};

std::string text_of(const Field& f) {
  std::string text(f.begin, f.end);
  if (f.has_escaped_quote) {
    std::string unescaped;
    for (std::size_t i = 0; i < text.size(); ++i) {
      unescaped += text[i];
      if (text[i] == '"' && i + 1 < text.size() && text[i + 1] == '"') ++i;
    }
    text = unescaped;
  }
  return text;
}

/// Splits bytes into records of fields: "quoted" fields (with "" for a quote, and the
/// delimiter or line ends inside), LF, CRLF or CR line ends, spaces around fields ignored,
/// blank lines skipped. A cheap value: copy it to look ahead.
class RecordReader {
 public:
  RecordReader(const char* begin, const char* end, char delimiter, const std::string& path)
      : p_(begin), end_(end), delimiter_(delimiter), path_(&path) {}

  /// Fills `fields` with the next non-blank record; false at the end of the bytes.
  bool next(std::vector<Field>& fields) {
    while (p_ != end_) {
      fields.clear();
      record_line_ = line_;
      bool blank = true;
      for (;;) {
        Field f = next_field();
        if (f.begin != f.end || quoted_) blank = false;
        fields.push_back(f);
        if (p_ != end_ && *p_ == delimiter_) {
          ++p_;
          blank = false;
          continue;
        }
        skip_line_end();
        break;
      }
      if (!blank) return true;
    }
    return false;
  }

  /// Continues at `p`, which is the start of line `line`.
  void seek(const char* p, std::size_t line) {
    p_ = p;
    line_ = line;
  }
  /// 1-based line on which the record last returned by next() starts.
  std::size_t line() const { return record_line_; }
  /// 1-based line at position().
  std::size_t next_line() const { return line_; }
  const char* position() const { return p_; }

 private:
  bool is_space(char c) const { return (c == ' ' || c == '\t') && c != delimiter_; }
  bool ends_field(char c) const { return c == delimiter_ || c == '\n' || c == '\r'; }

  Field next_field() {
    while (p_ != end_ && is_space(*p_)) ++p_;
    quoted_ = p_ != end_ && *p_ == '"';
    Field f{p_, p_, false};
    if (!quoted_) {
      while (p_ != end_ && !ends_field(*p_)) ++p_;
      f.end = p_;
    } else {
      f.begin = ++p_;
      for (;;) {
        const char* quote = static_cast<const char*>(std::memchr(p_, '"', static_cast<std::size_t>(end_ - p_)));
        if (!quote) throw UserError(at_line(*path_, record_line_) + "a quoted field is not closed");
        line_ += static_cast<std::size_t>(std::count(p_, quote, '\n'));
        p_ = quote + 1;
        if (p_ != end_ && *p_ == '"') {
          f.has_escaped_quote = true;
          ++p_;
          continue;
        }
        f.end = quote;
        break;
      }
      while (p_ != end_ && is_space(*p_)) ++p_;
      if (p_ != end_ && !ends_field(*p_))
        throw UserError(at_line(*path_, line_) + "unexpected text after the closing quote of a field");
      while (f.begin != f.end && is_space(*f.begin)) ++f.begin;
    }
    while (f.end != f.begin && is_space(f.end[-1])) --f.end;
    return f;
  }

  void skip_line_end() {
    if (p_ == end_) return;
    if (*p_++ == '\r' && p_ != end_ && *p_ == '\n') ++p_;  // CRLF is one line end
    ++line_;
  }

  const char* p_;
  const char* end_;
  char delimiter_;
  const std::string* path_;
  std::size_t line_ = 1;
  std::size_t record_line_ = 1;
  bool quoted_ = false;
};

/// Reads a field as a number, a missing value or neither, with pandas' rules: the
/// na_values texts are missing, and so is any number equal to a numeric na_value.
class NumberReader {
 public:
  enum class Kind { number, missing, text };

  explicit NumberReader(const std::vector<std::string>& na_values) {
    for (const auto& na : na_values) {
      na_texts_.insert(na);
      double value;
      if (parse(na.data(), na.data() + na.size(), value) && !std::isnan(value)) na_numbers_.push_back(value);
    }
  }

  Kind read(const Field& f, double& value) const {
    if (!f.has_escaped_quote && parse(f.begin, f.end, value))
      return std::isnan(value) || is_na_number(value) ? Kind::missing : Kind::number;
    return na_texts_.count(text_of(f)) ? Kind::missing : Kind::text;
  }

  /// Equal to a numeric na_value.
  bool is_na_number(double value) const {
    return !na_numbers_.empty() && std::find(na_numbers_.begin(), na_numbers_.end(), value) != na_numbers_.end();
  }

 private:
  /// The whole text as a double. std::from_chars (fast_float inside libstdc++ 12) knows
  /// no leading '+' and leaves the value alone when it overflows, so both are handled here.
  static bool parse(const char* begin, const char* end, double& value) {
    const char* b = begin;
    if (end - b >= 2 && *b == '+' && b[1] != '-' && b[1] != '+') ++b;
    if (b == end) return false;
    const auto [ptr, ec] = std::from_chars(b, end, value);
    if (ptr != end) return false;
    if (ec == std::errc::result_out_of_range) value = std::strtod(std::string(b, end).c_str(), nullptr);
    return ec == std::errc() || ec == std::errc::result_out_of_range;
  }

  std::unordered_set<std::string> na_texts_;
  std::vector<double> na_numbers_;
};

/// Parses a plain decimal ([-]digits[.digits]) at `p` when its value is exact in double
/// arithmetic: at most 19 digits and a mantissa m <= 2^53, so m and 10^decimals (<= 10^19)
/// are exact doubles and m / 10^decimals is one correctly rounded division, equal to what
/// std::from_chars gives (Clinger's fast path, which fast_float tries first as well) at a
/// third of its cost. Returns the end of the number, or nullptr to defer to from_chars.
const char* parse_plain_decimal(const char* p, const char* end, double& value) {
  static constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,
                                            1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19};
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  std::uint64_t mantissa = 0;
  const char* digits_begin = p;
  while (p != end && static_cast<unsigned char>(*p - '0') < 10) mantissa = mantissa * 10 + static_cast<unsigned>(*p++ - '0');
  std::ptrdiff_t digits = p - digits_begin, decimals = 0;
  if (p != end && *p == '.') {
    const char* decimals_begin = ++p;
    while (p != end && static_cast<unsigned char>(*p - '0') < 10) mantissa = mantissa * 10 + static_cast<unsigned>(*p++ - '0');
    decimals = p - decimals_begin;
    digits += decimals;
  }
  if (digits == 0 || digits > 19 || mantissa > (std::uint64_t{1} << 53)) return nullptr;
  if (p != end && (*p == 'e' || *p == 'E')) return nullptr;
  const double magnitude = static_cast<double>(mantissa) / kPowersOfTen[decimals];
  value = negative ? -magnitude : magnitude;
  return p;
}

std::string number_text(double v) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), v);
  return std::string(buffer, result.ptr);
}

/// Distinct values of a column, each with an id in the order first seen. Numbers are told
/// apart by value, so "1" and "1.0" are one value (named as first seen), as in a pandas
/// float column. Sorted, they become codes as sklearn's LabelEncoder gives them:
/// numerically when all are numbers, else as text.
class ValueIds {
 public:
  int id_of_number(double number, const char* begin, const char* end) {
    constexpr std::size_t kFew = 16;
    if (number_ids_.empty()) {  // few values so far: a linear search is cheaper than hashing
      for (const auto& [seen, id] : few_number_ids_)
        if (seen == number) return id;
      if (few_number_ids_.size() < kFew) {
        few_number_ids_.emplace_back(number, new_value(std::string(begin, end), number, true));
        return few_number_ids_.back().second;
      }
      number_ids_.insert(few_number_ids_.begin(), few_number_ids_.end());
    }
    auto it = number_ids_.find(number);
    if (it == number_ids_.end()) it = number_ids_.emplace(number, new_value(std::string(begin, end), number, true)).first;
    return it->second;
  }
  int id_of_text(const std::string& text) {
    auto it = text_ids_.find(text);
    if (it == text_ids_.end()) it = text_ids_.emplace(text, new_value(text, 0.0, false)).first;
    return it->second;
  }

  /// Takes in the values of `later`, read after these; returns each of its ids' id here.
  std::vector<int> absorb(const ValueIds& later) {
    std::vector<int> id_here(later.texts_.size());
    for (std::size_t i = 0; i < id_here.size(); ++i) {
      const std::string& text = later.texts_[i];
      id_here[i] = later.is_number_[i] ? id_of_number(later.numbers_[i], text.data(), text.data() + text.size())
                                       : id_of_text(text);
    }
    return id_here;
  }

  /// The values sorted (their names), and for each id its place among them.
  void sorted(std::vector<std::string>& names, std::vector<int>& code_of) const {
    const bool all_numbers = std::all_of(is_number_.begin(), is_number_.end(), [](bool b) { return b; });
    std::vector<int> order(texts_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
      return all_numbers ? numbers_[a] < numbers_[b] : texts_[a] < texts_[b];
    });
    names.clear();
    code_of.assign(texts_.size(), 0);
    for (std::size_t i = 0; i < order.size(); ++i) {
      code_of[order[i]] = static_cast<int>(i);
      names.push_back(texts_[order[i]]);
    }
  }

  std::size_t size() const { return texts_.size(); }

 private:
  int new_value(const std::string& text, double number, bool is_number) {
    texts_.push_back(text);
    numbers_.push_back(number);
    is_number_.push_back(is_number);
    return static_cast<int>(texts_.size()) - 1;
  }

  std::vector<std::pair<double, int>> few_number_ids_;  ///< the first kFew numbers seen
  std::unordered_map<double, int> number_ids_;           ///< all of them, once there are more
  std::unordered_map<std::string, int> text_ids_;
  std::vector<std::string> texts_;  ///< by id, in the order first seen
  std::vector<double> numbers_;     ///< by id
  std::vector<bool> is_number_;     ///< by id
};

/// Target values to labels as sklearn's LabelEncoder: every distinct value once, sorted
/// numerically when all are numbers, else as text (see ValueIds).
class LabelEncoder {
 public:
  void add_number(const char* begin, const char* end, double number) {
    ids_.push_back(values_.id_of_number(number, begin, end));
  }
  void add_text(const std::string& text) { ids_.push_back(values_.id_of_text(text)); }

  /// Appends the rows of `later`, which were read after these.
  void append(const LabelEncoder& later) {
    const std::vector<int> id_here = values_.absorb(later.values_);
    for (int id : later.ids_) ids_.push_back(id_here[id]);
  }

  /// Sets t.y and t.class_names.
  void finish(Table& t) const {
    std::vector<int> label_of;
    values_.sorted(t.class_names, label_of);
    t.y.resize(ids_.size());
    for (std::size_t r = 0; r < ids_.size(); ++r) t.y[r] = label_of[ids_[r]];
  }

 private:
  ValueIds values_;
  std::vector<int> ids_;  ///< per row
};

std::string quoted_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
  return out;
}

/// Category names and class labels end up in plan.json and the other JSON files, which are
/// UTF-8: a value that is not (a file saved as Latin-1) is refused, as pandas refuses it.
void require_utf8(const std::vector<std::string>& names, const std::string& path, const std::string& column) {
  for (const auto& name : names)
    if (dsl::invalid_utf8_at(name) != std::string_view::npos)
      throw UserError(path + ": column '" + column + "' has a value that is not UTF-8: save the file as UTF-8");
}

/// The column names, reading the header record from `reader` when there is one.
std::vector<std::string> read_column_names(const CsvOptions& o, RecordReader& reader) {
  std::vector<Field> fields;
  RecordReader peek = reader;
  if (!peek.next(fields)) throw UserError(o.path + ": the file is empty");
  // A NUL byte in the first record: a binary file (an image, a zip), not delimited text.
  for (const Field& f : fields) {
    if (std::find(f.begin, f.end, '\0') != f.end) throw UserError(o.path + ": a NUL byte in the first line: this is not a text file");
    // Names go into plan.json and the other JSON files, which are UTF-8 (pandas reads UTF-8 too).
    if (dsl::invalid_utf8_at(std::string_view(f.begin, static_cast<std::size_t>(f.end - f.begin))) != std::string_view::npos)
      throw UserError(o.path + ": the first line is not UTF-8: save the file as UTF-8");
  }
  std::vector<std::string> names;
  if (o.header) {
    reader = peek;
    for (const Field& f : fields) names.push_back(text_of(f));
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i].empty()) names[i] = "Unnamed: " + std::to_string(i);  // pandas' name for it
    if (!o.column_names.empty() && o.column_names.size() != names.size())
      throw UserError(at_line(o.path, peek.line()) + "the header has " + std::to_string(names.size()) + " columns but " +
                      std::to_string(o.column_names.size()) + " column names were given");
  }
  if (!o.column_names.empty()) {
    names = o.column_names;
  } else if (!o.header) {
    for (std::size_t i = 0; i < fields.size(); ++i) names.push_back(std::to_string(i));  // as pandas' header=None
  }
  std::unordered_set<std::string> seen;
  for (const auto& n : names)
    if (!seen.insert(n).second) throw UserError(o.path + ": column name '" + n + "' appears twice");
  return names;
}

void require_column(const CsvOptions& o, const std::vector<std::string>& columns, const std::string& name, const char* what) {
  if (std::find(columns.begin(), columns.end(), name) != columns.end()) return;
  throw UserError(o.path + ": no column '" + name + "' for '" + what + "'; the columns are " + quoted_names(columns) +
                  dsl::did_you_mean(name, columns));
}

// What a file column becomes, besides a feature (given by its index).
constexpr int kTargetColumn = -1;
constexpr int kDroppedColumn = -2;

/// What every thread needs to know about the columns; read-only once made.
struct ColumnPlan {
  ColumnPlan(const CsvOptions& options, std::vector<std::string> names)
      : o(options), columns(std::move(names)), numbers(options.na_values) {
    if (!o.target.empty()) require_column(o, columns, o.target, "target");
    for (const auto& d : o.drop) require_column(o, columns, d, "drop");
    for (const auto& c : columns) {
      if (c == o.target) roles.push_back(kTargetColumn);
      else if (std::find(o.drop.begin(), o.drop.end(), c) != o.drop.end()) roles.push_back(kDroppedColumn);
      else {
        roles.push_back(static_cast<int>(features.size()));
        features.push_back(c);
      }
    }
    if (features.empty()) throw UserError(o.path + ": no feature columns are left besides the target and the dropped ones");
    categorical.assign(features.size(), 0);
    for (const auto& name : o.categorical) {
      bool found = false;
      for (std::size_t f = 0; f < features.size(); ++f)
        if (columns::is_pattern(name) ? columns::matches(name, features[f]) : name == features[f]) categorical[f] = found = true;
      if (found) continue;
      if (name == o.target)
        throw UserError(o.path + ": column '" + name + "' in 'categorical' is the target, whose classes are categories already");
      if (columns::is_pattern(name)) {
        const bool dropped = std::any_of(o.drop.begin(), o.drop.end(), [&](const std::string& d) { return columns::matches(name, d); });
        if (!dropped) throw UserError(o.path + ": '" + name + "' in 'categorical' matches no column; the columns are " + quoted_names(columns));
      } else if (std::find(o.drop.begin(), o.drop.end(), name) == o.drop.end()) {
        require_column(o, columns, name, "categorical");
      }
    }
  }

  /// Makes the columns not named in `categorical` categorical when their first value
  /// that is not missing is text (read from `reader`, which is at the first data line).
  /// Then fixes where each thread keeps their categories.
  void detect_categorical(RecordReader reader) {
    std::vector<char> decided = categorical;
    std::size_t undecided = static_cast<std::size_t>(std::count(decided.begin(), decided.end(), 0));
    std::vector<Field> fields;
    try {
      while (undecided > 0 && reader.next(fields)) {
        if (fields.size() != columns.size()) continue;  // the parse reports it
        for (std::size_t c = 0; c < fields.size(); ++c) {
          const int f = roles[c];
          if (f < 0 || decided[f]) continue;
          double value;
          const auto kind = numbers.read(fields[c], value);
          if (kind == NumberReader::Kind::missing) continue;
          decided[f] = 1;
          --undecided;
          if (kind == NumberReader::Kind::text) categorical[f] = 1;
        }
      }
    } catch (const UserError&) {  // a broken record: the parse reports it, at its line
    }
    for (std::size_t f = 0; f < features.size(); ++f) {
      slot.push_back(categorical[f] ? static_cast<int>(slot_feature.size()) : -1);
      if (categorical[f]) slot_feature.push_back(f);
    }
  }

  const CsvOptions& o;
  const std::vector<std::string> columns;  ///< every column of the file
  std::vector<std::string> features;       ///< the feature columns, in file order
  std::vector<int> roles;                  ///< per file column: feature index, kTargetColumn or kDroppedColumn
  const NumberReader numbers;
  std::vector<char> categorical;           ///< per feature
  std::vector<int> slot;                   ///< per feature: its index among the categorical ones, or -1
  std::vector<std::size_t> slot_feature;   ///< per categorical feature: its feature index
};

/// A run of whole lines of the file, parsed by one thread: it starts at the start of a
/// line and ends just after a '\n' or at the end of the file.
struct Piece {
  Piece(const char* from, const char* to) : begin(from), end(to) {}

  const char* begin;
  const char* end;
  std::size_t first_line = 1;  ///< 1-based number of the line at `begin`
  std::size_t line_ends = 0;   ///< LF, CRLF and lone CR, so at most line_ends + 1 records
  bool has_quote = false;      ///< a quoted field may hold a line end: then no splitting
  // What parsing it gave:
  std::size_t first_row = 0;   ///< where its rows were written in Table::x
  std::size_t rows = 0;
  std::vector<int> y;          ///< labels, when the target has a threshold
  std::vector<double> values;  ///< target values, when the target is a number
  LabelEncoder labels;         ///< labels, otherwise
  std::vector<ValueIds> categories;  ///< per categorical feature: its values here (rows hold their ids)
  std::exception_ptr error;
};

/// Fills one piece's rows. Lines of plain numbers (no quotes, spaces or missing markers)
/// take a fast path that parses each number where it lies; any other line goes through
/// RecordReader's fields. Both give the same values.
class RowBuilder {
 public:
  RowBuilder(const ColumnPlan& plan, float* rows, Piece& piece) : plan_(plan), out_(rows), piece_(piece) {}

  /// Adds the line at `p` and moves `p` past its end when it is plain numbers; returns
  /// false, having added nothing, when the line needs RecordReader.
  bool add_plain(const char*& p, const char* end) {
    if (!plan_.slot_feature.empty()) return false;  // categories need their text
    float* out = out_ + piece_.rows * plan_.features.size();
    const char delimiter = plan_.o.delimiter;
    const auto ends_field = [&](const char* q) { return q == end || *q == delimiter || *q == '\n' || *q == '\r'; };
    const char* q = p;
    const char* target_begin = nullptr;
    const char* target_end = nullptr;
    double target_value = 0.0;
    for (std::size_t c = 0; c < plan_.roles.size(); ++c) {
      if (c > 0) {
        if (q == end || *q != delimiter) return false;
        ++q;
      }
      const int role = plan_.roles[c];
      if (role == kDroppedColumn) {
        for (; !ends_field(q); ++q)
          if (*q == '"') return false;
        continue;
      }
      double value;
      const char* number_end = parse_plain_decimal(q, end, value);
      if (!number_end) {
        const auto [parsed_end, error] = std::from_chars(q, end, value);
        if (error != std::errc() || parsed_end == q) return false;
        number_end = parsed_end;
      }
      if (!ends_field(number_end)) return false;
      // A numeric na_value, or a missing target, is for the general path to judge.
      if (plan_.numbers.is_na_number(value) || (role < 0 && std::isnan(value))) return false;
      if (role >= 0) {
        out[role] = static_cast<float>(value);
      } else {
        target_begin = q;
        target_end = number_end;
        target_value = value;
      }
      q = number_end;
    }
    if (q != end) {
      if (*q != '\n' && *q != '\r') return false;
      if (*q++ == '\r' && q != end && *q == '\n') ++q;
    }
    if (target_begin) {
      if (plan_.o.numeric_target) {
        if (std::isinf(target_value)) return false;  // the general path words the error
        piece_.values.push_back(target_value);
      } else if (plan_.o.target_threshold) piece_.y.push_back(target_value > *plan_.o.target_threshold ? 1 : 0);
      else piece_.labels.add_number(target_begin, target_end, target_value);
    }
    ++piece_.rows;
    p = q;
    return true;
  }

  /// Adds a record split by RecordReader, which started on `line`.
  void add(const std::vector<Field>& fields, std::size_t line) {
    const CsvOptions& o = plan_.o;
    if (fields.size() != plan_.columns.size())
      throw UserError(at_line(o.path, line) + "expected " + std::to_string(plan_.columns.size()) + " fields, got " +
                      std::to_string(fields.size()));
    float* out = out_ + piece_.rows * plan_.features.size();
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const int role = plan_.roles[c];
      if (role == kDroppedColumn) continue;
      double value;
      const auto kind = plan_.numbers.read(fields[c], value);
      const auto column_error = [&](const std::string& what) {
        return UserError(at_line(o.path, line) + "column '" + plan_.columns[c] + "': " + what);
      };
      if (role >= 0 && plan_.slot[role] >= 0) {
        ValueIds& ids = piece_.categories[plan_.slot[role]];
        out[role] = kind == NumberReader::Kind::missing ? std::numeric_limits<float>::quiet_NaN()
                    : kind == NumberReader::Kind::number
                        ? static_cast<float>(ids.id_of_number(value, fields[c].begin, fields[c].end))
                        : static_cast<float>(ids.id_of_text(text_of(fields[c])));
        continue;
      }
      if (kind == NumberReader::Kind::text && role >= 0)
        throw TextInNumericColumn(at_line(o.path, line) + "column '" + plan_.columns[c] + "': '" + text_of(fields[c]) +
                                      "' is not a number",
                                  plan_.columns[c]);
      if (kind == NumberReader::Kind::text && o.numeric_target)
        throw column_error("'" + text_of(fields[c]) + "' is not a number, and the target is read as numbers (target_type: number)");
      if (kind == NumberReader::Kind::text && o.target_threshold)
        throw column_error("'" + text_of(fields[c]) + "' is not a number");
      if (role >= 0) {
        out[role] = kind == NumberReader::Kind::number ? static_cast<float>(value) : std::numeric_limits<float>::quiet_NaN();
      } else if (kind == NumberReader::Kind::missing) {
        throw column_error("the target value is missing");
      } else if (o.numeric_target) {
        if (std::isinf(value)) throw column_error("the target value is infinite ('" + text_of(fields[c]) + "')");
        piece_.values.push_back(value);
      } else if (o.target_threshold) {
        piece_.y.push_back(value > *o.target_threshold ? 1 : 0);
      } else if (kind == NumberReader::Kind::number) {
        piece_.labels.add_number(fields[c].begin, fields[c].end, value);
      } else {
        piece_.labels.add_text(text_of(fields[c]));
      }
    }
    ++piece_.rows;
  }

 private:
  const ColumnPlan& plan_;
  float* out_;
  Piece& piece_;
};

// Parsed bytes are handed back to the kernel in steps of this size: small, as every
// thread holds up to one step of the file in memory.
constexpr std::ptrdiff_t kReleaseStep = 1 << 20;

/// Parses a piece into `rows`, which has room for line_ends + 1 rows.
void parse_piece(const ColumnPlan& plan, const FileBytes& file, Piece& piece, float* rows) {
  piece.categories.resize(plan.slot_feature.size());
  RowBuilder builder(plan, rows, piece);
  RecordReader reader(piece.begin, piece.end, plan.o.delimiter, plan.o.path);
  std::vector<Field> fields;
  const char* p = piece.begin;
  const char* released = p;
  std::size_t line = piece.first_line;
  while (p != piece.end) {
    if (builder.add_plain(p, piece.end)) {
      ++line;
    } else {
      reader.seek(p, line);
      if (!reader.next(fields)) break;  // only blank lines were left
      builder.add(fields, reader.line());
      p = reader.position();
      line = reader.next_line();
    }
    if (p - released >= kReleaseStep) {
      file.release(released, p);
      released = p;
    }
  }
}

/// Fills piece.line_ends and piece.has_quote, releasing the pages.
void count_piece(const FileBytes& file, Piece& piece) {
  std::size_t newlines = 0;
  bool carriage_returns = false, quotes = false;
  const char* p = piece.begin;
#ifdef __SSE2__
  // Sixteen bytes at a time (SSE2 is part of x86-64): this pass reads the whole file.
  const __m128i newline = _mm_set1_epi8('\n'), carriage_return = _mm_set1_epi8('\r'), quote = _mm_set1_epi8('"');
  for (const char* released = p; piece.end - p >= 16; p += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    newlines += static_cast<std::size_t>(__builtin_popcount(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, newline))));
    carriage_returns |= _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, carriage_return)) != 0;
    quotes |= _mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quote)) != 0;
    if (p - released >= kReleaseStep) {
      file.release(released, p);
      released = p;
    }
  }
#endif
  for (; p != piece.end; ++p) {
    newlines += *p == '\n';
    carriage_returns |= *p == '\r';
    quotes |= *p == '"';
  }
  std::size_t lone_carriage_returns = 0;  // CRLF ends one line, and so does a CR alone
  if (carriage_returns) {
    for (const char* r = piece.begin; (r = static_cast<const char*>(std::memchr(r, '\r', piece.end - r))); ++r)
      lone_carriage_returns += r + 1 == piece.end || r[1] != '\n';
  }
  piece.line_ends = newlines + lone_carriage_returns;
  piece.has_quote = quotes;
  file.release(piece.begin, piece.end);
}

/// Runs work(i) for i in [0, n), each on its own thread (the first on this one).
template <typename Work>
void run_in_parallel(std::size_t n, const Work& work) {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < n; ++i) threads.emplace_back([&work, i] { work(i); });
  work(0);
  for (auto& t : threads) t.join();
}

/// The cores this process may run on (taskset and cpusets narrow them), else all of them.
std::size_t usable_cores() {
  cpu_set_t cores;
  if (::sched_getaffinity(0, sizeof(cores), &cores) == 0) return static_cast<std::size_t>(CPU_COUNT(&cores));
  return std::thread::hardware_concurrency();
}

// A piece is at least this large: below it a thread costs more than it saves.
constexpr std::size_t kMinPieceBytes = 4u << 20;

/// Splits the data lines [begin, file end) into pieces, one per thread, and counts their
/// line ends. A file with a quote stays in one piece: a quoted field may hold a line end.
std::vector<Piece> split_into_pieces(const FileBytes& file, const char* begin, std::size_t first_line) {
  const std::size_t bytes = static_cast<std::size_t>(file.end() - begin);
  const std::size_t threads = std::max<std::size_t>(1, std::min<std::size_t>(usable_cores(), 16));
  const std::size_t count = std::max<std::size_t>(1, std::min(threads, bytes / kMinPieceBytes));
  std::vector<Piece> pieces;
  const char* start = begin;
  for (std::size_t i = 1; i <= count && start != file.end(); ++i) {
    const char* stop = i == count ? file.end() : std::max(start, begin + bytes / count * i);
    if (stop != file.end()) {
      const void* newline = std::memchr(stop, '\n', static_cast<std::size_t>(file.end() - stop));
      stop = newline ? static_cast<const char*>(newline) + 1 : file.end();
    }
    pieces.emplace_back(start, stop);
    start = stop;
  }
  if (pieces.empty()) pieces.emplace_back(begin, begin);
  run_in_parallel(pieces.size(), [&](std::size_t i) { count_piece(file, pieces[i]); });
  const bool has_quote = std::any_of(pieces.begin(), pieces.end(), [](const Piece& p) { return p.has_quote; });
  if (has_quote && pieces.size() > 1) {
    Piece whole(pieces.front().begin, pieces.back().end);
    for (const Piece& p : pieces) whole.line_ends += p.line_ends;
    pieces.assign(1, std::move(whole));
  }
  for (std::size_t i = 0; i < pieces.size(); ++i)
    pieces[i].first_line = i == 0 ? first_line : pieces[i - 1].first_line + pieces[i - 1].line_ends;
  return pieces;
}

/// The pieces' rows one after the other (closing the gaps blank lines left) and labels.
void join_pieces(const ColumnPlan& plan, std::vector<Piece>& pieces, Table& t) {
  for (const Piece& p : pieces)
    if (p.error) std::rethrow_exception(p.error);  // the first in the file
  const std::size_t width = t.cols();
  LabelEncoder labels;
  const std::size_t slots = plan.slot_feature.size();
  std::vector<ValueIds> categories(slots);
  std::vector<std::vector<std::vector<int>>> id_here(pieces.size());  // per piece, slot: its ids' ids in `categories`
  std::vector<std::size_t> first_row(pieces.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    Piece& p = pieces[i];
    if (p.first_row != t.rows)
      std::memmove(t.x.data() + t.rows * width, t.x.data() + p.first_row * width, p.rows * width * sizeof(float));
    first_row[i] = t.rows;
    t.rows += p.rows;
    t.y.insert(t.y.end(), p.y.begin(), p.y.end());
    t.target.insert(t.target.end(), p.values.begin(), p.values.end());
    labels.append(p.labels);
    for (std::size_t k = 0; k < slots; ++k) id_here[i].push_back(categories[k].absorb(p.categories[k]));
  }
  t.x.resize(t.rows * width);
  t.kinds.assign(width, ColumnKind::numeric);
  t.categories.assign(width, {});
  for (std::size_t k = 0; k < slots; ++k) {
    const std::size_t f = plan.slot_feature[k];
    t.kinds[f] = ColumnKind::categorical;
    if (categories[k].size() > (std::size_t{1} << 24))
      throw UserError(plan.o.path + ": column '" + t.columns[f] + "' has more than 16777216 categories");
    std::vector<int> code_of;
    categories[k].sorted(t.categories[f], code_of);
    require_utf8(t.categories[f], plan.o.path, t.columns[f]);
    for (std::size_t i = 0; i < pieces.size(); ++i)
      for (std::size_t r = first_row[i]; r < first_row[i] + pieces[i].rows; ++r) {
        float& v = t.x[r * width + f];
        if (!std::isnan(v)) v = static_cast<float>(code_of[id_here[i][k][static_cast<std::size_t>(v)]]);
      }
  }
  if (plan.o.target.empty()) return;
  if (plan.o.numeric_target) t.regression = true;
  else if (plan.o.target_threshold) t.class_names = {"0", "1"};
  else {
    labels.finish(t);
    require_utf8(t.class_names, plan.o.path, plan.o.target);
  }
}

/// Throws when the table has no rows or its target a single class.
void require_two_classes(const CsvOptions& o, const Table& t) {
  if (t.rows == 0) throw UserError(o.path + ": no data rows after the header");
  if (o.target.empty()) return;
  if (o.numeric_target) {
    const auto [low, high] = std::minmax_element(t.target.begin(), t.target.end());
    if (*low != *high) return;
    throw UserError(o.path + ": target '" + o.target + "' has a single value: every row has " + number_text(*low) +
                    ", so there is nothing to learn");
  }
  const auto counts = t.class_counts();
  if (std::count_if(counts.begin(), counts.end(), [](std::size_t n) { return n > 0; }) >= 2) return;
  const std::string only = t.class_names[t.y.front()];
  std::string why = "'" + only + "'";
  if (o.target_threshold) why = (only == "1" ? "> '" : "<= '") + number_text(*o.target_threshold) + "'";
  throw UserError(o.path + ": target '" + o.target + "' has a single class: every value is " + why);
}

}  // namespace

CsvHeader read_header(const CsvOptions& options) {
  FileBytes file(options.path);
  RecordReader reader(file.text_begin(), file.end(), options.delimiter, options.path);
  return CsvHeader{read_column_names(options, reader)};
}

Table read_csv(const CsvOptions& o) {
  FileBytes file(o.path);
  RecordReader reader(file.text_begin(), file.end(), o.delimiter, o.path);
  ColumnPlan plan(o, read_column_names(o, reader));
  plan.detect_categorical(reader);
  std::vector<Piece> pieces = split_into_pieces(file, reader.position(), reader.next_line());

  Table t;
  t.columns = plan.features;
  // Sized once for the most rows there can be: growing would copy, doubling the peak memory.
  std::size_t rows = 0;
  for (Piece& p : pieces) {
    p.first_row = rows;
    rows += p.line_ends + 1;
  }
  t.x.resize(rows * t.cols());
  run_in_parallel(pieces.size(), [&](std::size_t i) {
    try {
      parse_piece(plan, file, pieces[i], t.x.data() + pieces[i].first_row * t.cols());
    } catch (...) {  // rethrown by join_pieces, the first in the file first
      pieces[i].error = std::current_exception();
    }
  });
  join_pieces(plan, pieces, t);
  require_two_classes(o, t);
  return t;
}

std::size_t line_of_row(const CsvOptions& o, std::size_t row) {
  FileBytes file(o.path);
  RecordReader reader(file.text_begin(), file.end(), o.delimiter, o.path);
  read_column_names(o, reader);  // past the header, when there is one
  std::vector<Field> fields;
  for (std::size_t r = 0; reader.next(fields); ++r)  // blank lines are no rows, as in read_csv
    if (r == row) return reader.line();
  return 0;
}

}  // namespace pipeml::csv
