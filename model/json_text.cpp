#include "model/json_text.hpp"

#include "model/text.hpp"

namespace tsunagi {

namespace {

void append_string(std::string& out, const std::string& text) {
  if (!is_valid_utf8(text)) {
    out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  out += '"';
  std::size_t run = 0;  // start of the run of bytes that need no escaping
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text, run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        static const char* kHex = "0123456789abcdef";
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      }
    }
  }
  out.append(text, run, text.size() - run);
  out += '"';
}

}  // namespace

void append_json_text(std::string& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : value.items()) {
        if (!first) out += ',';
        first = false;
        append_string(out, key);
        out += ':';
        append_json_text(out, member);
      }
      out += '}';
      break;
    }
    case nlohmann::json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& element : value) {
        if (!first) out += ',';
        first = false;
        append_json_text(out, element);
      }
      out += ']';
      break;
    }
    case nlohmann::json::value_t::string:
      append_string(out, value.get_ref<const std::string&>());
      break;
    default:  // numbers, booleans, null: nlohmann's formatting (shortest round-trip doubles)
      out += value.dump();
  }
}

std::string string_member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string to_json_text(const nlohmann::json& value) {
  std::string out;
  out.reserve(2048);
  append_json_text(out, value);
  return out;
}

}  // namespace tsunagi
