// The tests' PostgreSQL: the server ctest's fixture started (tests/support/postgres_server.sh, whose URL is in
// TSUNAGI_POSTGRES_STATE/url), or the one $TSUNAGI_TEST_POSTGRES names; and a fresh schema in it per test, so that
// tests running at once never see each other's tables.
#pragma once

#include <chrono>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "collector/postgres.hpp"

namespace tsunagi::testing {

// The test server's URL; throws, saying how to get one, when there is none.
inline std::string postgres_server_url() {
  if (const char* url = std::getenv("TSUNAGI_TEST_POSTGRES"); url && *url) return url;
#ifdef TSUNAGI_POSTGRES_STATE
  std::ifstream file(std::string(TSUNAGI_POSTGRES_STATE) + "/url");
  std::string url;
  if (file && std::getline(file, url) && !url.empty()) return url;
#endif
  throw std::runtime_error(
      "no PostgreSQL for the tests: run them through ctest (its postgres.start fixture starts one), or set "
      "TSUNAGI_TEST_POSTGRES=postgresql://...");
}

// Waits (at most 30 s) until every transaction that began on the server before this call has ended: then pulls
// see every change committed before it. A pull reads below the oldest transaction still running anywhere on the
// server (store_postgres.cpp), and other tests run their own meanwhile, so a test that checks what a pull brings
// right after a push settles first. A change a cursor skipped never arrives, settled or not.
inline void settle_postgres(const std::string& url) {
  auto db = sync::PgDatabase::open(url);
  if (!db) throw std::runtime_error(db.error().describe());
  auto mine = (*db)->query_int("SELECT pg_current_xact_id()::text::bigint");  // a transaction of its own, ended
  if (!mine) throw std::runtime_error(mine.error().describe());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    auto oldest = (*db)->query_int("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint");
    if (!oldest) throw std::runtime_error(oldest.error().describe());
    if (oldest->value_or(0) > mine->value_or(0)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("a transaction on the test server stayed open for 30 s");
}

// A schema of its own in the test server, dropped with everything in it when the object goes: url() connects with
// it as the search path, so a collector store made there sees nothing else.
class PostgresSchema {
 public:
  PostgresSchema() : server_(postgres_server_url()) {
    std::random_device random;
    name_ = "t" + std::to_string(random()) + std::to_string(random());
    auto db = sync::PgDatabase::open(server_);
    if (!db) throw std::runtime_error(db.error().describe());
    if (auto status = (*db)->exec("CREATE SCHEMA " + name_); !status)
      throw std::runtime_error(status.error().describe());
    url_ = server_ + (server_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name_;
  }
  ~PostgresSchema() {
    if (auto db = sync::PgDatabase::open(server_)) (void)(*db)->exec("DROP SCHEMA " + name_ + " CASCADE");
  }
  PostgresSchema(const PostgresSchema&) = delete;
  PostgresSchema& operator=(const PostgresSchema&) = delete;

  const std::string& url() const { return url_; }

 private:
  std::string server_;
  std::string name_;
  std::string url_;
};

}  // namespace tsunagi::testing
