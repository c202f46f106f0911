// What differs between the operating systems the client runs on (Linux, and Windows for the laptops staff carry),
// in one place: calendar time, random bytes, durable files, file mappings, and the folders a user's data and
// documents live in. Everything else in the code base is the same on both; a difference found elsewhere belongs
// here.
//
// Paths are std::filesystem::path throughout. On Windows (libstdc++ of mingw-w64) a path made from a std::string
// takes each byte as one character, whatever the code page, so text (UTF-8: the command line, JSON, the UI)
// becomes a path only through path_from_utf8 and goes back through path_to_utf8.
#pragma once

#include <array>
#include <cstddef>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
// The environment variable `name` as a path (read as UTF-16 on Windows), or empty when unset or empty.
std::filesystem::path environment_path(const char* name);
// The folder the running program's file is in (/proc/self/exe, GetModuleFileNameW), or empty.
std::filesystem::path executable_folder();

// Creates `path` with `mode` (POSIX permissions; on Windows the user's profile already keeps it private) unless it
// exists. Returns true when it made it, false when it was there, and an errno-style message in `error` otherwise.
bool create_file_exclusive(const std::filesystem::path& path, unsigned mode, std::string& error);

// Writes `content` to a new file `path` (replacing one there) with `mode` and forces it to the disk before it
// returns (fsync, FlushFileBuffers). False with `error` set (the file removed) when any step fails.
bool write_file_durably(const std::filesystem::path& path, std::string_view content, unsigned mode, std::string& error);

// Forces an existing file's content to the disk (fsync, _commit). Never for a database another connection of this
// process has open (closing a descriptor drops that process's POSIX locks on the file). False with `error` set.
bool sync_file(const std::filesystem::path& path, std::string& error);

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

// Wall-clock milliseconds since this process started (its start-up time, as --timing reports it): from
// /proc/self/stat's start time on Linux, GetProcessTimes on Windows.
double milliseconds_since_process_start();

// The most memory this process has held at once, in MiB (peak resident set; peak working set on Windows).
double peak_memory_mb();

// Process set-up at start: a peer closing a connection must not end the process (SIGPIPE ignored); on Windows
// the console reads and writes UTF-8, as every string in the program is.
void prepare_process();
// Called before the window opens: on Windows, a console the program was given only because it was started from
// Explorer (it is the console's one process) is closed, so that no empty black window stays beside it. A console
// the user typed the command in stays.
void release_own_console();
// A line typed at the terminal without echo (a passphrase): `prompt` goes to the terminal (stderr), the answer is
// read from it (/dev/tty; the console on Windows, as UTF-16 and returned as UTF-8), without its line ending.
// nullopt when there is no terminal to ask.
std::optional<std::string> read_secret_line(const std::string& prompt);
// One line (or all, up to 4 KiB, without a line ending) read from the open file descriptor `fd`; nullopt when it
// cannot be read.
std::optional<std::string> read_descriptor_line(int fd);
// Stops the process where it is, for a test that kills it there (tests/sync kill points): SIGSTOP, which the test
// answers with SIGKILL; on Windows, the process ends at once (TerminateProcess), which is what the kill would do.
void stop_for_kill();

// The folders fonts are installed in, to look for the UI's Japanese font: on Windows the system's Fonts folder
// and the user's own (%LOCALAPPDATA%\Microsoft\Windows\Fonts); on Linux, empty (fontconfig finds them).
std::vector<std::filesystem::path> font_folders();

// The proxy the user set for the system, for HTTPS: on Windows the one in Settings > Network > Proxy (the
// registry values ProxyEnable, ProxyServer and ProxyOverride of HKCU\...\Internet Settings; a setup script (PAC)
// is not read). `server` is "host:port" (empty: none); `exceptions` in libcurl's NO_PROXY form, with "<local>"
// (names without a dot) given as "localhost,127.0.0.1,::1". Linux has no system setting apart from HTTPS_PROXY,
// which libcurl reads itself: always empty there.
struct SystemProxy {
  std::string server;
  std::string exceptions;
};
SystemProxy system_proxy();
// SystemProxy from the registry's values (exposed for tests): ProxyServer is "host:port" or per scheme
// ("http=h:p;https=h:p"), ProxyOverride a ';' list such as "<local>;*.example.lg.jp".
SystemProxy system_proxy_from(bool enabled, std::string_view server, std::string_view override_list);

// The environment variable holding the user's login name (USER; USERNAME on Windows), and its value or "".
extern const char* const kLoginVariable;
std::string login_name();

// This computer's name (a device's default name when it enrolls), or "laptop" when it has none.
std::string host_name();

}  // namespace tsunagi::platform
