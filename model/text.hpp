// UTF-8 and Japanese input helpers: validation, width folding, tolerant integers.
// Field staff type on Japanese IMEs, so digits and spaces often arrive full-width (１２２, U+3000);
// everything here accepts both widths. All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tsunagi {

// True if s is strict UTF-8 (no overlongs, surrogates, code points > U+10FFFF or truncated sequences).
// On failure, if bad_offset is given, stores the byte offset where the first invalid sequence starts.
bool is_valid_utf8(std::string_view s, std::size_t* bad_offset = nullptr);

// Folds full-width ASCII variants (U+FF01..U+FF5E) to ASCII and U+3000 to ' '; kana and kanji are kept.
// Expects valid UTF-8; invalid bytes are copied through unchanged.
std::string normalize_width(std::string_view s);

// Parses a whole string as a base-10 integer: optional surrounding whitespace (ASCII or U+3000), optional
// leading '-' or '－', then half- or full-width digits only. nullopt on anything else or on overflow.
std::optional<long long> parse_integer(std::string_view s);

// Number of code points in s. Expects valid UTF-8 (counts non-continuation bytes).
std::size_t utf8_length(std::string_view s);

// Code points of s. Expects valid UTF-8; each invalid byte becomes U+FFFD so the result is always usable.
std::vector<char32_t> decode_utf8(std::string_view s);

// UTF-8 encoding of cp; surrogates and values above U+10FFFF encode as U+FFFD.
std::string encode_utf8(char32_t cp);
// Appends the UTF-8 encoding of cp (a valid code point) to `out`: encode_utf8 without a string of its own.
void append_utf8(std::string& out, char32_t cp);
// Decodes the strict UTF-8 sequence starting at s[pos] (pos < s.size()) into `cp`: its byte length, or 0 if it is
// invalid (the rules of is_valid_utf8).
std::size_t decode_utf8_at(std::string_view s, std::size_t pos, char32_t& cp);

// s without leading and trailing ASCII whitespace and ideographic spaces (U+3000).
std::string trim(std::string_view s);

}  // namespace tsunagi
