// The command line of `tsunagi`: headless subcommands for scripts and tests (record, import, export), and, with
// no subcommand, the desktop window.
#pragma once

namespace tsunagi {

// Runs the command line; returns the process exit code. Errors go to stderr; nothing is half-written.
int run_cli(int argc, char** argv);

}  // namespace tsunagi
