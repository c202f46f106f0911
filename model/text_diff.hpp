// Word-level diff of two texts, for record history: each changed text field shown from what to what. Japanese has
// no spaces between words, so a "word" is a run of one script (kanji, hiragana, katakana, letters and digits): a
// changed place name shows as 市役所 → 区役所, not as the whole sentence nor as single characters.
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tsunagi {

enum class DiffOp { Same, Removed, Added };

struct DiffPiece {
  DiffOp op = DiffOp::Same;
  std::string text;
  bool operator==(const DiffPiece&) const = default;
};

// The words a diff compares, in order; concatenated they give `text` back exactly, and none is empty. A word is a
// run of one of:
//   - kanji (CJK unified and compatibility ideographs, with 々 〆 〇 〻 ヶ: 霞ヶ関, 佐々木),
//   - hiragana (with ゛ ゜),
//   - katakana (with ー, ヽ ヾ and half-width katakana ｶﾞｽ),
//   - letters and digits: ASCII, full-width (ＡＢＣ１２３) and Latin letters with diacritics (café), with '_',
//     '.' or ',' (either width) between two digits (1,234.5) and ' or ’ between two letters (don't),
//   - white space (ASCII, U+3000, no-break and the other Unicode spaces);
// every other character (punctuation, symbols, emoji) is a word alone. Combining marks, variation selectors,
// emoji skin tones and a zero-width joiner with the character after it stay with the word before them, and two
// regional indicators make one flag, so that a diff never splits what shows as one character. Each byte that is
// not part of valid UTF-8 is a word of its own (never dropped).
std::vector<std::string> diff_words(std::string_view text);

// The pieces that turn `before` into `after`: a longest common subsequence of their words (diff_words) is Same,
// the rest Removed or Added. Adjacent pieces of one op are merged, no piece is empty, and where both a removal and
// an addition stand between the same two Same pieces the Removed piece comes first. Concatenating the Same and
// Removed texts gives `before`; the Same and Added texts give `after`. Identical texts give one Same piece (none
// when both are empty).
// Bounded in time and memory: words common to both ends are matched first, and when the words left in the middle
// multiply to more than kMaxWordDiffPairs pairs, the middle is one Removed and one Added piece.
std::vector<DiffPiece> word_diff(std::string_view before, std::string_view after);

// The middle of word_diff is compared word by word up to this many (before words × after words); about 10 ms and
// 0.5 MB at the limit (-O2).
inline constexpr long long kMaxWordDiffPairs = 4'000'000;

// "=", "-" or "+".
const char* diff_op_symbol(DiffOp op);

// JSON form for the protocol and the CLI: an array of [op, text] pairs, op "=", "-" or "+" (diff_op_symbol). The
// texts are copied as they are; where they may hold invalid UTF-8, write the value with to_json_text
// (model/json_text.hpp), which puts U+FFFD for each bad byte, since nlohmann's dump() throws on them.
nlohmann::json diff_json(const std::vector<DiffPiece>& pieces);

}  // namespace tsunagi
