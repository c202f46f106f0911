// Files: whole-file reads, atomic writes, and where the shipped assets are.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "model/error.hpp"

namespace tsunagi {

// Reads a whole file; an Error (code "io.read") when it cannot.
Result<std::string> read_file(const std::filesystem::path& path);

// A file mapped into memory read-only: its pages are read when first touched and shared with the page cache, so a
// large file of which little is used (the 19 MB CJK font) costs no copy. Never for a database file (see the
// invariant on descriptors in ARCHITECTURE.md). Movable, not copyable; unmapped on destruction.
class MappedFile {
 public:
  // An Error (code "io.read") when it cannot be opened or mapped; an empty file maps to no bytes.
  static Result<MappedFile> open(const std::filesystem::path& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  MappedFile() = default;
  void release();
  const unsigned char* data_ = nullptr;
  std::size_t size_ = 0;
  void* handle_ = nullptr;  // the platform's mapping
};
// Writes a file atomically: a temp file beside it, fsync, rename, fsync of the folder. `mode` is the file's mode.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode = 0600);

// The folder of shipped assets: $TSUNAGI_ASSETS if set, else the build-time source folder, else ./assets.
std::filesystem::path assets_dir();

}  // namespace tsunagi
