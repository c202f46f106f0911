// Where a passphrase comes from when nobody types it into the window or at the terminal: a file descriptor
// (--passphrase-fd N: a pipe from a password manager or a script), else the file $TSUNAGI_PASSPHRASE_FILE names.
// Never an argument: every process on the machine can read a command line.
#pragma once

#include <optional>
#include <string>

#include "model/error.hpp"

namespace tsunagi {

constexpr const char* kPassphraseFileVariable = "TSUNAGI_PASSPHRASE_FILE";
constexpr const char* kNewPassphraseFileVariable = "TSUNAGI_NEW_PASSPHRASE_FILE";  // `passphrase change`

// The passphrase read from descriptor `fd` when it is 0 or more, else from the file the environment variable
// `file_variable` names (its first line). nullopt when neither is given; an Error ("passphrase.source") when the
// one given cannot be read.
// `fd_option` names the option that gave `fd`, for the error.
Result<std::optional<std::string>> given_passphrase(int fd, const char* fd_option, const char* file_variable);

// The descriptor `option`'s text names ("3"); an Error ("passphrase.source") for anything else.
Result<int> parse_descriptor(const std::string& option, const std::string& text);

}  // namespace tsunagi
