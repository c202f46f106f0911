// A thin layer over libpq with the same shape as model/database's SQLite layer (a connection, prepared statements
// cached by their SQL text, bind/step/text/integer), so that the collector's store logic (store_sql.hpp) runs on
// either. SQL is written with SQLite's placeholders (`?` and `?N`), which become `$N`. Parameters travel as text and
// PostgreSQL infers their types from where they stand. Errors take the SQLite layer's codes where they mean the same
// ("store.constraint", "store.full"), "store.retry" for a serialization failure or deadlock (the transaction may be
// run again) and "store.unavailable" when the server cannot be reached.
//
// Thread safety: none; one PgDatabase per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/error.hpp"

struct pg_conn;
struct pg_result;

namespace tsunagi::sync {

class PgDatabase;

class PgStatement {
 public:
  PgStatement(PgDatabase& db, std::string name, int parameters)
      : db_(db), name_(std::move(name)), values_(static_cast<std::size_t>(parameters)) {}
  ~PgStatement();
  PgStatement(const PgStatement&) = delete;
  PgStatement& operator=(const PgStatement&) = delete;

  // Binds by 1-based index.
  PgStatement& bind(int index, std::string_view text);
  PgStatement& bind(int index, std::int64_t value);
  PgStatement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  PgStatement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  PgStatement& bind_null(int index);
  // The first call runs the statement; each call then moves to the next row: true when one is ready.
  Result<bool> step();
  Status run();  // runs a statement without rows
  std::string text(int column) const;
  std::int64_t integer(int column) const;
  bool is_null(int column) const;
  void reset();
  // How many rows the statement changed (an INSERT, UPDATE or DELETE that ran).
  std::int64_t changed() const { return changed_; }

 private:
  PgDatabase& db_;
  std::string name_;
  std::vector<std::optional<std::string>> values_;
  pg_result* result_ = nullptr;
  int row_ = -1;
  std::int64_t changed_ = 0;
};

class PgDatabase {
 public:
  // Connects to `url` (postgresql://user@host:port/db?..., or libpq's key=value form), in UTF-8.
  static Result<std::unique_ptr<PgDatabase>> open(const std::string& url);
  ~PgDatabase();
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;

  // Runs one or more statements without parameters or results.
  Status exec(std::string_view sql);
  // A prepared statement for `sql`, cached by its text for the life of the connection, reset and unbound.
  Result<PgStatement*> prepare(const std::string& sql);
  // A single integer from a query with one row; nullopt when no row (or NULL).
  Result<std::optional<std::int64_t>> query_int(const std::string& sql);
  // How many rows the last statement run through prepare() changed.
  std::int64_t changed() const { return changed_; }

  // The Error for a failed result (or, with none, the connection's state), saying what was being done.
  Error error(pg_result* result, std::string_view doing) const;
  pg_conn* handle() const { return conn_; }

 private:
  friend class PgStatement;
  explicit PgDatabase(pg_conn* conn) : conn_(conn) {}
  // Reconnects when the server closed the connection (a restart), forgetting the prepared statements, which lived
  // in the old session; outside a transaction only, since an open one is lost with it.
  void reconnect_if_lost();
  Status configure_session();
  pg_conn* conn_;
  std::unordered_map<std::string, std::unique_ptr<PgStatement>> cache_;
  std::int64_t changed_ = 0;
};

// `sql` with SQLite's `?` and `?N` placeholders as PostgreSQL's `$N`; `parameters` is set to how many there are.
std::string postgres_placeholders(std::string_view sql, int& parameters);

// Whether `location` names a PostgreSQL database (postgresql:// or postgres://) rather than a folder.
bool is_postgres_url(std::string_view location);

// `url` with its password (if any) replaced by "***", for messages and logs.
std::string redacted_url(const std::string& url);

}  // namespace tsunagi::sync
