// A fresh data folder per test, removed afterwards.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "model/ids.hpp"
#include "model/platform.hpp"
#include "model/record_json.hpp"
#include "model/store.hpp"

// A new folder of the test's own in the system's temporary folder (Linux and Windows).
struct TempFolder {
  std::filesystem::path path;
  TempFolder() {
    for (;;) {
      path = std::filesystem::temp_directory_path() / ("tsunagi-test-" + tsunagi::new_item_id());
      if (std::filesystem::create_directory(path)) break;  // throws when it cannot; false: taken, another name
    }
    tsunagi::platform::make_private_folder(path);
  }
  ~TempFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// Sets (or, with nullptr, removes) an environment variable of this process, on Linux and Windows.
inline void set_env(const char* name, const char* value) {
#ifdef _WIN32
  ::_putenv_s(name, value ? value : "");
#else
  if (value)
    ::setenv(name, value, 1);
  else
    ::unsetenv(name);
#endif
}

// The titles of the records `query` lists, in its order; fails the test on error.
inline std::vector<std::string> list_titles(const tsunagi::Store& store, const tsunagi::RecordQuery& query) {
  auto rows = store.list(query);
  if (!rows) throw std::runtime_error(rows.error().describe());
  std::vector<std::string> titles;
  for (const auto& row : *rows) titles.push_back(row.title);
  return titles;
}

struct StoreFixture {
  TempFolder folder;
  std::unique_ptr<tsunagi::Store> store;

  StoreFixture() { store = open(); }
  std::unique_ptr<tsunagi::Store> open(tsunagi::StoreOptions options = {}) {
    if (options.author.empty()) options.author = "田中 花子";
    auto opened = tsunagi::Store::open(folder.path / "data", options);
    if (!opened) throw std::runtime_error(opened.error().describe());
    return std::move(*opened);
  }
  // Adds a record from JSON text; fails the test on error.
  tsunagi::Record add(const std::string& json_text) {
    auto record = tsunagi::parse_record(json_text);
    if (!record) throw std::runtime_error(record.error().describe());
    auto created = store->create(std::move(*record));
    if (!created) throw std::runtime_error(created.error().describe());
    return *created;
  }
};
