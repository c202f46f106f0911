// The local store's schema and its migrations (internal to the store).
#pragma once

#include <filesystem>
#include <vector>

#include "model/database.hpp"
#include "model/error.hpp"

namespace tsunagi {

struct Record;

constexpr int kLatestSchemaVersion = 2;

// Migrates `db` from its PRAGMA user_version to `target` (1..kLatestSchemaVersion), each step in its own
// transaction. When the file already held data (version > 0) and a step will run, first copies the file to
// "<file>.v<old>.bak-<UTC time>" (mode 0600) and appends that path to `backups`.
Status migrate_store(Database& db, const std::filesystem::path& file, int target,
                     std::vector<std::filesystem::path>& backups);

// The row of the full-text index for one record (used by migrations and by every record write).
Status index_record_text(Database& db, std::int64_t seq, const Record& record);

}  // namespace tsunagi
