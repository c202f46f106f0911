#include "model/files.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "model/platform.hpp"

namespace tsunagi {

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error("io.read", platform::path_to_utf8(path), std::string("cannot open: ") + std::strerror(errno),
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
    if (in.bad()) return make_error("io.read", platform::path_to_utf8(path), "read failed", "読み込みに失敗しました");
    if (in) {  // it may have grown while being read: the rest follows
      std::ostringstream rest;
      rest << in.rdbuf();
      content.append(rest.str());
    }
    return content;
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return make_error("io.read", platform::path_to_utf8(path), "read failed", "読み込みに失敗しました");
  return content.str();
}

Result<MappedFile> MappedFile::open(const std::filesystem::path& path) {
  platform::Mapping mapping;
  if (std::string error; !platform::map_file(path, mapping, error))
    return make_error("io.read", platform::path_to_utf8(path), error, "読み込めません: " + error);
  MappedFile file;
  file.data_ = mapping.data;
  file.size_ = mapping.size;
  file.handle_ = mapping.handle;
  return file;
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      handle_(std::exchange(other.handle_, nullptr)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() {
  platform::Mapping mapping{data_, size_, handle_};
  platform::unmap_file(mapping);
  data_ = nullptr;
  size_ = 0;
  handle_ = nullptr;
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  std::string error;
  if (!platform::write_file_durably(temp, content, mode, error))
    return make_error("io.write", platform::path_to_utf8(path), error, "書き込めません: " + error);
  if (!platform::replace_file(temp, path, error)) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    return make_error("io.write", platform::path_to_utf8(path), "cannot rename: " + error, "書き込めません: " + error);
  }
  platform::sync_folder(path.has_parent_path() ? path.parent_path() : std::filesystem::path("."));  // the rename, durable
  return ok_status();
}

std::filesystem::path assets_dir() {
  if (auto env = platform::environment_path("TSUNAGI_ASSETS"); !env.empty()) return env;
  std::filesystem::path built_in = TSUNAGI_ASSETS_DIR;
  std::error_code ec;
  if (std::filesystem::is_directory(built_in, ec)) return built_in;
  // An installed or unpacked program (the Windows folder, the zip): assets beside the program.
  if (auto beside = platform::executable_folder() / "assets"; std::filesystem::is_directory(beside, ec)) return beside;
  return "assets";
}

}  // namespace tsunagi
