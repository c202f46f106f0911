#include "model/error.hpp"

namespace tsunagi {

Error make_error(std::string code, std::string path, std::string message, std::string message_ja) {
  return Error{std::move(code), std::move(path), std::move(message), std::move(message_ja)};
}

std::string Error::describe(bool japanese) const {
  const std::string& text = japanese && !message_ja.empty() ? message_ja : message;
  return path.empty() ? text : path + ": " + text;
}

Error Error::with_context(const std::string& context) const {
  Error out = *this;
  out.message = context + ": " + message;
  out.message_ja = context + ": " + message_ja;
  return out;
}

}  // namespace tsunagi
