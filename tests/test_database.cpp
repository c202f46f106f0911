#include <catch2/catch.hpp>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "model/database.hpp"
#include "store_fixture.hpp"

using namespace tsunagi;

#ifndef _WIN32  // POSIX advisory locks, seen from a forked process
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
#endif

TEST_CASE("the statement cache keeps the most recently used statements, never one that is stepping",
          "[database]") {
  TempFolder folder;
  auto db = Database::open(folder.path / "cache.db");
  REQUIRE(db);
  REQUIRE((*db)->exec("CREATE TABLE t(x); INSERT INTO t VALUES(1), (2), (3)"));
  // A reader in the middle of its rows, prepared first: the least recently used of all.
  auto reading = (*db)->prepare("SELECT x FROM t ORDER BY x");
  REQUIRE(reading);
  REQUIRE(*(*reading)->step());
  CHECK((*reading)->integer(0) == 1);
  for (int i = 0; i < 1000; ++i) {
    auto other = (*db)->prepare("SELECT " + std::to_string(i));
    REQUIRE(other);
    REQUIRE(*(*other)->step());
    CHECK((*other)->integer(0) == i);
    (*other)->reset();
  }
  CHECK((*db)->cached_statements() <= Database::kCachedStatements);
  REQUIRE(*(*reading)->step());  // still valid: it was stepping, so it stayed
  CHECK((*reading)->integer(0) == 2);
  (*reading)->reset();
  // A statement used again moves to the front and survives the next evictions.
  auto kept = (*db)->prepare("SELECT 999");
  REQUIRE(kept);
  for (int i = 0; i < static_cast<int>(Database::kCachedStatements) - 2; ++i) REQUIRE((*db)->prepare("SELECT 'x" + std::to_string(i) + "'"));
  auto again = (*db)->prepare("SELECT 999");
  REQUIRE(again);
  CHECK(*again == *kept);
}
