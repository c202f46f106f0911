#include "model/text.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace tsunagi;

TEST_CASE("is_valid_utf8 accepts ASCII, Japanese and 4-byte sequences", "[text]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ascii"));
  CHECK(is_valid_utf8("生活介護　１２２人日"));
  CHECK(is_valid_utf8("\xF0\x9F\x98\x80"));  // U+1F600
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
  CHECK(is_valid_utf8("\xED\x9F\xBF"));      // U+D7FF, just below the surrogates
  CHECK(is_valid_utf8("\xEE\x80\x80"));      // U+E000, just above them
}

TEST_CASE("is_valid_utf8 rejects malformed input and reports where", "[text]") {
  std::size_t bad = 999;
  SECTION("overlong two-byte NUL") {
    CHECK_FALSE(is_valid_utf8(std::string("\xC0\x80"), &bad));
    CHECK(bad == 0);
  }
  SECTION("overlong three-byte slash") {
    CHECK_FALSE(is_valid_utf8("ab\xE0\x80\xAF", &bad));
    CHECK(bad == 2);
  }
  SECTION("surrogate half") {
    CHECK_FALSE(is_valid_utf8("あ\xED\xA0\x80", &bad));
    CHECK(bad == 3);
  }
  SECTION("truncated sequence at the end") {
    CHECK_FALSE(is_valid_utf8("あい\xE3\x81", &bad));
    CHECK(bad == 6);
  }
  SECTION("truncated sequence followed by ASCII") {
    CHECK_FALSE(
        is_valid_utf8("\xE3\x81"
                      "a",
                      &bad));
    CHECK(bad == 0);
  }
  SECTION("F5 and above never start a sequence") {
    CHECK_FALSE(is_valid_utf8("x\xF5\x80\x80\x80", &bad));
    CHECK(bad == 1);
    CHECK_FALSE(is_valid_utf8("\xFF"));
  }
  SECTION("beyond U+10FFFF") {
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80", &bad));
    CHECK(bad == 0);
  }
  SECTION("stray continuation byte") {
    CHECK_FALSE(is_valid_utf8("ok\x80", &bad));
    CHECK(bad == 2);
  }
  SECTION("null bad_offset is allowed") { CHECK_FALSE(is_valid_utf8("\xC0\x80")); }
}

TEST_CASE("normalize_width folds full-width ASCII and ideographic spaces only", "[text]") {
  CHECK(normalize_width("１２２人日") == "122人日");
  CHECK(normalize_width("Ｒ５．９．１３") == "R5.9.13");
  CHECK(normalize_width("ａｂｃ！～") == "abc!~");
  CHECK(normalize_width("令和　６年") == "令和 6年");
  CHECK(normalize_width("ひらがなカタカナ漢字") == "ひらがなカタカナ漢字");
  CHECK(normalize_width("ｶﾀｶﾅ") == "ｶﾀｶﾅ");  // half-width katakana is outside U+FF01..U+FF5E
  CHECK(normalize_width("") == "");
}

TEST_CASE("parse_integer accepts both widths and surrounding spaces", "[text]") {
  CHECK(parse_integer("12") == 12);
  CHECK(parse_integer("１２") == 12);
  CHECK(parse_integer(" ３ ") == 3);
  CHECK(parse_integer("　３　") == 3);
  CHECK(parse_integer("\t42\n") == 42);
  CHECK(parse_integer("-7") == -7);
  CHECK(parse_integer("－７") == -7);
  CHECK(parse_integer("0") == 0);
  CHECK(parse_integer("9223372036854775807") == 9223372036854775807LL);
  CHECK(parse_integer("-9223372036854775808") == (-9223372036854775807LL - 1));
}

TEST_CASE("parse_integer rejects anything but a whole integer", "[text]") {
  CHECK_FALSE(parse_integer(""));
  CHECK_FALSE(parse_integer("   "));
  CHECK_FALSE(parse_integer("-"));
  CHECK_FALSE(parse_integer("12a"));
  CHECK_FALSE(parse_integer("1.5"));
  CHECK_FALSE(parse_integer("１．５"));
  CHECK_FALSE(parse_integer("+3"));
  CHECK_FALSE(parse_integer("- 3"));
  CHECK_FALSE(parse_integer("1 2"));
  CHECK_FALSE(parse_integer("122人日"));
  CHECK_FALSE(parse_integer("9223372036854775808"));
  CHECK_FALSE(parse_integer("99999999999999999999999"));
}

TEST_CASE("utf8_length counts code points", "[text]") {
  CHECK(utf8_length("") == 0);
  CHECK(utf8_length("abc") == 3);
  CHECK(utf8_length("１２２人日") == 5);
  CHECK(utf8_length("\xF0\x9F\x98\x80") == 1);
}

TEST_CASE("decode_utf8 and encode_utf8 round trip", "[text]") {
  const std::string text = "a©あ\xF0\x9F\x98\x80";
  const auto code_points = decode_utf8(text);
  REQUIRE(code_points == std::vector<char32_t>{U'a', 0xA9, 0x3042, 0x1F600});
  std::string reencoded;
  for (const char32_t cp : code_points) reencoded += encode_utf8(cp);
  CHECK(reencoded == text);

  CHECK(decode_utf8("a\xFF"
                    "b") == std::vector<char32_t>{U'a', 0xFFFD, U'b'});
  CHECK(encode_utf8(0xD800) == "\xEF\xBF\xBD");
  CHECK(encode_utf8(0x110000) == "\xEF\xBF\xBD");
  CHECK(encode_utf8(0x7F) == "\x7F");
  CHECK(encode_utf8(0x80) == "\xC2\x80");
  CHECK(encode_utf8(0x800) == "\xE0\xA0\x80");
  CHECK(encode_utf8(0x10000) == "\xF0\x90\x80\x80");
}

TEST_CASE("trim removes ASCII whitespace and ideographic spaces", "[text]") {
  CHECK(trim("  abc \t\n") == "abc");
  CHECK(trim("　令和６年　 ") == "令和６年");
  CHECK(trim("a　b") == "a　b");
  CHECK(trim(" \t　") == "");
  CHECK(trim("") == "");
}
