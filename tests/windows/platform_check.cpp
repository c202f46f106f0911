// The platform layer on Windows, run under Wine by scripts/build-windows.sh check: SHA-256, a durable write and a
// mapping in a folder with a Japanese name and a space (C:\Users\佐藤 花子\...), random ids, and the folders a
// Windows user's data and documents live in. Prints what it found; exits 1 at the first thing that is wrong.
#include <cstdio>
#include <string>

#include "model/files.hpp"
#include "model/ids.hpp"
#include "model/platform.hpp"

using namespace tsunagi;

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

}  // namespace

int main() {
  std::string hex;
  for (unsigned char byte : platform::sha256("abc")) {
    static const char* kHex = "0123456789abcdef";
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xF];
  }
  expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256 of abc: " + hex);

  const std::filesystem::path folder = platform::path_from_utf8("佐藤 花子") / platform::path_from_utf8("データ");
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  expect(!ec, "a folder named " + platform::path_to_utf8(folder) + (ec ? ": " + ec.message() : ""));
  const std::filesystem::path file = folder / platform::path_from_utf8("記録.txt");
  expect(bool(write_file_atomic(file, "つなぎ")), "a durable write to " + platform::path_to_utf8(file));
  expect(bool(write_file_atomic(file, "つなぎ 2")), "and one that replaces it");
  auto back = read_file(file);
  expect(back && *back == "つなぎ 2", "read back: " + (back ? *back : back.error().describe()));
  {
    auto mapped = MappedFile::open(file);  // unmapped at the block's end: Windows deletes no mapped file
    expect(mapped && mapped->size() == back->size(), "mapped whole");
  }
  std::string error;
  expect(!platform::create_file_exclusive(file, 0600, error) && error.empty(), "an existing file is not made again");

  const std::string first = new_uuid_v7(), second = new_uuid_v7();
  expect(first != second && first.size() == 36, "random ids: " + first);
  const std::string data = platform::path_to_utf8(platform::default_data_folder());
  expect(data.find("AppData\\Local\\Tsunagi") != std::string::npos, "data folder: " + data);
  const std::string documents = platform::path_to_utf8(platform::documents_folder());
  expect(!documents.empty(), "documents folder: " + documents);
  expect(platform::local_time(0).has_value() && platform::from_utc(platform::utc_time(86400)) == 86400,
         "calendar time");
  std::filesystem::remove_all(platform::path_from_utf8("佐藤 花子"), ec);
  expect(!std::filesystem::exists(platform::path_from_utf8("佐藤 花子")), "and removed again");
  return failures == 0 ? 0 : 1;
}
