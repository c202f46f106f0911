// Compact JSON text for values whose strings are valid UTF-8 (everything the model holds: input is checked at
// the boundary). Several times faster than nlohmann's dump, which re-validates UTF-8 a byte at a time; records
// are serialised on every write and every sync message, so this is on the hot path.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

namespace tsunagi {

// How deeply arrays and objects may nest in JSON read from outside (a request, an answer, a file): records nest
// four levels; a limit keeps a hostile text from exhausting the stack of any reader or printer.
constexpr int kMaxJsonDepth = 64;

// Whether `text` opens more than `limit` arrays or objects inside one another (strings are skipped). Linear, no
// recursion; the text need not be valid JSON.
bool json_nesting_exceeds(std::string_view text, int limit = kMaxJsonDepth);

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
  // False past kMaxJsonDepth levels of nesting.
  bool skip_value();
  // Skips one value and gives its text (without the white space before it).
  bool value_text(std::string_view& out);
  // Only white space is left.
  bool at_end();

  // An object: `member(key)` reads each member's value (keys checked as key() does). False on a syntax error or
  // when `member` returns false; `{}` makes no call.
  template <typename Member>
  bool object(Member&& member) {
    if (!consume('{')) return false;
    if (consume('}')) return true;
    std::string name, previous;
    for (bool first = true;; first = false) {
      if (!key(name, previous, first) || !member(std::as_const(name))) return false;
      previous.swap(name);
      if (!consume(',')) return consume('}');
    }
  }
  // An array: `item()` reads each element. False on a syntax error or when `item` returns false; `[]` makes no call.
  template <typename Item>
  bool array(Item&& item) {
    if (!consume('[')) return false;
    if (consume(']')) return true;
    for (;;) {
      if (!item()) return false;
      if (!consume(',')) return consume(']');
    }
  }
  // object() for a message whose members are `names` (each at most once): `member(index)` reads the value of
  // names[index]. The bit mask of the names seen, or nullopt on any failure, a member not in `names` included
  // (the caller's document path then checks it exactly and refuses or keeps it).
  template <std::size_t N, typename Member>
  std::optional<unsigned> members(const std::array<std::string_view, N>& names, Member&& member) {
    static_assert(N <= 32);
    unsigned seen = 0;
    const bool read = object([&](const std::string& name) {
      const auto known = std::find(names.begin(), names.end(), name);
      if (known == names.end()) return false;
      const auto bit = 1u << static_cast<unsigned>(known - names.begin());
      if (seen & bit) return false;  // repeated
      seen |= bit;
      return member(static_cast<std::size_t>(known - names.begin()));
    });
    if (!read) return std::nullopt;
    return seen;
  }

 private:
  void skip_space();
  bool word(std::string_view literal);

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;  // arrays and objects skip_value is inside
};

// The string member `key` of `object`, or "" when `object` is not an object or the member is absent or not a
// string. For reading documents whose every field is optional text (error bodies, files this program wrote).
std::string string_member(const nlohmann::json& object, const char* key);

}  // namespace tsunagi
