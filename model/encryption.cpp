// [SECTION] Passphrases
// [SECTION] The key file
// [SECTION] The desktop's secret store
// [SECTION] Unlocked folders
// [SECTION] Migration of a plain folder
// [SECTION] Sealed files
#include "model/encryption.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <vector>

#include "model/crypt_vfs.hpp"
#include "model/database.hpp"
#include "model/files.hpp"
#include "model/keyring.hpp"
#include "model/kill_point.hpp"
#include "model/platform.hpp"
#include "model/text.hpp"

namespace tsunagi::encryption {
namespace {

constexpr std::string_view kWrapPurpose = "tsunagi data key v1";
constexpr std::string_view kKeyringPurpose = "tsunagi data key, keyring v1";
constexpr std::string_view kSealMark = "TSUNAGI-SEALED-1\n";
constexpr const char* kStoreFile = "tsunagi.db";
// model/store_schema: "<store>.v<schema>.bak-<UTC time>".
const std::regex kBackupName(R"(tsunagi\.db\.v[0-9]+\.bak-[0-9]{8}T[0-9]{6}Z)");

std::filesystem::path key_file(const std::filesystem::path& folder) { return folder / kKeyFileName; }

Error key_file_error(const std::filesystem::path& folder, const std::string& what) {
  return make_error("store.keyfile", platform::path_to_utf8(key_file(folder)), "the key file " + what,
                    "鍵ファイル（keys.json）が" + what);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Passphrases
// ---------------------------------------------------------------------------------------------------------------

Result<std::string> normalize_passphrase(std::string_view typed) {
  if (typed.size() >= 2 && typed.substr(typed.size() - 2) == "\r\n")
    typed.remove_suffix(2);
  else if (!typed.empty() && typed.back() == '\n')
    typed.remove_suffix(1);
  if (!is_valid_utf8(typed))
    return make_error("passphrase.invalid", "", "the passphrase is not valid UTF-8 text",
                      "パスフレーズが UTF-8 の文字として読めません");
  return normalize_width(typed);
}

Status check_new_passphrase(std::string_view passphrase) {
  if (utf8_length(passphrase) < kMinimumPassphrase)
    return make_error("passphrase.short", "",
                      "the passphrase must be at least " + std::to_string(kMinimumPassphrase) + " characters long",
                      "パスフレーズは " + std::to_string(kMinimumPassphrase) + " 文字以上にしてください");
  return ok_status();
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The key file
// ---------------------------------------------------------------------------------------------------------------

namespace {

struct KeyFile {
  crypto::KdfParams kdf;
  std::string salt;
  std::string wrapped;  // the data key sealed with the passphrase's key
  // The second wrapping, by the desktop's secret store (model/keyring): the entry that finds the key it keeps, and
  // "wrapped" (base64), the data key sealed with that key. Null when there is none.
  nlohmann::json keyring;
};

Result<KeyFile> read_key_file(const std::filesystem::path& folder) {
  std::error_code ec;
  if (!std::filesystem::exists(key_file(folder), ec))
    return make_error("store.keyfile", platform::path_to_utf8(key_file(folder)),
                      "the data folder has no key file: its store is not encrypted, or the key file was lost",
                      "データフォルダに鍵ファイル（keys.json）がありません");
  auto text = read_file(key_file(folder));
  if (!text) return text.error();
  auto json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object() || json.value("format", "") != "tsunagi-keys")
    return key_file_error(folder, "is damaged (not a key file)");
  if (json.value("version", 0) != 1) return key_file_error(folder, "was written by a newer version");
  try {
    KeyFile file;
    const auto& kdf = json.at("kdf");
    if (kdf.at("algorithm").get<std::string>() != "argon2id13") return key_file_error(folder, "names an unknown KDF");
    file.kdf.opslimit = kdf.at("opslimit").get<std::uint64_t>();
    file.kdf.memlimit = kdf.at("memlimit").get<std::size_t>();
    auto salt = crypto::from_base64(kdf.at("salt").get<std::string>());
    auto wrapped = crypto::from_base64(json.at("passphrase").get<std::string>());
    if (!salt || !wrapped) return key_file_error(folder, "is damaged (base64)");
    file.salt = *salt;
    file.wrapped = *wrapped;
    if (json.contains("keyring")) {
      file.keyring = json["keyring"];
      if (!file.keyring.is_object() || !file.keyring.contains("wrapped") || !file.keyring["wrapped"].is_string())
        return key_file_error(folder, "is damaged (its keyring entry)");
    }
    return file;
  } catch (const nlohmann::json::exception&) {
    return key_file_error(folder, "is damaged (a field is missing or of the wrong type)");
  }
}

Status write_key_file(const std::filesystem::path& folder, const KeyFile& file) {
  nlohmann::json json = {
      {"format", "tsunagi-keys"},
      {"version", 1},
      {"cipher", "xchacha20poly1305-ietf"},
      {"page_size", crypt::kPageSize},
      {"reserved_bytes", crypt::kReservedBytes},
      {"kdf",
       {{"algorithm", "argon2id13"},
        {"opslimit", file.kdf.opslimit},
        {"memlimit", file.kdf.memlimit},
        {"salt", crypto::to_base64(file.salt)}}},
      {"passphrase", crypto::to_base64(file.wrapped)},
  };
  if (!file.keyring.is_null()) json["keyring"] = file.keyring;
  return write_file_atomic(key_file(folder), json.dump(2) + "\n", 0600);
}

// The file's data key sealed under `passphrase` with new salt and `params`.
Result<KeyFile> wrap_key(const crypto::SecretKey& data_key, std::string_view passphrase,
                         const crypto::KdfParams& params) {
  KeyFile file;
  file.kdf = params;
  file.salt = crypto::random_bytes(crypto::kSaltBytes);
  auto wrapping = crypto::derive_key(passphrase, file.salt, params);
  if (!wrapping) return wrapping.error();
  file.wrapped = crypto::seal_key(**wrapping, data_key, kWrapPurpose);
  return file;
}

Result<crypto::Key> unwrap_key(const std::filesystem::path& folder, const KeyFile& file, std::string_view passphrase) {
  auto wrapping = crypto::derive_key(passphrase, file.salt, file.kdf);
  if (!wrapping) return wrapping.error();
  crypto::Key key = crypto::open_key(**wrapping, file.wrapped, kWrapPurpose);
  if (!key)
    return make_error("store.passphrase", platform::path_to_utf8(folder), "wrong passphrase", "パスフレーズが違います");
  return key;
}

// What every unlock ends with: whatever of the folder is still plain encrypted, the key remembered.
Result<crypto::Key> finish_unlock(const std::filesystem::path& folder, crypto::Key key) {
  // One at a time: the window may try the keyring and a typed passphrase at once, and both migrate what is plain.
  static std::mutex finishing;
  std::lock_guard lock(finishing);
  if (auto status = encrypt_folder(folder, key); !status) return status.error();
  remember(folder, key);
  return key;
}

}  // namespace

bool has_key_file(const std::filesystem::path& folder) {
  std::error_code ec;
  return std::filesystem::exists(key_file(folder), ec);
}

Result<crypto::Key> open_key_file(const std::filesystem::path& folder, std::string_view passphrase) {
  auto normalized = normalize_passphrase(passphrase);
  if (!normalized) return normalized.error();
  auto file = read_key_file(folder);
  if (!file) return file.error();
  return unwrap_key(folder, *file, *normalized);
}

Status change_passphrase(const std::filesystem::path& folder, std::string_view old_passphrase,
                         std::string_view new_passphrase) {
  auto old_normalized = normalize_passphrase(old_passphrase);
  if (!old_normalized) return old_normalized.error();
  auto file = read_key_file(folder);
  if (!file) return file.error();
  auto key = unwrap_key(folder, *file, *old_normalized);
  if (!key) return key.error();
  auto normalized = normalize_passphrase(new_passphrase);
  if (!normalized) return normalized.error();
  if (auto status = check_new_passphrase(*normalized); !status) return status;
  auto rewrapped = wrap_key(**key, *normalized, crypto::kdf_for_new_keys());
  if (!rewrapped) return rewrapped.error();
  rewrapped->keyring = file->keyring;  // the secret store's wrapping stays
  return write_key_file(folder, *rewrapped);
}

Result<crypto::Key> unlock_folder(const std::filesystem::path& folder, std::string_view passphrase,
                                  const UnlockOptions& options) {
  auto normalized = normalize_passphrase(passphrase);
  if (!normalized) return normalized.error();
  crypto::Key key;
  if (has_key_file(folder) || !options.create) {
    auto opened = open_key_file(folder, *normalized);
    if (!opened) return opened.error();
    key = *opened;
    if (auto resumed = resume_keyring(folder); !resumed) return resumed.error();
  } else {
    if (auto status = check_new_passphrase(*normalized); !status) return status.error();
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    platform::make_private_folder(folder);
    key = crypto::SecretKey::random();
    auto file = wrap_key(*key, *normalized, options.new_kdf);
    if (!file) return file.error();
    if (auto status = write_key_file(folder, *file); !status) return status.error();
  }
  return finish_unlock(folder, std::move(key));
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The desktop's secret store
// ---------------------------------------------------------------------------------------------------------------

bool has_keyring_wrap(const std::filesystem::path& folder) {
  auto file = read_key_file(folder);
  return file && !file->keyring.is_null();
}

Status add_keyring_wrap(const std::filesystem::path& folder, const crypto::Key& key) {
  if (!key) return locked_error(folder);
  auto file = read_key_file(folder);
  if (!file) return file.error();
  const crypto::Key keeper = crypto::SecretKey::random();
  auto entry = keyring::keep(folder, *keeper);
  if (!entry) return entry.error();
  const nlohmann::json replaced = file->keyring;
  file->keyring = *entry;
  file->keyring["wrapped"] = crypto::to_base64(crypto::seal_key(*keeper, *key, kKeyringPurpose));
  if (auto status = write_key_file(folder, *file); !status) {
    (void)keyring::discard(*entry);
    return status;
  }
  if (!replaced.is_null()) (void)keyring::discard(replaced);  // an item nothing finds any more
  return ok_status();
}

Result<crypto::Key> unlock_from_keyring(const std::filesystem::path& folder) {
  auto file = read_key_file(folder);
  if (!file) return file.error();
  if (file->keyring.is_null())
    return make_error("keyring.none", platform::path_to_utf8(folder),
                      "this data folder does not open with the login: it was not asked to",
                      "このデータフォルダは、ログインで開く設定になっていません");
  if (file->keyring.value("paused", false))
    return make_error("keyring.paused", platform::path_to_utf8(folder),
                      "the window was locked: the passphrase opens the data until it is given once",
                      "画面がロックされたため、パスフレーズを一度入力するまではパスフレーズで開きます");
  auto keeper = keyring::find(file->keyring);
  if (!keeper) return keeper.error();
  auto wrapped = crypto::from_base64(file->keyring["wrapped"].get<std::string>());
  if (!wrapped) return key_file_error(folder, "is damaged (its keyring entry)");
  crypto::Key key = crypto::open_key(**keeper, *wrapped, kKeyringPurpose);
  if (!key)
    return make_error("keyring.missing", platform::path_to_utf8(folder),
                      "the secret store's key does not open this data folder's key",
                      "OS の鍵の保管場所の鍵では、このデータフォルダの鍵を開けません");
  return finish_unlock(folder, std::move(key));
}

Status remove_keyring_wrap(const std::filesystem::path& folder) {
  auto file = read_key_file(folder);
  if (!file) return file.error();
  if (file->keyring.is_null()) return ok_status();
  // The secret store first: if it cannot be reached, the key file keeps naming the item, to be removed later.
  if (auto status = keyring::discard(file->keyring); !status) return status;
  file->keyring = nullptr;
  return write_key_file(folder, *file);
}

namespace {

Status set_keyring_paused(const std::filesystem::path& folder, bool paused) {
  auto file = read_key_file(folder);
  if (!file) return file.error();
  if (file->keyring.is_null() || file->keyring.value("paused", false) == paused) return ok_status();
  if (paused)
    file->keyring["paused"] = true;
  else
    file->keyring.erase("paused");
  return write_key_file(folder, *file);
}

}  // namespace

Status pause_keyring(const std::filesystem::path& folder) { return set_keyring_paused(folder, true); }

Status resume_keyring(const std::filesystem::path& folder) { return set_keyring_paused(folder, false); }

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Unlocked folders
// ---------------------------------------------------------------------------------------------------------------

namespace {

std::mutex g_folders_mutex;
std::map<std::string, crypto::Key> g_folders;  // by folder_name(); guarded by g_folders_mutex
KeyProvider g_provider;                        // guarded by g_folders_mutex

std::string folder_name(const std::filesystem::path& folder) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(folder, ec);
  if (ec) canonical = std::filesystem::absolute(folder, ec).lexically_normal();
  return platform::path_to_utf8(canonical);
}

}  // namespace

crypto::Key folder_key(const std::filesystem::path& folder) {
  std::lock_guard lock(g_folders_mutex);
  auto found = g_folders.find(folder_name(folder));
  return found == g_folders.end() ? nullptr : found->second;
}

void remember(const std::filesystem::path& folder, crypto::Key key) {
  std::lock_guard lock(g_folders_mutex);
  g_folders[folder_name(folder)] = std::move(key);
}

void forget(const std::filesystem::path& folder) {
  std::lock_guard lock(g_folders_mutex);
  g_folders.erase(folder_name(folder));
}

void set_key_provider(KeyProvider provider) {
  std::lock_guard lock(g_folders_mutex);
  g_provider = std::move(provider);
}

crypto::Key provide_key(const std::filesystem::path& folder) {
  KeyProvider provider;
  {
    std::lock_guard lock(g_folders_mutex);
    provider = g_provider;
  }
  return provider ? provider(folder) : nullptr;
}

crypto::Key key_for(const std::filesystem::path& folder) {
  crypto::Key key = folder_key(folder);
  return key ? key : provide_key(folder);
}

Error locked_error(const std::filesystem::path& folder) {
  return make_error("store.locked", platform::path_to_utf8(folder),
                    "the data is encrypted and locked: unlock it with its passphrase",
                    "データは暗号化されていて、ロックされています。パスフレーズで開いてください");
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Migration of a plain folder
// ---------------------------------------------------------------------------------------------------------------

namespace {

// The number of rows of every table of `db` (virtual tables' own shadow tables included), by name.
std::map<std::string, std::int64_t> table_counts(sqlite3* db) {
  std::map<std::string, std::int64_t> counts;
  std::vector<std::string> names;
  sqlite3_stmt* select = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'",
                         -1, &select, nullptr) == SQLITE_OK)
    while (sqlite3_step(select) == SQLITE_ROW)
      names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(select, 0)));
  sqlite3_finalize(select);
  for (const auto& name : names) {
    sqlite3_stmt* count = nullptr;
    std::string quoted;
    for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    if (sqlite3_prepare_v2(db, ("SELECT count(*) FROM \"" + quoted + "\"").c_str(), -1, &count, nullptr) == SQLITE_OK &&
        sqlite3_step(count) == SQLITE_ROW)
      counts[name] = sqlite3_column_int64(count, 0);
    sqlite3_finalize(count);
  }
  return counts;
}

// Writes the plain database `plain` encrypted to `target`, checks the copy and forces it to the disk. Two steps:
// VACUUM INTO a plain copy with the reserved bytes the encrypted pages need (a VACUUM is what changes them), then
// SQLite's backup of that copy into `target` opened through the encrypting VFS in WAL mode (a backup copies pages as
// they are, and needs the same page size and reserved bytes on both sides). The plain copy is deleted.
Status write_encrypted_copy(const std::filesystem::path& plain, const std::filesystem::path& target,
                            const crypto::Key& key) {
  const std::string name = platform::path_to_utf8(plain);
  std::filesystem::path reserved = target;
  reserved += "-plain";
  std::error_code ec;
  std::filesystem::remove(reserved, ec);
  struct Removed {
    std::filesystem::path path;
    ~Removed() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } remove_reserved{reserved};
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(name.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> source(raw, sqlite3_close);
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, "open " + name);
  sqlite3_busy_timeout(raw, Database::kBusyTimeoutMs);
  auto exec = [&](const std::string& sql, const char* doing) -> Status {
    if (int code = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr); code != SQLITE_OK)
      return sqlite_error(raw, code, doing);
    return ok_status();
  };
  // Everything the log holds goes into the file first: the copy is of the whole store.
  if (auto status = exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint"); !status) return status;
  // VACUUM INTO gives its copy the page size and reserved bytes the source asks for, not those it has (the reserved
  // bytes after the page size: setting that asks for none).
  if (auto status = exec("PRAGMA page_size = 4096", "page size"); !status) return status;
  int reserve = crypt::kReservedBytes;
  sqlite3_file_control(raw, "main", SQLITE_FCNTL_RESERVE_BYTES, &reserve);
  std::string quoted = "'";
  for (char c : platform::path_to_utf8(reserved)) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  if (auto status = exec("VACUUM INTO " + quoted + "'", "copy"); !status) return status;
  kill_point("encrypt.vacuumed");
  {
    sqlite3* copy = nullptr;
    rc = sqlite3_open_v2(platform::path_to_utf8(reserved).c_str(), &copy, SQLITE_OPEN_READONLY, nullptr);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> reserved_copy(copy, sqlite3_close);
    if (rc != SQLITE_OK) return sqlite_error(copy, rc, "open the copy");
    auto encrypted = Database::open(target, 0600, key);
    if (!encrypted) return encrypted.error().with_context("encrypted copy");
    sqlite3_backup* backup = sqlite3_backup_init((*encrypted)->handle(), "main", copy, "main");
    if (!backup) return sqlite_error((*encrypted)->handle(), sqlite3_errcode((*encrypted)->handle()), "encrypt");
    rc = sqlite3_backup_step(backup, -1);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE) return sqlite_error((*encrypted)->handle(), rc, "encrypt");
    // The copy checks whole, and holds as many rows in each table as the original.
    auto check = (*encrypted)->query_int("SELECT count(*) FROM pragma_quick_check WHERE quick_check != 'ok'");
    if (!check || check->value_or(1) != 0 || table_counts((*encrypted)->handle()) != table_counts(raw))
      return make_error("store.encrypt", name, "the encrypted copy does not check whole",
                        "暗号化したコピーの検査に失敗しました");
    // Its log into the file, so that the file alone is the whole store.
    if (auto status = (*encrypted)->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !status) return status;
  }
  source.reset();
  std::string error;
  if (!platform::sync_file(target, error))
    return make_error("store.encrypt", platform::path_to_utf8(target), error, error);
  return ok_status();
}

// Encrypts the plain database `file` in place; its log must be empty or absent once its connection is closed.
Status encrypt_database_file(const std::filesystem::path& file, const crypto::Key& key) {
  std::filesystem::path target = file;
  target += ".encrypting";
  std::error_code ec;
  std::filesystem::remove(target, ec);  // an attempt a kill cut short
  std::filesystem::path target_log = target;
  target_log += "-wal";
  std::filesystem::remove(target_log, ec);
  if (auto status = write_encrypted_copy(file, target, key); !status) {
    std::filesystem::remove(target, ec);
    return status.error().with_context("encrypt " + platform::path_to_utf8(file.filename()));
  }
  kill_point("encrypt.copied");
  // The plain file's log was checkpointed and removed when its connection closed; one left means another process
  // has the store open, and renaming now would lose what it writes.
  std::filesystem::path log = file;
  log += "-wal";
  if (std::filesystem::exists(log, ec) && std::filesystem::file_size(log, ec) > 0) {
    std::filesystem::remove(target, ec);
    return make_error("store.busy", platform::path_to_utf8(file),
                      "the data is open in another Tsunagi: close it, then start again",
                      "データが別のつなぎで開かれています。閉じてからもう一度起動してください");
  }
  std::string error;
  if (!platform::replace_file(target, file, error))
    return make_error("store.encrypt", platform::path_to_utf8(file), error, error);
  platform::sync_folder(file.parent_path());
  kill_point("encrypt.renamed");
  for (const char* suffix : {"-wal", "-shm"}) {
    std::filesystem::path stale = file;
    stale += suffix;
    std::filesystem::remove(stale, ec);
  }
  crypt::set_key(platform::path_to_utf8(file), key);
  return ok_status();
}

}  // namespace

Status encrypt_folder(const std::filesystem::path& folder, const crypto::Key& key) {
  std::error_code ec;
  std::vector<std::filesystem::path> plain;
  std::vector<std::filesystem::path> cut_short;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    const std::string name = platform::path_to_utf8(entry.path().filename());
    // The copies of an attempt a kill cut short ("tsunagi.db.encrypting", its "-wal", the plain "-plain" copy):
    // deleted, as the file they copy is still the plain original.
    if (name.find(".encrypting") != std::string::npos) {
      cut_short.push_back(entry.path());
      continue;
    }
    // The store, and the backups schema migrations took of it ("tsunagi.db.v9.bak-20261207T040000Z").
    const bool backup = std::regex_match(name, kBackupName);
    if ((name == kStoreFile || backup) && crypt::is_plain_database(platform::path_to_utf8(entry.path())))
      plain.push_back(entry.path());
  }
  for (const auto& file : cut_short) std::filesystem::remove(file, ec);
  // The backups first, the store last: a store found encrypted means the folder is done.
  std::sort(plain.begin(), plain.end(),
            [](const auto& a, const auto& b) { return (a.filename() == kStoreFile) < (b.filename() == kStoreFile); });
  for (const auto& file : plain)
    if (auto status = encrypt_database_file(file, key); !status) return status;
  const auto enrollment = folder / kEnrollmentFileName;
  if (std::filesystem::exists(enrollment, ec)) {
    auto content = read_file(enrollment);
    if (!content) return content.error();
    if (!is_sealed(*content))
      if (auto status = write_sealed_file(enrollment, *content, *key, kEnrollmentFileName); !status) return status;
  }
  return ok_status();
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Sealed files
// ---------------------------------------------------------------------------------------------------------------

bool is_sealed(std::string_view content) { return content.substr(0, kSealMark.size()) == kSealMark; }

Status write_sealed_file(const std::filesystem::path& path, std::string_view content, const crypto::SecretKey& key,
                         std::string_view purpose) {
  return write_file_atomic(path, std::string(kSealMark) + crypto::seal(key, content, purpose), 0600);
}

Result<std::string> read_sealed_file(const std::filesystem::path& path, const crypto::SecretKey& key,
                                     std::string_view purpose) {
  auto content = read_file(path);
  if (!content) return content.error();
  if (!is_sealed(*content)) return content;
  auto opened = crypto::open(key, std::string_view(*content).substr(kSealMark.size()), purpose);
  if (!opened) return opened.error().with_context(platform::path_to_utf8(path));
  return opened;
}

}  // namespace tsunagi::encryption
