// read_csv against pandas.read_csv (fixtures from tests/fixtures/make_data_fixtures.py),
// against the UCI Cleveland file in ../shared, and every error message, whole.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "ops/load_csv.h"
#include "runtime/sha256.h"
#include "runtime/user_error.h"
#include "tests/temp_dir.h"

namespace {

using namespace pipeml;
using csv::CsvOptions;
using csv::read_csv;
using nlohmann::json;

const std::string kFixtures = std::string(PIPE_TEST_DIR) + "/fixtures/data_stages/";
const std::string kCleveland = std::string(PIPE_SHARED_DIR) + "/data/processed.cleveland.data";
const std::vector<std::string> kClevelandColumns = {"age",     "sex",     "cp",    "trestbps", "chol", "fbs", "restecg",
                                                   "thalach", "exang", "oldpeak", "slope", "ca",   "thal", "num"};

json read_json(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  return json::parse(in);
}

/// A folder of its own under the system's temp folder, removed afterwards.
class TempDir : public pipetest::TempDir {
 public:
  /// Writes `bytes` to a file called `name` here and returns its path.
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string p = path(name);
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
};

CsvOptions options_for(const std::string& path, const std::string& target = "num") {
  CsvOptions o;
  o.path = path;
  o.target = target;
  return o;
}

CsvOptions cleveland_options() {
  CsvOptions o = options_for(kCleveland);
  o.header = false;
  o.column_names = kClevelandColumns;
  o.na_values = {"?"};
  o.target_threshold = 0.0;
  return o;
}

/// What read_csv makes of `text` written to a file (with the options' other fields).
Table read_text(const TempDir& dir, const std::string& text, CsvOptions o) {
  o.path = dir.write("data.csv", text);
  return read_csv(o);
}

/// What a shell command prints on stdout.
std::string command_output(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[256];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
    ::pclose(pipe);
  }
  return out;
}

std::string error_of(const CsvOptions& o) {
  try {
    read_csv(o);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("read_csv reads awkward files as pandas.read_csv does", "[load_csv]") {
  const json fixture = read_json(kFixtures + "csv.json");
  REQUIRE(fixture["cases"].size() >= 8);
  for (const json& c : fixture["cases"]) {
    SECTION(c["file"].get<std::string>()) {
      CsvOptions o;
      o.path = kFixtures + c["file"].get<std::string>();
      o.header = c["header"];
      o.column_names = c["column_names"].get<std::vector<std::string>>();
      o.delimiter = c["delimiter"].get<std::string>()[0];
      o.na_values = c["na_values"].get<std::vector<std::string>>();
      o.target = c["target"];
      if (!c["target_threshold"].is_null()) o.target_threshold = c["target_threshold"].get<double>();
      o.drop = c["drop"].get<std::vector<std::string>>();
      const Table t = read_csv(o);
      CHECK(t.columns == c["columns"].get<std::vector<std::string>>());
      CHECK(t.class_names == c["class_names"].get<std::vector<std::string>>());
      CHECK(t.y == c["y"].get<std::vector<int>>());
      REQUIRE(t.rows == c["x"].size());
      for (std::size_t r = 0; r < t.rows; ++r)
        for (std::size_t k = 0; k < t.cols(); ++k) {
          const json& expected = c["x"][r][k];
          INFO("row " << r << " column " << t.columns[k]);
          if (expected.is_null()) CHECK(std::isnan(t.row(r)[k]));
          else CHECK(t.row(r)[k] == static_cast<float>(expected.get<double>()));
        }
    }
  }
}

TEST_CASE("read_csv reads the UCI Cleveland file", "[load_csv]") {
  const Table t = read_csv(cleveland_options());
  CHECK(t.rows == 303);
  REQUIRE(t.cols() == 13);
  CHECK(t.columns.front() == "age");
  CHECK(t.columns.back() == "thal");
  CHECK(t.class_names == std::vector<std::string>{"0", "1"});
  CHECK(t.class_counts() == std::vector<std::size_t>{164, 139});
  std::size_t missing = 0;
  for (float v : t.x) missing += std::isnan(v);
  CHECK(missing == 6);

  // The same numbers as pandas: per-column sums and missing counts.
  const json expected = read_json(kFixtures + "cleveland.json");
  CHECK(t.columns == expected["columns"].get<std::vector<std::string>>());
  for (std::size_t c = 0; c < t.cols(); ++c) {
    double sum = 0.0;
    std::size_t nan = 0;
    for (std::size_t r = 0; r < t.rows; ++r) {
      const float v = t.row(r)[c];
      if (std::isnan(v)) ++nan;
      else sum += v;
    }
    INFO("column " << t.columns[c]);
    CHECK(sum == Approx(expected["sums"][c].get<double>()).epsilon(1e-12));
    CHECK(nan == expected["missing"][c].get<std::size_t>());
  }
}

TEST_CASE("read_csv gives the target's classes as LabelEncoder would", "[load_csv]") {
  TempDir dir;
  CsvOptions o = options_for("", "c");
  SECTION("numbers sort as numbers, not as text") {
    const Table t = read_text(dir, "f,c\n1,10\n2,9\n3,-1\n4,9.0\n", o);
    CHECK(t.class_names == std::vector<std::string>{"-1", "9", "10"});
    CHECK(t.y == std::vector<int>{2, 1, 0, 1});
  }
  SECTION("text sorts as text, numbers among it too") {
    const Table t = read_text(dir, "f,c\n1,b\n2,10\n3,a\n4,9\n5,b\n", o);
    CHECK(t.class_names == std::vector<std::string>{"10", "9", "a", "b"});
    CHECK(t.y == std::vector<int>{3, 0, 2, 1, 3});
  }
  SECTION("a threshold makes 0/1 from value > threshold") {
    o.target_threshold = 1.5;
    const Table t = read_text(dir, "f,c\n1,1.5\n2,1.6\n3,-4\n4,100\n", o);
    CHECK(t.class_names == std::vector<std::string>{"0", "1"});
    CHECK(t.y == std::vector<int>{0, 1, 0, 1});
  }
  SECTION("no target: features only, no labels") {
    o.target = "";
    const Table t = read_text(dir, "f,c\n1,1\n2,2\n", o);
    CHECK(t.columns == std::vector<std::string>{"f", "c"});
    CHECK(t.y.empty());
    CHECK(t.class_names.empty());
  }
}

TEST_CASE("read_csv treats a number equal to a numeric na_value as missing", "[load_csv]") {
  TempDir dir;
  CsvOptions o = options_for("", "y");
  o.na_values = {"-999", "?"};
  const Table t = read_text(dir, "a,b,y\n1,-999,0\n-999.0,2,1\n?,3,0\n", o);
  REQUIRE(t.rows == 3);
  CHECK(t.row(0)[0] == 1);
  CHECK(std::isnan(t.row(0)[1]));
  CHECK(std::isnan(t.row(1)[0]));
  CHECK(std::isnan(t.row(2)[0]));
  o.path = dir.write("target.csv", "a,b,y\n1,2,0\n3,4,-999\n");
  CHECK(error_of(o) == o.path + ":3: column 'y': the target value is missing");
}

TEST_CASE("read_csv drops columns, which need not be numbers", "[load_csv]") {
  TempDir dir;
  CsvOptions o = options_for("", "y");
  o.drop = {"name", "b"};
  const Table t = read_text(dir, "name,a,b,y,c\nann,1,x,0,2\nbob,3,\"q,\"\"r\",1,4\n", o);
  CHECK(t.columns == std::vector<std::string>{"a", "c"});
  CHECK(t.x == std::vector<float>{1, 2, 3, 4});
}

TEST_CASE("read_csv parses every number as std::from_chars does", "[load_csv]") {
  // Plain lines take a fast path with its own decimal parser; this pins it to from_chars
  // on numbers of every shape, including those it must leave to from_chars.
  std::mt19937_64 gen(12345);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::string> texts = {"0",    "-0",    "0.1", "5.",   ".5",    "-.25",  "1e5",  "1E-5",  "+3.5",
                                    "9007199254740993", "9007199254740992.5", "123456789012345678901234567890",
                                    "0.000000000000000000000012345", "1.7976931348623157e308", "4.9e-324",
                                    "3.4028235e38",     "1e39",  "inf",  "-inf", "2.2250738585072014e-308",
                                    // Midpoints between two floats: a double off by one bit
                                    // rounds to the other float. Mantissas under and over 2^53.
                                    "794206.78125", "15381.51513671875", "944219.15625", "15229.24365234375",
                                    "669.297637939453125", "765.883575439453125", "99.41202163696289062",
                                    "488.4990997314453125", "693.759185791015625", "679.811798095703125",
                                    "849.236480712890625", "27.56008625030517578"};
  char buffer[64];
  for (int i = 0; i < 3000; ++i) {
    const double magnitude = std::pow(10.0, unit(gen) * 40 - 20) * (unit(gen) < 0.5 ? -1 : 1);
    const int style = i % 4;
    const char* format = style == 0 ? "%.17g" : style == 1 ? "%.3f" : style == 2 ? "%.9g" : "%.0f";
    std::snprintf(buffer, sizeof(buffer), format, style == 3 ? std::round(magnitude * 1e6) : magnitude);
    texts.push_back(buffer);
  }
  std::string file = "x,y\n";
  for (std::size_t i = 0; i < texts.size(); ++i) file += texts[i] + "," + std::to_string(i % 2) + "\n";
  TempDir dir;
  const Table t = read_text(dir, file, options_for("", "y"));
  REQUIRE(t.rows == texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::string& s = texts[i];
    const char* begin = s.data() + (s[0] == '+');
    double expected = 0.0;
    std::from_chars(begin, s.data() + s.size(), expected);
    INFO("text '" << s << "'");
    CHECK(t.row(i)[0] == static_cast<float>(expected));
  }
}

TEST_CASE("read_csv splits a large file into pieces and joins them in order", "[load_csv]") {
  // About 12 MB: several pieces on a machine with several cores. Blank lines, a class seen
  // first near the end and an error near the end check how the pieces are joined.
  std::string file = "a,b,y\n";
  const std::size_t rows = 600000;
  for (std::size_t i = 0; i < rows; ++i) {
    if (i == 1000) file += "\n\r\n";
    const int label = i == rows - 5 ? 7 : static_cast<int>(i % 3);
    file += std::to_string(i) + "," + std::to_string(i % 1000) + ".25," + std::to_string(label) + "\n";
  }
  TempDir dir;
  const Table t = read_text(dir, file, options_for("", "y"));
  REQUIRE(t.rows == rows);
  CHECK(t.class_names == std::vector<std::string>{"0", "1", "2", "7"});
  bool all_match = true;
  for (std::size_t i = 0; i < rows && all_match; ++i) {
    const int label = i == rows - 5 ? 3 : static_cast<int>(i % 3);
    all_match = t.row(i)[0] == static_cast<float>(i) && t.row(i)[1] == static_cast<float>(i % 1000) + 0.25f &&
                t.y[i] == label;
    if (!all_match) INFO("first difference at row " << i);
  }
  CHECK(all_match);

  const std::string path = dir.write("bad.csv", file + "1,2,3\n4,oops,5\n");
  // Line numbers: a header, 600000 rows, 2 blank lines, then the two lines above.
  CHECK(error_of(options_for(path, "y")) == path + ":600005: column 'b': 'oops' is not a number");
}

TEST_CASE("read_header lists the columns", "[load_csv]") {
  TempDir dir;
  CsvOptions o = options_for(dir.write("h.csv", " a ,\"b c\",,d\n1,2,3,4\n"));
  CHECK(csv::read_header(o).columns == std::vector<std::string>{"a", "b c", "Unnamed: 2", "d"});
  o.column_names = {"w", "x", "y", "z"};
  CHECK(csv::read_header(o).columns == o.column_names);
  o.column_names.clear();
  o.header = false;
  CHECK(csv::read_header(o).columns == std::vector<std::string>{"0", "1", "2", "3"});
  CHECK(csv::read_header(cleveland_options()).columns == kClevelandColumns);
}

TEST_CASE("read_csv counts lines as the user sees them", "[load_csv]") {
  TempDir dir;
  // CRLF, a blank line and a quoted class over two lines before the bad value.
  const std::string path = dir.write("lines.csv", "a,b,c\r\n1,2,0\r\n\r\n3,4,\"two\nlines\"\r\n5,x,0\r\n");
  CHECK(error_of(options_for(path, "c")) == path + ":6: column 'b': 'x' is not a number");
}

TEST_CASE("line_of_row finds a data row's line as read_csv counts them", "[load_csv]") {
  TempDir dir;
  // The same awkward file: CRLF, a blank line, a record over two lines.
  const std::string path = dir.write("lines.csv", "a,b,c\r\n1,2,0\r\n\r\n3,4,\"two\nlines\"\r\n5,6,0\r\n");
  CsvOptions o = options_for(path, "c");
  REQUIRE(read_csv(o).rows == 3);
  CHECK(csv::line_of_row(o, 0) == 2);
  CHECK(csv::line_of_row(o, 1) == 4);
  CHECK(csv::line_of_row(o, 2) == 6);
  CHECK(csv::line_of_row(o, 3) == 0);  // there is no fourth row
  o.header = false;
  o.column_names = {"a", "b", "c"};
  CHECK(csv::line_of_row(o, 0) == 1);  // without a header the first line is a row
}

TEST_CASE("read_csv names the file, line and column in its errors", "[load_csv]") {
  TempDir dir;
  const auto error_for = [&](const std::string& text, CsvOptions o = options_for("")) {
    o.path = dir.write("bad.csv", text);
    return error_of(o);
  };
  const std::string path = dir.path("bad.csv");

  CHECK(error_of(options_for(dir.path("absent.csv"))) ==
        "cannot read the data file '" + dir.path("absent.csv") + "': no such file or directory");
  ::mkdir(dir.path("folder").c_str(), 0777);
  CHECK(error_of(options_for(dir.path("folder"))) == "cannot read the data file '" + dir.path("folder") + "': is a directory");
  CHECK(error_for("") == path + ": the file is empty");
  CHECK(error_for("\n  \r\n\n") == path + ": the file is empty");
  CHECK(error_for("age,num\n") == path + ": no data rows after the header");
  CHECK(error_for("age,chol,num\n1,2,0\n3,4\n") == path + ":3: expected 3 fields, got 2");
  CHECK(error_for("age,chol,num\n1,2,0\n\n3,4,1,5\n") == path + ":4: expected 3 fields, got 4");
  CHECK(error_for("age,chol,num\n1,2,0\n3,4,1\n5,6,0\n7,abc,1\n") == path + ":5: column 'chol': 'abc' is not a number");
  CHECK(error_for("age,chol,num\n1,2,0\n3,\"say \"\"4\"\"\",1\n") == path + ":3: column 'chol': 'say \"4\"' is not a number");
  CHECK(error_for("age,chol,num\n1,2,0\n3,1.5e,1\n") == path + ":3: column 'chol': '1.5e' is not a number");
  CHECK(error_for("age,chol,num\n1,2,0\n3,+-5,1\n") == path + ":3: column 'chol': '+-5' is not a number");
  CHECK(error_for("age,chol,num\n1,2,0\n\"\"\n") == path + ":3: expected 3 fields, got 1");
  CHECK(error_for("age,chol,num\n1,2,0\n3,,1\n", [] {
          CsvOptions o = options_for("");
          o.na_values = {"?"};
          return o;
        }()) == path + ":3: column 'chol': '' is not a number");
  CHECK(error_for("age,chol,num\n1,2,0\n3,4,NA\n") == path + ":3: column 'num': the target value is missing");
  CHECK(error_for("age,chol,num\n1,2,0\n3,\"4,1\n") == path + ":3: a quoted field is not closed");
  CHECK(error_for("age,chol,num\n1,\"2\"x,0\n") == path + ":2: unexpected text after the closing quote of a field");

  CHECK(error_for("age,chol,num\n1,2,0\n", options_for("", "nun")) ==
        path + ": no column 'nun' for 'target'; the columns are 'age', 'chol', 'num' \u2014 did you mean 'num'?");
  CHECK(error_for("age,chol,num\n1,2,0\n", options_for("", "diagnosis")) ==
        path + ": no column 'diagnosis' for 'target'; the columns are 'age', 'chol', 'num'");
  CsvOptions with_drop = options_for("");
  with_drop.drop = {"chl"};
  CHECK(error_for("age,chol,num\n1,2,0\n", with_drop) ==
        path + ": no column 'chl' for 'drop'; the columns are 'age', 'chol', 'num' \u2014 did you mean 'chol'?");
  with_drop.drop = {"age", "chol"};
  CHECK(error_for("age,chol,num\n1,2,0\n", with_drop) ==
        path + ": no feature columns are left besides the target and the dropped ones");

  CHECK(error_for("age,num\n1,2\n3,2\n") == path + ": target 'num' has a single class: every value is '2'");
  CsvOptions threshold = options_for("");
  threshold.target_threshold = 0.5;
  CHECK(error_for("age,num\n1,0\n3,0.5\n", threshold) == path + ": target 'num' has a single class: every value is <= '0.5'");
  CHECK(error_for("age,num\n1,1\n3,4\n", threshold) == path + ": target 'num' has a single class: every value is > '0.5'");
  CHECK(error_for("age,num\n1,0\n3,high\n", threshold) == path + ":3: column 'num': 'high' is not a number");

  CsvOptions renamed = options_for("");
  renamed.column_names = {"a", "num"};
  CHECK(error_for("x,y,z\n1,2,0\n", renamed) == path + ":1: the header has 3 columns but 2 column names were given");
  CHECK(error_for("age,age,num\n1,2,0\n") == path + ": column name 'age' appears twice");
  renamed.header = false;
  renamed.column_names = {"a", "b", "num"};
  CHECK(error_for("1,2,0\n1,2\n", renamed) == path + ":2: expected 3 fields, got 2");
}

TEST_CASE("sha256_file agrees with sha256sum", "[sha256]") {
  const json fixture = read_json(kFixtures + "sha256.json");
  std::string bytes;
  for (int i = 0; i < 131; ++i) bytes += static_cast<char>((i * 7 + 3) % 256);
  TempDir dir;
  REQUIRE(fixture["vectors"].size() == 131);
  for (const json& v : fixture["vectors"]) {
    const std::size_t n = v["length"];
    INFO("length " << n);
    CHECK(sha256_hex(bytes.substr(0, n)) == v["sha256"].get<std::string>());
    CHECK(sha256_file(dir.write("bytes", bytes.substr(0, n))) == v["sha256"].get<std::string>());
  }
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // And the tool itself, on a file of several blocks.
  std::string large;
  for (int i = 0; i < 100000; ++i) large += std::to_string(i * 7919 % 10007) + ",";
  const std::string large_path = dir.write("large", large);
  const std::string tool = command_output("sha256sum '" + large_path + "' 2>/dev/null");
  if (tool.size() >= 64) CHECK(sha256_file(large_path) == tool.substr(0, 64));
  else WARN("sha256sum is not installed: compared with hashlib's digests only");
  CHECK(sha256_file(kCleveland) == "a74b7efa387bc9d108d7d0115d831fe9b414b29ae7124f331b622b4efa0427c8");
  CHECK_THROWS_WITH(sha256_file(dir.path("absent")),
                    "cannot read the data file '" + dir.path("absent") + "': no such file or directory");
}
