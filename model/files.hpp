// Files: whole-file reads, atomic writes, and where the shipped assets are.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "model/error.hpp"

namespace tsunagi {

// Reads a whole file; an Error (code "io.read") when it cannot.
Result<std::string> read_file(const std::filesystem::path& path);
// Writes a file atomically: a temp file beside it, fsync, rename, fsync of the folder. `mode` is the file's mode.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode = 0600);

// The folder of shipped assets: $TSUNAGI_ASSETS if set, else the build-time source folder, else ./assets.
std::filesystem::path assets_dir();

}  // namespace tsunagi
