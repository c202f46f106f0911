#define CATCH_CONFIG_MAIN
// On Windows Catch would define wmain (UNICODE is on); a plain main takes the arguments in the process's code page,
// UTF-8 as the manifest sets it, as the program's own main does.
#define DO_NOT_USE_WMAIN
#include <catch2/catch.hpp>
