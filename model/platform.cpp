#include "model/platform.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#ifdef _WIN32
#include <windows.h>  // first: the other Windows headers use its types

#include <bcrypt.h>
#include <fcntl.h>
#include <io.h>
#include <psapi.h>
#include <shlobj.h>
#include <sys/stat.h>
#else
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#endif

namespace tsunagi::platform {

namespace {

std::string errno_text() { return std::strerror(errno); }

std::filesystem::path env_path(const char* name) {
#ifdef _WIN32
  std::wstring wide(name, name + std::strlen(name));
  if (const wchar_t* value = _wgetenv(wide.c_str()); value && *value) return std::filesystem::path(value);
#else
  if (const char* value = std::getenv(name); value && *value) return std::filesystem::path(value);
#endif
  return {};
}

#ifdef _WIN32
std::string last_error_text() {
  wchar_t* text = nullptr;
  const DWORD code = GetLastError();
  FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                 code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string out = text ? path_to_utf8(std::filesystem::path(text)) : "error " + std::to_string(code);
  if (text) LocalFree(text);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}
#endif

}  // namespace

std::tm utc_time(std::time_t when) {
  std::tm out{};
#ifdef _WIN32
  gmtime_s(&out, &when);
#else
  gmtime_r(&when, &out);
#endif
  return out;
}

std::optional<std::tm> local_time(std::time_t when) {
  std::tm out{};
#ifdef _WIN32
  if (localtime_s(&out, &when) != 0) return std::nullopt;
#else
  if (localtime_r(&when, &out) == nullptr) return std::nullopt;
#endif
  return out;
}

std::time_t from_utc(std::tm utc) {
#ifdef _WIN32
  return _mkgmtime(&utc);
#else
  return timegm(&utc);
#endif
}

void random_bytes(void* out, std::size_t size) {
  auto* bytes = static_cast<unsigned char*>(out);
#ifdef _WIN32
  if (!BCRYPT_SUCCESS(BCryptGenRandom(nullptr, bytes, static_cast<ULONG>(size), BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
    throw std::runtime_error("BCryptGenRandom failed");
#else
  while (size > 0) {
    const ssize_t got = getrandom(bytes, size, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("getrandom failed");
    }
    bytes += got;
    size -= static_cast<std::size_t>(got);
  }
#endif
}

std::array<unsigned char, 32> sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
#ifdef _WIN32
  BCRYPT_ALG_HANDLE algorithm = nullptr;
  BCRYPT_HASH_HANDLE hash = nullptr;
  bool done = BCRYPT_SUCCESS(BCryptOpenAlgorithmProvider(&algorithm, BCRYPT_SHA256_ALGORITHM, nullptr, 0)) &&
              BCRYPT_SUCCESS(BCryptCreateHash(algorithm, &hash, nullptr, 0, nullptr, 0, 0)) &&
              BCRYPT_SUCCESS(BCryptHashData(hash, reinterpret_cast<PUCHAR>(const_cast<char*>(data.data())),
                                            static_cast<ULONG>(data.size()), 0)) &&
              BCRYPT_SUCCESS(BCryptFinishHash(hash, digest.data(), static_cast<ULONG>(digest.size()), 0));
  if (hash) BCryptDestroyHash(hash);
  if (algorithm) BCryptCloseAlgorithmProvider(algorithm, 0);
  if (!done) throw std::runtime_error("SHA-256 (BCrypt) failed");
#else
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
#endif
  return digest;
}

std::filesystem::path path_from_utf8(std::string_view text) {
  return std::filesystem::path(std::u8string(text.begin(), text.end()));
}

std::string path_to_utf8(const std::filesystem::path& path) {
  const std::u8string text = path.u8string();
  return std::string(text.begin(), text.end());
}

std::filesystem::path environment_path(const char* name) { return env_path(name); }

std::filesystem::path executable_folder() {
#ifdef _WIN32
  std::wstring file(MAX_PATH, L'\0');
  for (;;) {
    const DWORD length = GetModuleFileNameW(nullptr, file.data(), static_cast<DWORD>(file.size()));
    if (length == 0) return {};
    if (length < file.size()) {
      file.resize(length);
      break;
    }
    file.resize(file.size() * 2);
  }
  return std::filesystem::path(file).parent_path();
#else
  std::error_code ec;
  const std::filesystem::path file = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : file.parent_path();
#endif
}

bool create_file_exclusive(const std::filesystem::path& path, unsigned mode, std::string& error) {
#ifdef _WIN32
  (void)mode;  // the profile's folders are the user's own
  const int fd = _wopen(path.c_str(), _O_RDWR | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
  if (fd >= 0) {
    _close(fd);
    return true;
  }
#else
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd >= 0) {
    ::fchmod(fd, mode);  // the umask may have narrowed it further, never widened it; set it exactly
    ::close(fd);         // a file made just now: nobody holds a lock on it yet
    return true;
  }
#endif
  if (errno != EEXIST) error = errno_text();
  return false;
}

bool sync_file(const std::filesystem::path& path, std::string& error) {
#ifdef _WIN32
  const int fd = _wopen(path.c_str(), _O_RDWR | _O_BINARY | _O_NOINHERIT);
#else
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
#endif
  if (fd < 0) {
    error = "cannot open: " + errno_text();
    return false;
  }
#ifdef _WIN32
  const bool synced = _commit(fd) == 0;
  if (!synced) error = "cannot flush: " + errno_text();
  _close(fd);
#else
  const bool synced = ::fsync(fd) == 0;
  if (!synced) error = "cannot flush: " + errno_text();
  ::close(fd);
#endif
  return synced;
}

bool write_file_durably(const std::filesystem::path& path, std::string_view content, unsigned mode, std::string& error) {
#ifdef _WIN32
  (void)mode;
  const int fd = _wopen(path.c_str(), _O_WRONLY | _O_CREAT | _O_TRUNC | _O_BINARY | _O_NOINHERIT, _S_IREAD | _S_IWRITE);
#else
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
#endif
  if (fd < 0) {
    error = "cannot create: " + errno_text();
    return false;
  }
  auto fail = [&](const char* what) {
    error = std::string(what) + ": " + errno_text();
#ifdef _WIN32
    _close(fd);
#else
    ::close(fd);
#endif
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return false;
  };
  std::size_t written = 0;
  while (written < content.size()) {
#ifdef _WIN32
    const std::size_t chunk = std::min<std::size_t>(content.size() - written, 1u << 30);
    const int n = _write(fd, content.data() + written, static_cast<unsigned>(chunk));
#else
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
#endif
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
#ifdef _WIN32
  if (_commit(fd) != 0) return fail("cannot flush");
  if (_close(fd) != 0) {
    error = "cannot close: " + errno_text();
    return false;
  }
#else
  if (::fsync(fd) != 0) return fail("cannot flush");
  if (::close(fd) != 0) {
    error = "cannot close: " + errno_text();
    return false;
  }
#endif
  return true;
}

bool replace_file(const std::filesystem::path& from, const std::filesystem::path& to, std::string& error) {
#ifdef _WIN32
  if (MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) return true;
  error = last_error_text();
#else
  if (::rename(from.c_str(), to.c_str()) == 0) return true;
  error = errno_text();
#endif
  return false;
}

void make_private_folder(const std::filesystem::path& folder) {
#ifdef _WIN32
  (void)folder;
#else
  ::chmod(folder.c_str(), 0700);
#endif
}

void sync_folder(const std::filesystem::path& folder) {
#ifdef _WIN32
  (void)folder;
#else
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
#endif
}

bool map_file(const std::filesystem::path& path, Mapping& mapping, std::string& error) {
  mapping = {};
#ifdef _WIN32
  HANDLE file = CreateFileW(path.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL,
                            nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    error = "cannot open: " + last_error_text();
    return false;
  }
  LARGE_INTEGER size{};
  if (!GetFileSizeEx(file, &size)) {
    error = "cannot read its size: " + last_error_text();
    CloseHandle(file);
    return false;
  }
  mapping.size = static_cast<std::size_t>(size.QuadPart);
  if (mapping.size > 0) {
    HANDLE section = CreateFileMappingW(file, nullptr, PAGE_READONLY, 0, 0, nullptr);
    void* view = section ? MapViewOfFile(section, FILE_MAP_READ, 0, 0, 0) : nullptr;
    if (section) CloseHandle(section);  // the view keeps the mapping
    if (!view) {
      error = "cannot map: " + last_error_text();
      CloseHandle(file);
      mapping = {};
      return false;
    }
    mapping.data = static_cast<const unsigned char*>(view);
    mapping.handle = view;
  }
  CloseHandle(file);
#else
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open: " + errno_text();
    return false;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    error = "cannot read its size: " + errno_text();
    ::close(fd);
    return false;
  }
  mapping.size = static_cast<std::size_t>(info.st_size);
  if (mapping.size > 0) {
    void* mapped = ::mmap(nullptr, mapping.size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped == MAP_FAILED) {
      error = "cannot map: " + errno_text();
      ::close(fd);
      mapping = {};
      return false;
    }
    mapping.data = static_cast<const unsigned char*>(mapped);
    mapping.handle = mapped;
  }
  ::close(fd);  // the mapping stays valid without the descriptor
#endif
  return true;
}

void unmap_file(Mapping& mapping) {
  if (mapping.handle) {
#ifdef _WIN32
    UnmapViewOfFile(mapping.handle);
#else
    ::munmap(mapping.handle, mapping.size);
#endif
  }
  mapping = {};
}

std::filesystem::path home_folder() {
#ifdef _WIN32
  return env_path("USERPROFILE");
#else
  return env_path("HOME");
#endif
}

std::filesystem::path default_data_folder() {
#ifdef _WIN32
  if (auto local = env_path("LOCALAPPDATA"); !local.empty()) return local / "Tsunagi";
  if (auto home = home_folder(); !home.empty()) return home / "AppData" / "Local" / "Tsunagi";
#else
  if (auto xdg = env_path("XDG_DATA_HOME"); !xdg.empty()) return xdg / "tsunagi";
  if (auto home = home_folder(); !home.empty()) return home / ".local" / "share" / "tsunagi";
#endif
  return "tsunagi-data";
}

std::filesystem::path documents_folder() {
  std::filesystem::path home = home_folder();
#ifdef _WIN32
  PWSTR known = nullptr;
  if (SUCCEEDED(SHGetKnownFolderPath(FOLDERID_Documents, 0, nullptr, &known)) && known) {
    std::filesystem::path documents(known);
    CoTaskMemFree(known);
    return documents;
  }
  if (known) CoTaskMemFree(known);
#endif
  if (home.empty()) return {};
  std::error_code ec;
  return std::filesystem::is_directory(home / "Documents", ec) ? home / "Documents" : home;
}

#ifdef _WIN32
const char* const kLoginVariable = "USERNAME";
#else
const char* const kLoginVariable = "USER";
#endif

std::string login_name() { return path_to_utf8(env_path(kLoginVariable)); }

std::string host_name() {
#ifdef _WIN32
  wchar_t name[MAX_COMPUTERNAME_LENGTH + 1];
  DWORD size = MAX_COMPUTERNAME_LENGTH + 1;
  if (GetComputerNameW(name, &size) && size > 0) return path_to_utf8(std::filesystem::path(std::wstring(name, size)));
#else
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0 && name[0] != '\0') return name;
#endif
  return "laptop";
}

std::vector<std::filesystem::path> font_folders() {
  std::vector<std::filesystem::path> folders;
#ifdef _WIN32
  PWSTR fonts = nullptr;
  if (SUCCEEDED(SHGetKnownFolderPath(FOLDERID_Fonts, 0, nullptr, &fonts))) folders.emplace_back(fonts);
  CoTaskMemFree(fonts);
  if (auto local = env_path("LOCALAPPDATA"); !local.empty())
    folders.push_back(local / "Microsoft" / "Windows" / "Fonts");
#endif
  return folders;
}

SystemProxy system_proxy_from(bool enabled, std::string_view server, std::string_view override_list) {
  SystemProxy proxy;
  if (!enabled || server.empty()) return proxy;
  auto split = [](std::string_view text, char separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
      std::size_t end = text.find(separator, start);
      if (end == std::string_view::npos) end = text.size();
      std::string part(text.substr(start, end - start));
      part.erase(0, part.find_first_not_of(" \t"));
      part.erase(part.find_last_not_of(" \t") + 1);
      if (!part.empty()) parts.push_back(std::move(part));
      start = end + 1;
    }
    return parts;
  };
  if (server.find('=') == std::string_view::npos) {
    proxy.server = std::string(server);
  } else {  // per scheme: the https one, else the http one
    std::string http;
    for (const std::string& entry : split(server, ';')) {
      const auto equals = entry.find('=');
      if (equals == std::string::npos) continue;
      const std::string scheme = entry.substr(0, equals);
      if (scheme == "https") proxy.server = entry.substr(equals + 1);
      if (scheme == "http") http = entry.substr(equals + 1);
    }
    if (proxy.server.empty()) proxy.server = http;
  }
  for (std::string entry : split(override_list, ';')) {
    if (entry == "<local>")
      entry = "localhost,127.0.0.1,::1";
    else if (entry.starts_with("*."))
      entry.erase(0, 1);  // "*.example.lg.jp": NO_PROXY's ".example.lg.jp"
    if (!proxy.exceptions.empty()) proxy.exceptions += ',';
    proxy.exceptions += entry;
  }
  return proxy;
}

SystemProxy system_proxy() {
#ifdef _WIN32
  const wchar_t* key = L"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings";
  DWORD enabled = 0, size = sizeof enabled;
  if (RegGetValueW(HKEY_CURRENT_USER, key, L"ProxyEnable", RRF_RT_REG_DWORD, nullptr, &enabled, &size) != ERROR_SUCCESS)
    return {};
  auto text = [&](const wchar_t* name) {
    wchar_t value[2048] = {};
    DWORD bytes = sizeof value - sizeof(wchar_t);
    if (RegGetValueW(HKEY_CURRENT_USER, key, name, RRF_RT_REG_SZ, nullptr, value, &bytes) != ERROR_SUCCESS)
      return std::string();
    return path_to_utf8(std::filesystem::path(std::wstring(value)));
  };
  return system_proxy_from(enabled != 0, text(L"ProxyServer"), text(L"ProxyOverride"));
#else
  return {};
#endif
}

double milliseconds_since_process_start() {
#ifdef _WIN32
  FILETIME created{}, exited{}, kernel{}, user{}, now{};
  if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user)) return 0;
  GetSystemTimePreciseAsFileTime(&now);
  auto ticks = [](const FILETIME& time) {  // 100 ns
    return static_cast<double>((static_cast<unsigned long long>(time.dwHighDateTime) << 32) | time.dwLowDateTime);
  };
  return (ticks(now) - ticks(created)) / 10000.0;
#else
  std::ifstream stat("/proc/self/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Field 22 (starttime, in clock ticks since boot) follows the command name, which is in parentheses.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  for (int i = 3; i < 22 && fields >> field; ++i) {
  }
  unsigned long long start_ticks = 0;
  fields >> start_ticks;
  timespec now{};
  clock_gettime(CLOCK_BOOTTIME, &now);
  const double now_ms = static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_nsec) / 1e6;
  return now_ms - static_cast<double>(start_ticks) * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
#endif
}

double peak_memory_mb() {
#ifdef _WIN32
  PROCESS_MEMORY_COUNTERS counters{};
  if (!K32GetProcessMemoryInfo(GetCurrentProcess(), &counters, sizeof counters)) return 0;
  return static_cast<double>(counters.PeakWorkingSetSize) / (1024.0 * 1024.0);
#else
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
#endif
}

void prepare_process() {
#ifdef _WIN32
  SetConsoleOutputCP(CP_UTF8);
  SetConsoleCP(CP_UTF8);
#else
  ::signal(SIGPIPE, SIG_IGN);
#endif
}

void release_own_console() {
#ifdef _WIN32
  DWORD processes[2];
  if (GetConsoleWindow() != nullptr && GetConsoleProcessList(processes, 2) == 1) FreeConsole();
#endif
}

std::optional<std::string> read_secret_line(const std::string& prompt) {
#ifdef _WIN32
  HANDLE input = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                             OPEN_EXISTING, 0, nullptr);
  if (input == INVALID_HANDLE_VALUE) return std::nullopt;
  DWORD mode = 0;
  if (!GetConsoleMode(input, &mode)) {
    CloseHandle(input);
    return std::nullopt;
  }
  std::fputs(prompt.c_str(), stderr);
  std::fflush(stderr);
  SetConsoleMode(input, (mode & ~ENABLE_ECHO_INPUT) | ENABLE_LINE_INPUT | ENABLE_PROCESSED_INPUT);
  std::wstring line;
  wchar_t buffer[256];
  DWORD got = 0;
  bool read = false;
  while (ReadConsoleW(input, buffer, 256, &got, nullptr) && got > 0) {
    read = true;
    line.append(buffer, got);
    if (line.find(L'\n') != std::wstring::npos) break;
  }
  SetConsoleMode(input, mode);
  CloseHandle(input);
  std::fputs("\n", stderr);
  if (!read) return std::nullopt;
  while (!line.empty() && (line.back() == L'\n' || line.back() == L'\r')) line.pop_back();
  std::string text = path_to_utf8(std::filesystem::path(line));
  SecureZeroMemory(line.data(), line.size() * sizeof(wchar_t));
  return text;
#else
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) return std::nullopt;
  termios saved{};
  if (::tcgetattr(tty, &saved) != 0) {
    ::close(tty);
    return std::nullopt;
  }
  (void)!::write(tty, prompt.data(), prompt.size());
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  ::tcsetattr(tty, TCSAFLUSH, &quiet);
  std::string line;
  char c = 0;
  bool read = false;
  while (::read(tty, &c, 1) == 1) {
    read = true;
    if (c == '\n') break;
    line += c;
  }
  ::tcsetattr(tty, TCSAFLUSH, &saved);
  ::close(tty);
  if (!read) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
#endif
}

std::optional<std::string> read_descriptor_line(int fd) {
  std::string text;
  char buffer[512];
  while (text.size() < 4096) {
#ifdef _WIN32
    const int n = _read(fd, buffer, sizeof buffer);
#else
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
#endif
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.find('\n') != std::string::npos) break;
  }
  if (auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

void stop_for_kill() {
#ifdef _WIN32
  TerminateProcess(GetCurrentProcess(), 137);
#else
  ::raise(SIGSTOP);
#endif
}

}  // namespace tsunagi::platform
