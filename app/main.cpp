#include "app/cli.hpp"
#include "model/database.hpp"
#include "model/platform.hpp"

int main(int argc, char** argv) {
  // A collector that closes the connection mid-request must give an error, not end the process; the console
  // speaks UTF-8.
  tsunagi::platform::prepare_process();
  tsunagi::log_sqlite_errors_if_asked();  // TSUNAGI_SQLITE_LOG=1: SQLite's errors on stderr, for support
  return tsunagi::run_cli(argc, argv);
}
