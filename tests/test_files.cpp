#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <string>

#include "model/files.hpp"
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
