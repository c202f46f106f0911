#include "model/text_diff.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "model/text.hpp"
#include "support/diff_printer.hpp"

using namespace tsunagi;
using Words = std::vector<std::string>;
using Pieces = std::vector<DiffPiece>;

namespace {

DiffPiece same(std::string text) { return {DiffOp::Same, std::move(text)}; }
DiffPiece removed(std::string text) { return {DiffOp::Removed, std::move(text)}; }
DiffPiece added(std::string text) { return {DiffOp::Added, std::move(text)}; }

// The text on one side of a diff: the Same pieces with the Removed ones (before) or the Added ones (after).
std::string side(const Pieces& pieces, DiffOp changed) {
  std::string out;
  for (const DiffPiece& piece : pieces) {
    if (piece.op == DiffOp::Same || piece.op == changed) out += piece.text;
  }
  return out;
}

std::string joined(const Words& words) {
  std::string out;
  for (const std::string& word : words) out += word;
  return out;
}

// "w0 w1 ... w{count-1}" from `first`.
std::string numbered_words(int first, int count) {
  std::string out;
  for (int k = first; k < first + count; ++k) {
    if (!out.empty()) out += ' ';
    out += "w" + std::to_string(k);
  }
  return out;
}

// What word_diff promises of any pair of texts, besides choosing a longest common subsequence.
void check_diff_shape(std::string_view before, std::string_view after, const Pieces& pieces) {
  CHECK(side(pieces, DiffOp::Removed) == before);
  CHECK(side(pieces, DiffOp::Added) == after);
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    INFO("piece " << k);
    CHECK_FALSE(pieces[k].text.empty());
    if (k == 0) continue;
    CHECK(pieces[k].op != pieces[k - 1].op);
    CHECK_FALSE((pieces[k - 1].op == DiffOp::Added && pieces[k].op == DiffOp::Removed));
  }
}

}  // namespace

TEST_CASE("diff_words splits Japanese by script", "[text_diff]") {
  CHECK(diff_words("市役所で会議を開いた。") == Words{"市役所", "で", "会議", "を", "開", "いた", "。"});
  CHECK(diff_words("霞ヶ関の佐々木さん") == Words{"霞ヶ関", "の", "佐々木", "さん"});
  CHECK(diff_words("〆切は〇日") == Words{"〆切", "は", "〇日"});
  CHECK(diff_words("コーヒー２杯、ＯＫ！") == Words{"コーヒー", "２", "杯", "、", "ＯＫ", "！"});
  CHECK(diff_words("ｶﾞｽ代 1,234.5円") == Words{"ｶﾞｽ", "代", " ", "1,234.5", "円"});
  CHECK(diff_words("１２，３４５．６") == Words{"１２，３４５．６"});
  CHECK(diff_words("ネット・カフェ") == Words{"ネット", "・", "カフェ"});
  // Voicing marks, combining or spacing, stay with their kana.
  CHECK(diff_words("か\u3099カ゛ー") == Words{"か\u3099", "カ゛ー"});
}

TEST_CASE("diff_words splits English at spaces and punctuation", "[text_diff]") {
  CHECK(diff_words("The fox, v2.0 (ok).") == Words{"The", " ", "fox", ",", " ", "v2.0", " ", "(", "ok", ")", "."});
  CHECK(diff_words("1, 2 and 3.") == Words{"1", ",", " ", "2", " ", "and", " ", "3", "."});
  CHECK(diff_words("file_name.txt") == Words{"file_name", ".", "txt"});
  CHECK(diff_words("don't stop") == Words{"don't", " ", "stop"});
  CHECK(diff_words("'quoted'") == Words{"'", "quoted", "'"});
  CHECK(diff_words("Café cafe\u0301") == Words{"Café", " ", "cafe\u0301"});
  CHECK(diff_words("a \u3000\t\nb") == Words{"a", " \u3000\t\n", "b"});
}

TEST_CASE("diff_words keeps what shows as one character together", "[text_diff]") {
  CHECK(diff_words("👍🏽!") == Words{"👍🏽", "!"});
  CHECK(diff_words("👨\u200D👩\u200D👧x") == Words{"👨\u200D👩\u200D👧", "x"});
  CHECK(diff_words("🇯🇵🇺🇸🇫") == Words{"🇯🇵", "🇺🇸", "🇫"});
  CHECK(diff_words("☀️☀") == Words{"☀️", "☀"});
  CHECK(diff_words("葛\U000E0100城") == Words{"葛\U000E0100城"});  // an ideographic variation sequence
}

TEST_CASE("diff_words makes each invalid byte a word", "[text_diff]") {
  CHECK(diff_words("a\xFF"
                   "b") == Words{"a", "\xFF", "b"});
  CHECK(diff_words("\xE3\x81"
                   "あ") == Words{"\xE3", "\x81", "あ"});
  CHECK(diff_words("\xC0\x80") == Words{"\xC0", "\x80"});        // overlong NUL
  CHECK(diff_words("x\xE2\x80\x8D") == Words{"x\xE2\x80\x8D"});  // a joiner at the end joins nothing
  CHECK(diff_words("x\xE2\x80\x8D\xFF") == Words{"x\xE2\x80\x8D", "\xFF"});
  CHECK(diff_words("").empty());
}

TEST_CASE("word_diff shows a changed Japanese word and an added stop", "[text_diff]") {
  CHECK(word_diff("市役所で会議を開いた", "区役所で会議を開いた。") ==
        Pieces{removed("市役所"), added("区役所"), same("で会議を開いた"), added("。")});
  CHECK(word_diff("十時に市役所で", "十時に区民センターで") ==
        Pieces{same("十時に"), removed("市役所"), added("区民センター"), same("で")});
  CHECK(word_diff("参加者は１２人", "参加者は１５人") ==
        Pieces{same("参加者は"), removed("１２"), added("１５"), same("人")});
}

TEST_CASE("word_diff shows a changed English word", "[text_diff]") {
  CHECK(word_diff("The quick brown fox jumps over the lazy dog.", "The quick red fox jumps over the lazy dog.") ==
        Pieces{same("The quick "), removed("brown"), added("red"), same(" fox jumps over the lazy dog.")});
  CHECK(word_diff("Meeting moved to Friday", "Meeting moved to Monday, 10:00") ==
        Pieces{same("Meeting moved to "), removed("Friday"), added("Monday, 10:00")});
  CHECK(word_diff("Total 1,200 yen", "Total 1,250 yen") ==
        Pieces{same("Total "), removed("1,200"), added("1,250"), same(" yen")});
}

TEST_CASE("word_diff keeps the longest common run of words", "[text_diff]") {
  CHECK(word_diff("a b c d", "b c d e") == Pieces{removed("a "), same("b c d"), added(" e")});
  CHECK(word_diff("x a b c y", "a b c") == Pieces{removed("x "), same("a b c"), removed(" y")});
  // Two changes with a common word between: each place has its removal, then its addition.
  CHECK(word_diff("one two three", "uno two tres") ==
        Pieces{removed("one"), added("uno"), same(" two "), removed("three"), added("tres")});
  // Everything different: the removal before the addition, each in one piece.
  CHECK(word_diff("犬", "猫が") == Pieces{removed("犬"), added("猫が")});
}

TEST_CASE("word_diff of empty and identical texts", "[text_diff]") {
  CHECK(word_diff("", "").empty());
  CHECK(word_diff("", "新規") == Pieces{added("新規")});
  CHECK(word_diff("削除 me", "") == Pieces{removed("削除 me")});
  CHECK(word_diff("同じ text, 同じ", "同じ text, 同じ") == Pieces{same("同じ text, 同じ")});
  CHECK(word_diff("\xFF\xFE", "\xFF\xFE") == Pieces{same("\xFF\xFE")});
}

TEST_CASE("word_diff reconstructs both texts of random mixed strings", "[text_diff]") {
  // Fragments of every kind of word, including invalid bytes and marks that attach to what comes before.
  std::vector<std::string> fragments;
  for (const auto& kind : std::vector<std::vector<std::string>>{
           {"あ", "い", "を", "カ", "ナ", "ー", "ｶ", "ﾞ"},   // kana, full and half width
           {"漢", "字", "々", "ヶ"},                         // kanji
           {"a", "Z", "9", "_", "１", "Ａ", ".", ",", "'"},  // letters, digits and what joins them
           {" ", "\u3000", "\n"},                            // white space
           {"!", "。", "・", "😀", "🏽", "🇯"},              // punctuation, emoji, a skin tone, half a flag
           {"\u200D", "\u0301", "\u3099"},                   // joining the character before
           {"\xFF", "\x80", "\xE3\x81", "\xF0\x9F"}}) {      // invalid and truncated
    fragments.insert(fragments.end(), kind.begin(), kind.end());
  }
  std::mt19937 random(20240501);
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  const auto random_fragments = [&]() {
    std::vector<std::string> out(pick(25));
    for (std::string& fragment : out) fragment = fragments[pick(fragments.size())];
    return out;
  };
  for (int run = 0; run < 400; ++run) {
    std::vector<std::string> before_fragments = random_fragments();
    std::vector<std::string> after_fragments;
    if (run % 4 == 0) {
      after_fragments = random_fragments();  // unrelated texts
    } else {                                 // an edit of before: a few fragments removed, replaced or inserted
      after_fragments = before_fragments;
      for (std::size_t edits = 1 + pick(4); edits-- > 0;) {
        const std::size_t at = pick(after_fragments.size() + 1);
        const std::size_t kind = pick(3);
        if (kind == 0 && at < after_fragments.size()) {
          after_fragments.erase(after_fragments.begin() + static_cast<std::ptrdiff_t>(at));
        } else if (kind == 1 && at < after_fragments.size()) {
          after_fragments[at] = fragments[pick(fragments.size())];
        } else {
          after_fragments.insert(after_fragments.begin() + static_cast<std::ptrdiff_t>(at),
                                 fragments[pick(fragments.size())]);
        }
      }
    }
    const std::string before = joined(before_fragments);
    const std::string after = joined(after_fragments);
    INFO("run " << run << ": \"" << before << "\" -> \"" << after << "\"");

    for (const std::string& text : {before, after}) {
      const Words words = diff_words(text);
      CHECK(joined(words) == text);
      for (const std::string& word : words) {
        CHECK_FALSE(word.empty());
        if (!is_valid_utf8(word)) CHECK(word.size() == 1);  // an invalid byte is never part of a longer word
      }
    }
    const Pieces pieces = word_diff(before, after);
    check_diff_shape(before, after, pieces);
    if (before == after) CHECK(pieces.size() == (before.empty() ? 0u : 1u));
  }
}

TEST_CASE("diff_json writes [op, text] pairs", "[text_diff]") {
  CHECK(diff_json(word_diff("会議 at 10", "会議 at 11")) ==
        nlohmann::json::parse(R"([["=","会議 at "],["-","10"],["+","11"]])"));
  CHECK(diff_json({}) == nlohmann::json::array());
}

TEST_CASE("word_diff finds one change in a long text by its common ends", "[text_diff]") {
  const std::string before = numbered_words(0, 20'000);
  std::string after = before;
  const std::string changed = " w10000 ";
  after.replace(after.find(changed), changed.size(), " changed ");
  const Pieces pieces = word_diff(before, after);
  REQUIRE(pieces.size() == 4);
  CHECK(pieces[1] == removed("w10000"));
  CHECK(pieces[2] == added("changed"));
  check_diff_shape(before, after, pieces);
}

TEST_CASE("word_diff compares middles up to the bound word by word", "[text_diff]") {
  // 900 common words between changed ends: 1,803 words a side, 3.25 million pairs.
  const std::string middle = " " + numbered_words(0, 900) + " ";
  const Pieces pieces = word_diff("A" + middle + "C", "B" + middle + "D");
  CHECK(pieces == Pieces{removed("A"), added("B"), same(middle), removed("C"), added("D")});
}

TEST_CASE("word_diff gives a middle beyond the bound as one removal and one addition", "[text_diff]") {
  SECTION("common words between changed ends, 2,203 words a side") {
    const std::string middle = " " + numbered_words(0, 1'100) + " ";
    const std::string before = "A" + middle + "C";
    const std::string after = "B" + middle + "D";
    CHECK(word_diff(before, after) == Pieces{removed(before), added(after)});
  }
  SECTION("two different texts of 5,000 words") {
    const std::string before = numbered_words(0, 5'000);
    const std::string after = numbered_words(5'000, 5'000);
    const Pieces pieces = word_diff(before, after);
    CHECK(pieces == Pieces{removed(before), added(after)});
    check_diff_shape(before, after, pieces);
  }
  SECTION("common ends stay Same") {
    const std::string before = "開始 " + numbered_words(0, 5'000) + " 終了";
    const std::string after = "開始 " + numbered_words(5'000, 5'000) + " 終了";
    CHECK(word_diff(before, after) ==
          Pieces{same("開始 "), removed(numbered_words(0, 5'000)), added(numbered_words(5'000, 5'000)), same(" 終了")});
  }
}
