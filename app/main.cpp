#include <csignal>

#include "app/cli.hpp"

int main(int argc, char** argv) {
  // A collector that closes the connection mid-request must give an error, not end the process.
  std::signal(SIGPIPE, SIG_IGN);
  return tsunagi::run_cli(argc, argv);
}
