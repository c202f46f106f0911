// Compact JSON text for values whose strings are valid UTF-8 (everything the model holds: input is checked at
// the boundary). Several times faster than nlohmann's dump, which re-validates UTF-8 a byte at a time; records
// are serialised on every write and every sync message, so this is on the hot path.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tsunagi {

// The value as compact JSON, as nlohmann's dump() would write it. A string that is not valid UTF-8 is written with
// U+FFFD in place of each bad byte, never thrown about. Thread-safe.
std::string to_json_text(const nlohmann::json& value);
void append_json_text(std::string& out, const nlohmann::json& value);
// `text` as a JSON string, quoted and escaped as append_json_text writes strings.
void append_json_string(std::string& out, std::string_view text);

// A forward reader over JSON text, for the hot paths that decode a known shape (records, sync messages) without
// building a document. Each method returns false on anything it does not expect, leaving the reader unusable;
// callers then parse the text with nlohmann's parser, which reports the error (or handles the unusual case).
// `canonical` stays true while everything read is exactly as to_json_text writes it: no white space, object keys
// in ascending byte order, strings escaped only where needed. The text must be valid UTF-8 (checked beforehand).
class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  bool canonical = true;

  std::size_t position() const { return pos_; }
  // Skips white space (which makes the text not canonical) and says whether `c` comes next, consuming it if so.
  bool consume(char c);
  // A string, unescaped. A \u escape is not expected: false.
  bool string(std::string& out);
  // An integer of at most ten digits, without a fraction or exponent.
  bool integer(long long& out);
  // `null`, `true` or `false`.
  bool null() { return word("null"); }
  bool boolean(bool& out);
  // An object key and its colon; `previous` is the key before it in this object (empty for the first), for the
  // order check.
  bool key(std::string& out, const std::string& previous, bool first);
  // Skips one value of any kind, checking its syntax loosely (a caller that needs it exactly parses it again).
  bool skip_value();
  // Skips one value and gives its text (without the white space before it).
  bool value_text(std::string_view& out);
  // Only white space is left.
  bool at_end();

 private:
  void skip_space();
  bool word(std::string_view literal);

  std::string_view text_;
  std::size_t pos_ = 0;
};

// The string member `key` of `object`, or "" when `object` is not an object or the member is absent or not a
// string. For reading documents whose every field is optional text (error bodies, files this program wrote).
std::string string_member(const nlohmann::json& object, const char* key);

}  // namespace tsunagi
