// The collector's store over SQL, written once for SQLite (store_sqlite.cpp) and PostgreSQL (store_postgres.cpp):
// users, enrollment and devices; pushes (merges decided by collector/rules inside one write transaction) and pulls
// (who sees what from rules' Visibility, as SQL); comments, report entries and history. `Db` and `Stmt` are
// model/database's Database and Statement, or collector/postgres's PgDatabase and PgStatement, which have the same
// shape; the SQL here is what both understand, with SQLite's `?` placeholders. What differs is behind the hooks
// below: transactions, and how the change sequence is numbered and how far a pull may read.
//
// [SECTION] Hooks
// [SECTION] Users, enrollment, devices
// [SECTION] Push and pull
// [SECTION] Comments, report entries and history
//
// The change sequence: each stored change (a record's version, a comment, a report entry, the reference data) takes
// a number above every number taken before it in the transaction order the store defines, and a pull reads up to
// its store's horizon: a number such that every change numbered at or below it is in the pull's snapshot, and every
// change committed later takes a number above it. So a cursor (the horizon, or the last change of a full page)
// never skips a change and never sends one twice. SQLite: one writer at a time (BEGIN IMMEDIATE), so the counter
// itself is the horizon. PostgreSQL: store_postgres.cpp and docs/PROTOCOL.md.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collector/rules.hpp"
#include "collector/store.hpp"
#include "model/clock.hpp"
#include "model/conflict_rows.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/kill_point.hpp"
#include "model/record_json.hpp"
#include "model/reference.hpp"

namespace tsunagi::sync {

inline Error not_found(const char* code, const std::string& what) {
  return make_error(code, "", what + " not found", what + " が見つかりません");
}

// store.version: no step of this version's migrations starts at schema `from`.
inline Error no_migration_from(int from) {
  return make_error("store.version", "", "no migration from schema " + std::to_string(from),
                    "スキーマ " + std::to_string(from) + " からの移行がありません");
}

// store.version: a database of a schema newer than this version's (kCollectorSchemaVersion).
inline Error newer_schema(int version) {
  return make_error("store.version", "",
                    "the collector database is at schema " + std::to_string(version) + ", newer than this " +
                        "version knows (" + std::to_string(kCollectorSchemaVersion) + "): run a newer collector",
                    "集約サーバーのデータベース（スキーマ " + std::to_string(version) +
                        "）はこのバージョンより新しいものです。新しいバージョンの集約サーバーを使ってください");
}

template <class Db, class Stmt>
class SqlCollectorStore : public CollectorStore {
  using json = nlohmann::json;

 public:
  explicit SqlCollectorStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  // Brings the database to `target` (tests stop at an earlier one) one step at a time, each step in one write
  // transaction that holds the schema's lock and reads the version again first: several processes may start (or
  // `migrate`) at once, and whoever comes second finds the step done. Every step only adds (tables, columns, rows
  // derived from what is there), so a process still serving at the step before keeps working while it runs. A new
  // database goes through every step too.
  Result<MigrationReport> migrate(int target = kCollectorSchemaVersion) {
    MigrationReport report;
    // `from` as the first step's transaction reads it: of processes migrating at once, one says it made the steps.
    report.from = -1;
    for (bool stepped = true; stepped;) {
      auto status = write_transaction([&]() -> Status {
        stepped = false;
        if (auto locked = lock_records({"collector schema"}); !locked) return locked;
        auto at = schema_version();
        if (!at) return at.error();
        if (*at > kCollectorSchemaVersion) return newer_schema(*at);
        if (report.from < 0) report.from = *at;
        if (*at >= target) return ok_status();
        if (auto made = migration_step(*at); !made) return made;
        stepped = true;
        return ok_status();
      });
      if (!status) return status.error();
      report.steps += stepped;
    }
    auto now = schema_version();
    if (!now) return now.error();
    report.to = *now;
    return report;
  }

 protected:
  // Opens the database at this version's schema: migrates an older one, refuses a newer one, then reads what the
  // store keeps of it.
  Status open_current() {
    auto version = schema_version();
    if (!version) return version.error();
    if (*version > kCollectorSchemaVersion) return newer_schema(*version);
    if (*version < kCollectorSchemaVersion)
      if (auto migrated = migrate(); !migrated) return migrated.error();
    return read_identity();
  }

  // The database's schema version; 0 for a new one.
  virtual Result<int> schema_version() = 0;
  // The step from schema `from`, inside migrate()'s transaction: makes it and records the version it reaches.
  virtual Status migration_step(int from) = 0;
  // What the store keeps of the database once it is current: its collector id.
  virtual Status read_identity() {
    auto id = meta("collector_id");
    if (!id) return id.error();
    collector_id_ = *id;
    return ok_status();
  }

  // -------------------------------------------------------------------------------------------------------------
  // [SECTION] Hooks
  // -------------------------------------------------------------------------------------------------------------

  // Runs `work` in one write transaction and commits it when `work` succeeds; `work` may run more than once (a
  // store whose transactions can fail to serialize runs it again), so it starts from nothing each time.
  virtual Status write_transaction(const std::function<Status()>& work) = 0;
  // Runs `work` in one read transaction: everything it reads comes from one snapshot.
  virtual Status read_transaction(const std::function<Status()>& work) = 0;
  // Inside a write transaction: holds these keys (record ids) until it ends, so that what it reads of them to decide
  // stays as read until it writes; one at a time in a fixed order. A store with one writer at a time needs nothing.
  virtual Status lock_records(std::vector<std::string> ids) = 0;
  // Inside a write transaction: the number the transaction's changes count up from (the first takes it + 1).
  virtual Result<std::int64_t> sequence_before() = 0;
  // Inside a write transaction, before its commit: its changes took the numbers (before, last].
  virtual Status sequence_taken(std::int64_t before, std::int64_t last) = 0;
  // Inside a read transaction: the pull horizon (above).
  virtual Result<std::int64_t> horizon() = 0;
  // SQL that is true when the text `column` contains the value bound to the next `?`.
  virtual std::string contains_sql(const std::string& column) const = 0;

  Result<std::int64_t> next_sequence() {
    auto before = sequence_before();
    if (!before) return before.error();
    if (auto status = sequence_taken(*before, *before + 1); !status) return status.error();
    return *before + 1;
  }

 public:
  const std::string& collector_id() const override { return collector_id_; }
  Status set_announcement(const std::string& endpoint) override { return set_meta("endpoint", endpoint); }
  Result<std::string> announcement() override { return meta("endpoint"); }

  // -------------------------------------------------------------------------------------------------------------
  // [SECTION] Users, enrollment, devices
  // -------------------------------------------------------------------------------------------------------------

  Result<User> add_user(const User& given) override {
    User user = given;
    user.id = new_uuid_v7();
    user.created_at = now_iso8601();
    auto insert = db_->prepare(
        "INSERT INTO users(id, name, role, team, committees, created_at, council) "
        "VALUES(?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return insert.error();
    auto status = (*insert)
                      ->bind(1, user.id)
                      .bind(2, user.name)
                      .bind(3, role_name(user.role))
                      .bind(4, user.team)
                      .bind(5, to_json_text(json(user.committees)))
                      .bind(6, user.created_at)
                      .bind(7, user.council)
                      .run();
    if (!status) {
      if (status.error().code == "store.constraint")
        return make_error("user.exists", "/name", "a user named " + user.name + " already exists",
                          user.name + " という利用者は既に登録されています");
      return status.error();
    }
    return user;
  }

  Result<std::vector<User>> users() override {
    auto select = db_->prepare(std::string("SELECT ") + kUserColumns + " FROM users u ORDER BY u.created_at");
    if (!select) return select.error();
    std::vector<User> users;
    for (;;) {
      auto row = (*select)->step();
      if (!row) return row.error();
      if (!*row) break;
      users.push_back(read_user(**select, 0));
    }
    (*select)->reset();
    return users;
  }

  Status add_enrollment_code(const std::string& user_id, const std::string& code_hash,
                             std::int64_t expires_at_ms) override {
    auto insert = db_->prepare("INSERT INTO enrollment_codes(code_hash, user_id, expires_at) VALUES(?, ?, ?)");
    if (!insert) return insert.error();
    return (*insert)->bind(1, code_hash).bind(2, user_id).bind(3, expires_at_ms).run();
  }

  Result<Principal> redeem_enrollment(const std::string& code_hash, const std::string& device_name,
                                      const std::string& token_hash, std::int64_t now_ms) override {
    Principal who;
    auto done = write_transaction([&]() -> Status {
      auto select = db_->prepare("SELECT user_id, expires_at, used_at FROM enrollment_codes WHERE code_hash = ?");
      if (!select) return select.error();
      auto row = (*select)->bind(1, code_hash).step();
      if (!row) return row.error();
      if (!*row)
        return make_error("enroll.invalid", "/code", "unknown enrollment code", "登録コードが正しくありません");
      std::string user_id = (*select)->text(0);
      std::int64_t expires_at = (*select)->integer(1);
      bool used = !(*select)->is_null(2);
      (*select)->reset();
      if (used)
        return make_error("enroll.used", "/code", "this enrollment code was already used",
                          "この登録コードは既に使われています");
      if (now_ms > expires_at)
        return make_error("enroll.expired", "/code", "this enrollment code has expired; ask for a new one",
                          "この登録コードは期限切れです。新しいコードを発行してもらってください");
      auto user = user_by_id(user_id);
      if (!user) return user.error();
      who.user = *user;
      who.device = {new_uuid_v7(), user_id, who.user.name, device_name, now_iso8601(), "", ""};
      auto device =
          db_->prepare("INSERT INTO devices(id, user_id, name, token_hash, enrolled_at) VALUES(?, ?, ?, ?, ?)");
      if (!device) return device.error();
      if (auto status = (*device)
                            ->bind(1, who.device.id)
                            .bind(2, user_id)
                            .bind(3, device_name)
                            .bind(4, token_hash)
                            .bind(5, who.device.enrolled_at)
                            .run();
          !status)
        return status.error();
      // Claimed only while still unused: of two devices redeeming one code at once, the second finds it used.
      auto use = db_->prepare(
          "UPDATE enrollment_codes SET used_at = ?, device_id = ? WHERE code_hash = ? AND used_at IS NULL RETURNING 1");
      if (!use) return use.error();
      auto claimed = (*use)->bind(1, now_ms).bind(2, who.device.id).bind(3, code_hash).step();
      (*use)->reset();
      if (!claimed) return claimed.error();
      if (!*claimed)
        return make_error("enroll.used", "/code", "this enrollment code was already used",
                          "この登録コードは既に使われています");
      return ok_status();
    });
    if (!done) return done.error();
    return who;
  }

  Result<std::optional<Principal>> authenticate(const std::string& token_hash) override {
    auto select = db_->prepare("SELECT d.id, d.user_id, d.name, d.enrolled_at, d.last_seen, d.revoked_at, " +
                               std::string(kUserColumns) +
                               " FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = ?");
    if (!select) return select.error();
    Stmt& s = **select;
    auto row = s.bind(1, token_hash).step();
    if (!row) return row.error();
    if (!*row) return std::optional<Principal>();
    Principal who;
    who.device = {s.text(0), s.text(1), s.text(7), s.text(2), s.text(3), s.text(4), s.text(5)};
    who.user = read_user(s, 6);
    s.reset();
    if (!who.device.revoked_at.empty()) return std::optional<Principal>();
    return std::optional<Principal>(std::move(who));
  }

  Result<std::vector<Device>> devices() override {
    auto select = db_->prepare(
        "SELECT d.id, d.user_id, u.name, d.name, d.enrolled_at, d.last_seen, d.revoked_at "
        "FROM devices d JOIN users u ON u.id = d.user_id ORDER BY d.enrolled_at");
    if (!select) return select.error();
    std::vector<Device> devices;
    for (;;) {
      auto row = (*select)->step();
      if (!row) return row.error();
      if (!*row) break;
      Stmt& s = **select;
      devices.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)});
    }
    (*select)->reset();
    return devices;
  }

  Status revoke_device(const std::string& device_id) override {
    auto update = db_->prepare("UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at = '' RETURNING id");
    if (!update) return update.error();
    auto revoked = (*update)->bind(1, now_iso8601()).bind(2, device_id).step();
    (*update)->reset();
    if (!revoked) return revoked.error();
    if (!*revoked) {
      auto exists = db_->prepare("SELECT 1 FROM devices WHERE id = ?");
      if (!exists) return exists.error();
      auto row = (*exists)->bind(1, device_id).step();
      (*exists)->reset();
      if (!row) return row.error();
      if (!*row) return not_found("device.not_found", "device " + device_id);
    }
    return ok_status();
  }

  Result<int> note_enrollment_failure(const std::string& address, std::int64_t now_ms,
                                      std::int64_t window_ms) override {
    int failures = 0;
    auto done = write_transaction([&]() -> Status {
      auto prune = db_->prepare("DELETE FROM enrollment_failures WHERE at < ?");
      if (!prune) return prune.error();
      if (auto status = (*prune)->bind(1, now_ms - window_ms).run(); !status) return status.error();
      auto insert = db_->prepare("INSERT INTO enrollment_failures(address, at) VALUES(?, ?)");
      if (!insert) return insert.error();
      if (auto status = (*insert)->bind(1, address).bind(2, now_ms).run(); !status) return status.error();
      auto count = enrollment_failures(address, now_ms, window_ms);
      if (!count) return count.error();
      failures = *count;
      return ok_status();
    });
    if (!done) return done.error();
    return failures;
  }

  Result<int> enrollment_failures(const std::string& address, std::int64_t now_ms, std::int64_t window_ms) override {
    auto count = db_->prepare("SELECT count(*) FROM enrollment_failures WHERE address = ? AND at >= ?");
    if (!count) return count.error();
    auto row = (*count)->bind(1, address).bind(2, now_ms - window_ms).step();
    if (!row) return row.error();
    int failures = static_cast<int>((*count)->integer(0));
    (*count)->reset();
    return failures;
  }

  // -------------------------------------------------------------------------------------------------------------
  // [SECTION] Push and pull
  // -------------------------------------------------------------------------------------------------------------

  Result<PushAnswer> push(const Principal& who, std::vector<Revision> revisions, std::optional<std::int64_t> seen,
                          std::vector<Comment> comments, std::vector<ReportEntry> report_entries) override {
    // Decoding and hashing need no lock: done before the write transaction, which then holds the database only
    // for the merges and writes.
    std::vector<CheckedRevision> checked;
    checked.reserve(revisions.size());
    for (Revision& revision : revisions) checked.push_back(check_revision(std::move(revision)));
    PushAnswer answer;
    auto done = write_transaction([&]() -> Status {
      answer = PushAnswer();
      return push_once(who, std::vector<CheckedRevision>(checked), seen, comments, report_entries, answer);
    });
    if (!done) return done.error();
    return answer;
  }

 private:
  // One attempt at a push, inside its write transaction.
  Status push_once(const Principal& who, std::vector<CheckedRevision> checked, std::optional<std::int64_t> seen,
                   std::vector<Comment>& comments, std::vector<ReportEntry>& report_entries, PushAnswer& answer) {
    std::vector<PushResult>& results = answer.results;
    results.reserve(checked.size());
    std::string now = now_iso8601();
    // The records this push reads to decide and then writes, and those its comments go on, held until the commit.
    std::vector<std::string> records;
    for (const CheckedRevision& revision : checked) records.push_back(revision.id);
    for (const Comment& comment : comments) records.push_back(comment.record_id);
    if (auto status = lock_records(std::move(records)); !status) return status;
    // The batch's changes take consecutive sequences, counted here and said once before the commit.
    auto before = sequence_before();
    if (!before) return before.error();
    std::int64_t sequence = *before;
    auto reference = current_reference();
    if (!reference) return reference.error();
    // Comments first: the reason for a return travels with it.
    for (Comment& comment : comments) {
      auto result = store_comment(who, comment, **reference, now, sequence);
      if (!result) return result.error();
      answer.comments.push_back(std::move(*result));
    }
    for (ReportEntry& entry : report_entries) {
      auto result = store_report_entry(who, entry, now, sequence);
      if (!result) return result.error();
      answer.report_entries.push_back(std::move(*result));
    }
    for (CheckedRevision& revision : checked) {
      auto known = revision_seen(revision.id, revision.hlc);
      if (!known) return known.error();
      auto stored = load_record(revision.id);
      if (!stored) return stored.error();
      if (*known) {
        if (auto refusal = refuse_known_revision(who, *stored))
          results.push_back({revision.id, revision.hlc, PushStatus::Rejected, {}, std::move(*refusal)});
        else
          results.push_back({revision.id, revision.hlc, PushStatus::AlreadyStored, {}, {}});
        continue;
      }
      // Which stored changes the device had received: those that reached the collector up to its pull cursor, and
      // its own. Without a cursor (an older client), those with clocks up to its base.
      std::optional<Error> failed;
      SawChange saw;
      if (seen)
        saw = [&](const std::string& clock) {
          auto arrival = change_arrival(revision.id, clock);
          if (!arrival) {
            failed = arrival.error();
            return true;
          }
          if (!*arrival) return clock <= revision.base;
          return (*arrival)->device_id == who.device.id || (*arrival)->sequence <= *seen;
        };
      auto has_reason = [&](ReviewDecision given, const std::string& base, const std::string& hlc) {
        auto found = reason_given(revision.id, who.user.name, given, base, hlc);
        if (!found) failed = found.error();
        return found && *found;
      };
      RevisionDecision decision = decide_revision(who, revision, *stored, saw, reference->get(), has_reason);
      if (failed) return *failed;
      if (decision.to_store) {
        for (FieldConflict& replaced : decision.overwritten) {
          if (auto status = attribute_change(replaced); !status) return status.error();
          decision.conflicts.push_back(std::move(replaced));
        }
        if (auto status = keep_conflicts(*decision.to_store, decision.conflicts); !status) return status.error();
        // A version stored as sent is not sent back to its device, unless a conflict is open on it: conflicts
        // travel with the record, and that device must hear of them too.
        auto open = record_conflicts(revision.id);
        if (!open) return open.error();
        const bool echo = decision.exactly_as_sent && open->empty();
        if (auto status = store_record(*decision.to_store, decision.document, echo ? who.device.id : "", ++sequence);
            !status)
          return status.error();
        if (auto status = keep_history(*decision.to_store, decision.document, who, now, sequence, decision.conflicts);
            !status)
          return status.error();
      }
      if (decision.result.status != PushStatus::Rejected)
        if (auto status = remember_revision(revision, who.device.id, decision.result.status, now,
                                            decision.to_store ? std::optional(sequence) : std::nullopt);
            !status)
          return status.error();
      results.push_back(std::move(decision.result));
    }
    if (sequence != *before)
      if (auto status = sequence_taken(*before, sequence); !status) return status.error();
    if (auto status = touch_device(who.device.id, now); !status) return status.error();
    kill_point("collector.push.uncommitted");  // test hook, model/kill_point.hpp
    return ok_status();
  }

 public:
  Result<PullPage> pull(const Principal& who, std::int64_t after_sequence, std::size_t limit) override {
    // One read transaction: the records, the reference data and the horizon come from one snapshot.
    Result<PullPage> page = PullPage();
    auto read = read_transaction([&]() -> Status {
      page = read_page(who, after_sequence, limit);
      return page ? ok_status() : Status(page.error());
    });
    if (!read) return read.error();
    // A device that only receives is seen too (an admin waits for every device to sync before a key rotation):
    // noted at most once a minute, so that pulls otherwise write nothing.
    const std::int64_t now = now_unix_ms();
    if (page && who.device.last_seen < iso8601_of_unix_ms(now - 60 * 1000))
      if (auto status = touch_device(who.device.id, iso8601_of_unix_ms(now)); !status) return status.error();
    return page;
  }

  Status update_reference(const ReferenceChange& change) override {
    return write_transaction([&]() -> Status {
      if (auto status = lock_records({"reference data"}); !status) return status;
      auto current = reference_document();
      if (!current) return current.error();
      auto document = change(*current);
      if (!document) return document.error();
      auto seq = next_sequence();
      if (!seq) return seq.error();
      auto upsert = db_->prepare(
          "INSERT INTO reference_data(id, seq, doc) VALUES(1, ?, ?) "
          "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, doc = excluded.doc");
      if (!upsert) return upsert.error();
      return (*upsert)->bind(1, *seq).bind(2, *document).run();
    });
  }

  Result<std::string> reference_document() override {
    auto select = db_->prepare("SELECT doc FROM reference_data WHERE id = 1");
    if (!select) return select.error();
    auto row = (*select)->step();
    if (!row) return row.error();
    std::string doc = *row ? (*select)->text(0) : std::string();
    (*select)->reset();
    return doc;
  }

 private:
  // -------------------------------------------------------------------------------------------------------------
  // [SECTION] Comments, report entries and history
  // -------------------------------------------------------------------------------------------------------------

  // What a pushed comment or report entry (append-only, stored once by id in `table`) answers when its id is
  // stored already: already_stored when it is `who`'s, a mismatch (`mismatch`) when someone else's; nullopt when it
  // is new.
  Result<std::optional<PushResult>> answer_known(const char* table, const std::string& id, const Principal& who,
                                                 Error mismatch) {
    auto known = db_->prepare(std::string("SELECT author FROM ") + table + " WHERE id = ?");
    if (!known) return known.error();
    auto row = (*known)->bind(1, id).step();
    if (!row) return row.error();
    const bool stored_before = *row;
    const std::string stored_author = stored_before ? (*known)->text(0) : std::string();
    (*known)->reset();
    if (!stored_before) return std::optional<PushResult>();
    PushResult result{id, "", PushStatus::AlreadyStored, {}, {}};
    if (stored_author != who.user.name) {
      result.status = PushStatus::Rejected;
      result.error = std::move(mismatch);
    }
    return std::optional<PushResult>(std::move(result));
  }

  // Who wrote a comment or a report entry, in what role and on which device, is the token's, whatever the device
  // wrote; and a device's clock never dates it later than `now`.
  template <class Written>
  static void stamp_writer(Written& written, const Principal& who, const std::string& now) {
    written.author = who.user.name;
    written.role = std::string(role_name(who.user.role));
    written.device = who.device.id;
    written.device_name = who.device.name;
    if (written.time.empty() || written.time > now) written.time = now;
  }

  static PushResult refused(const std::string& id, Error error) {
    return {id, "", PushStatus::Rejected, {}, std::move(error)};
  }

  // Stores one pushed report entry's version as change `++sequence`, written by `who` on their device, or says why
  // not.
  Result<PushResult> store_report_entry(const Principal& who, ReportEntry& entry, const std::string& now,
                                        std::int64_t& sequence) {
    auto known = answer_known(
        "report_entries", entry.id, who,
        make_error("protocol.mismatch", "/id", "another report entry has this id", "同じIDの報告があります"));
    if (!known) return known.error();
    if (*known) return std::move(**known);
    if (auto refusal = report_entry_refusal(who, entry)) return refused(entry.id, std::move(*refusal));
    stamp_writer(entry, who, now);
    auto insert = db_->prepare("INSERT INTO report_entries(id, seq, council, author, doc) VALUES(?, ?, ?, ?, ?)");
    if (!insert) return insert.error();
    if (auto status = (*insert)
                          ->bind(1, entry.id)
                          .bind(2, ++sequence)
                          .bind(3, entry.council)
                          .bind(4, entry.author)
                          .bind(5, to_json_text(report_entry_to_json(entry)))
                          .run();
        !status)
      return status.error();
    return PushResult{entry.id, "", PushStatus::Stored, {}, {}};
  }

  // Stores one pushed comment as change `++sequence`, written by `who` on their device, or says why not.
  Result<PushResult> store_comment(const Principal& who, Comment& comment, const ReferenceData& reference,
                                   const std::string& now, std::int64_t& sequence) {
    PushResult result{comment.id, "", PushStatus::Stored, {}, {}};
    auto known = answer_known(
        "comments", comment.id, who,
        make_error("protocol.mismatch", "/id", "another comment has this id", "同じIDのコメントがあります"));
    if (!known) return known.error();
    if (*known) return std::move(**known);
    auto record = load_record(comment.record_id);
    if (!record) return record.error();
    if (auto refusal = comment_refusal(who, *record, reference)) return refused(comment.id, std::move(*refusal));
    stamp_writer(comment, who, now);
    auto insert = db_->prepare(
        "INSERT INTO comments(id, seq, record_id, author, decision, revision, doc) VALUES(?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return insert.error();
    if (auto status = (*insert)
                          ->bind(1, comment.id)
                          .bind(2, ++sequence)
                          .bind(3, comment.record_id)
                          .bind(4, comment.author)
                          .bind(5, comment.decision)
                          .bind(6, comment.revision)
                          .bind(7, to_json_text(comment_to_json(comment)))
                          .run();
        !status)
      return status.error();
    return result;
  }

  // Whether `user` gave a reason for `decision` on the record, made at a clock in (base, hlc].
  Result<bool> reason_given(const std::string& record_id, const std::string& user, ReviewDecision decision,
                            const std::string& base, const std::string& hlc) {
    auto select = db_->prepare(
        "SELECT 1 FROM comments WHERE record_id = ? AND decision = ? AND author = ? AND revision > ? AND revision <= "
        "?");
    if (!select) return select.error();
    auto row =
        (*select)->bind(1, record_id).bind(2, decision_name(decision)).bind(3, user).bind(4, base).bind(5, hlc).step();
    (*select)->reset();
    return row;
  }

  Status keep_history(const Record& record, const std::string& document, const Principal& who, const std::string& now,
                      std::int64_t sequence, const std::vector<FieldConflict>& conflicts) {
    json lost = json::array();  // most pushes keep none
    for (const FieldConflict& conflict : conflicts) lost.push_back(conflict_json(conflict));
    auto insert = db_->prepare(
        "INSERT INTO history(record_id, seq, by_user, device_id, at, doc, conflicts) VALUES(?, ?, ?, ?, ?, ?, ?)");
    if (!insert) return insert.error();
    return (*insert)
        ->bind(1, record.id)
        .bind(2, sequence)
        .bind(3, who.user.name)
        .bind(4, who.device.id)
        .bind(5, now)
        .bind(6, document)
        .bind(7, conflicts.empty() ? std::string("[]") : to_json_text(lost))
        .run();
  }

 public:
  Result<std::optional<std::vector<HistoryEntry>>> history(const Principal& who,
                                                           const std::string& record_id) override {
    using Entries = std::optional<std::vector<HistoryEntry>>;
    Result<Entries> entries = Entries();
    auto read = read_transaction([&]() -> Status {
      entries = read_history(who, record_id);
      return entries ? ok_status() : Status(entries.error());
    });
    if (!read) return read.error();
    return entries;
  }

 protected:
  Result<std::optional<std::vector<HistoryEntry>>> read_history(const Principal& who, const std::string& record_id) {
    using Entries = std::optional<std::vector<HistoryEntry>>;
    auto current = load_record(record_id);
    if (!current) return current.error();
    auto reference = current_reference();
    if (!reference) return reference.error();
    if (!*current || !may_see(who, **current, **reference)) return Entries();
    // The reasons given for decisions, by who gave them.
    auto reasons = db_->prepare("SELECT author, revision, doc FROM comments WHERE record_id = ? AND decision <> ''");
    if (!reasons) return reasons.error();
    struct Reason {
      std::string author, revision, text;
    };
    std::vector<Reason> given;
    (*reasons)->bind(1, record_id);
    for (;;) {
      auto row = (*reasons)->step();
      if (!row) return row.error();
      if (!*row) break;
      auto comment = parse_json_text((*reasons)->text(2));
      given.push_back({(*reasons)->text(0), (*reasons)->text(1),
                       comment && comment->is_object() ? comment->value("text", "") : ""});
    }
    (*reasons)->reset();
    auto select = db_->prepare(
        "SELECT h.by_user, h.device_id, coalesce(d.name, ''), h.at, h.doc, h.conflicts, coalesce(u.role, '') "
        "FROM history h LEFT JOIN devices d ON d.id = h.device_id LEFT JOIN users u ON u.name = h.by_user "
        "WHERE h.record_id = ? ORDER BY h.seq");
    if (!select) return select.error();
    Stmt& s = **select;
    s.bind(1, record_id);
    std::vector<HistoryEntry> entries;
    std::optional<Record> previous;
    for (;;) {
      auto row = s.step();
      if (!row) return row.error();
      if (!*row) break;
      auto version = parse_record(s.text(4));
      if (!version) return version.error().with_context("stored version of " + record_id);
      HistoryEntry entry;
      entry.kind = previous ? "changed" : "created";
      entry.who = s.text(0);
      entry.device = s.text(1);
      entry.device_name = s.text(2);
      entry.time = s.text(3);
      entry.role = s.text(6);
      entry.changes = record_changes(previous ? &*previous : nullptr, *version);
      if (previous)
        if (auto decision = decision_between(previous->status, version->status)) {
          entry.kind = "decision";
          entry.decision = std::string(decision_name(*decision));
          for (const Reason& reason : given)
            if (reason.author == entry.who && reason.revision > previous->clock && reason.revision <= version->clock)
              entry.comment = reason.text;
        }
      entry.edited_by_other =
          entry.who != version->author && std::any_of(entry.changes.begin(), entry.changes.end(),
                                                      [](const FieldChange& c) { return c.field != "status"; });
      const std::string lost_text = s.text(5);
      if (!entry.changes.empty() || !previous) entries.push_back(std::move(entry));
      if (auto lost = parse_json_text(lost_text); lost && lost->is_array())
        for (const json& item : *lost) {
          auto conflict = conflict_from_json(item, "");
          if (!conflict) continue;
          HistoryEntry kept;
          kept.kind = "conflict";
          kept.who = conflict->by;
          kept.device = conflict->device;
          kept.time = conflict->at;
          if (auto device = db_->prepare("SELECT d.name, u.role FROM devices d JOIN users u ON u.id = d.user_id "
                                         "WHERE d.id = ?")) {
            if (auto found = (*device)->bind(1, conflict->device).step(); found && *found) {
              kept.device_name = (*device)->text(0);
              kept.role = (*device)->text(1);
            }
            (*device)->reset();
          }
          kept.changes.push_back({conflict->field, conflict->value, field_value(*version, conflict->field), {}});
          entries.push_back(std::move(kept));
        }
      previous = std::move(*version);
    }
    s.reset();
    return Entries(std::move(entries));
  }

  Result<std::string> meta(const std::string& key) {
    auto select = db_->prepare("SELECT value FROM meta WHERE key = ?");
    if (!select) return select.error();
    auto row = (*select)->bind(1, key).step();
    if (!row) return row.error();
    std::string value = *row ? (*select)->text(0) : std::string();
    (*select)->reset();
    return value;
  }

  // The reference data as stored, parsed once per change of it (pushes check records against it, pulls find who
  // sees what in it). With `changed`, its document too when it changed in (changed_after, horizon] (a pull's page).
  Result<std::shared_ptr<const ReferenceData>> current_reference(std::int64_t changed_after = 0,
                                                                 std::optional<std::string>* changed = nullptr,
                                                                 std::int64_t horizon = 0) {
    auto select = db_->prepare("SELECT seq, doc FROM reference_data WHERE id = 1");
    if (!select) return select.error();
    auto row = (*select)->step();
    if (!row) return row.error();
    const std::int64_t seq = *row ? (*select)->integer(0) : 0;
    if (changed && *row && seq > changed_after && seq <= horizon) *changed = (*select)->text(1);
    std::lock_guard<std::mutex> lock(reference_mutex_);
    if (!reference_ || reference_seq_ != seq) {
      ReferenceData data;
      if (*row)
        if (auto parsed = parse_json_text((*select)->text(1)))
          if (auto read = reference_from_json(*parsed)) data = std::move(*read);
      reference_ = std::make_shared<const ReferenceData>(std::move(data));
      reference_seq_ = seq;
    }
    (*select)->reset();
    return reference_;
  }

  Status set_meta(const std::string& key, const std::string& value) {
    auto upsert =
        db_->prepare("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!upsert) return upsert.error();
    return (*upsert)->bind(1, key).bind(2, value).run();
  }

  // A user's columns as read_user reads them, from `users u`.
  static constexpr const char* kUserColumns = "u.id, u.name, u.role, u.team, u.committees, u.created_at, u.council";

  static User read_user(const Stmt& s, int first) {
    User user;
    user.id = s.text(first);
    user.name = s.text(first + 1);
    user.role = parse_role(s.text(first + 2)).value_or(Role::Staff);
    user.team = s.text(first + 3);
    auto committees = json::parse(s.text(first + 4), nullptr, false);
    if (committees.is_array())
      for (const auto& name : committees)
        if (name.is_string()) user.committees.push_back(name.template get<std::string>());
    user.created_at = s.text(first + 5);
    user.council = s.text(first + 6);
    return user;
  }

  Result<User> user_by_id(const std::string& id) {
    auto select = db_->prepare(std::string("SELECT ") + kUserColumns + " FROM users u WHERE u.id = ?");
    if (!select) return select.error();
    auto row = (*select)->bind(1, id).step();
    if (!row) return row.error();
    if (!*row) return not_found("user.not_found", "user " + id);
    User user = read_user(**select, 0);
    (*select)->reset();
    return user;
  }

  Result<bool> revision_seen(const std::string& id, const std::string& hlc) {
    auto select = db_->prepare("SELECT 1 FROM revisions WHERE record_id = ? AND hlc = ?");
    if (!select) return select.error();
    auto row = (*select)->bind(1, id).bind(2, hlc).step();
    (*select)->reset();
    return row;
  }

  Result<std::optional<Record>> load_record(const std::string& id) {
    auto select = db_->prepare("SELECT doc FROM records WHERE id = ?");
    if (!select) return select.error();
    auto row = (*select)->bind(1, id).step();
    if (!row) return row.error();
    if (!*row) return std::optional<Record>();
    auto record = parse_record((*select)->text(0));
    (*select)->reset();
    if (!record) return record.error().with_context("stored record " + id);
    return std::optional<Record>(std::move(*record));
  }

  // "|a|b|": the values as the records.area and body columns list them.
  static std::string listed(const std::vector<std::string>& values) {
    std::string out = "|";
    for (const auto& value : values) out += value + "|";
    return out;
  }

  // Stores `record` as change `seq` (taken inside the caller's write transaction).
  Status store_record(const Record& record, const std::string& document, const std::string& echo_device,
                      std::int64_t seq) {
    auto upsert = db_->prepare(
        "INSERT INTO records(id, seq, kind, author, area, body, hlc, doc, echo_device, council) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT(id) DO UPDATE SET seq = ?2, kind = ?3, "
        "author = ?4, area = ?5, body = ?6, hlc = ?7, doc = ?8, echo_device = ?9, council = ?10");
    if (!upsert) return upsert.error();
    return (*upsert)
        ->bind(1, record.id)
        .bind(2, seq)
        .bind(3, enum_name(record.kind))
        .bind(4, record.author)
        .bind(5, listed(record.areas))
        .bind(6, listed(record.committees))
        .bind(7, record.clock)
        .bind(8, document)
        .bind(9, echo_device)
        .bind(10, record.council)
        .run();
  }

  // Who made the change at `conflict.clock`, on which device, and when it arrived: the first revision of the record
  // pushed from the device whose clock it is (a clock's last part names the device's own store), at or after the
  // change. Left as they are when none was pushed (a record imported at the collector).
  Status attribute_change(FieldConflict& conflict) {
    auto clock = Hlc::parse(conflict.clock);
    if (!clock) return ok_status();
    auto select = db_->prepare(
        "SELECT v.device_id, u.name, v.received_at FROM revisions v JOIN devices d ON d.id = v.device_id "
        "JOIN users u ON u.id = d.user_id WHERE v.record_id = ? AND v.hlc >= ? AND substr(v.hlc, length(v.hlc) - 7) = "
        "? "
        "ORDER BY v.hlc LIMIT 1");
    if (!select) return select.error();
    Stmt& s = **select;
    s.bind(1, conflict.record_id).bind(2, conflict.clock).bind(3, clock->node);
    auto found = s.step();
    if (!found) return found.error();
    if (*found) {
      conflict.device = s.text(0);
      conflict.by = s.text(1);
      conflict.at = s.text(2);
    }
    s.reset();
    return ok_status();
  }

  // Drops the record's conflicts that a later change of their field resolved, then keeps the new ones.
  Status keep_conflicts(const Record& record, const std::vector<FieldConflict>& added) {
    auto open = record_conflicts(record.id);
    if (!open) return open.error();
    auto drop = db_->prepare("DELETE FROM conflicts WHERE record_id = ? AND field = ? AND clock = ?");
    if (!drop) return drop.error();
    if (auto status = drop_resolved(**drop, record, *open); !status) return status;
    auto insert = db_->prepare(
        "INSERT INTO conflicts(record_id, field, clock, value, winner_clock, by_user, device_id, at) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    if (!insert) return insert.error();
    for (const FieldConflict& conflict : added)
      if (auto status = insert_conflict(**insert, conflict); !status) return status;
    return ok_status();
  }

  Result<std::vector<FieldConflict>> record_conflicts(const std::string& record_id) {
    auto select = db_->prepare(
        "SELECT field, clock, value, winner_clock, by_user, device_id, at FROM conflicts WHERE record_id = ? "
        "ORDER BY field, clock");
    if (!select) return select.error();
    (*select)->bind(1, record_id);
    return read_conflicts(**select, record_id);
  }

  Status remember_revision(const CheckedRevision& revision, const std::string& device_id, PushStatus status,
                           const std::string& now, std::optional<std::int64_t> stored_at) {
    auto insert = db_->prepare(
        "INSERT INTO revisions(record_id, hlc, device_id, status, received_at, seq) "
        "VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
    if (!insert) return insert.error();
    Stmt& s = **insert;
    s.bind(1, revision.id).bind(2, revision.hlc).bind(3, device_id).bind(4, push_status_name(status)).bind(5, now);
    if (stored_at)
      s.bind(6, *stored_at);
    else
      s.bind_null(6);
    return s.run();
  }

  // When the change at `clock` of a record reached the collector: the first revision its device pushed at or
  // after that clock (a device sends its changes in clock order, several in one revision). nullopt when unknown.
  struct Arrival {
    std::string device_id;
    std::int64_t sequence = 0;
  };
  Result<std::optional<Arrival>> change_arrival(const std::string& record_id, const std::string& clock) {
    auto parsed = Hlc::parse(clock);
    if (!parsed) return std::optional<Arrival>();
    auto select = db_->prepare(
        "SELECT device_id, seq FROM revisions WHERE record_id = ? AND hlc >= ? AND substr(hlc, length(hlc) - 7) = ? "
        "ORDER BY hlc LIMIT 1");
    if (!select) return select.error();
    Stmt& s = **select;
    s.bind(1, record_id).bind(2, clock).bind(3, parsed->node);
    auto found = s.step();
    if (!found) return found.error();
    std::optional<Arrival> arrival;
    if (*found && !s.is_null(1)) arrival = Arrival{s.text(0), s.integer(1)};
    s.reset();
    return arrival;
  }

  Status touch_device(const std::string& device_id, const std::string& now) {
    auto update = db_->prepare("UPDATE devices SET last_seen = ? WHERE id = ?");
    if (!update) return update.error();
    return (*update)->bind(1, now).bind(2, device_id).run();
  }

  // Visibility::admits as a condition on the records table `r` (its author, council, kind, and the "|a|b|" lists of
  // its areas and committees), its values appended to `values` in order; empty when everything is visible.
  std::string visible_sql(const Visibility& visible, std::vector<std::string>& values) const {
    if (visible.everything) return "";
    std::string sql = " AND (1 = 0";
    for (const std::string& author : visible.authors) {
      sql += " OR r.author = ?";
      values.push_back(author);
    }
    if (!visible.council.empty()) {
      sql += " OR r.council = ?";
      values.push_back(visible.council);
    }
    std::string lists;
    auto add_list = [&](const std::vector<std::string>& listed, const char* column) {
      for (const std::string& value : listed) {
        lists += std::string(lists.empty() ? "" : " OR ") + contains_sql(column);
        values.push_back("|" + value + "|");
      }
    };
    add_list(visible.areas, "r.area");
    add_list(visible.committees, "r.body");
    if (!lists.empty()) sql += (visible.meetings_only ? " OR (r.kind = 'meeting' AND (" : " OR ((") + lists + "))";
    return sql + ")";
  }

  Result<PullPage> read_page(const Principal& who, std::int64_t after, std::size_t limit) {
    PullPage page;
    // Every change at or below the horizon is in this snapshot, and no change committed later is numbered below it:
    // the page reads (after, horizon].
    auto high = horizon();
    if (!high) return high.error();
    // The area tree and committee names, parsed once per change of the reference data; its document goes with the
    // page when it changed after the cursor.
    auto reference = current_reference(after, &page.reference, *high);
    if (!reference) return reference.error();
    const Visibility visible = visibility(who, **reference);
    std::vector<std::string> values;
    const std::string visible_records = visible_sql(visible, values);
    // The records, the comments (on records this user may see) and the report entries (of the councils this user
    // sees: may_see_report_entry) changed after the cursor, each read up to the limit; the page is the first `limit`
    // of them all in change order, so that no change below its cursor is left out.
    enum class ChangeKind { Record, Comment, ReportEntry };
    struct Change {
      std::int64_t seq;
      std::string doc;
      ChangeKind kind;
      std::string record_id;  // a record's
    };
    std::vector<Change> changes;
    bool any_full = false;  // a kind had more than fit: another page is ready
    auto read = [&](const std::string& sql, ChangeKind kind, const std::vector<std::string>& binds) -> Status {
      auto select = db_->prepare(sql);
      if (!select) return select.error();
      Stmt& s = **select;
      int index = 1;
      s.bind(index++, after);
      s.bind(index++, *high);
      for (const auto& value : binds) s.bind(index++, value);
      s.bind(index, static_cast<std::int64_t>(limit));
      std::size_t count = 0;
      for (;; ++count) {
        auto row = s.step();
        if (!row) return row.error();
        if (!*row) break;
        changes.push_back({s.integer(0), s.text(1), kind, kind == ChangeKind::Record ? s.text(2) : std::string()});
      }
      s.reset();
      any_full = any_full || count >= limit;
      return ok_status();
    };
    std::vector<std::string> record_binds{who.device.id};
    record_binds.insert(record_binds.end(), values.begin(), values.end());
    if (auto status = read("SELECT seq, doc, id FROM records r WHERE seq > ? AND seq <= ? AND r.echo_device <> ?" +
                               visible_records + " ORDER BY seq LIMIT ?",
                           ChangeKind::Record, record_binds);
        !status)
      return status.error();
    if (auto status = read(
            "SELECT c.seq, c.doc FROM comments c JOIN records r ON r.id = c.record_id WHERE c.seq > ? AND c.seq <= ?" +
                visible_records + " ORDER BY c.seq LIMIT ?",
            ChangeKind::Comment, values);
        !status)
      return status.error();
    const bool all_councils = visible.entries_council.empty();  // Visibility::admits_report_entry
    if (auto status =
            read(std::string("SELECT seq, doc FROM report_entries WHERE seq > ? AND seq <= ?") +
                     (all_councils ? "" : " AND (council = '' OR council = ?)") + " ORDER BY seq LIMIT ?",
                 ChangeKind::ReportEntry,
                 all_councils ? std::vector<std::string>{} : std::vector<std::string>{visible.entries_council});
        !status)
      return status.error();
    std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.seq < b.seq; });
    page.more = any_full || changes.size() > limit;
    if (changes.size() > limit) changes.resize(limit);
    std::int64_t last = after;
    std::vector<std::string> ids;
    for (Change& change : changes) {
      last = change.seq;
      switch (change.kind) {
        case ChangeKind::Record:
          page.records.push_back(std::move(change.doc));
          ids.push_back(std::move(change.record_id));
          break;
        case ChangeKind::Comment:
          page.comments.push_back(std::move(change.doc));
          break;
        case ChangeKind::ReportEntry:
          page.report_entries.push_back(std::move(change.doc));
          break;
      }
    }
    for (const std::string& id : ids) {
      auto conflicts = record_conflicts(id);
      if (!conflicts) return conflicts.error();
      page.conflicts.insert(page.conflicts.end(), conflicts->begin(), conflicts->end());
    }
    if (page.more) {
      page.sequence = last;
    } else {
      page.sequence = std::max(last, *high);  // past the changes this user may not see, too
    }
    return page;
  }

  std::unique_ptr<Db> db_;
  std::string collector_id_;
  std::mutex reference_mutex_;  // guards reference_ and reference_seq_
  std::shared_ptr<const ReferenceData> reference_;
  std::int64_t reference_seq_ = -1;
};

}  // namespace tsunagi::sync
