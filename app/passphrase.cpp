#include "app/passphrase.hpp"

#include "model/files.hpp"
#include "model/platform.hpp"
#include "model/text.hpp"

namespace tsunagi {

Result<std::optional<std::string>> given_passphrase(int fd, const char* fd_option, const char* file_variable) {
  if (fd >= 0) {
    auto line = platform::read_descriptor_line(fd);
    if (!line)
      return make_error("passphrase.source", fd_option,
                        "cannot read the passphrase from descriptor " + std::to_string(fd),
                        "ファイル記述子 " + std::to_string(fd) + " からパスフレーズを読めません");
    return std::optional<std::string>(std::move(*line));
  }
  const auto file = platform::environment_path(file_variable);
  if (file.empty()) return std::optional<std::string>();
  auto content = read_file(file);
  if (!content)
    return make_error(
        "passphrase.source", file_variable,
        "cannot read the passphrase file " + platform::path_to_utf8(file) + ": " + content.error().message,
        "パスフレーズのファイル " + platform::path_to_utf8(file) + " を読めません: " + content.error().message_ja);
  std::string line = *content;
  if (auto newline = line.find('\n'); newline != std::string::npos) line.resize(newline);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty())
    return make_error("passphrase.source", file_variable,
                      "the passphrase file " + platform::path_to_utf8(file) + " is empty",
                      "パスフレーズのファイル " + platform::path_to_utf8(file) + " が空です");
  return std::optional<std::string>(std::move(line));
}

Result<int> parse_descriptor(const std::string& option, const std::string& text) {
  auto value = parse_integer(text);
  if (!value || *value < 0 || *value > 65535)
    return make_error("passphrase.source", option, "expected the number of an open file descriptor",
                      "開いているファイル記述子の番号を指定してください");
  return static_cast<int>(*value);
}

}  // namespace tsunagi
