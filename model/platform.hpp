// What differs between the operating systems the client runs on (Linux, and Windows for the laptops staff carry),
// in one place: calendar time, random bytes, durable files, file mappings, and the folders a user's data and
// documents live in. Everything else in the code base is the same on both; a difference found elsewhere belongs
// here.
//
// Paths are std::filesystem::path throughout. On Windows a path made from a std::string is read in the ANSI code
// page, so text (UTF-8) becomes a path through path_from_utf8 and back through path_to_utf8.
#pragma once

#include <array>
#include <cstddef>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tsunagi::platform {

// Calendar time: the broken-down time of `when` in UTC and in the local time zone, and the time of a broken-down
// UTC time (timegm).
std::tm utc_time(std::time_t when);
std::optional<std::tm> local_time(std::time_t when);
std::time_t from_utc(std::tm utc);

// Fills `out` with `size` bytes from the system's cryptographic source (getrandom, BCryptGenRandom). Throws
// std::runtime_error if it fails, which it does not in practice.
void random_bytes(void* out, std::size_t size);

// The SHA-256 digest of `data` (OpenSSL's libcrypto; BCrypt on Windows, which has no OpenSSL).
std::array<unsigned char, 32> sha256(std::string_view data);

// UTF-8 text as a path, and a path as UTF-8 text (the same bytes on Linux).
std::filesystem::path path_from_utf8(std::string_view text);
std::string path_to_utf8(const std::filesystem::path& path);

// Creates `path` with `mode` (POSIX permissions; on Windows the user's profile already keeps it private) unless it
// exists. Returns true when it made it, false when it was there, and an errno-style message in `error` otherwise.
bool create_file_exclusive(const std::filesystem::path& path, unsigned mode, std::string& error);

// Writes `content` to a new file `path` (replacing one there) with `mode` and forces it to the disk before it
// returns (fsync, FlushFileBuffers). False with `error` set (the file removed) when any step fails.
bool write_file_durably(const std::filesystem::path& path, std::string_view content, unsigned mode, std::string& error);

// Replaces `to` with `from` in one step (rename; MoveFileEx with MOVEFILE_REPLACE_EXISTING | WRITE_THROUGH).
bool replace_file(const std::filesystem::path& from, const std::filesystem::path& to, std::string& error);

// Keeps a folder to its owner (mode 0700; on Windows the user's profile already does).
void make_private_folder(const std::filesystem::path& folder);

// Makes a folder's entries durable (a rename or a new file in it): fsync of the folder on Linux; Windows makes
// them durable with the file (WRITE_THROUGH), so nothing is left to do there.
void sync_folder(const std::filesystem::path& folder);

// A whole file mapped read-only (or read into memory where mapping is not worth it). `data` is null for an empty
// file.
struct Mapping {
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  void* handle = nullptr;  // what unmap needs
};
bool map_file(const std::filesystem::path& path, Mapping& mapping, std::string& error);
void unmap_file(Mapping& mapping);

// The user's home folder (HOME, USERPROFILE), or empty.
std::filesystem::path home_folder();
// Where the client keeps its data unless told otherwise: $XDG_DATA_HOME/tsunagi (~/.local/share/tsunagi) on
// Linux, %LOCALAPPDATA%\Tsunagi on Windows.
std::filesystem::path default_data_folder();
// Where a user keeps documents (an export goes there): ~/Documents when it exists, else the home folder; empty
// when neither is known.
std::filesystem::path documents_folder();

// This computer's name (a device's default name when it enrolls), or "laptop" when it has none.
std::string host_name();

}  // namespace tsunagi::platform
