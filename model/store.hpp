// The local store: one SQLite file per data folder (WAL, foreign keys, mode 0600), records as JSON documents with
// indexed columns beside them, tombstones for deletions, a Japanese-capable full-text index, and an outbox that the
// sync engine drains. Every write is one transaction.
//
// Thread safety: a Store is one SQLite connection and is not thread-safe; give each thread its own Store on the
// same folder (SQLite's WAL lets readers run beside one writer).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/clock.hpp"
#include "model/merge.hpp"
#include "model/error.hpp"
#include "model/record.hpp"
#include "model/reference.hpp"
#include "model/report_entry.hpp"
#include "model/review.hpp"

namespace tsunagi {

class Database;
class WalCheckpointer;
class Statement;
class Transaction;

enum class SortColumn { Date, Kind, Title, Area, Status, Author, Updated };

struct RecordQuery {
  std::optional<RecordKind> kind;
  std::optional<int> fiscal_year;  // April..March
  std::optional<int> month;        // 1..12, any year
  std::string date_from;           // ISO, inclusive; empty = open
  std::string date_to;             // ISO, inclusive; empty = open
  std::string area;                // an area's id or name; a parent area also matches its wards; any of a record's
  std::string theme;               // a theme's id or name (or a word of it)
  std::string council;             // a council's id or name
  std::string committee;           // records of this committee or one below it in the tree (id or name)
  std::optional<ReviewStatus> status;
  std::string author;
  std::string search;  // full-text over the title and every text field; words separated by spaces must all match
  bool include_deleted = false;
  bool conflicts_only = false;  // records with an open conflict
  std::string team;             // records written by the staff of this team (an area id: the staff it lists, and below)
  std::string viewer;           // when set, other people's drafts are left out: a draft is its author's until submitted
  std::string not_author;       // when set, this person's records are left out (a reviewer's own wait for another)
  bool resubmitted_only = false;  // records returned once and submitted again
  SortColumn sort = SortColumn::Date;
  bool descending = true;
  int limit = 100;  // <= 0: no limit
  int offset = 0;

  // Whether any filter narrows the records (sorting and paging aside).
  bool narrows() const {
    return kind || fiscal_year || month || !date_from.empty() || !date_to.empty() || !area.empty() ||
           !theme.empty() || !council.empty() || !committee.empty() || status || !author.empty() || !search.empty() || conflicts_only ||
           !team.empty() || resubmitted_only;
  }
};

// Where a record stands with the collector.
enum class SyncState {
  LocalOnly,  // never reached the collector
  Waiting,    // changed here since the collector last had it
  Sent,       // the collector has this version
  Rejected,   // the collector refused its latest change (see sync_rejection)
};

// What a list row shows; read from indexed columns without parsing the document.
struct RecordSummary {
  std::string id;
  RecordKind kind = RecordKind::Meeting;
  std::string date;
  std::string date_end;  // the last day of a month, fiscal year or period; empty for a day
  std::string start_time;
  std::string title;
  std::string area;  // the names of its areas, joined by "・"
  std::string body;  // the names of its committees, joined by "・"
  ReviewStatus status = ReviewStatus::Draft;
  std::string author;
  std::string updated_at;
  bool deleted = false;
  SyncState sync_state = SyncState::LocalOnly;
};

// Why the collector refused a record's latest change.
struct SyncRejection {
  std::string record_id;
  std::string clock;
  Error error;
};

// Records received from the collector, applied in one transaction with the cursor they bring.
struct PulledPage {
  std::vector<Record> records;
  std::vector<std::string> documents;  // optional: each record's canonical JSON text as received, to store as is
  std::optional<ReferenceData> reference;
  std::string cursor;
  std::vector<FieldConflict> conflicts;  // the open conflicts of the page's records
  std::vector<Comment> comments;         // comments on records this user may see, new since the cursor
  std::vector<ReportEntry> report_entries;  // report entries of the councils this user sees, new since the cursor
};

// One change waiting to be sent: the record's revision at `clock`. The sync engine reads the record's current
// document when it sends, so several entries for one record send one revision.
struct OutboxEntry {
  std::int64_t seq = 0;
  std::string record_id;
  std::string clock;
  std::string op;                   // "create", "update", "delete"
  std::vector<std::string> fields;  // the fields changed; empty for "create" (all of them)
  std::string changed_by;
  std::string device;
  std::string created_at;
};

struct StoreOptions {
  std::string author;                  // who is making changes; empty: the "author" setting, else $USER
  bool load_default_reference = true;  // a new store gets assets/reference/default.json
  HlcClock::WallClock wall_clock;      // tests inject a clock
  int target_schema_version = 0;       // 0 = latest; tests build old files with a lower one
  std::int64_t max_file_bytes = 0;     // 0 = no cap; a cap makes writes past it fail like a full disk
  int checkpoint_pages = 8192;         // the log is copied into the file once it holds this many pages (32 MB)
  int busy_timeout_ms = 0;             // how long a write waits for another connection's lock; 0: 5 s
};

class Store {
 public:
  static constexpr const char* kFileName = "tsunagi.db";

  // Opens (creating if needed) the store in `folder` (mode 0700) and migrates it to the latest schema, taking a
  // backup copy of the file first ("tsunagi.db.v1.bak-<time>").
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& folder, const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::filesystem::path& file() const { return file_; }
  const std::string& device_id() const { return device_id_; }
  // Who makes changes: StoreOptions::author, else the "author" setting as last committed by any connection (an
  // enrollment on another thread's connection shows here at once), else $USER.
  const std::string& author() const;
  // Who makes changes from now on, also in later sessions (the "author" setting).
  Status set_author(const std::string& name);
  // Makes `name` this device's author for good (an enrollment), in one transaction: the "author" setting, and every
  // record that never reached the collector and was written under a name this device used before it was enrolled
  // (no name, the login name, a name given with --author) becomes `name`'s, as a change that syncs. Safe to call
  // again (each sync does, so that a record stored under a stale name never stays stuck). Returns how many records
  // changed hands.
  Result<std::size_t> adopt_author(const std::string& name);
  // The enrolled user's role ("staff", "supervisor", "admin"; "" on a device never enrolled), kept for the rules the
  // device applies before the collector does: staff change no approved record (auth.locked) and make no decision.
  Result<std::string> role() const;
  Status set_role(const std::string& role);
  int schema_version() const;
  // How many prepared statements this connection keeps (bounded: Database::kCachedStatements).
  std::size_t prepared_statements() const;
  // The backup copies taken by migrations when this store was opened.
  const std::vector<std::filesystem::path>& migration_backups() const { return backups_; }

  // Stores a new record: gives it an id (UUIDv7) when it has none, stamps author, device, times and clocks,
  // normalises typed values (normalize_record) and appends an outbox entry. Fails on a duplicate id.
  Result<Record> create(Record record);
  // Applies a partial object (see apply_patch) to the stored record; changed fields get a new clock.
  Result<Record> update(const std::string& id, const nlohmann::json& patch);
  // Replaces the stored record's content with `record`'s (the editor's save); changed fields get a new clock.
  Result<Record> replace(const Record& record);
  // Marks a record deleted (a tombstone that syncs); its content stays for audit and undo.
  Status remove(const std::string& id);
  // Creates or updates every record in one transaction: all or nothing. Records with an id already stored update
  // it. Returns how many were written.
  Result<std::size_t> import_records(std::vector<Record> records);

  // The record with `id`, tombstones included; nullopt when there is none.
  Result<std::optional<Record>> get(const std::string& id) const;
  // The open conflicts of record `id` (values that lost a merge, kept until a later change of the field).
  Result<std::vector<FieldConflict>> conflicts(const std::string& id) const;
  // Resolves the conflicts on `field` of record `id` by setting it to `value` (one that lost), or keeping the stored
  // value (nullopt), with a new clock either way: the change is what resolves it on every replica.
  Result<Record> resolve_conflict(const std::string& id, const std::string& field,
                                  const std::optional<nlohmann::json>& value);
  Result<std::vector<RecordSummary>> list(const RecordQuery& query) const;
  Result<std::int64_t> count(const RecordQuery& query) const;
  // Every matching record, in query order, one at a time (exports); stops early when `visit` returns false.
  Status for_each(const RecordQuery& query, const std::function<bool(const Record&)>& visit) const;

  // Bulk imports and pulls leave new records in a backlog of the full-text index (storing is cheaper than
  // indexing); a search indexes the backlog first, so its results are always complete. Idle time pays that cost
  // before anyone searches, a step of at most `limit` records (one transaction) at a time, waiting at most
  // `wait_ms` (if not -1) for another connection's write, else "store.busy"; returns how many.
  Status index_search_backlog() const;
  Result<std::size_t> index_search_backlog_step(std::size_t limit, int wait_ms = -1) const;
  Result<std::int64_t> search_backlog() const;

  // The outbox, oldest first: up to `limit` entries after `after_seq`.
  Result<std::vector<OutboxEntry>> outbox(std::size_t limit, std::int64_t after_seq = 0) const;
  // Changes waiting (outbox entries), and the records they belong to (what the user counts as 未送信).
  Result<std::int64_t> outbox_size() const;
  Result<std::int64_t> waiting_records() const;
  // The collector accepted the revision of each record at `clock`: removes its outbox entries up to `up_to_seq`,
  // records `clock` as its synced version and clears any rejection, all in one transaction. Later entries stay.
  struct Acknowledgement {
    std::string record_id;
    std::int64_t up_to_seq = 0;
    std::string clock;
  };
  Status acknowledge_sent(const std::vector<Acknowledgement>& acknowledgements);
  // The collector refused the revision at `clock`; its outbox entries stay until the record is changed again.
  Status mark_rejected(const std::string& record_id, const std::string& clock, const Error& error);
  Result<std::vector<SyncRejection>> rejections() const;
  // A laptop whose wall clock ran ahead stamped its changes with clocks the collector refuses (clock.future). Once
  // the wall clock is right again (this clock's last value is more than kMaxClockAheadMs ahead of it), every record
  // waiting to be sent whose clock is beyond that bound takes a fresh clock (its field clocks later than that too),
  // and the device's clock goes back to the latest value within the bound: the waiting changes then sync with
  // nothing lost. Clocks beyond the bound never left this device (the collector refuses them), so no other device
  // has ordered anything after them. Returns how many records took a new clock.
  Result<std::size_t> rewind_future_clocks();
  // A record as it will be sent: its stored JSON text (canonical: record_to_json, compact), its clock, and the
  // clock the collector last had (the revision's base).
  struct Outgoing {
    std::string id;
    std::string clock;
    std::string synced_clock;
    std::string document;
  };
  // The records among `ids` that exist, in the order given.
  Result<std::vector<Outgoing>> outgoing(const std::vector<std::string>& ids) const;

  // A record's version with changes not yet sent, as it was before a pull merged other changes into it (kept by
  // apply_pulled), with its base and the pull cursor its changes were made under: the sync engine pushes it before
  // the current version, so that the collector keeps a conflict either way.
  struct Snapshot {
    std::string id;
    std::string clock;
    std::string base;
    std::string seen;
    std::string document;
  };
  Result<std::vector<Snapshot>> snapshots(std::size_t limit) const;
  // The collector answered for these (id, clock): they go.
  Status drop_snapshots(const std::vector<std::pair<std::string, std::string>>& answered);

  // Merges pulled records into the store (field by field by clock: local changes not yet sent survive), replaces
  // the reference data when the page brings it, and stores the cursor: all in one transaction, so a crash
  // never moves the cursor past records it did not store. Pulled changes make no outbox entries. Returns how
  // many records changed here.
  Result<std::size_t> apply_pulled(PulledPage page);
  // A first pull into a new store writes many rows: start_bulk_load() sets the list indexes aside (SetAsideIndexes)
  // until finish_bulk_load() builds them again; it does nothing when the store already holds more than
  // kBulkLoadAtMost rows or a bulk load is under way, and finish_bulk_load() nothing when none is. Each is one
  // transaction and the definitions are kept in the store, so a bulk load cut off (a killed process, a full disk)
  // is finished by the next open or pull. Queries work meanwhile, slower.
  static constexpr std::int64_t kBulkLoadAtMost = 10000;
  Status start_bulk_load();
  Status finish_bulk_load();
  // The pull cursor stored by apply_pulled ("" before the first pull).
  Result<std::string> pull_cursor() const;
  Status reset_pull_cursor();

  Result<ReferenceData> reference() const;
  Status replace_reference(const ReferenceData& reference);

  // --- Review (store_review.cpp) ---
  // Adds a comment by this device's author (in `role`, the enrolled user's) on record `record_id`, with its
  // full-text row, in one transaction. It waits (pending) until the collector acknowledges it. Errors:
  // record.not_found, comment.empty, comment.too_long, utf8.invalid.
  Result<Comment> add_comment(const std::string& record_id, const std::string& text, const std::string& role);
  // The comments on a record, in thread order (time, then id).
  Result<std::vector<Comment>> comments(const std::string& record_id) const;
  // Makes `decision` on each of `ids` in one transaction, all or nothing: each record's status changes (a change
  // that syncs like any other) and, when `comment` is not empty, a comment gives the reason, naming the decision
  // and the record's new clock. Refused as review_refusal says, and for a role that does not review (auth.review).
  Result<std::vector<Record>> review(const std::vector<std::string>& ids, ReviewDecision decision,
                                     const std::string& comment, const std::string& role);
  // Comments written here that the collector has not acknowledged, oldest first.
  Result<std::vector<Comment>> pending_comments(std::size_t limit) const;
  Result<std::int64_t> pending_comment_count() const;
  // The collector stored these comments (or had them): they are no longer pending.
  Status acknowledge_comments(const std::vector<std::string>& ids);
  // The collector refused a comment; it stays pending (sent again with the next sync) with the reason.
  Status mark_comment_rejected(const std::string& id, const Error& error);
  // This device's author's records returned to them (status returned), for the status bar.
  Result<std::int64_t> returned_count() const;
  // The fiscal years of the records held here (tombstones left out), newest first.
  Result<std::vector<int>> fiscal_years() const;
  // The decision comments of a record, newest first (a returned record shows the latest at the top of the editor).
  Result<std::vector<Comment>> decision_comments(const std::string& record_id) const;
  // A record's history as the collector last sent it (JSON text of history_json) and when it came; nullopt when
  // this device never fetched it.
  struct CachedHistory {
    std::string entries;
    std::string fetched_at;
  };
  Result<std::optional<CachedHistory>> cached_history(const std::string& record_id) const;
  Status cache_history(const std::string& record_id, const std::string& entries);
  // --- Report entries (store_report_entries.cpp) ---
  // Adds a version of the report entry (council, fiscal_year, kind, key) by this device's author (in `role`, the
  // enrolled user's), stamped with a new id and the time (later than every version of the entry held here), checked as the collector will check it
  // (report_entry_from_json's errors), and pending until the collector acknowledges it. Who may write one is the
  // collector's to judge (report_entry.role, report_entry.council). `council` may be empty (the city's).
  Result<ReportEntry> add_report_entry(const std::string& council, int fiscal_year, const std::string& kind,
                                       const std::string& key, const nlohmann::json& fields, const std::string& role);
  // Every version held here (each entry's history) of `council`'s entries of `fiscal_year` ("": every council's),
  // in history order (sort_report_entries); current_report_entries() picks the current values from them.
  Result<std::vector<ReportEntry>> report_entries(const std::string& council, int fiscal_year) const;
  // Report entries written here that the collector has not acknowledged, oldest first.
  Result<std::vector<ReportEntry>> pending_report_entries(std::size_t limit) const;
  Result<std::int64_t> pending_report_entry_count() const;
  // The collector stored these versions (or had them): they are no longer pending.
  Status acknowledge_report_entries(const std::vector<std::string>& ids);
  // The collector refused a version; it stays pending (sent again with the next sync) with the reason.
  Status mark_report_entry_rejected(const std::string& id, const Error& error);
  // Why the collector last refused the version `id` (code and message), or nullopt when it did not.
  Result<std::optional<Error>> report_entry_rejection(const std::string& id) const;

  // Small settings of this device (UI language, font size, author name); empty string when unset.
  Result<std::string> setting(const std::string& key) const;
  Status set_setting(const std::string& key, const std::string& value);

 private:
  Store() = default;
  Status init(const std::filesystem::path& folder, const StoreOptions& options);
  // What this connection keeps in memory (the author, the reference data) is read again when another connection
  // committed since (PRAGMA data_version). Cheap; called by the accessors and by every write once its transaction
  // has begun, so that a write sees the author another connection set a moment ago.
  void refresh_if_changed() const;
  // A version that came from the collector: its clock (now the synced one) and, optionally, its canonical text.
  struct RemoteVersion {
    std::string clock;
    std::string document;
  };
  // Writes the record's row, themes and outbox entry (not its full-text row); returns its row number. `before` is
  // the stored version it replaces, or null for a new record. With `remote`, the change came from the collector:
  // no outbox entry, no validity check (the collector's rules may be newer), and the synced clock is set. With
  // `checked_document`, the record was checked already and this is its JSON text. Without `queue`, a local change
  // makes no outbox entry (its entries are there already).
  Result<std::int64_t> write_record(const Record& record, const Record* before, const std::string& op,
                                    const std::vector<std::string>& fields, const RemoteVersion* remote = nullptr,
                                    const std::string* checked_document = nullptr, bool queue = true);
  // Drops the conflicts of `record` that a later change of their field resolved.
  Status drop_resolved_conflicts(const Record& record);
  // Writes a comment (upsert by id: one from the collector replaces a pending copy of itself) and lists its record's
  // full-text row for indexing again.
  Status write_comment(const Comment& comment, bool pending);
  // Writes a report entry's version (upsert by id: the collector's copy replaces a pending copy of itself, with who
  // wrote it and where).
  Status write_report_entry(const ReportEntry& entry, bool pending);
  // The time of a version written here now: now, or 1 ms past the newest version of its entry held here when that
  // is not earlier (the same millisecond, or another device's clock ahead), so that it is the entry's current value.
  Result<std::string> next_report_entry_time(const std::string& council, int fiscal_year, const std::string& kind,
                                             const std::string& key) const;
  // What comments and report entries share: rows in `table` written here are pending until acknowledged, and
  // keep the collector's refusal meanwhile. `table` is one of this store's own table names, never input.
  Result<std::int64_t> pending_count(const char* table) const;
  Status acknowledge_pending(const char* table, const std::vector<std::string>& ids);
  Status mark_pending_rejected(const char* table, const std::string& id, const Error& error);
  // Why this device refuses to change `before` into `after` (see role()), or nullopt.
  std::optional<Error> local_refusal(const Record& before, const Record& after) const;
  // Keeps conflicts the collector sent (those not resolved here already).
  Status keep_conflicts(const std::vector<FieldConflict>& received);
  // write_record, then the full-text row.
  Status write_and_index(const Record& record, const Record* before, const std::string& op,
                         const std::vector<std::string>& fields);
  Result<Record> save_changes(const Record& before, Record after, const std::vector<std::string>& changed);
  // normalize_record, then resolve_references in the author's council.
  void prepare_content(Record& record, const ReferenceData& reference) const;
  Record stamp_new(Record record, const ReferenceData& reference);
  // The reference data as stored (empty when there is none or it cannot be read), indexed; shared with workers.
  std::shared_ptr<const ReferenceData> current_reference() const;
  // The prepared statement selecting `columns` (of records r) for `query`, with its values bound; ORDER BY and
  // LIMIT when `ordered`.
  Result<Statement*> run_query(const RecordQuery& query, const std::string& columns, bool ordered) const;

  std::unique_ptr<Database> db_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // after db_: stops before the connection closes
  std::filesystem::path file_;
  std::string device_id_;
  bool explicit_author_ = false;       // StoreOptions::author was given: never read from the settings
  mutable std::string author_;         // see author()
  mutable std::int64_t data_version_ = -1;  // PRAGMA data_version when the caches below were last checked
  std::unique_ptr<HlcClock> clock_;
  Status mark_synced(const std::string& record_id, const std::string& clock);
  // Keeps the record's current version as a snapshot (see Snapshot) when it has changes waiting to be sent.
  Status keep_snapshot(const std::string& id, const std::string& seen);
  // Commits a write transaction, with the clock's high-water mark (read at the next open instead of a scan).
  Status commit(Transaction& transaction);

  std::vector<std::filesystem::path> backups_;
  mutable std::shared_ptr<const ReferenceData> reference_cache_;  // read once; cleared by replace_reference
};

}  // namespace tsunagi
