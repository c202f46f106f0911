#include "model/search_fold.hpp"
#include "model/text.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace tsunagi;

namespace {

// True if a search for query finds text: both are folded, as the index and the query are.
bool finds(std::string_view text, std::string_view query) {
  return fold_for_search(text).find(fold_for_search(query)) != std::string::npos;
}

std::string ascii_lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

}  // namespace

TEST_CASE("Half-width katakana finds full-width katakana", "[search]") {
  CHECK(fold_for_search("ｻｲﾝﾚｽ") == fold_for_search("サインレス"));
  CHECK(finds("サインレス対応の相談", "ｻｲﾝﾚｽ"));
  CHECK(finds("ｻｲﾝﾚｽ対応の相談", "サインレス"));
}

TEST_CASE("Hiragana finds katakana and katakana finds hiragana", "[search]") {
  CHECK(fold_for_search("ひきこもり") == fold_for_search("ヒキコモリ"));
  CHECK(fold_for_search("ヒキコモリ") == "ひきこもり");
  CHECK(finds("ヒキコモリ状態の方", "ひきこもり"));
  CHECK(finds("ひきこもり状態の方", "ヒキコモリ"));
  CHECK(fold_for_search("ヴァヵヶヽヾ") == "ゔぁゕゖゝゞ");
}

TEST_CASE("Half-width voiced and semi-voiced marks compose into one kana", "[search]") {
  CHECK(fold_for_search("ｶﾞ") == "が");
  CHECK(fold_for_search("ﾊﾟ") == "ぱ");
  CHECK(fold_for_search("ｳﾞ") == "ゔ");
  CHECK(fold_for_search("ｶﾞｲﾄﾞﾍﾙﾊﾟｰ") == fold_for_search("ガイドヘルパー"));
  CHECK(fold_for_search("か\u3099") == "が");  // combining marks, as NFD text has them
  CHECK(fold_for_search("ハ\u309A") == "ぱ");
  CHECK(fold_for_search("カ゛ハ゜") == "がぱ");  // the spacing marks, as some old text has them
  CHECK(fold_for_search("ヷ") == fold_for_search("ワ\u3099"));
  CHECK(fold_for_search("ﾏﾞ") == "ま\u3099");  // no precomposed kana: the mark stays
  CHECK(fold_for_search("ﾞ") == "\u3099");
}

TEST_CASE("The long vowel mark and the middle dot are kept", "[search]") {
  CHECK(fold_for_search("ヘルパー") == "へるぱー");
  CHECK(fold_for_search("ﾍﾙﾊﾟｰ") == "へるぱー");
  CHECK(fold_for_search("ケア・マネ") == "けあ・まね");
  CHECK(fold_for_search("ｹｱ･ﾏﾈ") == "けあ・まね");
}

TEST_CASE("高田 finds 髙田 and 髙田 finds 高田", "[search]") {
  CHECK(fold_for_search("髙田") == "高田");
  CHECK(finds("髙田ワークス", "高田"));
  CHECK(finds("高田ワークス", "髙田"));
}

TEST_CASE("吉野 finds 𠮷野, and 𠮷 (four bytes in UTF-8) folds to 吉", "[search]") {
  REQUIRE(std::string("𠮷").size() == 4);
  CHECK(fold_for_search("𠮷") == "吉");
  CHECK(finds("𠮷野の里作業所", "吉野"));
  CHECK(finds("吉野の里作業所", "𠮷野"));
  CHECK(fold_for_search("𡈽屋") == "土屋");
}

TEST_CASE("山崎 finds 山﨑 although NFKC leaves U+FA11 alone", "[search]") {
  CHECK(fold_for_search("山\uFA11") == "山崎");
  CHECK(finds("グループホーム山﨑ハウス", "山崎"));
  CHECK(finds("グループホーム山崎ハウス", "山﨑"));
  CHECK(fold_for_search("宮嵜") == "宮崎");
  CHECK(fold_for_search("埼玉") == "埼玉");  // a different character, not a variant
}

TEST_CASE("柳川 finds 栁川", "[search]") {
  CHECK(fold_for_search("栁川") == "柳川");
  CHECK(finds("栁川ベーカリー工房", "柳川"));
}

TEST_CASE("徳 finds 德", "[search]") {
  CHECK(fold_for_search("德") == "徳");
  CHECK(finds("短期入所事業所 德寿苑", "徳寿苑"));
  CHECK(finds("短期入所事業所 徳寿苑", "德寿苑"));
}

TEST_CASE("Common surname variants fold to one form", "[search]") {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"渡邊", "渡辺"}, {"渡邉", "渡辺"}, {"濱田", "浜田"}, {"濵田", "浜田"}, {"齋藤", "斎藤"}, {"齊藤", "斉藤"},
      {"澤田", "沢田"}, {"小嶋", "小島"}, {"小嶌", "小島"}, {"櫻井", "桜井"}, {"國分", "国分"}, {"廣田", "広田"},
      {"眞鍋", "真鍋"}, {"冨田", "富田"}, {"槇原", "槙原"}, {"曾根", "曽根"}, {"曻", "昇"},     {"惠子", "恵子"},
      {"榮", "栄"},     {"淸水", "清水"}, {"靑木", "青木"}, {"廣瀨", "広瀬"}, {"峯岸", "峰岸"}, {"龍", "竜"},
  };
  for (const auto& [variant, standard] : pairs) {
    INFO(variant << " / " << standard);
    CHECK(fold_for_search(variant) == standard);
    CHECK(fold_for_search(standard) == standard);
  }
  // 斎 and 斉 are distinct characters: only their old forms fold (see assets/search/variants.tsv).
  CHECK(fold_for_search("斎藤") != fold_for_search("斉藤"));
}

TEST_CASE("Compatibility ideographs and radicals fold through NFKC", "[search]") {
  CHECK(fold_for_search("\uF9DC") == "隆");  // 隆 U+F9DC
  CHECK(fold_for_search("\uFA10") == "塚");  // 塚 U+FA10
  CHECK(fold_for_search("\u2F2D") == "山");  // Kangxi radical ⼭
  CHECK(fold_for_search("琇") == "琇");      // an IBM-extension kanji of its own, not a variant
}

TEST_CASE("① finds 1, and other enclosed and squared forms fold", "[search]") {
  CHECK(fold_for_search("①") == "1");
  CHECK(fold_for_search("⑫") == "12");
  CHECK(finds("方針1の進捗", "方針①"));
  CHECK(finds("方針①の進捗", "方針1"));
  CHECK(fold_for_search("㈱") == "(株)");
  CHECK(fold_for_search("㍻") == "平成");
  CHECK(fold_for_search("㌔") == "きろ");
  CHECK(fold_for_search("№") == "no");
}

TEST_CASE("Full-width letters find lower-case ASCII", "[search]") {
  CHECK(fold_for_search("ＡＢＣ") == "abc");
  CHECK(finds("abc会議", "ＡＢＣ"));
  CHECK(finds("ＡＢＣ会議", "abc"));
  CHECK(finds("ABC会議", "abc"));
  CHECK(fold_for_search("１２２人日") == "122人日");
  CHECK(fold_for_search("Ⅳ") == "iv");
}

TEST_CASE("A full-width space acts as a space", "[search]") {
  CHECK(fold_for_search("生活\u3000介護") == "生活 介護");
  CHECK(fold_for_search("\u3000") == " ");
  CHECK(fold_for_search("a\u00A0b") == "a b");  // no-break space too
}

TEST_CASE("Folding covers what normalize_width does, plus lower case", "[search]") {
  std::string text;
  for (char32_t cp = 0x20; cp < 0x7F; ++cp) text += encode_utf8(cp);
  for (char32_t cp = 0xFF01; cp <= 0xFF5E; ++cp) text += encode_utf8(cp);
  text += encode_utf8(0x3000);
  CHECK(fold_for_search(text) == ascii_lower(normalize_width(text)));
  for (char32_t cp = 0xFF01; cp <= 0xFF5E; ++cp) {
    INFO("U+" << std::hex << static_cast<unsigned>(cp));
    CHECK(fold_for_search(encode_utf8(cp)) == ascii_lower(normalize_width(encode_utf8(cp))));
  }
}

TEST_CASE("ASCII is lowered and otherwise kept, in long runs too", "[search]") {
  CHECK(fold_for_search("") == "");
  const std::string ascii = "The Quick BROWN fox @[`{ jumps OVER the lazy dog 0123456789 AZaz\t\n!";
  CHECK(fold_for_search(ascii) == ascii_lower(ascii));
  std::string all;
  for (int c = 1; c < 0x80; ++c) all += static_cast<char>(c);
  CHECK(fold_for_search(all + all) == ascii_lower(all + all));
}

TEST_CASE("Folding is idempotent on mixed text", "[search]") {
  const std::vector<std::string> samples = {
      "ｻｲﾝﾚｽ サインレス ひきこもり ヒキコモリ ｶﾞｲﾄﾞﾍﾙﾊﾟｰ",
      "髙田 𠮷野 山﨑 栁川 德寿苑 渡邊 齋藤 ① ＡＢＣ　abc １２２人日 ㈱ ㍻",
      "カ゛ハ゜ヷ ワ\u3099 か\u3099\u3099 \u3099先頭 ﾞﾟ ゝヽヾゞ",
      "plain ASCII, MIXED case; with\ttabs\nand newlines",
      "不正\xFFなバイト\xE3\x81と\xF0\x9F",
  };
  for (const auto& sample : samples) {
    INFO(sample);
    const std::string once = fold_for_search(sample);
    CHECK(fold_for_search(once) == once);
  }
}

TEST_CASE("Folding is idempotent for every code point and every kana with a voiced mark", "[search]") {
  std::size_t failures = 0;
  for (char32_t cp = 1; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const std::string once = fold_for_search(encode_utf8(cp));
    if (fold_for_search(once) != once || !is_valid_utf8(once)) {
      if (++failures <= 10) FAIL_CHECK("U+" << std::hex << static_cast<unsigned>(cp) << " folds to " << once);
    }
  }
  const std::vector<char32_t> marks = {0x3099, 0x309A, 0x309B, 0x309C, 0xFF9E, 0xFF9F};
  for (char32_t base = 0x3041; base <= 0x30FF; ++base) {
    for (const char32_t mark : marks) {
      const std::string once = fold_for_search(encode_utf8(base) + encode_utf8(mark));
      if (fold_for_search(once) != once) {
        if (++failures <= 10) FAIL_CHECK("U+" << std::hex << static_cast<unsigned>(base) << " with a mark");
      }
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("Invalid UTF-8 passes through unchanged", "[search]") {
  const std::string bad_byte = "\xFF";
  const std::string cut_kana = "\xE3\x82";  // the first two bytes of a katakana
  CHECK(fold_for_search(bad_byte) == bad_byte);
  CHECK(fold_for_search("ab" + bad_byte + "ｶ") == "ab" + bad_byte + "か");
  CHECK(fold_for_search("\xC0\xAF") == "\xC0\xAF");                                            // overlong '/'
  CHECK(fold_for_search("\xED\xA0\x80") == "\xED\xA0\x80");                                    // surrogate half
  CHECK(fold_for_search("カ" + cut_kana) == "か" + cut_kana);                                  // truncated at the end
  CHECK(fold_for_search(cut_kana + "A") == cut_kana + "a");                                    // truncated before ASCII
  CHECK(fold_for_search("\xF0\xA0\xAE") == "\xF0\xA0\xAE");                                    // 𠮷 cut short
  CHECK(fold_for_search("\x80\x80" + std::string("ＡＢ")) == "\x80\x80" + std::string("ab"));  // stray continuations
  CHECK(fold_for_search("か" + bad_byte + "ﾞ") == "か" + bad_byte + "\u3099");  // no composition across a bad byte
  CHECK(fold_for_search(std::string("a\0B", 3)) == std::string("a\0b", 3));     // NUL is ASCII
}

TEST_CASE("Folding gives the same result from several threads at once", "[search]") {
  const std::string text = "ｻｲﾝﾚｽ 髙田 𠮷野 山﨑 ① ＡＢＣ　ひきこもり";
  const std::string expected = "さいんれす 高田 吉野 山崎 1 abc ひきこもり";
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) threads.emplace_back([&result, &text] { result = fold_for_search(text); });
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) CHECK(result == expected);
}
