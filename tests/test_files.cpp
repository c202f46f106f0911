#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "model/files.hpp"
#include "model/platform.hpp"
#include "store_fixture.hpp"

using namespace tsunagi;

namespace {

void write_plain(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

}  // namespace

TEST_CASE("read_file reads a regular file whole, an empty one and one with no size", "[files]") {
  TempFolder folder;
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  write_plain(folder.path / "big", big);
  write_plain(folder.path / "empty", "");

  auto content = read_file(folder.path / "big");
  REQUIRE(content);
  CHECK(*content == big);

  auto empty = read_file(folder.path / "empty");
  REQUIRE(empty);
  CHECK(empty->empty());

  // A file the kernel reports with size 0 and content all the same (as a pipe would): read as a stream.
  auto proc = read_file("/proc/self/status");
  REQUIRE(proc);
  CHECK(proc->find("Name:") != std::string::npos);

  auto missing = read_file(folder.path / "missing");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == "io.read");
}

TEST_CASE("a mapped file shows the file's bytes, moves, and fails clearly", "[files]") {
  TempFolder folder;
  const std::string text = "つなぎ mapped\n";
  write_plain(folder.path / "font", text);
  write_plain(folder.path / "empty", "");

  auto mapped = MappedFile::open(folder.path / "font");
  REQUIRE(mapped);
  REQUIRE(mapped->size() == text.size());
  CHECK(std::memcmp(mapped->data(), text.data(), text.size()) == 0);

  MappedFile moved = std::move(*mapped);
  CHECK(mapped->data() == nullptr);
  CHECK(mapped->size() == 0);
  REQUIRE(moved.size() == text.size());
  CHECK(std::memcmp(moved.data(), text.data(), text.size()) == 0);

  auto empty = MappedFile::open(folder.path / "empty");
  REQUIRE(empty);
  CHECK(empty->size() == 0);
  CHECK(empty->data() == nullptr);

  auto missing = MappedFile::open(folder.path / "missing");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == "io.read");
  auto folder_itself = MappedFile::open(folder.path);  // a folder opens but cannot be mapped as a file
  CHECK_FALSE(folder_itself);
}

TEST_CASE("the platform layer: Japanese paths round-trip, the data and documents folders follow the environment",
          "[files][platform]") {
  const std::string name = "佐藤 花子/データ フォルダ";
  CHECK(platform::path_to_utf8(platform::path_from_utf8(name)) == name);
  TempFolder dir;
  const std::filesystem::path folder = dir.path / platform::path_from_utf8("データ");
  std::filesystem::create_directories(folder);
  const std::filesystem::path file = folder / platform::path_from_utf8("記録.txt");
  REQUIRE(write_file_atomic(file, "つなぎ"));
  CHECK(read_file(file).value() == "つなぎ");
  std::string error;
  CHECK_FALSE(platform::create_file_exclusive(file, 0600, error));  // there already
  CHECK(error.empty());
  CHECK(platform::create_file_exclusive(folder / "new.db", 0600, error));

#ifdef _WIN32
  // %LOCALAPPDATA%\Tsunagi, with a Japanese user name in the path.
  const char* saved_local = std::getenv("LOCALAPPDATA");
  const std::string local = saved_local ? saved_local : "";
  const std::filesystem::path profile = dir.path / platform::path_from_utf8("佐藤 花子") / "AppData" / "Local";
  set_env("LOCALAPPDATA", platform::path_to_utf8(profile).c_str());
  CHECK(platform::default_data_folder() == profile / "Tsunagi");
  set_env("LOCALAPPDATA", local.c_str());
  CHECK_FALSE(platform::documents_folder().empty());
#else
  const char* saved_home = std::getenv("HOME");
  const std::string home = saved_home ? saved_home : "";
  set_env("HOME", dir.path.c_str());
  set_env("XDG_DATA_HOME", nullptr);
  CHECK(platform::default_data_folder() == dir.path / ".local" / "share" / "tsunagi");
  CHECK(platform::documents_folder() == dir.path);  // no Documents: the home itself
  std::filesystem::create_directories(dir.path / "Documents");
  CHECK(platform::documents_folder() == dir.path / "Documents");
  set_env("XDG_DATA_HOME", (dir.path / "xdg").c_str());
  CHECK(platform::default_data_folder() == dir.path / "xdg" / "tsunagi");
  set_env("XDG_DATA_HOME", nullptr);
  set_env("HOME", home.c_str());
#endif

  std::tm april{};  // 2024-04-01 09:30 UTC
  april.tm_year = 124;
  april.tm_mon = 3;
  april.tm_mday = 1;
  april.tm_hour = 9;
  april.tm_min = 30;
  const std::tm utc = platform::utc_time(platform::from_utc(april));
  CHECK(utc.tm_year == 124);
  CHECK(utc.tm_mon == 3);
  CHECK(utc.tm_hour == 9);
  CHECK_FALSE(platform::host_name().empty());
}

TEST_CASE("the system proxy: the https server of the Windows setting, and its exceptions as NO_PROXY", "[files]") {
  CHECK(platform::system_proxy_from(false, "proxy.city.lg.jp:8080", "").server.empty());  // set but turned off
  CHECK(platform::system_proxy_from(true, "", "<local>").server.empty());
  auto plain = platform::system_proxy_from(true, "proxy.city.lg.jp:8080", "<local>; *.city.lg.jp ;10.1.2.3");
  CHECK(plain.server == "proxy.city.lg.jp:8080");
  CHECK(plain.exceptions == "localhost,127.0.0.1,::1,.city.lg.jp,10.1.2.3");
  auto by_scheme = platform::system_proxy_from(true, "http=web:80;https=secure:3128;ftp=files:21", "");
  CHECK(by_scheme.server == "secure:3128");
  CHECK(by_scheme.exceptions.empty());
  CHECK(platform::system_proxy_from(true, "ftp=files:21;http=web:80", "").server == "web:80");
#ifndef _WIN32
  CHECK(platform::system_proxy().server.empty());  // Linux: HTTPS_PROXY only, which libcurl reads itself
#endif
}
