#include "model/text_diff.hpp"

#include <algorithm>
#include <cstdint>
#include <span>
#include <unordered_map>

#include "model/text.hpp"

namespace tsunagi {

namespace {

// ---------------------------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------------------------

// The runs a word may be; Single is a character that stands alone.
enum class WordClass { Kanji, Hiragana, Katakana, Alnum, Space, Single };

bool in(char32_t cp, char32_t first, char32_t last) { return cp >= first && cp <= last; }

bool is_kanji(char32_t cp) {
  return in(cp, 0x4E00, 0x9FFF) || in(cp, 0x3400, 0x4DBF) || in(cp, 0xF900, 0xFAFF) || in(cp, 0x20000, 0x323AF) ||
         in(cp, 0x3005, 0x3007) /* 々〆〇 */ || cp == 0x303B /* 〻 */ || cp == 0x30F6 /* ヶ */;
}

bool is_digit(char32_t cp) { return in(cp, '0', '9') || in(cp, 0xFF10, 0xFF19); }

bool is_letter(char32_t cp) {
  return in(cp, 'A', 'Z') || in(cp, 'a', 'z') || in(cp, 0xFF21, 0xFF3A) || in(cp, 0xFF41, 0xFF5A) ||
         (in(cp, 0x00C0, 0x024F) && cp != 0x00D7 && cp != 0x00F7);  // Latin-1 and Extended-A/B, without × ÷
}

bool is_space(char32_t cp) {
  return in(cp, 0x09, 0x0D) || cp == ' ' || cp == 0x85 || cp == 0xA0 || cp == 0x1680 || in(cp, 0x2000, 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

WordClass classify(char32_t cp) {
  if (cp < 0x80) {
    if (is_digit(cp) || is_letter(cp) || cp == '_') return WordClass::Alnum;
    return is_space(cp) ? WordClass::Space : WordClass::Single;
  }
  if (is_kanji(cp)) return WordClass::Kanji;
  if (in(cp, 0x3041, 0x3096) || in(cp, 0x309D, 0x309F)) return WordClass::Hiragana;
  if (in(cp, 0x30A1, 0x30FA) || in(cp, 0x30FC, 0x30FF) || in(cp, 0x31F0, 0x31FF) || in(cp, 0xFF66, 0xFF9F)) {
    return WordClass::Katakana;
  }
  if (is_digit(cp) || is_letter(cp) || cp == 0xFF3F /* ＿ */) return WordClass::Alnum;
  return is_space(cp) ? WordClass::Space : WordClass::Single;
}

// Code points that belong to the character before them: combining marks (including the kana voicing marks
// U+3099/U+309A), variation selectors (kanji IVS, emoji presentation) and emoji skin tones.
bool extends_previous(char32_t cp) {
  return in(cp, 0x0300, 0x036F) || in(cp, 0x1AB0, 0x1AFF) || in(cp, 0x1DC0, 0x1DFF) || in(cp, 0x20D0, 0x20FF) ||
         in(cp, 0xFE20, 0xFE2F) || cp == 0x3099 || cp == 0x309A || in(cp, 0xFE00, 0xFE0F) || in(cp, 0xE0100, 0xE01EF) ||
         in(cp, 0x1F3FB, 0x1F3FF) || in(cp, 0xE0020, 0xE007F) /* emoji tags */;
}

constexpr char32_t kZeroWidthJoiner = 0x200D;

bool is_regional_indicator(char32_t cp) { return in(cp, 0x1F1E6, 0x1F1FF); }

// Splits text into words, one valid code point at a time; an invalid byte ends the word before it.
class WordSplitter {
 public:
  explicit WordSplitter(std::string_view text) : text_(text) {}

  std::vector<std::string> split() {
    std::vector<std::string> words;
    while (pos_ < text_.size()) {
      const std::size_t start = pos_;
      char32_t cp = 0;
      if (!take(cp)) {
        ++pos_;  // an invalid byte is a word alone
      } else {
        extend_word(cp);
      }
      words.emplace_back(text_.substr(start, pos_ - start));
    }
    return words;
  }

 private:
  // The code point at `at`, and its length (0 if invalid or at the end).
  std::size_t peek(std::size_t at, char32_t& cp) const { return at < text_.size() ? decode_utf8_at(text_, at, cp) : 0; }
  bool take(char32_t& cp) {
    const std::size_t length = peek(pos_, cp);
    pos_ += length;
    return length != 0;
  }

  // Takes what follows `first` (already taken) into its word.
  void extend_word(char32_t first) {
    const WordClass word_class = classify(first);
    char32_t last = first;  // the last base character taken, for the between-digits and between-letters rules
    bool flag_open = is_regional_indicator(first);
    for (;;) {
      char32_t next = 0;
      const std::size_t length = peek(pos_, next);
      if (length == 0) return;
      if (extends_previous(next)) {
        pos_ += length;
        continue;
      }
      if (next == kZeroWidthJoiner) {  // joins the character after it too (👨‍👩‍👧 is one character)
        pos_ += length;
        char32_t joined = 0;
        const std::size_t joined_length = peek(pos_, joined);
        if (joined_length != 0 && !is_space(joined)) pos_ += joined_length;
        continue;
      }
      if (word_class == WordClass::Single) {
        if (!(flag_open && is_regional_indicator(next))) return;
        flag_open = false;  // two regional indicators are one flag; a third starts the next
        pos_ += length;
        continue;
      }
      if (classify(next) == word_class) {
        pos_ += length;
        last = next;
        continue;
      }
      if ((next == 0x309B || next == 0x309C) &&  // spacing ゛ ゜ (カ゛) inside a kana word
          (word_class == WordClass::Hiragana || word_class == WordClass::Katakana)) {
        pos_ += length;
        continue;
      }
      if (word_class == WordClass::Alnum && joins_alnum(last, next, length)) continue;
      return;
    }
  }

  // Whether `separator` (at pos_, `length` bytes) stands between two digits (1,234.5) or two letters (don't); if so,
  // takes it and the character after it, which becomes `last`.
  bool joins_alnum(char32_t& last, char32_t separator, std::size_t length) {
    const bool digit_separator = separator == '.' || separator == ',' || separator == 0xFF0E || separator == 0xFF0C;
    const bool apostrophe = separator == '\'' || separator == 0x2019;
    if (!(digit_separator && is_digit(last)) && !(apostrophe && is_letter(last))) return false;
    char32_t after = 0;
    const std::size_t after_length = peek(pos_ + length, after);
    if (after_length == 0 || (digit_separator ? !is_digit(after) : !is_letter(after))) return false;
    pos_ += length + after_length;
    last = after;
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// Pieces
// ---------------------------------------------------------------------------------------------------------------

// Collects words into pieces: removals and additions wait until the next Same word (or the end), so that between
// two Same pieces there is at most one Removed piece, then at most one Added piece.
class PieceBuilder {
 public:
  void same(std::string_view word) {
    flush_changes();
    if (pieces_.empty() || pieces_.back().op != DiffOp::Same) pieces_.push_back({DiffOp::Same, {}});
    pieces_.back().text.append(word);
  }
  void removed(std::string_view word) { removed_.append(word); }
  void added(std::string_view word) { added_.append(word); }

  std::vector<DiffPiece> finish() {
    flush_changes();
    return std::move(pieces_);
  }

 private:
  void flush_changes() {
    if (!removed_.empty()) pieces_.push_back({DiffOp::Removed, std::move(removed_)});
    if (!added_.empty()) pieces_.push_back({DiffOp::Added, std::move(added_)});
    removed_.clear();
    added_.clear();
  }

  std::vector<DiffPiece> pieces_;
  std::string removed_;
  std::string added_;
};

using WordSpan = std::span<const std::string>;

// Feeds the builder a longest common subsequence of `before` and `after` (n × m within kMaxWordDiffPairs).
// Dynamic programming from the ends: lcs[i][j] is the LCS length of before[i..] and after[j..]; only two rows are
// kept, plus one bit per pair saying which way an unmatched pair goes, and the walk from (0, 0) reads them back.
// Where both ways keep an LCS the removal is taken first.
void diff_middle(WordSpan before, WordSpan after, PieceBuilder& builder) {
  const std::size_t n = before.size();
  const std::size_t m = after.size();

  // Words as small integers, so that the n × m comparisons are integer compares.
  std::unordered_map<std::string_view, std::uint32_t> ids;
  ids.reserve(n + m);
  const auto intern = [&](WordSpan words) {
    std::vector<std::uint32_t> out;
    out.reserve(words.size());
    for (const std::string& word : words) {
      out.push_back(ids.emplace(word, static_cast<std::uint32_t>(ids.size())).first->second);
    }
    return out;
  };
  const std::vector<std::uint32_t> a = intern(before);
  const std::vector<std::uint32_t> b = intern(after);

  std::vector<std::uint64_t> remove_first((n * m + 63) / 64);
  std::vector<std::uint32_t> row(m + 1, 0);
  std::vector<std::uint32_t> next_row(m + 1, 0);  // lcs[i + 1][..]
  for (std::size_t i = n; i-- > 0;) {
    row[m] = 0;
    for (std::size_t j = m; j-- > 0;) {
      if (a[i] == b[j]) {
        row[j] = next_row[j + 1] + 1;
      } else if (next_row[j] >= row[j + 1]) {
        row[j] = next_row[j];
        const std::size_t bit = i * m + j;
        remove_first[bit / 64] |= std::uint64_t{1} << (bit % 64);
      } else {
        row[j] = row[j + 1];
      }
    }
    std::swap(row, next_row);
  }

  std::size_t i = 0;
  std::size_t j = 0;
  while (i < n && j < m) {
    const std::size_t bit = i * m + j;
    if (a[i] == b[j]) {
      builder.same(before[i++]);
      ++j;
    } else if (remove_first[bit / 64] >> (bit % 64) & 1) {
      builder.removed(before[i++]);
    } else {
      builder.added(after[j++]);
    }
  }
  for (; i < n; ++i) builder.removed(before[i]);
  for (; j < m; ++j) builder.added(after[j]);
}

}  // namespace

std::vector<std::string> diff_words(std::string_view text) { return WordSplitter(text).split(); }

std::vector<DiffPiece> word_diff(std::string_view before, std::string_view after) {
  PieceBuilder builder;
  if (before == after) {
    if (!before.empty()) builder.same(before);
    return builder.finish();
  }
  const std::vector<std::string> before_words = diff_words(before);
  const std::vector<std::string> after_words = diff_words(after);

  // Words common to both ends need no search.
  const std::size_t shorter = std::min(before_words.size(), after_words.size());
  std::size_t prefix = 0;
  while (prefix < shorter && before_words[prefix] == after_words[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < shorter - prefix &&
         before_words[before_words.size() - 1 - suffix] == after_words[after_words.size() - 1 - suffix]) {
    ++suffix;
  }
  const WordSpan before_middle = WordSpan(before_words).subspan(prefix, before_words.size() - prefix - suffix);
  const WordSpan after_middle = WordSpan(after_words).subspan(prefix, after_words.size() - prefix - suffix);

  for (std::size_t k = 0; k < prefix; ++k) builder.same(before_words[k]);
  const long long pairs = static_cast<long long>(before_middle.size()) * static_cast<long long>(after_middle.size());
  if (pairs > kMaxWordDiffPairs) {
    for (const std::string& word : before_middle) builder.removed(word);
    for (const std::string& word : after_middle) builder.added(word);
  } else {
    diff_middle(before_middle, after_middle, builder);
  }
  for (std::size_t k = before_words.size() - suffix; k < before_words.size(); ++k) builder.same(before_words[k]);
  return builder.finish();
}

const char* diff_op_symbol(DiffOp op) {
  switch (op) {
    case DiffOp::Same:
      return "=";
    case DiffOp::Removed:
      return "-";
    case DiffOp::Added:
      return "+";
  }
  return "=";
}

nlohmann::json diff_json(const std::vector<DiffPiece>& pieces) {
  nlohmann::json out = nlohmann::json::array();
  for (const DiffPiece& piece : pieces) {
    out.push_back(nlohmann::json::array({diff_op_symbol(piece.op), piece.text}));
  }
  return out;
}

}  // namespace tsunagi
