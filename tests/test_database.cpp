#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model/database.hpp"
#include "store_fixture.hpp"

using namespace tsunagi;

TEST_CASE("opening another connection keeps the locks the first one holds", "[database]") {
  // POSIX drops every lock a process holds on a file when any descriptor of that file is closed: opening a
  // connection must not open and close the database file itself, or two writers could interleave.
  TempFolder folder;
  auto file = folder.path / "test.db";
  auto writer = Database::open(file);
  REQUIRE(writer);
  REQUIRE((*writer)->exec("PRAGMA journal_mode = DELETE; CREATE TABLE t(x)"));
  REQUIRE((*writer)->exec("BEGIN EXCLUSIVE; INSERT INTO t VALUES(1)"));

  auto late = Database::open(file);  // a second connection opened while the first holds its lock
  REQUIRE(late);
  // Another process must still see the lock. Ask the operating system directly: SQLite tracks locks within a
  // process in memory (and a forked child inherits that), so only fcntl shows whether the real lock is there.
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int fd = ::open(file.c_str(), O_RDONLY);
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = 0x40000000 + 2;  // SQLite's shared-lock range, which an exclusive lock covers
    probe.l_len = 510;
    if (fd < 0 || ::fcntl(fd, F_GETLK, &probe) != 0) ::_exit(2);
    ::_exit(probe.l_type == F_UNLCK ? 1 : 0);  // 0: the parent's lock is still there
  }
  int wait_status = 0;
  ::waitpid(child, &wait_status, 0);
  REQUIRE(WIFEXITED(wait_status));
  CHECK(WEXITSTATUS(wait_status) == 0);
  REQUIRE((*writer)->exec("COMMIT"));
}

TEST_CASE("a new database file is private from the start", "[database]") {
  TempFolder folder;
  auto file = folder.path / "new.db";
  auto db = Database::open(file);
  REQUIRE(db);
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
}
