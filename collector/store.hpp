// The collector's storage, as three contracts by what is stored: identity (users, enrollment codes, devices and their
// tokens), records (revisions, records, comments, review history, conflicts, report entries; pushed and pulled) and
// reference data. A store implements all three (CollectorStore): SQLite by default (embedded, zero set-up), or
// PostgreSQL, shared by several collector processes. Both run one implementation of the contract (store_sql.hpp)
// over their own connection layer, schema and transactions.
// What a store decides is in collector/rules (checks, merges, who sees what); a store keeps and finds.
// Implementations must stay correct when several collector processes share one database: every decision that
// reads and then writes happens inside one write transaction, and the change sequence that pull cursors use is
// assigned so that a reader can never see sequence N+1 committed before N.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/error.hpp"
#include "model/merge.hpp"
#include "sync/protocol.hpp"

namespace tsunagi::sync {

enum class Role { Staff, Supervisor, Admin };
std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view name);

struct User {
  std::string id;
  std::string name;  // as records' `author` names it
  Role role = Role::Staff;
  std::string team;                     // an area (or ward) name: staff see the meetings held there
  std::vector<std::string> committees;  // committee names: staff see their meetings
  std::string council;                  // a council's id: its supervisor sees every record of that council
  std::string created_at;
};

struct Device {
  std::string id;
  std::string user_id;
  std::string user_name;
  std::string name;
  std::string enrolled_at;
  std::string last_seen;
  std::string revoked_at;  // empty while active
};

// Who is asking: an enrolled, not revoked device and its user.
struct Principal {
  User user;
  Device device;
};

struct PullPage {
  std::vector<std::string> records;         // record documents (JSON text), in change order
  std::optional<std::string> reference;     // reference data (JSON text), when it changed after the cursor
  std::int64_t sequence = 0;                // the cursor to ask from next
  bool more = false;                        // another page is ready now
  std::vector<FieldConflict> conflicts;     // the open conflicts of the page's records
  std::vector<std::string> comments;        // comments (JSON text) on records this user may see, in change order
  std::vector<std::string> report_entries;  // report entries (JSON text) of councils this user sees, in change order
};

// What became of each revision, each comment and each report entry of a push, in order.
struct PushAnswer {
  std::vector<PushResult> results;
  std::vector<PushResult> comments;
  std::vector<PushResult> report_entries;
};

// Users, enrollment codes, devices and their tokens.
class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  virtual Result<User> add_user(const User& user) = 0;  // id and created_at are filled in; names are unique
  virtual Result<std::vector<User>> users() = 0;
  // Stores an enrollment code (by its hash) for `user_id`, usable once until `expires_at_ms` (Unix ms).
  virtual Status add_enrollment_code(const std::string& user_id, const std::string& code_hash,
                                     std::int64_t expires_at_ms) = 0;
  // Uses a code: on success, a new device for the code's user, authenticated by `token_hash` from now on.
  // Errors: "enroll.invalid" (no such code), "enroll.expired", "enroll.used".
  virtual Result<Principal> redeem_enrollment(const std::string& code_hash, const std::string& device_name,
                                              const std::string& token_hash, std::int64_t now_ms) = 0;
  // The device and user of a token; nullopt when unknown or revoked.
  virtual Result<std::optional<Principal>> authenticate(const std::string& token_hash) = 0;
  virtual Result<std::vector<Device>> devices() = 0;
  virtual Status revoke_device(const std::string& device_id) = 0;  // "device.not_found" when unknown

  // Counts a failed enrollment under `key` (the client's address, or "code:" + the code's hash) and says how many
  // failed in the last `window_ms`, this one included.
  virtual Result<int> note_enrollment_failure(const std::string& address, std::int64_t now_ms,
                                              std::int64_t window_ms) = 0;
  virtual Result<int> enrollment_failures(const std::string& address, std::int64_t now_ms, std::int64_t window_ms) = 0;
};

// Records and what travels with them: every change takes the next number of one change sequence, which pull cursors
// count.
class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Applies each comment and then each revision at most once, in one transaction, and says what became of each.
  // `seen` is the change sequence the pushing device had pulled up to (nullopt: it did not say, as before protocol
  // 1.1): a stored change that reached the collector after it from another device is one the device had not seen.
  // A comment is stored on a record `who` may see, as written by `who` on their device (comment.record_unknown
  // otherwise); each takes a change sequence, so that it travels with pulls as records do. Report entries likewise,
  // as written by `who` (report_entry_refusal says whom the collector refuses), each version stored once by id.
  virtual Result<PushAnswer> push(const Principal& who, std::vector<Revision> revisions,
                                  std::optional<std::int64_t> seen, std::vector<Comment> comments = {},
                                  std::vector<ReportEntry> report_entries = {}) = 0;
  // Every stored change of a record with who made it, on which device and when, the fields it changed, the review
  // decisions with their reasons and the values that lost merges; nullopt when `who` may not see the record (or
  // there is none).
  virtual Result<std::optional<std::vector<HistoryEntry>>> history(const Principal& who,
                                                                   const std::string& record_id) = 0;
  // The records `who` may see that changed after `after_sequence`, oldest change first, at most `limit`; with them
  // the comments and report entries stored after it that `who` may see, all in one change order.
  virtual Result<PullPage> pull(const Principal& who, std::int64_t after_sequence, std::size_t limit) = 0;
};

// The reference data: one JSON document, which syncs down to every device.
class ReferenceStore {
 public:
  virtual ~ReferenceStore() = default;

  // Replaces the reference data (a JSON document, which syncs down to every device) with what `change` makes of the
  // stored one (empty when none was ever set), read and written in one write transaction, so that two imports at
  // once both count. Nothing is written when `change` fails.
  using ReferenceChange = std::function<Result<std::string>(const std::string& current)>;
  virtual Status update_reference(const ReferenceChange& change) = 0;
  // The reference data's JSON document; empty when none was ever set.
  virtual Result<std::string> reference_document() = 0;
};

class CollectorStore : public IdentityStore, public RecordStore, public ReferenceStore {
 public:
  // A stable id of this database, part of every cursor.
  virtual const std::string& collector_id() const = 0;
  // Where the serving collector said devices reach it ({"url", "pin"} as JSON text), for the admin commands that
  // print enrollment lines wherever they run; empty when no collector has served yet.
  virtual Status set_announcement(const std::string& endpoint) = 0;
  virtual Result<std::string> announcement() = 0;
  // Moves committed changes from the write-ahead log into the main database file where the store keeps one,
  // without waiting for readers. The server calls it from one background thread.
  virtual Status checkpoint() { return ok_status(); }
};

// What `migrate` did: the schema the database was at, the one it is at now, and how many steps ran (0: it was
// current already).
struct MigrationReport {
  int from = 0;
  int to = 0;
  int steps = 0;
};

// Opens the collector store at `database`: a PostgreSQL URL (postgresql://...), or else the SQLite store in that
// folder (open_sqlite_collector_store).
Result<std::unique_ptr<CollectorStore>> open_collector_store(const std::string& database,
                                                             bool background_checkpoints = false);

// Opens the PostgreSQL collector store at `url`, migrating its schema to this version's first (a new database
// gets every table). Several collector processes may share it: see store_postgres.cpp for how pulls stay exact.
Result<std::unique_ptr<CollectorStore>> open_postgres_collector_store(const std::string& url);

// Notes in `folder` (database.json, 0600) that this collector's database is the PostgreSQL one at `url` (kept
// without its password): serve --db --data and migrate-store write it. The SQLite store then refuses the folder
// (store.moved, naming the URL), so that a command given --data without --db cannot start an empty SQLite collector
// beside the real one, nor serve the copy migrate-store left.
Status note_postgres_folder(const std::filesystem::path& folder, const std::string& url);

// What `backup` copied.
struct BackupReport {
  std::int64_t users = 0, devices = 0, records = 0, comments = 0, bytes = 0;
  std::int64_t schema = 0;
};

// Opens (creating) the SQLite collector store in `folder` (collector.db, WAL, mode 0600), migrating its schema to
// this version's first (as migrate_sqlite_collector_store does; the embedded store needs no step of its own). With
// `background_checkpoints`, this connection never copies the WAL into the database file itself: someone calls
// checkpoint() on another connection, so that no request waits for one.
Result<std::unique_ptr<CollectorStore>> open_sqlite_collector_store(const std::filesystem::path& folder,
                                                                    bool background_checkpoints = false);

// The collector database's schema this version writes (SQLite's user_version). 1: users, devices, records,
// revisions, reference data; 2: conflicts, comments, history, report entries, councils, several areas per record.
inline constexpr int kCollectorSchemaVersion = 2;

// Brings the SQLite collector store in `folder` to `target` (tests stop at an earlier one), step by step
// (store_sqlite.cpp: migrate), safe while other collector processes serve from it. store.version when it is newer
// than this version.
Result<MigrationReport> migrate_sqlite_collector_store(const std::filesystem::path& folder,
                                                       int target = kCollectorSchemaVersion);

// Brings the PostgreSQL collector store at `url` to `target`, step by step, each step in one transaction under an
// advisory lock, safe while other collector processes serve from it. A new database gets schema 2 in one step.
Result<MigrationReport> migrate_postgres_collector_store(const std::string& url, int target = kCollectorSchemaVersion);

// What migrate-store moved: the rows of each table, and the collector id and last change number it kept.
struct MoveReport {
  std::vector<std::pair<std::string, std::int64_t>> rows;
  std::string collector_id;
  std::int64_t last_sequence = 0;
  std::filesystem::path kept_as;  // the SQLite database, set aside
};

// Copies the SQLite collector store in `folder` into the empty PostgreSQL database at `url` (made at this
// version's schema), every table row for row in one transaction, with the same collector id, so that devices keep
// their tokens and cursors; PostgreSQL's change numbers then begin above the SQLite store's last. Refused while a
// collector serves from `folder` (migrate_store.serving) and when the database holds a collector's data already
// (migrate_store.not_empty). The SQLite database is then set aside (collector.db.moved-to-postgresql-TIME) and the
// folder noted as PostgreSQL's (note_postgres_folder); its TLS identity still serves.
Result<MoveReport> move_sqlite_store_to_postgres(const std::filesystem::path& folder, const std::string& url);

// Copies the SQLite collector store in `folder` to the file `to` while collectors serve from it (SQLite's online
// backup API: one read transaction, so the copy holds exactly what was committed when it began, and no writer
// waits), checks the copy (integrity_check), forces it to the disk and only then gives it its name (mode 0600).
// The copy is a whole collector.db: put it in place of one, beside the TLS identity, to restore.
Result<BackupReport> backup_sqlite_collector_store(const std::filesystem::path& folder,
                                                   const std::filesystem::path& to);

// What `restore` did: what the backup holds, where the database it replaced was kept, and whether the folder lacks
// the TLS identity devices pin.
struct RestoreReport {
  BackupReport restored;
  std::filesystem::path replaced;  // the database that was there, copied aside (empty when there was none)
  bool identity_missing = false;   // no cert.pem and key.pem in the folder
};

// Puts the backup `from` in place of the collector database in `folder`, checked first, with a new collector id:
// the devices' pull cursors name the old one, so each device pulls everything again (merging by clocks, nothing
// doubles) instead of skipping as many new changes as the backup lacks. The database there is first backed up
// beside it (collector.db.before-restore-TIME). Refused (restore.serving) while a collector serves from `folder`
// (ServingLock). Run as root, the files get the folder's owner, so that the service's user can open them.
Result<RestoreReport> restore_sqlite_collector_store(const std::filesystem::path& folder,
                                                     const std::filesystem::path& from);

// Held by each process serving from a folder for as long as it serves (a shared lock on folder/collector.lock);
// restore holds it exclusively, so that it refuses while a collector serves and a collector does not start during a
// restore. Released when the process ends, however it ends.
class ServingLock {
 public:
  static Result<std::unique_ptr<ServingLock>> serving(const std::filesystem::path& folder);
  static Result<std::unique_ptr<ServingLock>> restoring(const std::filesystem::path& folder);
  ~ServingLock();
  ServingLock(const ServingLock&) = delete;
  ServingLock& operator=(const ServingLock&) = delete;

 private:
  explicit ServingLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace tsunagi::sync
