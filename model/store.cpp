// [SECTION] Opening: folder, file mode, pragmas, migrations, device identity
// [SECTION] Writes: create, update, replace, remove, import (each one transaction, each with an outbox entry)
// [SECTION] Reads: get, list, count, for_each (one query builder for all of them)
// [SECTION] Outbox, reference data, settings
#include "model/store.hpp"


#include <algorithm>
#include <cstdlib>
#include <future>
#include <set>

#include "model/calendar.hpp"
#include "model/conflict_rows.hpp"
#include "model/database.hpp"
#include "model/encryption.hpp"
#include "model/files.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/merge.hpp"
#include "model/platform.hpp"
#include "model/record_json.hpp"
#include "model/search_fold.hpp"
#include "model/store_schema.hpp"
#include "model/text.hpp"
#include "model/validation.hpp"

namespace tsunagi {

using nlohmann::json;

namespace {

std::string dump(const json& value) { return to_json_text(value); }

std::string json_string_array(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const auto& value : values) {
    if (out.size() > 1) out += ',';
    append_json_string(out, value);
  }
  return out + "]";
}

// Lists rows of the full-text backlog with one statement, not one per row.
Status add_to_text_backlog(Database& db, const std::vector<std::int64_t>& seqs) {
  if (seqs.empty()) return ok_status();
  std::string list = "[";
  for (auto seq : seqs) {
    if (list.size() > 1) list += ',';
    list += std::to_string(seq);
  }
  list += ']';
  auto backlog = db.prepare("INSERT OR IGNORE INTO fts_backlog(seq) SELECT value FROM json_each(?)");
  if (!backlog) return backlog.error();
  return (*backlog)->bind(1, list).run();
}

// A store rejects a record it could not merge or show: no id, an id that is too long, or (for a local change) an
// invalid record that is no longer a draft (a draft may be incomplete; a submitted record must be valid). What the
// collector sends was checked there, by rules that may be newer than ours: it is stored as it comes.
std::optional<Error> check_storable(const Record& record, bool local_change, const ReferenceData& reference) {
  if (record.id.empty() || record.id.size() > 128)
    return make_error("record.id", "/id", "id must be 1 to 128 characters", "IDは1〜128文字にしてください");
  if (!local_change || record.deleted || record.status == ReviewStatus::Draft) return std::nullopt;
  for (const auto& issue : validate_record(record, &reference)) {
    if (issue.severity != Severity::Error) continue;
    return make_error("record.invalid", issue.path,
                      issue.message + " (a " + std::string(enum_name(record.status)) +
                          " record must be valid; save it as a draft instead)",
                      issue.message_ja + "（下書き以外は保存前に修正が必要です）");
  }
  return std::nullopt;
}

// At least the number of records stored (the highest row number), found at once rather than counted.
Result<std::int64_t> rows_at_most(Database& db) {
  auto highest = db.query_int("SELECT max(seq) FROM records");
  if (!highest) return highest.error();
  return highest->value_or(0);
}

std::optional<int> fiscal_year_of(const std::string& iso) {
  if (auto date = parse_iso_date(iso)) return fiscal_year(*date);
  return std::nullopt;
}

std::string sql_like_pattern(std::string_view term) {
  std::string pattern = "%";
  for (char c : term) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Opening
// ---------------------------------------------------------------------------------------------------------------

Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& folder, const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store());
  if (auto status = store->init(folder, options); !status) return status.error();
  return store;
}

Status Store::init(const std::filesystem::path& folder, const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec)
    return make_error("store.access", platform::path_to_utf8(folder), "cannot create the data folder: " + ec.message(),
                      "データフォルダを作成できません: " + ec.message());
  platform::make_private_folder(folder);  // records are sensitive personal information
  file_ = folder / kFileName;
  // An encrypted folder opens with the key its unlock remembered (model/encryption); without one, it is locked.
  crypto::Key key = encryption::key_for(folder);
  if (!key && encryption::has_key_file(folder)) return encryption::locked_error(folder);
  auto opened = Database::open(file_, 0600, key);
  if (!opened) return opened.error();
  db_ = std::move(*opened);
  if (options.busy_timeout_ms > 0) db_->set_busy_timeout(options.busy_timeout_ms);
  // A log that a large import grew is cut back to 64 MB once it starts over (SQLite keeps the file otherwise).
  // synchronous=FULL: every commit's log is on the disk before the commit returns, so "saved" survives a power cut
  // (NORMAL in WAL mode may lose the last commits; SQLite documents it as durable only across a process crash).
  for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = FULL",
                             "PRAGMA cache_size = -16384", "PRAGMA journal_size_limit = 67108864"})
    if (auto status = db_->exec(pragma); !status) return status;
  // The log is copied into the database file off the writing thread once it passes 32 MB, so that neither a bulk
  // import nor a pulled page waits for the copy and its fsync; pages written again by the next transactions (list
  // indexes, at random places) are copied once.
  checkpointer_ = std::make_unique<WalCheckpointer>(*db_, file_, options.checkpoint_pages);

  if (options.max_file_bytes > 0) {
    auto page_size = db_->query_int("PRAGMA page_size");
    if (!page_size) return page_size.error();
    std::int64_t pages = std::max<std::int64_t>(1, options.max_file_bytes / page_size->value_or(4096));
    if (auto status = db_->exec("PRAGMA max_page_count = " + std::to_string(pages)); !status) return status;
  }

  int target = options.target_schema_version > 0 ? options.target_schema_version : kLatestSchemaVersion;
  if (auto status = migrate_store(*db_, file_, target, backups_); !status) return status;
  // Indexes a cut-off first pull set aside are built again now. If that fails (a full disk), the store still
  // opens and answers without them, slower; the next open or first pull tries again.
  (void)finish_bulk_load();

  auto stored_device = setting("device_id");
  if (!stored_device) return stored_device.error();
  device_id_ = *stored_device;
  if (device_id_.empty()) {
    device_id_ = new_uuid_v7();
    if (auto status = set_setting("device_id", device_id_); !status) return status;
  }
  author_ = options.author;
  explicit_author_ = !author_.empty();
  refresh_if_changed();
  clock_ = std::make_unique<HlcClock>(node_from_device_id(device_id_), options.wall_clock);
  // Never issue a clock value below one this store already holds, whatever the wall clock says now. Every write
  // transaction keeps the high-water mark in the settings; only a file without one is scanned.
  auto high = setting("clock.high");
  if (!high) return high.error();
  if (high->empty()) {
    auto latest = db_->prepare("SELECT max(hlc) FROM records");
    if (!latest) return latest.error();
    if (auto row = (*latest)->step(); row && *row) *high = (*latest)->text(0);
    (*latest)->reset();
  }
  if (auto clock = Hlc::parse(*high)) {
    clock_->resume(*clock);
  } else if (high->size() > 14 && (*high)[13] == '.') {
    // Written by a version whose counter could widen past four hex digits: go on from the next millisecond.
    if (auto wall = parse_integer(high->substr(0, 13))) clock_->resume(Hlc{*wall + 1, 0, clock_->node()});
  }

  if (options.load_default_reference && target >= 1) {
    auto has_reference = db_->query_int("SELECT count(*) FROM reference_data");
    if (!has_reference) return has_reference.error();
    if (has_reference->value_or(0) == 0) {
      auto defaults = load_reference_file(assets_dir() / "reference" / "default.json");
      if (defaults) {
        if (auto status = replace_reference(*defaults); !status) return status;
      }
      // Without the assets folder the store still works; it just has no reference lists.
    }
  }
  return ok_status();
}

std::size_t Store::prepared_statements() const { return db_->cached_statements(); }

int Store::schema_version() const {
  auto version = db_->query_int("PRAGMA user_version");
  return version ? static_cast<int>(version->value_or(0)) : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Writes
// ---------------------------------------------------------------------------------------------------------------

void Store::prepare_content(Record& record, const ReferenceData& reference) const {
  normalize_record(record);
  resolve_references(record, reference, reference.council_of(record.author.empty() ? author_ : record.author));
}

Record Store::stamp_new(Record record, const ReferenceData& reference) {
  if (record.author.empty()) record.author = author_;
  prepare_content(record, reference);
  if (record.id.empty()) record.id = new_uuid_v7();
  std::string now = now_iso8601();
  if (record.created_at.empty()) record.created_at = now;
  auto given = Hlc::parse(record.clock);
  if (given) {
    clock_->observe(*given);  // an exported record keeps its history
  } else {
    Hlc clock = clock_->tick();
    record.clock = clock.to_string();
    record.field_clocks = {{"*", record.clock}};
    record.updated_at = now;
    record.updated_by = author_;
    record.device = device_id_;
  }
  if (record.updated_at.empty()) record.updated_at = now;
  if (record.updated_by.empty()) record.updated_by = author_;
  if (record.device.empty()) record.device = device_id_;
  return record;
}

Result<std::int64_t> Store::write_record(const Record& record, const Record* before, const std::string& op,
                                         const std::vector<std::string>& fields, const RemoteVersion* remote,
                                         const std::string* checked_document, bool queue) {
  bool local_change = remote == nullptr;
  if (!checked_document)
    if (auto error = check_storable(record, local_change, *current_reference())) return *error;
  // New records take a plain INSERT (cheapest for bulk imports); a changed one is rewritten in place.
  auto write = db_->prepare(
      before ? "UPDATE records SET kind = ?2, date = ?3, fiscal_year = ?4, start_time = ?5, title = ?6, area = ?7, "
               "body = ?8, status = ?9, author = ?10, deleted = ?11, hlc = ?12, updated_at = ?13, "
               "synced_hlc = max(synced_hlc, ?14), council = ?15, date_end = ?16 WHERE id = ?1 RETURNING seq"
             : "INSERT INTO records(id, kind, date, fiscal_year, start_time, title, area, body, status, author, "
               "deleted, hlc, updated_at, synced_hlc, council, date_end) "
               "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
  if (!write) return write.error();
  Statement& s = **write;
  s.bind(1, record.id).bind(2, enum_name(record.kind)).bind(3, record.date);
  if (auto fy = fiscal_year_of(record.date))
    s.bind(4, *fy);
  else
    s.bind_null(4);
  const ReferenceData& reference = *current_reference();
  const ReferenceColumns columns = reference_columns(record, reference);
  s.bind(5, record.start_time).bind(6, record.title).bind(7, columns.area_column).bind(8, columns.body_column);
  s.bind(9, enum_name(record.status)).bind(10, record.author).bind(11, record.deleted).bind(12, record.clock);
  s.bind(13, record.updated_at);
  s.bind(14, remote ? remote->clock : std::string());
  s.bind(15, record.council).bind(16, record.date_end);
  auto row = s.step();
  if (!row) return row.error().with_context("record " + record.id);
  if (before && !*row)
    return make_error("record.not_found", "/id", "no record " + record.id, "記録 " + record.id + " はありません");
  std::int64_t seq = before ? s.integer(0) : sqlite3_last_insert_rowid(db_->handle());
  s.reset();

  auto write_doc = db_->prepare(before ? "UPDATE record_docs SET doc = ?2 WHERE seq = ?1"
                                       : "INSERT INTO record_docs(seq, doc) VALUES(?1, ?2)");
  if (!write_doc) return write_doc.error();
  (*write_doc)->bind(1, seq);
  if (checked_document)
    (*write_doc)->bind(2, *checked_document);
  else if (remote && !remote->document.empty())
    (*write_doc)->bind(2, remote->document);
  else
    (*write_doc)->bind(2, record_text(record));
  if (auto status = (*write_doc)->run(); !status) return status.error().with_context("record " + record.id);

  std::optional<ReferenceColumns> previous;
  if (before) previous = reference_columns(*before, reference);
  if (auto status = index_record_references(*db_, seq, columns, previous ? &*previous : nullptr); !status)
    return status.error();

  if (!local_change || !queue) return seq;
  auto outbox = db_->prepare(
      "INSERT INTO outbox(record_id, hlc, op, fields, changed_by, device, created_at) VALUES(?, ?, ?, ?, ?, ?, ?)");
  if (!outbox) return outbox.error();
  auto queued = (*outbox)
                    ->bind(1, record.id)
                    .bind(2, record.clock)
                    .bind(3, op)
                    .bind(4, json_string_array(fields))
                    .bind(5, author_)
                    .bind(6, device_id_)
                    .bind(7, record.updated_at)
                    .run();
  if (!queued) return queued.error();
  return seq;
}

Status Store::commit(Transaction& transaction) {
  if (auto status = set_setting("clock.high", clock_->last().to_string()); !status) return status;
  return transaction.commit();
}


Status Store::write_and_index(const Record& record, const Record* before, const std::string& op,
                              const std::vector<std::string>& fields) {
  auto seq = write_record(record, before, op, fields);
  if (!seq) return seq.error();
  if (!before) return index_record_text(*db_, *seq, record, *current_reference(), nullptr);
  TextIndexKey previous{before->date, before->start_time};
  return index_record_text(*db_, *seq, record, *current_reference(), &previous);
}

Result<Record> Store::create(Record record) {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  refresh_if_changed();
  record = stamp_new(std::move(record), *current_reference());
  auto existing = db_->prepare("SELECT 1 FROM records WHERE id = ?");
  if (!existing) return existing.error();
  auto found = (*existing)->bind(1, record.id).step();
  (*existing)->reset();
  if (!found) return found.error();
  if (*found)
    return make_error("record.duplicate", "/id", "a record with id " + record.id + " already exists",
                      "ID " + record.id + " の記録は既にあります");
  if (auto status = write_and_index(record, nullptr, "create", {}); !status) return status.error();
  if (auto status = commit(transaction); !status) return status.error();
  return record;
}

Result<Record> Store::save_changes(const Record& before, Record after, const std::vector<std::string>& changed) {
  if (changed.empty()) return before;  // nothing to store, nothing to send
  // Taking a record into an enrollment's name is bookkeeping, not an edit; every other change meets the rules.
  if (changed != std::vector<std::string>{"author"})
    if (auto refusal = local_refusal(before, after); refusal) return *refusal;
  Hlc clock = clock_->tick();
  after.clock = clock.to_string();
  if (!after.field_clocks.count("*")) after.field_clocks["*"] = before.clock;
  for (const auto& field : changed) after.field_clocks[field] = after.clock;
  after.updated_at = now_iso8601();
  after.updated_by = author_;
  after.device = device_id_;
  std::string op = after.deleted && !before.deleted ? "delete" : "update";
  if (auto status = write_and_index(after, &before, op, changed); !status) return status.error();
  if (auto status = drop_resolved_conflicts(after); !status) return status.error();
  return after;
}

Result<Record> Store::update(const std::string& id, const json& patch) {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  refresh_if_changed();
  auto before = get(id);
  if (!before) return before.error();
  if (!*before) return make_error("record.not_found", "/id", "no record " + id, "記録 " + id + " はありません");
  std::vector<std::string> changed;
  auto after = apply_patch(**before, patch, &changed);
  if (!after) return after.error();
  prepare_content(*after, *current_reference());
  changed = changed_fields(**before, *after);
  auto saved = save_changes(**before, std::move(*after), changed);
  if (!saved) return saved;
  if (auto status = commit(transaction); !status) return status.error();
  return saved;
}

Result<Record> Store::replace(const Record& record) {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  refresh_if_changed();
  auto before = get(record.id);
  if (!before) return before.error();
  if (!*before)
    return make_error("record.not_found", "/id", "no record " + record.id, "記録 " + record.id + " はありません");
  if ((*before)->kind != record.kind)
    return make_error("record.immutable", "/kind", "\"kind\" cannot be changed", "「kind」は変更できません");
  Record after = **before;
  // Content comes from `record`; bookkeeping stays the store's.
  Record content = record;
  prepare_content(content, *current_reference());
  content.id = after.id;
  content.created_at = after.created_at;
  content.clock = after.clock;
  content.field_clocks = after.field_clocks;
  content.updated_at = after.updated_at;
  content.updated_by = after.updated_by;
  content.device = after.device;
  content.deleted = after.deleted;
  auto saved = save_changes(after, content, changed_fields(after, content));
  if (!saved) return saved;
  if (auto status = commit(transaction); !status) return status.error();
  return saved;
}

Status Store::remove(const std::string& id) {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun();
  refresh_if_changed();
  auto before = get(id);
  if (!before) return before.error();
  if (!*before) return make_error("record.not_found", "/id", "no record " + id, "記録 " + id + " はありません");
  if ((*before)->deleted) return ok_status();
  Record after = **before;
  after.deleted = true;
  auto saved = save_changes(**before, std::move(after), {"deleted"});
  if (!saved) return saved.error();
  return commit(transaction);
}

namespace {

// A new record made ready for writing off the database thread: stamped, checked and printed.
struct PreparedRecord {
  bool ready = false;  // false: it has an id that may already be stored, so the database thread decides
  std::string document;
  std::optional<Error> error;
};

}  // namespace

Result<std::size_t> Store::import_records(std::vector<Record> records) {
  // Stamping, checking and printing a record needs no database and costs about as much as storing it: a worker
  // prepares the next chunk while this thread stores the current one. Records that carry an id may update
  // stored ones, so they take the path below on this thread.
  constexpr std::size_t kChunk = 1000;
  std::shared_ptr<const ReferenceData> reference;  // one version for the workers and this thread
  auto prepare = [this, &records, &reference](std::size_t begin, std::size_t end) {
    std::vector<PreparedRecord> prepared(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
      if (!records[i].id.empty()) continue;
      records[i] = stamp_new(std::move(records[i]), *reference);
      PreparedRecord& p = prepared[i - begin];
      p.ready = true;
      p.error = check_storable(records[i], true, *reference);
      if (!p.error) p.document = record_text(records[i]);
    }
    return prepared;
  };
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  refresh_if_changed();  // before the workers stamp records with the author
  reference = current_reference();
  // An import at least as large as the store builds its indexes afresh after its rows (see SetAsideIndexes).
  constexpr std::size_t kLargeImport = 2000;
  std::optional<SetAsideIndexes> set_aside;
  if (records.size() >= kLargeImport) {
    auto stored = rows_at_most(*db_);
    if (!stored) return stored.error();
    if (static_cast<std::size_t>(*stored) <= records.size()) {
      auto dropped = SetAsideIndexes::drop(*db_, /*outbox_too=*/true);  // invisible outside this transaction
      if (!dropped) return dropped.error();
      set_aside = std::move(*dropped);
    }
  }
  std::size_t written = 0;
  std::vector<std::int64_t> backlog;  // new rows, listed in the full-text backlog before the commit
  std::future<std::vector<PreparedRecord>> next;
  if (!records.empty()) next = std::async(std::launch::async, prepare, 0, std::min(kChunk, records.size()));
  for (std::size_t begin = 0; begin < records.size(); begin += kChunk) {
    std::size_t end = std::min(records.size(), begin + kChunk);
    std::vector<PreparedRecord> prepared = next.get();
    if (end < records.size())
      next = std::async(std::launch::async, prepare, end, std::min(records.size(), end + kChunk));
    for (std::size_t i = begin; i < end; ++i) {
      Record& record = records[i];
      PreparedRecord& ready = prepared[i - begin];
      auto context = [&record, i] {
        return "record " + std::to_string(i + 1) + (record.id.empty() ? "" : " (" + record.id + ")");
      };
      if (ready.error) return ready.error->with_context(context());
      std::optional<Record> before;
      if (!ready.ready) {
        auto stored = get(record.id);
        if (!stored) return stored.error().with_context(context());
        before = std::move(*stored);
      }
      if (!before) {
        if (!ready.ready) {
          record = stamp_new(std::move(record), *reference);
          if (auto error = check_storable(record, true, *reference)) return error->with_context(context());
          ready.document = record_text(record);
        }
        auto seq = write_record(record, nullptr, "create", {}, nullptr, &ready.document);
        if (!seq) return seq.error().with_context(context());
        // Indexing costs more than storing: new records join the full-text backlog, indexed before the next search.
        backlog.push_back(*seq);
        ++written;
        continue;
      }
      if (before->kind != record.kind)
        return make_error("record.immutable", "/kind", "\"kind\" cannot be changed", "「kind」は変更できません")
            .with_context(context());
      prepare_content(record, *reference);
      Record content = record;
      content.created_at = before->created_at;
      content.clock = before->clock;
      content.field_clocks = before->field_clocks;
      auto saved = save_changes(*before, content, changed_fields(*before, content));
      if (!saved) return saved.error().with_context(context());
      if (saved->clock != before->clock) ++written;
    }
  }
  if (auto status = add_to_text_backlog(*db_, backlog); !status) return status.error();
  if (set_aside)
    if (auto status = set_aside->rebuild(*db_); !status) return status.error();
  if (auto status = commit(transaction); !status) return status.error();
  return written;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Reads
// ---------------------------------------------------------------------------------------------------------------

Result<std::optional<Record>> Store::get(const std::string& id) const {
  auto select = db_->prepare(
      "SELECT d.doc FROM records r JOIN record_docs d ON d.seq = r.seq WHERE r.id = ?");
  if (!select) return select.error();
  auto row = (*select)->bind(1, id).step();
  if (!row) return row.error();
  if (!*row) return std::optional<Record>();
  std::string doc = (*select)->text(0);
  (*select)->reset();
  auto record = parse_record(doc);
  if (!record) return record.error().with_context("stored record " + id);
  return std::optional<Record>(std::move(*record));
}

namespace {

// `date_table` and `seq`: where the date order's columns come from (a table that holds a record's date, start time
// and row number in list order, walked instead of the records).
std::string order_by(const RecordQuery& query, const std::string& date_table = "r.", const std::string& seq = "r.seq") {
  const char* direction = query.descending ? " DESC" : " ASC";
  auto column = [&](const std::string& name) { return name + direction; };
  switch (query.sort) {
    case SortColumn::Date:
      return column(date_table + "date") + ", " + column(date_table + "start_time") + ", " + column(seq);
    case SortColumn::Kind:
      return column("r.kind") + ", r.date DESC, r.seq DESC";
    case SortColumn::Title:
      return column("r.title") + ", r.date DESC, r.seq DESC";
    case SortColumn::Area:
      return column("r.area") + ", r.date DESC, r.seq DESC";
    case SortColumn::Status:
      return column("r.status") + ", r.date DESC, r.seq DESC";
    case SortColumn::Author:
      return column("r.author") + ", r.date DESC, r.seq DESC";
    case SortColumn::Updated:
      return column("r.updated_at") + ", " + column("r.seq");
  }
  return column("r.date");
}

std::string placeholders(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += i ? ", ?" : "?";
  return out;
}

std::vector<std::string> search_words(const std::string& search) {
  std::vector<std::string> words;
  std::string current;
  for (char c : fold_for_search(search)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

// One SQL statement for a query, with its values in binding order (text or integer).
struct PreparedQuery {
  std::string sql;
  std::vector<json> params;
  std::vector<std::string> conditions;

  void condition(std::string text) { conditions.push_back(std::move(text)); }
  void condition(std::string text, json value) {
    conditions.push_back(std::move(text));
    params.push_back(std::move(value));
  }
};

// Builds SELECT `columns` for `query`, with ORDER BY and LIMIT when `ordered`. Committee and area filters take in
// what is below them in the reference tree.
//
// Search: words of three or more characters go to the trigram index (MATCH); shorter ones (common in Japanese:
// 会議, 支援) cannot use a trigram index and are matched with LIKE over the indexed text. When the list is in date
// order, the full-text index drives the query: its rowids sort by date (text_index_key), so SQLite walks it in
// order and stops after one page, however many records match.
PreparedQuery prepare_query(const RecordQuery& query, const ReferenceData* reference, const std::string& columns,
                            bool ordered) {
  PreparedQuery q;
  std::string match;
  std::vector<std::string> short_words;
  for (const auto& word : search_words(query.search)) {
    if (utf8_length(word) >= 3) {
      std::string quoted;
      for (char c : word) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      match += (match.empty() ? "\"" : " AND \"") + quoted + "\"";
    } else {
      short_words.push_back(sql_like_pattern(word));
    }
  }
  bool searching = !match.empty() || !short_words.empty();
  bool index_driven = searching && ordered && query.sort == SortColumn::Date;
  // Reference filters take an id or a name (each entry so named, in any council), or the value itself when it
  // matches no entry (a record keeps what matched nothing as typed; the indexes hold ids otherwise).
  const ReferenceData empty;
  const ReferenceData& ref = reference ? *reference : empty;
  auto with_value = [](std::vector<std::string> ids, const std::string& value) {
    if (ids.empty()) ids.push_back(value);
    return ids;
  };
  const std::vector<std::string> areas =
      query.area.empty() ? std::vector<std::string>{} : with_value(ref.area_and_descendants(query.area), query.area);
  // A list of one ward's records in date order walks that ward's rows of record_areas, kept in list order, and
  // stops after a page (as the single-area index of schema 4 did).
  const bool area_driven = !index_driven && ordered && query.sort == SortColumn::Date && areas.size() == 1;
  // The search's conditions on the full-text table `table`, joined by AND; their values go to q.params first,
  // as this is the first condition either way.
  auto text_conditions = [&q, &match, &short_words](const std::string& table) {
    std::vector<std::string> parts;
    if (!match.empty()) {
      parts.push_back(table + ".record_fts MATCH ?");
      q.params.emplace_back(match);
    }
    for (const auto& pattern : short_words) {
      parts.push_back("(" + table + ".title LIKE ? ESCAPE '\\' OR " + table + ".text LIKE ? ESCAPE '\\')");
      q.params.emplace_back(pattern);
      q.params.emplace_back(pattern);
    }
    std::string joined;
    for (std::size_t i = 0; i < parts.size(); ++i) joined += (i ? " AND " : "") + parts[i];
    return joined;
  };
  const std::string seq_of_rowid = " & " + std::to_string(kTextIndexSeqMask);
  if (index_driven) {
    q.sql = "SELECT " + columns + " FROM record_fts f JOIN records r ON r.seq = (f.rowid" + seq_of_rowid + ")";
    q.condition(text_conditions("f"));
  } else if (area_driven) {
    q.sql = "SELECT " + columns + " FROM record_areas a JOIN records r ON r.seq = a.record_seq";
    q.condition("a.area = ?", areas.front());
  } else {
    q.sql = "SELECT " + columns + " FROM records r";
    if (searching)
      q.condition("r.seq IN (SELECT s.rowid" + seq_of_rowid + " FROM record_fts s WHERE " + text_conditions("s") + ")");
  }

  auto add_in = [&q](const char* column, const std::vector<std::string>& values) {
    q.condition(std::string(column) + " IN (" + placeholders(values.size()) + ")");
    for (const auto& value : values) q.params.emplace_back(value);
  };
  if (!query.include_deleted) q.condition("r.deleted = 0");
  if (query.conflicts_only) q.condition("r.id IN (SELECT record_id FROM record_conflicts)");
  if (query.kind) q.condition("r.kind = ?", std::string(enum_name(*query.kind)));
  if (query.fiscal_year) {
    // Also as a date range, which records_date serves in list order (there is no fiscal year index). A record
    // whose date is not a date has no fiscal year: the first condition leaves it out.
    auto [first, last] = fiscal_year_range(*query.fiscal_year);
    q.condition("r.fiscal_year = ?", *query.fiscal_year);
    q.condition("r.date >= ?", format_iso(first));
    q.condition("r.date <= ?", format_iso(last));
  }
  if (query.month) {
    char month[8];
    std::snprintf(month, sizeof month, "%02d", std::clamp(*query.month, 0, 99));
    q.condition("substr(r.date, 6, 2) = ?", std::string(month));
  }
  // A month, fiscal year or period counts from its first day to its last (date_end).
  if (!query.date_from.empty()) {
    q.condition("(r.date >= ? OR r.date_end >= ?)", query.date_from);
    q.params.emplace_back(query.date_from);
  }
  if (!query.date_to.empty()) q.condition("r.date <= ?", query.date_to);
  auto add_member = [&q](const char* table, const char* column, const std::vector<std::string>& ids) {
    q.condition(std::string("r.seq IN (SELECT record_seq FROM ") + table + " WHERE " + column + " IN (" +
                placeholders(ids.size()) + "))");
    for (const auto& id : ids) q.params.emplace_back(id);
  };
  if (!query.council.empty()) add_in("r.council", with_value(ref.matching_ids(ReferenceKind::Council, query.council), query.council));
  if (!areas.empty() && !area_driven) add_member("record_areas", "area", areas);
  if (!query.theme.empty())
    add_member("record_themes", "theme", with_value(ref.matching_ids(ReferenceKind::Theme, query.theme), query.theme));
  if (!query.committee.empty())
    add_member("record_committees", "committee",
               with_value(ref.committee_and_descendants(query.committee), query.committee));
  if (query.status) q.condition("r.status = ?", std::string(enum_name(*query.status)));
  if (!query.author.empty()) q.condition("r.author = ?", query.author);
  if (!query.team.empty()) {
    // The team's staff as the reference data lists them (a team names an area; its wards' teams are in it).
    std::vector<std::string> names;
    const auto areas_of_team = with_value(ref.area_and_descendants(query.team), query.team);
    for (const auto& member : ref.staff)
      if (std::find(areas_of_team.begin(), areas_of_team.end(), member.team) != areas_of_team.end())
        names.push_back(member.name);
    if (names.empty()) names.push_back("");  // nobody: no record
    add_in("r.author", names);
  }
  if (!query.viewer.empty()) q.condition("(r.status <> 'draft' OR r.author = ?)", query.viewer);
  if (!query.not_author.empty()) q.condition("r.author <> ?", query.not_author);
  if (query.resubmitted_only)
    q.condition("r.status = 'submitted' AND r.id IN (SELECT record_id FROM comments WHERE decision IN ('returned', 'reopened'))");

  for (std::size_t i = 0; i < q.conditions.size(); ++i) q.sql += (i ? " AND " : " WHERE ") + q.conditions[i];
  if (ordered) {
    q.sql += " ORDER BY " +
             (index_driven ? std::string("f.rowid") + (query.descending ? " DESC" : " ASC")
              : area_driven ? order_by(query, "a.", "a.record_seq")
                            : order_by(query));
    if (query.limit > 0) {  // bound, so that every page of a list is one prepared statement
      q.sql += " LIMIT ? OFFSET ?";
      q.params.emplace_back(query.limit);
      q.params.emplace_back(std::max(0, query.offset));
    }
  }
  return q;
}

}  // namespace

Status Store::index_search_backlog() const {
  for (;;) {
    auto indexed = index_search_backlog_step(5000);
    if (!indexed) return indexed.error();
    if (*indexed == 0) return ok_status();
  }
}

Result<std::size_t> Store::index_search_backlog_step(std::size_t limit, int wait_ms) const {
  if (wait_ms >= 0) db_->set_busy_timeout(wait_ms);
  Transaction transaction(*db_);
  if (wait_ms >= 0) db_->set_busy_timeout(Database::kBusyTimeoutMs);
  if (!transaction.begun()) return transaction.begun().error();
  auto indexed = index_text_backlog(*db_, limit, *current_reference());
  if (!indexed) return indexed.error();
  if (auto status = transaction.commit(); !status) return status.error();
  return indexed;
}

Result<std::int64_t> Store::search_backlog() const {
  auto size = db_->query_int("SELECT count(*) FROM fts_backlog");
  if (!size) return size.error();
  return size->value_or(0);
}

Result<Statement*> Store::run_query(const RecordQuery& query, const std::string& columns, bool ordered) const {
  if (!query.search.empty())
    if (auto status = index_search_backlog(); !status) return status.error().with_context("search index");
  auto prepared = prepare_query(query, current_reference().get(), columns, ordered);
  auto statement = db_->prepare(prepared.sql);
  if (!statement) return statement.error();
  for (std::size_t i = 0; i < prepared.params.size(); ++i) {
    int index = static_cast<int>(i + 1);
    if (prepared.params[i].is_number_integer())
      (*statement)->bind(index, prepared.params[i].get<std::int64_t>());
    else
      (*statement)->bind(index, prepared.params[i].get<std::string>());
  }
  return statement;
}

namespace {

// The names of the ids in a list column (separated by U+001F, see reference_columns), joined by "・".
std::string joined_names(const ReferenceData& reference, ReferenceKind kind, const std::string& column) {
  std::string names;
  std::size_t at = 0;
  while (at <= column.size() && !column.empty()) {
    std::size_t next = column.find('\x1f', at);
    if (next == std::string::npos) next = column.size();
    names += (names.empty() ? "" : "・") + reference.name_of(kind, column.substr(at, next - at));
    at = next + 1;
  }
  return names;
}

}  // namespace

Result<std::vector<RecordSummary>> Store::list(const RecordQuery& query) const {
  const auto reference = current_reference();
  auto statement = run_query(query,
                             "r.id, r.kind, r.date, r.start_time, r.title, r.area, r.body, r.status, r.author, "
                             "r.updated_at, r.deleted, EXISTS(SELECT 1 FROM outbox o WHERE o.record_id = r.id), "
                             "r.synced_hlc, EXISTS(SELECT 1 FROM sync_rejections j WHERE j.record_id = r.id), "
                             "r.date_end",
                             true);
  if (!statement) return statement.error();
  Statement& s = **statement;
  std::vector<RecordSummary> rows;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    RecordSummary summary;
    summary.id = s.text(0);
    summary.kind = parse_enum<RecordKind>(s.text(1)).value_or(RecordKind::Meeting);
    summary.date = s.text(2);
    summary.date_end = s.text(14);
    summary.start_time = s.text(3);
    summary.title = s.text(4);
    summary.area = joined_names(*reference, ReferenceKind::Area, s.text(5));
    summary.body = joined_names(*reference, ReferenceKind::Committee, s.text(6));
    summary.status = parse_enum<ReviewStatus>(s.text(7)).value_or(ReviewStatus::Draft);
    summary.author = s.text(8);
    summary.updated_at = s.text(9);
    summary.deleted = s.integer(10) != 0;
    bool pending = s.integer(11) != 0;
    if (s.integer(13) != 0)
      summary.sync_state = SyncState::Rejected;
    else if (s.text(12).empty())
      summary.sync_state = SyncState::LocalOnly;
    else
      summary.sync_state = pending ? SyncState::Waiting : SyncState::Sent;
    rows.push_back(std::move(summary));
  }
  s.reset();
  return rows;
}

Result<std::int64_t> Store::count(const RecordQuery& query) const {
  auto statement = run_query(query, "count(*)", false);
  if (!statement) return statement.error();
  auto row = (*statement)->step();
  if (!row) return row.error();
  std::int64_t total = *row ? (*statement)->integer(0) : 0;
  (*statement)->reset();
  return total;
}

Status Store::for_each(const RecordQuery& query, const std::function<bool(const Record&)>& visit) const {
  auto statement = run_query(query, "(SELECT d.doc FROM record_docs d WHERE d.seq = r.seq), r.id", true);
  if (!statement) return statement.error();
  Statement& s = **statement;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    auto record = parse_record(s.text(0));
    if (!record) {
      Error error = record.error().with_context("stored record " + s.text(1));
      s.reset();
      return error;
    }
    if (!visit(*record)) break;
  }
  s.reset();
  return ok_status();
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Outbox, reference data, settings
// ---------------------------------------------------------------------------------------------------------------

Result<std::vector<OutboxEntry>> Store::outbox(std::size_t limit, std::int64_t after_seq) const {
  auto statement = db_->prepare(
      "SELECT seq, record_id, hlc, op, fields, changed_by, device, created_at FROM outbox WHERE seq > ? "
      "ORDER BY seq LIMIT ?");
  if (!statement) return statement.error();
  Statement& s = **statement;
  s.bind(1, after_seq).bind(2, static_cast<std::int64_t>(limit));
  std::vector<OutboxEntry> entries;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    OutboxEntry entry{s.integer(0), s.text(1), s.text(2), s.text(3), {}, s.text(5), s.text(6), s.text(7)};
    auto fields = json::parse(s.text(4), nullptr, false);
    if (fields.is_array())
      for (const auto& field : fields)
        if (field.is_string()) entry.fields.push_back(field.get<std::string>());
    entries.push_back(std::move(entry));
  }
  s.reset();
  return entries;
}

Result<std::int64_t> Store::outbox_size() const {
  auto size = db_->query_int("SELECT count(*) FROM outbox");
  if (!size) return size.error();
  return size->value_or(0);
}

Result<std::int64_t> Store::waiting_records() const {
  auto size = db_->query_int("SELECT count(DISTINCT record_id) FROM outbox");
  if (!size) return size.error();
  return size->value_or(0);
}

Status Store::acknowledge_sent(const std::vector<Acknowledgement>& acknowledgements) {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun();
  auto remove = db_->prepare("DELETE FROM outbox WHERE record_id = ? AND seq <= ?");
  if (!remove) return remove.error();
  auto clear = db_->prepare("DELETE FROM sync_rejections WHERE record_id = ?");
  if (!clear) return clear.error();
  for (const auto& ack : acknowledgements) {
    if (auto status = (*remove)->bind(1, ack.record_id).bind(2, ack.up_to_seq).run(); !status) return status;
    if (auto status = mark_synced(ack.record_id, ack.clock); !status) return status;
    if (auto status = (*clear)->bind(1, ack.record_id).run(); !status) return status;
  }
  return transaction.commit();
}

Status Store::mark_rejected(const std::string& record_id, const std::string& clock, const Error& error) {
  auto statement = db_->prepare(
      "INSERT OR REPLACE INTO sync_rejections(record_id, hlc, code, path, message, message_ja, at) "
      "VALUES(?, ?, ?, ?, ?, ?, ?)");
  if (!statement) return statement.error();
  return (*statement)
      ->bind(1, record_id)
      .bind(2, clock)
      .bind(3, error.code)
      .bind(4, error.path)
      .bind(5, error.message)
      .bind(6, error.message_ja)
      .bind(7, now_iso8601())
      .run();
}

Result<std::vector<SyncRejection>> Store::rejections() const {
  auto statement = db_->prepare("SELECT record_id, hlc, code, path, message, message_ja FROM sync_rejections");
  if (!statement) return statement.error();
  Statement& s = **statement;
  std::vector<SyncRejection> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({s.text(0), s.text(1), make_error(s.text(2), s.text(3), s.text(4), s.text(5))});
  }
  s.reset();
  return out;
}

Result<std::vector<Store::Outgoing>> Store::outgoing(const std::vector<std::string>& ids) const {
  auto statement = db_->prepare(
      "SELECT r.hlc, r.synced_hlc, d.doc FROM records r JOIN record_docs d ON d.seq = r.seq WHERE r.id = ?");
  if (!statement) return statement.error();
  std::vector<Outgoing> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto row = (*statement)->bind(1, id).step();
    if (!row) return row.error();
    if (*row) out.push_back({id, (*statement)->text(0), (*statement)->text(1), (*statement)->text(2)});
    (*statement)->reset();
  }
  return out;
}

Result<std::size_t> Store::apply_pulled(PulledPage page) {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  std::size_t changed = 0;
  std::vector<std::int64_t> backlog;  // rows whose full-text row the backlog writes
  // The page's reference data first: its records' references are indexed by it.
  if (page.reference)
    if (auto status = replace_reference(*page.reference); !status) return status.error();
  // A pulled change of a field resolves a conflict kept on it (looked at only while any is kept).
  auto any_conflicts = db_->query_int("SELECT EXISTS(SELECT 1 FROM record_conflicts)");
  if (!any_conflicts) return any_conflicts.error();
  const bool check_conflicts = any_conflicts->value_or(0) != 0;
  // A record with changes waiting to be sent keeps its version from before the merge (sync_snapshots), looked for
  // only while anything waits.
  auto any_waiting = db_->query_int("SELECT EXISTS(SELECT 1 FROM outbox)");
  if (!any_waiting) return any_waiting.error();
  std::optional<std::string> cursor_before;
  if (any_waiting->value_or(0) != 0) {
    auto cursor = setting("sync.cursor");
    if (!cursor) return cursor.error();
    cursor_before = std::move(*cursor);
  }
  for (std::size_t i = 0; i < page.records.size(); ++i) {
    Record& incoming = page.records[i];
    std::string context = "pulled record " + incoming.id;
    if (auto clock = Hlc::parse(incoming.clock)) clock_->observe(*clock);
    auto stored = get(incoming.id);
    if (!stored) return stored.error().with_context(context);
    RemoteVersion remote{incoming.clock, i < page.documents.size() ? std::move(page.documents[i]) : std::string()};
    Result<std::int64_t> written = std::int64_t{0};
    if (!*stored) {
      written = write_record(incoming, nullptr, "", {}, &remote);
    } else {
      auto merged = merge_records(**stored, incoming);
      if (!merged) return merged.error().with_context(context);
      if (cursor_before && (!merged->taken.empty() || !merged->lost.empty()))
        if (auto status = keep_snapshot(incoming.id, *cursor_before); !status) return status.error();
      if (merged->taken.empty() && merged->advanced.empty()) {
        if (auto status = mark_synced(incoming.id, incoming.clock); !status) return status.error();
        continue;
      }
      if (merged->merged != incoming) remote.document.clear();  // our newer fields are in it: print it anew
      written = write_record(merged->merged, &**stored, "", {}, &remote);
      if (written && check_conflicts)
        if (auto status = drop_resolved_conflicts(merged->merged); !status) return status.error();
      // Its full-text row is rewritten by the backlog, as for imports: remove the old one now.
      if (written)
        if (auto status = unindex_record_text(*db_, *written, (*stored)->date, (*stored)->start_time); !status)
          return status.error();
    }
    if (!written) return written.error().with_context(context);
    backlog.push_back(*written);
    ++changed;
  }
  if (auto status = add_to_text_backlog(*db_, backlog); !status) return status.error();
  if (auto status = keep_conflicts(page.conflicts); !status) return status.error();
  for (const Comment& comment : page.comments)
    if (auto status = write_comment(comment, false); !status) return status.error().with_context("pulled comment");
  for (const ReportEntry& entry : page.report_entries)
    if (auto status = write_report_entry(entry, false); !status) return status.error().with_context("pulled report entry");
  if (auto status = set_setting("sync.cursor", page.cursor); !status) return status.error();
  if (auto status = commit(transaction); !status) return status.error();
  return changed;
}

Status Store::keep_snapshot(const std::string& id, const std::string& seen) {
  auto waiting = db_->prepare("SELECT EXISTS(SELECT 1 FROM outbox WHERE record_id = ?)");
  if (!waiting) return waiting.error();
  auto row = (*waiting)->bind(1, id).step();
  if (!row) return row.error();
  const bool has_waiting = *row && (*waiting)->integer(0) != 0;
  (*waiting)->reset();
  if (!has_waiting) return ok_status();
  auto current = outgoing({id});
  if (!current) return current.error();
  if (current->empty()) return ok_status();
  const Outgoing& version = current->front();
  auto insert = db_->prepare(
      "INSERT OR IGNORE INTO sync_snapshots(record_id, hlc, base, seen, doc) VALUES(?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  return (*insert)
      ->bind(1, id)
      .bind(2, version.clock)
      .bind(3, version.synced_clock)
      .bind(4, seen)
      .bind(5, version.document)
      .run();
}

Result<std::vector<Store::Snapshot>> Store::snapshots(std::size_t limit) const {
  auto statement =
      db_->prepare("SELECT record_id, hlc, base, seen, doc FROM sync_snapshots ORDER BY seen, hlc LIMIT ?");
  if (!statement) return statement.error();
  Statement& s = **statement;
  s.bind(1, static_cast<std::int64_t>(limit));
  std::vector<Snapshot> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4)});
  }
  s.reset();
  return out;
}

Status Store::drop_snapshots(const std::vector<std::pair<std::string, std::string>>& answered) {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun();
  auto remove = db_->prepare("DELETE FROM sync_snapshots WHERE record_id = ? AND hlc = ?");
  if (!remove) return remove.error();
  for (const auto& [id, clock] : answered)
    if (auto status = (*remove)->bind(1, id).bind(2, clock).run(); !status) return status;
  return transaction.commit();
}

Result<std::size_t> Store::rewind_future_clocks() {
  const Hlc bound{clock_->wall_now() + kMaxClockAheadMs, Hlc::kMaxCounter, "ffffffff"};
  const std::string bound_text = bound.to_string();
  if (clock_->last() <= bound) {
    // Clocks an import brought (kept as given, never adopted by this clock) may be beyond the bound too.
    auto waiting = db_->prepare("SELECT 1 FROM outbox WHERE hlc > ? LIMIT 1");
    if (!waiting) return waiting.error();
    auto found = (*waiting)->bind(1, bound_text).step();
    (*waiting)->reset();
    if (!found) return found.error();
    if (!*found) return 0;  // the usual case: no write lock
  }
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  refresh_if_changed();
  auto latest = db_->prepare(
      "SELECT max(hlc) FROM (SELECT max(hlc) AS hlc FROM records WHERE hlc <= ?1 "
      "UNION ALL SELECT max(hlc) FROM outbox WHERE hlc <= ?1)");
  auto future = db_->prepare("SELECT DISTINCT record_id FROM outbox WHERE hlc > ?");
  if (!latest || !future) return (!latest ? latest : future).error();
  auto row = (*latest)->bind(1, bound_text).step();
  if (!row) return row.error();
  const auto within = *row ? Hlc::parse((*latest)->text(0)) : std::nullopt;
  (*latest)->reset();
  std::vector<std::string> ids;
  for ((*future)->bind(1, bound_text);;) {
    auto next = (*future)->step();
    if (!next) return next.error();
    if (!*next) break;
    ids.push_back((*future)->text(0));
  }
  (*future)->reset();

  // Back to the latest clock within the bound; forward again if this fails, as the transaction rolls back.
  const Hlc previous = clock_->last();
  bool committed = false;
  struct Guard {
    std::function<void()> undo;
    ~Guard() { undo(); }
  } guard{[&] {
    if (!committed) clock_->resume(previous);
  }};
  clock_->rewind(within.value_or(Hlc{}));
  auto restamp_outbox = db_->prepare("UPDATE outbox SET hlc = ?2 WHERE record_id = ?1 AND hlc > ?2");
  auto clear_refusal = db_->prepare("DELETE FROM sync_rejections WHERE record_id = ?");
  if (!restamp_outbox || !clear_refusal) return (!restamp_outbox ? restamp_outbox : clear_refusal).error();
  for (const std::string& id : ids) {
    auto before = get(id);
    if (!before) return before.error();
    if (!*before) continue;
    Record after = **before;
    after.clock = clock_->tick().to_string();
    for (auto& [field, clock] : after.field_clocks)
      if (clock > after.clock) clock = after.clock;
    // Only its clocks change: the content was stored before and is not checked again (rules may be newer).
    const std::string document = record_text(after);
    auto written = write_record(after, &**before, "", {}, nullptr, &document, /*queue=*/false);
    if (!written) return written.error().with_context("record " + id);
    if (auto status = (*restamp_outbox)->bind(1, id).bind(2, after.clock).run(); !status) return status.error();
    if (auto status = (*clear_refusal)->bind(1, id).run(); !status) return status.error();
  }
  if (auto status = commit(transaction); !status) return status.error();
  committed = true;
  return ids.size();
}

Result<std::vector<FieldConflict>> Store::conflicts(const std::string& id) const {
  auto select = db_->prepare(
      "SELECT field, clock, value, winner_clock, by_user, device, at FROM record_conflicts WHERE record_id = ? "
      "ORDER BY field, clock");
  if (!select) return select.error();
  (*select)->bind(1, id);
  return read_conflicts(**select, id);
}

Result<Record> Store::resolve_conflict(const std::string& id, const std::string& field,
                                       const std::optional<json>& chosen) {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  refresh_if_changed();
  auto before = get(id);
  if (!before) return before.error();
  if (!*before) return make_error("record.not_found", "/id", "no record " + id, "記録 " + id + " はありません");
  Record after = **before;
  if (auto status = set_merge_value(after, field, chosen ? *chosen : merge_value(after, field)); !status)
    return status.error();
  auto saved = save_changes(**before, std::move(after), {field});
  if (!saved) return saved;
  if (auto status = commit(transaction); !status) return status.error();
  return saved;
}

Status Store::drop_resolved_conflicts(const Record& record) {
  auto kept = conflicts(record.id);
  if (!kept) return kept.error();
  auto drop = db_->prepare("DELETE FROM record_conflicts WHERE record_id = ? AND field = ? AND clock = ?");
  if (!drop) return drop.error();
  return drop_resolved(**drop, record, *kept);
}

Status Store::keep_conflicts(const std::vector<FieldConflict>& received) {
  if (received.empty()) return ok_status();
  auto insert = db_->prepare(
      "INSERT OR IGNORE INTO record_conflicts(record_id, field, clock, value, winner_clock, by_user, device, at) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert) return insert.error();
  std::set<std::string> records;
  for (const FieldConflict& conflict : received) {
    if (auto status = insert_conflict(**insert, conflict); !status) return status;
    records.insert(conflict.record_id);
  }
  // One this device already resolved (a change of the field, not yet sent) stays resolved.
  for (const std::string& id : records) {
    auto record = get(id);
    if (!record) return record.error();
    if (*record)
      if (auto status = drop_resolved_conflicts(**record); !status) return status;
  }
  return ok_status();
}

Status Store::mark_synced(const std::string& record_id, const std::string& clock) {
  auto statement = db_->prepare("UPDATE records SET synced_hlc = ?2 WHERE id = ?1 AND synced_hlc < ?2");
  if (!statement) return statement.error();
  return (*statement)->bind(1, record_id).bind(2, clock).run();
}

namespace {

constexpr const char* kBulkLoadSetting = "bulk_load.indexes";  // the definitions set aside, as a JSON array

}  // namespace

Status Store::start_bulk_load() {
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun();
  auto held = setting(kBulkLoadSetting);
  if (!held) return held.error();
  if (!held->empty()) return ok_status();  // already under way
  auto stored = rows_at_most(*db_);
  if (!stored) return stored.error();
  if (*stored > kBulkLoadAtMost) return ok_status();  // rebuilding could cost more than it saves
  auto dropped = SetAsideIndexes::drop(*db_, /*outbox_too=*/false);
  if (!dropped) return dropped.error();
  if (auto status = set_setting(kBulkLoadSetting, json_string_array(dropped->definitions())); !status) return status;
  return transaction.commit();
}

Status Store::finish_bulk_load() {
  auto pending = setting(kBulkLoadSetting);  // read first: an open takes no write lock when nothing is set aside
  if (!pending) return pending.error();
  if (pending->empty()) return ok_status();
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun();
  auto held = setting(kBulkLoadSetting);
  if (!held) return held.error();
  if (held->empty()) return ok_status();  // another connection finished it meanwhile
  auto parsed = parse_json_text(*held);
  std::vector<std::string> definitions;
  for (const auto& definition : parsed && parsed->is_array() ? *parsed : nlohmann::json::array({nullptr})) {
    if (!definition.is_string())
      return make_error("store.corrupt", kBulkLoadSetting, "unreadable index definitions", "索引の定義を読めません");
    definitions.push_back(definition.get<std::string>());
  }
  SetAsideIndexes set_aside(std::move(definitions));
  if (auto status = set_aside.rebuild(*db_); !status) return status;
  if (auto status = set_setting(kBulkLoadSetting, ""); !status) return status;
  return transaction.commit();
}

Result<std::string> Store::pull_cursor() const { return setting("sync.cursor"); }

Status Store::reset_pull_cursor() { return set_setting("sync.cursor", ""); }

std::shared_ptr<const ReferenceData> Store::current_reference() const {
  refresh_if_changed();
  if (reference_cache_) return reference_cache_;
  auto loaded = reference();
  if (!loaded) return std::make_shared<const ReferenceData>();  // unreadable: checked as if there were none
  return reference_cache_;
}

Result<ReferenceData> Store::reference() const {
  refresh_if_changed();
  if (reference_cache_) return *reference_cache_;
  auto statement = db_->prepare("SELECT doc FROM reference_data WHERE id = 1");
  if (!statement) return statement.error();
  auto row = (*statement)->step();
  if (!row) return row.error();
  if (!*row) return ReferenceData{};
  std::string doc = (*statement)->text(0);
  (*statement)->reset();
  auto parsed = parse_json_text(doc);
  if (!parsed) return parsed.error().with_context("stored reference data");
  auto data = reference_from_json(*parsed);
  if (!data) return data.error().with_context("stored reference data");
  reference_cache_ = std::make_shared<const ReferenceData>(*data);
  return data;
}

Status Store::replace_reference(const ReferenceData& reference) {
  auto statement = db_->prepare(
      "INSERT INTO reference_data(id, doc, updated_at) VALUES(1, ?, ?) "
      "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at");
  if (!statement) return statement.error();
  auto status = (*statement)->bind(1, dump(reference_to_json(reference))).bind(2, now_iso8601()).run();
  reference_cache_.reset();
  return status;
}

namespace {

constexpr const char* kAuthorSetting = "author";
constexpr const char* kAuthorEnrolledSetting = "author.enrolled";  // "1": the author came from an enrollment
// The names this device wrote under before it was enrolled, as a JSON array: records under them that never
// reached the collector become the enrolled user's.
constexpr const char* kPlaceholderAuthorsSetting = "author.placeholders";

}  // namespace

void Store::refresh_if_changed() const {
  auto version = db_->query_int("PRAGMA data_version");
  if (!version || !*version || **version == data_version_) return;
  data_version_ = **version;
  reference_cache_.reset();
  if (explicit_author_) return;
  auto configured = setting(kAuthorSetting);
  std::string author = configured ? *configured : author_;
  if (author.empty()) author = platform::login_name();
  author_ = std::move(author);
}

const std::string& Store::author() const {
  refresh_if_changed();
  return author_;
}

Status Store::set_author(const std::string& name) {
  if (auto status = set_setting(kAuthorSetting, name); !status) return status;
  author_ = name;
  return ok_status();
}

Result<std::size_t> Store::adopt_author(const std::string& name) {
  // Done already (the usual case at each sync): no write lock, no scan.
  if (auto enrolled = setting(kAuthorEnrolledSetting); enrolled && *enrolled == "1" && author() == name) return 0;
  Transaction transaction(*db_);
  if (!transaction.begun()) return transaction.begun().error();
  refresh_if_changed();
  auto enrolled = setting(kAuthorEnrolledSetting);
  auto held = setting(kPlaceholderAuthorsSetting);
  if (!enrolled || !held) return (!enrolled ? enrolled : held).error();
  std::vector<std::string> placeholders{""};
  if (auto parsed = parse_json_text(*held); parsed && parsed->is_array())
    for (const auto& value : *parsed)
      if (value.is_string()) placeholders.push_back(value.get<std::string>());
  // The name in use until now was a placeholder unless an enrollment set it (the laptop handed from one enrolled
  // user to another keeps the first one's records theirs).
  if (*enrolled != "1") {
    if (!explicit_author_) placeholders.push_back(author_);
    if (auto login = platform::login_name(); !login.empty()) placeholders.push_back(login);
  }
  std::sort(placeholders.begin(), placeholders.end());
  placeholders.erase(std::unique(placeholders.begin(), placeholders.end()), placeholders.end());
  std::erase(placeholders, name);

  if (auto status = set_setting(kAuthorSetting, name); !status) return status.error();
  if (auto status = set_setting(kAuthorEnrolledSetting, "1"); !status) return status.error();
  if (auto status = set_setting(kPlaceholderAuthorsSetting, json_string_array(placeholders)); !status)
    return status.error();
  if (!explicit_author_) author_ = name;

  auto stale = db_->prepare("SELECT r.id FROM records r WHERE r.synced_hlc = '' AND r.author IN (SELECT value FROM "
                            "json_each(?))");
  if (!stale) return stale.error();
  std::vector<std::string> ids;
  for ((*stale)->bind(1, json_string_array(placeholders));;) {
    auto row = (*stale)->step();
    if (!row) return row.error();
    if (!*row) break;
    ids.push_back((*stale)->text(0));
  }
  (*stale)->reset();
  for (const std::string& id : ids) {
    auto before = get(id);
    if (!before) return before.error();
    if (!*before) continue;
    Record after = **before;
    after.author = name;
    if (auto saved = save_changes(**before, std::move(after), {"author"}); !saved)
      return saved.error().with_context("record " + id);
  }
  if (auto status = commit(transaction); !status) return status.error();
  return ids.size();
}

Result<std::string> Store::setting(const std::string& key) const {
  auto statement = db_->prepare("SELECT value FROM meta WHERE key = ?");
  if (!statement) return statement.error();
  auto row = (*statement)->bind(1, "setting." + key).step();
  if (!row) return row.error();
  std::string value = *row ? (*statement)->text(0) : std::string();
  (*statement)->reset();
  return value;
}

Status Store::set_setting(const std::string& key, const std::string& value) {
  auto statement =
      db_->prepare("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!statement) return statement.error();
  return (*statement)->bind(1, "setting." + key).bind(2, value).run();
}

}  // namespace tsunagi
