// Expected failures as values: a stable code, the path of the offending field, and a human message in English and
// Japanese. Context is prepended as an error travels up ("import: record 3: date: ...").
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace tsunagi {

struct Error {
  std::string code;        // stable, machine-readable: "json.type", "utf8.invalid", "store.io", ...
  std::string path;        // JSON-pointer-like path of the offending field ("/agenda/1/title"), or empty
  std::string message;     // English
  std::string message_ja;  // Japanese

  // "path: message" in the requested language; what the CLI prints.
  std::string describe(bool japanese = false) const;
  // Prepends context to both messages ("push: record 0193...: " + message).
  Error with_context(const std::string& context) const;
};

Error make_error(std::string code, std::string path, std::string message, std::string message_ja);

// A value or an Error. Small on purpose: std::expected is C++23.
template <class T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}
  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace tsunagi
