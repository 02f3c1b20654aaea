#include "dsl/diagnostics.h"

#include <algorithm>
#include <climits>
#include <ostream>
#include <sstream>

namespace pipeml::dsl {
namespace {

constexpr std::size_t kMaxShownLine = 120;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      if (!cur.empty() && cur.back() == '\r') cur.pop_back();
      lines.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  lines.push_back(cur);
  return lines;
}

// Tabs become single spaces so the caret line stays aligned with the text above it.
std::string printable(std::string line) {
  std::replace(line.begin(), line.end(), '\t', ' ');
  return line;
}

// Edit distance where swapping two neighbouring letters counts as one edit (optimal string
// alignment), so the common typo 'medain' is nearer 'median' than 'mean'.
int edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

void Diagnostics::error(const Loc& loc, std::string message, std::string note) {
  list_.push_back({loc, std::move(message), std::move(note)});
}

void Diagnostics::add_source(const std::string& file, const std::string& text) {
  lines_[file] = split_lines(text);
}

void Diagnostics::print(std::ostream& os) const {
  std::vector<const Diagnostic*> sorted;
  for (const auto& d : list_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->loc.file != b->loc.file) return a->loc.file < b->loc.file;
    if (a->loc.line != b->loc.line) return a->loc.line < b->loc.line;
    return a->loc.col < b->loc.col;
  });
  for (const Diagnostic* d : sorted) {
    const Loc& l = d->loc;
    if (l.line > 0)
      os << l.file << ':' << l.line << ':' << l.col << ": error: " << d->message << '\n';
    else
      os << l.file << ": error: " << d->message << '\n';
    auto it = lines_.find(l.file);
    if (l.line > 0 && it != lines_.end() && l.line <= static_cast<int>(it->second.size())) {
      std::string text = printable(it->second[l.line - 1]);
      int col = std::max(l.col, 1);
      // The underline ends with the line: a value that runs on (a multi-line string) is
      // marked only where it starts.
      int len = std::clamp(l.len, 1, std::max(static_cast<int>(text.size()) - col + 1, 1));
      // Long lines are cut around the spot, as ninja does, so the caret stays visible.
      std::size_t start = 0;
      if (text.size() > kMaxShownLine && static_cast<std::size_t>(col) > kMaxShownLine / 2) {
        start = col - kMaxShownLine / 2;
        text = "..." + text.substr(start);
        col = col - static_cast<int>(start) + 3;
      }
      if (text.size() > kMaxShownLine) text = text.substr(0, kMaxShownLine - 3) + "...";
      os << "  " << text << '\n';
      os << "  " << std::string(col - 1, ' ') << '^' << std::string(len - 1, '~') << '\n';
    }
    if (!d->note.empty()) os << "  note: " << d->note << '\n';
  }
}

std::string Diagnostics::str() const {
  std::ostringstream os;
  print(os);
  return os.str();
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  // At most 3 edits, and fewer for short words (clang's typo correction allows a third of
  // the length): otherwise 'label' would be "corrected" to 'age'.
  const int max_distance = std::min(3, static_cast<int>(word.size() + 2) / 3);
  std::string best;
  int best_distance = INT_MAX;
  for (const auto& c : candidates) {
    const int d = edit_distance(word, c);
    if (d < best_distance && d <= max_distance && d < static_cast<int>(std::max(word.size(), c.size()))) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string best = closest(word, candidates);
  return best.empty() ? std::string() : " \u2014 did you mean '" + best + "'?";
}

std::string quoted_list(const std::vector<std::string>& names, const std::string& conjunction) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? (names.size() > 2 ? ", " : " ") + conjunction + " " : ", ";
    out += "'" + names[i] + "'";
  }
  return out;
}

}  // namespace pipeml::dsl
