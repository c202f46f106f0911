#include "model/json_text.hpp"

#include <cstdint>
#include <cstring>

#include "model/text.hpp"

namespace tsunagi {

namespace {

// The first position at or after `pos` that holds '"', '\\' or a control character (what ends a run of plain bytes
// in a JSON string), or text.size(). Eight bytes at a time: a long Japanese text is mostly such a run.
std::size_t plain_run_end(std::string_view text, std::size_t pos) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  while (pos + 8 <= text.size()) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + pos, 8);
    const std::uint64_t quote = word ^ (kOnes * '"');
    const std::uint64_t backslash = word ^ (kOnes * '\\');
    // (x - kOnes) & ~x & kHighs is non-zero exactly when x has a zero byte; with kOnes * 0x20, a byte below 0x20.
    const std::uint64_t stop =
        ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | ((word - kOnes * 0x20) & ~word);
    if (stop & kHighs) break;
    pos += 8;
  }
  while (pos < text.size()) {
    auto c = static_cast<unsigned char>(text[pos]);
    if (c == '"' || c == '\\' || c < 0x20) break;
    ++pos;
  }
  return pos;
}

// The length of the well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF)
// that starts with the non-ASCII byte at text[i], or 0.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  auto byte = [&text](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  auto continuation = [&](std::size_t k) { return k < text.size() && (byte(k) & 0xC0) == 0x80; };
  unsigned char lead = byte(i);
  if (lead >= 0xC2 && lead <= 0xDF) return continuation(i + 1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continuation(i + 1) || !continuation(i + 2)) return 0;
    unsigned char second = byte(i + 1);
    if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second >= 0xA0)) return 0;
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continuation(i + 1) || !continuation(i + 2) || !continuation(i + 3)) return 0;
    unsigned char second = byte(i + 1);
    if ((lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second >= 0x90)) return 0;
    return 4;
  }
  return 0;
}

void append_string(std::string& out, std::string_view text) {
  // One pass that checks UTF-8 and escapes; records are printed on every write and every sync message.
  const std::size_t start = out.size();
  out += '"';
  std::size_t run = 0;  // start of the run of bytes that need no escaping
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      std::size_t length = utf8_sequence(text, i);
      if (length == 0) {
        // Not UTF-8: nlohmann's dump with U+FFFD for each bad byte, never an exception.
        out.resize(start);
        out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return;
      }
      i += length;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out.append(text, run, i - run);
    run = i + 1;
    ++i;
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

void append_json_string(std::string& out, std::string_view text) { append_string(out, text); }

bool json_nesting_exceeds(std::string_view text, int limit) {
  int depth = 0;
  const std::size_t size = text.size();
  for (std::size_t i = 0; i < size; ++i) {
    switch (text[i]) {
      case '"':
        // To the closing quote: skip escaped characters; a string left open ends the text.
        for (++i; i < size && text[i] != '"'; ++i)
          if (text[i] == '\\') ++i;
        break;
      case '{':
      case '[':
        if (++depth > limit) return true;
        break;
      case '}':
      case ']':
        --depth;
        break;
      default:
        break;
    }
  }
  return false;
}

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

// ---------------------------------------------------------------------------------------------------------------
// JsonReader
// ---------------------------------------------------------------------------------------------------------------

void JsonReader::skip_space() {
  while (pos_ < text_.size()) {
    char c = text_[pos_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
    canonical = false;
    ++pos_;
  }
}

bool JsonReader::consume(char c) {
  skip_space();
  if (pos_ >= text_.size() || text_[pos_] != c) return false;
  ++pos_;
  return true;
}

bool JsonReader::word(std::string_view literal) {
  skip_space();
  if (text_.substr(pos_, literal.size()) != literal) return false;
  pos_ += literal.size();
  return true;
}

bool JsonReader::boolean(bool& out) {
  if (word("true")) {
    out = true;
    return true;
  }
  if (word("false")) {
    out = false;
    return true;
  }
  return false;
}

bool JsonReader::string(std::string& out) {
  if (!consume('"')) return false;
  out.clear();
  std::size_t run = pos_;  // start of the bytes not yet copied
  const std::size_t size = text_.size();
  while ((pos_ = plain_run_end(text_, pos_)) < size) {
    auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      out.append(text_.data() + run, pos_ - run);
      ++pos_;
      return true;
    }
    if (c < 0x20) return false;  // not JSON: the parser names it
    out.append(text_.data() + run, pos_ - run);
    if (pos_ + 1 >= size) return false;
    switch (text_[pos_ + 1]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        canonical = false;  // to_json_text writes a plain slash
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      default:
        return false;  // \u: left to the parser, which handles surrogates and checks the result
    }
    pos_ += 2;
    run = pos_;
  }
  return false;
}

bool JsonReader::integer(long long& out) {
  skip_space();
  bool negative = pos_ < text_.size() && text_[pos_] == '-';
  if (negative) ++pos_;
  std::size_t digits_start = pos_;
  long long value = 0;
  while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
    value = value * 10 + (text_[pos_] - '0');
    ++pos_;
    if (pos_ - digits_start > 10) return false;
  }
  std::size_t digits = pos_ - digits_start;
  if (digits == 0) return false;
  if (digits > 1 && text_[digits_start] == '0') return false;  // a leading zero is not JSON
  if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) return false;
  if (negative && value == 0) canonical = false;  // "-0" is printed "0"
  out = negative ? -value : value;
  return true;
}

bool JsonReader::key(std::string& out, const std::string& previous, bool first) {
  if (!string(out)) return false;
  if (!first && !(previous < out)) canonical = false;  // std::string compares bytes as unsigned, like std::map
  return consume(':');
}

bool JsonReader::skip_value() {
  skip_space();
  if (pos_ >= text_.size()) return false;
  char c = text_[pos_];
  if (c == '"') {
    // Strings with \u escapes are skipped too: only their end matters here.
    ++pos_;
    while ((pos_ = plain_run_end(text_, pos_)) < text_.size()) {
      char d = text_[pos_];
      if (d == '"') {
        ++pos_;
        return true;
      }
      if (d != '\\') return false;  // a control character
      pos_ += 2;
    }
    return false;
  }
  if (c == '{' || c == '[') {
    if (depth_ >= kMaxJsonDepth) return false;
    const char close = c == '{' ? '}' : ']';
    ++pos_;
    ++depth_;
    bool read = consume(close);
    while (!read) {
      if (c == '{') {
        skip_space();
        if (pos_ >= text_.size() || text_[pos_] != '"' || !skip_value() || !consume(':')) break;
      }
      if (!skip_value()) break;
      if (consume(',')) continue;
      read = consume(close);
      break;
    }
    --depth_;
    return read;
  }
  if (c == 't' || c == 'f') {
    bool ignored = false;
    return boolean(ignored);
  }
  if (c == 'n') return null();
  // A number: JSON's grammar, loosely.
  std::size_t start = pos_;
  while (pos_ < text_.size() && std::string_view("+-.0123456789eE").find(text_[pos_]) != std::string_view::npos) ++pos_;
  return pos_ > start;
}

bool JsonReader::value_text(std::string_view& out) {
  skip_space();
  std::size_t start = pos_;
  if (!skip_value()) return false;
  out = text_.substr(start, pos_ - start);
  return true;
}

bool JsonReader::at_end() {
  skip_space();
  return pos_ == text_.size();
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
