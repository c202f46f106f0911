#include "model/files.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

namespace tsunagi {

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error("io.read", path.string(), std::string("cannot open: ") + std::strerror(errno),
                      std::string("開けません: ") + std::strerror(errno));
  // A regular file is read whole into a string of its size (the 19 MB font at start: streaming it through an
  // ostringstream took a fifth of a second); a pipe, which has no size, through a stream.
  std::error_code size_error;
  const auto size = std::filesystem::is_regular_file(path, size_error) ? std::filesystem::file_size(path, size_error)
                                                                        : std::uintmax_t{0};
  if (!size_error && size > 0) {
    std::string content(static_cast<std::size_t>(size), '\0');
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    content.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad()) return make_error("io.read", path.string(), "read failed", "読み込みに失敗しました");
    if (in) {  // it may have grown while being read: the rest follows
      std::ostringstream rest;
      rest << in.rdbuf();
      content.append(rest.str());
    }
    return content;
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return make_error("io.read", path.string(), "read failed", "読み込みに失敗しました");
  return content.str();
}

Result<MappedFile> MappedFile::open(const std::filesystem::path& path) {
  auto fail = [&path](const char* what) {
    return make_error("io.read", path.string(), std::string(what) + ": " + std::strerror(errno),
                      std::string("読み込めません: ") + std::strerror(errno));
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot open");
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    return fail("cannot read its size");
  }
  MappedFile file;
  file.size_ = static_cast<std::size_t>(info.st_size);
  if (file.size_ > 0) {
    void* mapped = ::mmap(nullptr, file.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped == MAP_FAILED) {
      ::close(fd);
      return fail("cannot map");
    }
    file.data_ = static_cast<const unsigned char*>(mapped);
  }
  ::close(fd);  // the mapping stays valid without the descriptor
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
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
  sync_folder(path.has_parent_path() ? path.parent_path() : std::filesystem::path("."));  // the rename, durable
  return ok_status();
}

void sync_folder(const std::filesystem::path& folder) {
  int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::filesystem::path assets_dir() {
  if (const char* env = std::getenv("TSUNAGI_ASSETS"); env && *env) return env;
  std::filesystem::path built_in = TSUNAGI_ASSETS_DIR;
  std::error_code ec;
  if (std::filesystem::is_directory(built_in, ec)) return built_in;
  return "assets";
}

}  // namespace tsunagi
