#include "model/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tsunagi {

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error("io.read", path.string(), std::string("cannot open: ") + std::strerror(errno),
                      std::string("開けません: ") + std::strerror(errno));
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return make_error("io.read", path.string(), "read failed", "読み込みに失敗しました");
  return content.str();
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode) {
  auto fail = [&path](const char* what) {
    return make_error("io.write", path.string(), std::string(what) + ": " + std::strerror(errno),
                      std::string("書き込めません: ") + std::strerror(errno));
  };
  std::filesystem::path temp = path;
  temp += ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return fail("cannot create");
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error error = fail("cannot write");
      ::close(fd);
      ::unlink(temp.c_str());
      return error;
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    Error error = fail("cannot flush");
    ::unlink(temp.c_str());
    return error;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Error error = fail("cannot rename");
    ::unlink(temp.c_str());
    return error;
  }
  std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);  // make the rename itself durable
    ::close(dir);
  }
  return ok_status();
}

std::filesystem::path assets_dir() {
  if (const char* env = std::getenv("TSUNAGI_ASSETS"); env && *env) return env;
  std::filesystem::path built_in = TSUNAGI_ASSETS_DIR;
  std::error_code ec;
  if (std::filesystem::is_directory(built_in, ec)) return built_in;
  return "assets";
}

}  // namespace tsunagi
