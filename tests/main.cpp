// The test programs' main: Catch2's, after making every data folder a test opens encrypted
// (tests/support/encrypted_folders.hpp).
#define CATCH_CONFIG_RUNNER
// On Windows Catch would define wmain (UNICODE is on); a plain main takes the arguments in the process's code page,
// UTF-8 as the manifest sets it, as the program's own main does.
#define DO_NOT_USE_WMAIN
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>

#include "tests/support/encrypted_folders.hpp"

int main(int argc, char** argv) {
  // TSUNAGI_SQLITE_LOG=1: SQLite's error log (and the encrypting VFS's, which names the page) on stderr.
  if (const char* log = std::getenv("TSUNAGI_SQLITE_LOG"); log && *log == '1')
    sqlite3_config(
        SQLITE_CONFIG_LOG,
        +[](void*, int code, const char* message) { std::fprintf(stderr, "sqlite %d: %s\n", code, message); }, nullptr);
  tsunagi::testing::encrypt_test_folders();
  return Catch::Session().run(argc, argv);
}
