// Compact JSON text for values whose strings are valid UTF-8 (everything the model holds: input is checked at
// the boundary). Several times faster than nlohmann's dump, which re-validates UTF-8 a byte at a time; records
// are serialised on every write and every sync message, so this is on the hot path.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace tsunagi {

// The value as compact JSON, as nlohmann's dump() would write it. A string that is not valid UTF-8 is written with
// U+FFFD in place of each bad byte, never thrown about. Thread-safe.
std::string to_json_text(const nlohmann::json& value);
void append_json_text(std::string& out, const nlohmann::json& value);

// The string member `key` of `object`, or "" when `object` is not an object or the member is absent or not a
// string. For reading documents whose every field is optional text (error bodies, files this program wrote).
std::string string_member(const nlohmann::json& object, const char* key);

}  // namespace tsunagi
