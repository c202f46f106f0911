#include "collector/postgres.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>

namespace tsunagi::sync {

namespace {

// PostgreSQL's error classes (SQLSTATE) as the codes the collector's callers already know.
std::string code_of(std::string_view state) {
  if (state == "23505" || state == "23503" || state == "23502" || state == "23514") return "store.constraint";
  if (state == "40001" || state == "40P01") return "store.retry";  // serialization failure, deadlock: run it again
  if (state == "53100") return "store.full";
  if (state.substr(0, 2) == "08" || state == "57P01" || state == "57P02" || state == "57P03")
    return "store.unavailable";
  return "store.sql";
}

// libpq's message without its trailing newline.
std::string trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

}  // namespace

bool is_postgres_url(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::string redacted_url(const std::string& url) {
  // postgresql://user:password@host/...: the password is what lies between the first ':' after the scheme and '@'.
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

std::string postgres_placeholders(std::string_view sql, int& parameters) {
  std::string out;
  out.reserve(sql.size() + 16);
  parameters = 0;
  int next = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] == '\'') {  // a literal: copied as it is, '' included
      const auto end = sql.find('\'', i + 1);
      const auto stop = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
      continue;
    }
    if (sql[i] != '?') {
      out += sql[i];
      continue;
    }
    int number = 0;
    std::size_t j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') number = number * 10 + (sql[j++] - '0');
    if (j == i + 1)
      number = ++next;  // a plain `?` is the next one
    else
      next = number;
    parameters = std::max(parameters, number);
    out += "$" + std::to_string(number);
    i = j - 1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

PgStatement::~PgStatement() {
  if (result_) PQclear(result_);
}

PgStatement& PgStatement::bind(int index, std::string_view text) {
  if (index >= 1 && static_cast<std::size_t>(index) <= values_.size()) values_[index - 1] = std::string(text);
  return *this;
}

PgStatement& PgStatement::bind(int index, std::int64_t value) { return bind(index, std::to_string(value)); }

PgStatement& PgStatement::bind_null(int index) {
  if (index >= 1 && static_cast<std::size_t>(index) <= values_.size()) values_[index - 1].reset();
  return *this;
}

Result<bool> PgStatement::step() {
  if (!result_) {
    std::vector<const char*> values;
    values.reserve(values_.size());
    for (const auto& value : values_) values.push_back(value ? value->c_str() : nullptr);
    result_ =
        PQexecPrepared(db_.conn_, name_.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0);
    const auto status = result_ ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      Error error = db_.error(result_, "query");
      reset();
      return error;
    }
    const char* tuples = PQcmdTuples(result_);
    changed_ = tuples && *tuples ? std::atoll(tuples) : 0;
    db_.changed_ = changed_;
    row_ = -1;
  }
  ++row_;
  return row_ < PQntuples(result_);
}

Status PgStatement::run() {
  auto row = step();
  reset();
  if (!row) return row.error();
  return ok_status();
}

std::string PgStatement::text(int column) const {
  if (!result_ || row_ < 0 || row_ >= PQntuples(result_)) return {};
  return std::string(PQgetvalue(result_, row_, column), static_cast<std::size_t>(PQgetlength(result_, row_, column)));
}

std::int64_t PgStatement::integer(int column) const {
  if (!result_ || row_ < 0 || row_ >= PQntuples(result_)) return 0;
  return std::strtoll(PQgetvalue(result_, row_, column), nullptr, 10);
}

bool PgStatement::is_null(int column) const {
  return !result_ || row_ < 0 || row_ >= PQntuples(result_) || PQgetisnull(result_, row_, column);
}

void PgStatement::reset() {
  if (result_) PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  for (auto& value : values_) value.reset();
}

// ---------------------------------------------------------------------------------------------------------------

Result<std::unique_ptr<PgDatabase>> PgDatabase::open(const std::string& url) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    const std::string why = conn ? trimmed(PQerrorMessage(conn)) : "out of memory";
    if (conn) PQfinish(conn);
    return make_error("store.unavailable", redacted_url(url), "cannot connect to PostgreSQL: " + why,
                      "PostgreSQL に接続できません: " + why);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // NOTICEs (a cascade, say) are not errors
  std::unique_ptr<PgDatabase> db(new PgDatabase(conn));
  if (auto status = db->configure_session(); !status) return status.error();
  return db;
}

PgDatabase::~PgDatabase() {
  cache_.clear();
  PQfinish(conn_);
}

Error PgDatabase::error(PGresult* result, std::string_view doing) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = trimmed(result ? PQresultErrorMessage(result) : "");
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  std::string code = state ? code_of(state) : (PQstatus(conn_) == CONNECTION_OK ? "store.sql" : "store.unavailable");
  return make_error(code, "", std::string(doing) + ": " + message, std::string(doing) + ": " + message);
}

// UTF-8, and short statements only: a lock held by a stuck session fails a request instead of hanging it, and a
// session left in a transaction ends. Set on each new session (a reconnection starts one).
Status PgDatabase::configure_session() {
  PQsetClientEncoding(conn_, "UTF8");
  return exec("SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '60s'");
}

void PgDatabase::reconnect_if_lost() {
  if (PQstatus(conn_) == CONNECTION_OK) return;
  cache_.clear();
  PQreset(conn_);
  if (PQstatus(conn_) == CONNECTION_OK) (void)configure_session();
}

Status PgDatabase::exec(std::string_view sql) {
  if (PQtransactionStatus(conn_) == PQTRANS_IDLE || PQtransactionStatus(conn_) == PQTRANS_UNKNOWN) reconnect_if_lost();
  PGresult* result = PQexec(conn_, std::string(sql).c_str());
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Error error = this->error(result, "statement");
    if (result) PQclear(result);
    return error;
  }
  PQclear(result);
  return ok_status();
}

Result<PgStatement*> PgDatabase::prepare(const std::string& sql) {
  if (PQtransactionStatus(conn_) == PQTRANS_UNKNOWN) reconnect_if_lost();
  if (auto found = cache_.find(sql); found != cache_.end()) {
    found->second->reset();
    return found->second.get();
  }
  int parameters = 0;
  const std::string text = postgres_placeholders(sql, parameters);
  const std::string name = "s" + std::to_string(cache_.size() + 1);
  PGresult* result = PQprepare(conn_, name.c_str(), text.c_str(), 0, nullptr);
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK) {
    Error error = this->error(result, "prepare");
    if (result) PQclear(result);
    return error;
  }
  PQclear(result);
  auto statement = std::make_unique<PgStatement>(*this, name, parameters);
  PgStatement* out = statement.get();
  cache_.emplace(sql, std::move(statement));
  return out;
}

Result<std::optional<std::int64_t>> PgDatabase::query_int(const std::string& sql) {
  auto select = prepare(sql);
  if (!select) return select.error();
  auto row = (*select)->step();
  if (!row) return row.error();
  std::optional<std::int64_t> value;
  if (*row && !(*select)->is_null(0)) value = (*select)->integer(0);
  (*select)->reset();
  return value;
}

}  // namespace tsunagi::sync
