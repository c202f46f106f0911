// Nothing typed is lost: a client process (the whole App, headless) types into the editor and is killed with
// SIGKILL once the autosave has run (no clean shutdown, no destructor); a second one, started as the window
// starts, reopens the editor with the text.
#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include "tests/store_fixture.hpp"
#include "tests/support/process.hpp"

TEST_CASE("typed text survives SIGKILL and reopens in the editor", "[editor][crash]") {
  TempFolder folder;
  const std::string data = (folder.path / "data").string();
  const std::string text = "第2回 地域生活支援部会（髙橋・𠮷田）";  // 𠮷: above U+FFFF

  int out_fd = -1;
  const pid_t pid = tsunagi::testing::spawn({TSUNAGI_EDITOR_DRIVER, "type", data, text}, &out_fd, nullptr);
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (out.find("autosaved\n") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd ready{out_fd, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t n = ::read(out_fd, buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(out_fd);
  REQUIRE(out.find("autosaved\n") != std::string::npos);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  const auto check = tsunagi::testing::run({TSUNAGI_EDITOR_DRIVER, "check", data, text}, std::chrono::seconds(30));
  INFO(check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out == "reopened\n");
}
