// The local store's schema and its migrations (internal to the store).
#pragma once

#include <filesystem>
#include <vector>

#include "model/database.hpp"
#include "model/error.hpp"

namespace tsunagi {

struct Record;
struct ReferenceData;

constexpr int kLatestSchemaVersion = 10;

// Migrates `db` from its PRAGMA user_version to `target` (1..kLatestSchemaVersion), each step in its own
// transaction. When the file already held data (version > 0) and a step will run, first copies the file to
// "<file>.v<old>.bak-<UTC time>" (mode 0600) and appends that path to `backups`.
Status migrate_store(Database& db, const std::filesystem::path& file, int target,
                     std::vector<std::filesystem::path>& backups);

// The rowid of a record's full-text row: (days of its date, minutes of its start time, its row number) packed so
// that rowid order is the list's date order. A date-ordered search then walks the index in order and stops after
// one page instead of collecting every match. The low 32 bits are records.seq.
std::int64_t text_index_key(const std::string& date, const std::string& start_time, std::int64_t seq);
constexpr std::int64_t kTextIndexSeqMask = 0xFFFFFFFF;

// The date and start time a record had when its full-text row was written.
struct TextIndexKey {
  std::string date;
  std::string start_time;
};

// Writes the full-text row of one record, as the last write of its transaction (FTS5 flushes its pending index at
// every later statement savepoint). With `previous`, first removes the row written under those values and any
// backlog entry.
// The text indexed is the record's own (searchable_text) and the names of the areas, committees, organisations and
// work items it refers to, so that a search for a ward or a committee finds it; both folded for search (search_fold.hpp), as queries are.
Status index_record_text(Database& db, std::int64_t seq, const Record& record, const ReferenceData& reference,
                         const TextIndexKey* previous);

// The ids a record's references resolve to (a value no entry matches stays as it is), as the tables record_areas,
// record_committees and record_themes index them, and the columns area and body join them (the list shows them).
struct ReferenceColumns {
  std::vector<std::string> areas, committees, themes;
  std::string area_column, body_column;
  std::string date, start_time;  // the record's: record_areas keeps each area's records in list order
};
ReferenceColumns reference_columns(const Record& record, const ReferenceData& reference);
// Writes the rows of record_areas, record_committees and record_themes for record `seq`, first removing those of
// `before` (its previous columns) when given.
Status index_record_references(Database& db, std::int64_t seq, const ReferenceColumns& columns,
                               const ReferenceColumns* before);

// Removes a record's full-text row, written when it had `date` and `start_time`, and any backlog entry.
Status unindex_record_text(Database& db, std::int64_t seq, const std::string& date, const std::string& start_time);

// The indexes of the records and outbox tables, set aside while many rows are written and built again after them.
// Inserting a row into each of seven indexes at its place costs more than sorting all keys afresh once the rows
// written are about as many as the store holds, so a large import (in its transaction) or a first pull (across
// its pages, see Store::start_bulk_load) drops them and rebuild() creates them again from their stored definitions.
class SetAsideIndexes {
 public:
  explicit SetAsideIndexes(std::vector<std::string> definitions = {}) : definitions_(std::move(definitions)) {}
  // Drops the indexes of records, and of outbox too when `outbox_too`, and keeps their definitions. Not the
  // UNIQUE index on records.id, which refuses duplicates. The outbox's index stays for a bulk load across
  // transactions: the list reads it for every row it shows, and it is small then.
  static Result<SetAsideIndexes> drop(Database& db, bool outbox_too);
  // Creates each index that does not exist; then there is nothing set aside.
  Status rebuild(Database& db);
  const std::vector<std::string>& definitions() const { return definitions_; }

 private:
  std::vector<std::string> definitions_;
};

// Indexes up to `limit` records of the full-text backlog, inside the caller's transaction; returns how many.
Result<std::size_t> index_text_backlog(Database& db, std::size_t limit, const ReferenceData& reference);

}  // namespace tsunagi
