// The test programs' main: Catch2's, after making every data folder a test opens encrypted
// (tests/support/encrypted_folders.hpp).
#define CATCH_CONFIG_RUNNER
// On Windows Catch would define wmain (UNICODE is on); a plain main takes the arguments in the process's code page,
// UTF-8 as the manifest sets it, as the program's own main does.
#define DO_NOT_USE_WMAIN
#include <catch2/catch.hpp>

#include "model/database.hpp"
#include "tests/support/encrypted_folders.hpp"

int main(int argc, char** argv) {
  tsunagi::log_sqlite_errors_if_asked();  // TSUNAGI_SQLITE_LOG=1
  tsunagi::testing::encrypt_test_folders();
  return Catch::Session().run(argc, argv);
}
