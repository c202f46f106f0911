// The store encrypted at rest (model/crypto, model/crypt_vfs, model/encryption): no file of a data folder shows a
// record's words or the device's token; a flipped bit anywhere is caught when read; a wrong passphrase, a cut-short
// file and a locked folder are clear errors that change nothing; a plain folder of an earlier version is encrypted
// in place with every record.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>

#include "model/crypt_vfs.hpp"
#include "model/database.hpp"
#include "model/encryption.hpp"
#include "model/files.hpp"
#include "model/store_schema.hpp"
#include "model/text.hpp"
#include "sync/client.hpp"
#include "tests/store_fixture.hpp"
#include "tests/support/encrypted_folders.hpp"

using namespace tsunagi;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPassphrase = "ながい合言葉 correct horse";
const std::vector<std::string> kPhrases = {"山田太郎さんの就労支援", "グループホーム入居の相談",
                                           "精神障害者保健福祉手帳", "髙橋﨑子", "sensitive-english-phrase"};
constexpr const char* kToken = "tok_7f3a9c2e51d84b06a1e2f3c4d5e6f708";

encryption::UnlockOptions fast() {
  encryption::UnlockOptions options;
  options.new_kdf = crypto::kTestKdf;
  return options;
}

std::string utf16(const std::string& text, bool big_endian) {
  std::string out;
  for (char32_t cp : decode_utf8(text)) {
    auto unit = [&](char16_t u) {
      out += static_cast<char>(big_endian ? u >> 8 : u & 0xFF);
      out += static_cast<char>(big_endian ? u & 0xFF : u >> 8);
    };
    if (cp >= 0x10000) {
      unit(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
      unit(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    } else {
      unit(static_cast<char16_t>(cp));
    }
  }
  return out;
}

// Every needle: each phrase and the token whole, in UTF-8, UTF-16LE and UTF-16BE, and every run of three
// (non-ASCII) characters of each phrase in UTF-8, nine bytes or more (what a trigram index would hold).
std::vector<std::pair<std::string, std::string>> needles() {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<std::string> words = kPhrases;
  words.push_back(kToken);
  for (const auto& word : words) {
    out.emplace_back(word, word);
    out.emplace_back(word + " (UTF-16LE)", utf16(word, false));
    out.emplace_back(word + " (UTF-16BE)", utf16(word, true));
    auto cps = decode_utf8(word);
    if (cps.size() == word.size()) continue;  // ASCII: three letters are too short not to turn up in random bytes
    for (std::size_t i = 0; i + 3 <= cps.size(); ++i) {
      std::string run;
      for (std::size_t j = i; j < i + 3; ++j) append_utf8(run, cps[j]);
      if (run.find(' ') == std::string::npos) out.emplace_back("\"" + run + "\" of " + word, run);
    }
  }
  return out;
}

// "file: needle" for each needle found in a file under `folder`; the files looked at in `files`.
std::vector<std::string> find_needles(const fs::path& folder, std::vector<std::string>& files) {
  std::vector<std::string> found;
  const auto all = needles();
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    files.push_back(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& [name, bytes] : all)
      if (content.find(bytes) != std::string::npos) found.push_back(entry.path().filename().string() + ": " + name);
  }
  return found;
}

Record meeting(const std::string& title, const std::string& body) {
  auto record = parse_record(R"({"kind":"meeting","title":")" + title +
                             R"(","date":"2024-05-01","meeting_type":"plenary","body":")" + body + R"("})");
  if (!record) throw std::runtime_error(record.error().describe());
  return *record;
}

std::string read_bytes(const fs::path& file) {
  auto content = read_file(file);
  REQUIRE(content);
  return *content;
}

// Reads every page of the database at `file` (an integrity check walks them all); the first error, if any.
std::optional<Error> read_every_page(const fs::path& file, const crypto::Key& key) {
  auto db = Database::open(file, 0600, key);
  if (!db) return db.error();
  auto check = (*db)->prepare("PRAGMA integrity_check");
  if (!check) return check.error();
  for (;;) {
    auto row = (*check)->step();
    if (!row) return row.error();
    if (!*row) break;
    // The check goes on past a page it cannot read, naming SQLite's error for it (8202: SQLITE_IOERR_DATA).
    const std::string line = (*check)->text(0);
    if (line.find("error code=8202") != std::string::npos) return make_error("store.tampered", "", line, "");
    if (line != "ok") return make_error("store.corrupt", "", line, "");
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("no file of an encrypted data folder shows a record's words or the device's token", "[encryption]") {
  TempFolder folder;
  const fs::path data = folder.path / "data";
  auto key = encryption::unlock_folder(data, kPassphrase, fast());
  REQUIRE(key);
  {
    // A store of the schema before the latest, so that opening it below takes a migration backup.
    StoreOptions old;
    old.target_schema_version = kLatestSchemaVersion - 1;
    auto store = Store::open(data, old);
    REQUIRE(store);
    auto record = meeting(kPhrases[0], kPhrases[1]);
    REQUIRE((*store)->create(std::move(record)));
  }
  auto store = Store::open(data);
  REQUIRE(store);
  REQUIRE_FALSE((*store)->migration_backups().empty());
  auto second = meeting(kPhrases[3], kPhrases[2]);
  auto created = (*store)->create(std::move(second));
  REQUIRE(created);
  REQUIRE((*store)->add_comment(created->id, kPhrases[4], "staff"));
  REQUIRE((*store)->set_setting("editor.scratch", "{\"record\":{\"title\":\"" + kPhrases[2] + "\"}}"));
  sync::Enrollment enrollment;
  enrollment.server = "https://collector.example:8443";
  enrollment.token = kToken;
  enrollment.device_id = "device";
  REQUIRE(sync::save_enrollment(data, enrollment));

  // The store is open: its log and shared memory hold the latest changes.
  std::vector<std::string> files;
  auto found = find_needles(folder.path, files);
  INFO("files: " << [&] {
    std::string all;
    for (const auto& f : files) all += f + " ";
    return all;
  }());
  for (const auto& hit : found) UNSCOPED_INFO(hit);
  CHECK(found.empty());
  CHECK(std::find(files.begin(), files.end(), "tsunagi.db-wal") != files.end());
  CHECK(fs::exists(data / "enrollment.json"));

  // Everything reads back through the key.
  auto loaded = sync::load_enrollment(data);
  REQUIRE(loaded);
  REQUIRE(*loaded);
  CHECK((*loaded)->token == kToken);
  RecordQuery query;
  query.search = "就労支援";
  CHECK(list_titles(**store, query) == std::vector<std::string>{kPhrases[0]});
  query.search = "保健福祉";
  CHECK(list_titles(**store, query) == std::vector<std::string>{kPhrases[3]});

  store->reset();
  files.clear();
  CHECK(find_needles(folder.path, files).empty());
}

TEST_CASE("a flipped bit in any page of the store is caught when the page is read", "[encryption]") {
  TempFolder folder;
  const fs::path data = folder.path / "data";
  auto key = encryption::unlock_folder(data, kPassphrase, fast());
  REQUIRE(key);
  {
    auto store = Store::open(data);
    REQUIRE(store);
    for (int i = 0; i < 40; ++i) {
      auto record = meeting(kPhrases[i % 4] + std::to_string(i), kPhrases[(i + 1) % 4]);
      REQUIRE((*store)->create(std::move(record)));
    }
  }
  const std::string original = read_bytes(data / "tsunagi.db");
  REQUIRE(original.size() % crypt::kPageSize == 0);
  const std::size_t pages = original.size() / crypt::kPageSize;
  REQUIRE(pages > 5);
  REQUIRE_FALSE(read_every_page(data / "tsunagi.db", *key));

  std::mt19937 random(7);
  const fs::path copy = folder.path / "flipped.db";
  for (std::size_t page = 0; page < pages; ++page) {
    std::string flipped = original;
    const std::size_t offset = page * crypt::kPageSize + random() % crypt::kPageSize;
    flipped[offset] = static_cast<char>(flipped[offset] ^ (1 << (random() % 8)));
    fs::remove(copy);
    REQUIRE(write_file_atomic(copy, flipped));
    INFO("page " << page + 1 << " of " << pages << ", byte " << offset % crypt::kPageSize);
    // Reading the page through the connection's file fails its authentication; the store as a whole is an error.
    auto db = Database::open(copy, 0600, *key);
    if (!db) {  // a page read at open (page 1, the schema's)
      CHECK(db.error().code == "store.key");
      continue;
    }
    sqlite3_file* file = nullptr;
    REQUIRE(sqlite3_file_control((*db)->handle(), "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK);
    std::string bytes(crypt::kPageSize, '\0');
    CHECK(file->pMethods->xRead(file, bytes.data(), crypt::kPageSize,
                                static_cast<sqlite3_int64>(page) * crypt::kPageSize) == SQLITE_IOERR_DATA);
    CHECK(file->pMethods->xRead(file, bytes.data(), crypt::kPageSize, 0) == SQLITE_OK);  // its neighbours read
    db->reset();
    CHECK(read_every_page(copy, *key));
  }
}

TEST_CASE("a wrong passphrase, a cut-short store and a locked folder are errors that change nothing", "[encryption]") {
  TempFolder folder;
  const fs::path data = folder.path / "data";
  REQUIRE(encryption::unlock_folder(data, kPassphrase, fast()));
  {
    auto store = Store::open(data);
    REQUIRE(store);
    auto record = meeting(kPhrases[0], kPhrases[1]);
    REQUIRE((*store)->create(std::move(record)));
  }
  encryption::forget(data);
  const std::string keys_before = read_bytes(data / "keys.json");
  const std::string store_before = read_bytes(data / "tsunagi.db");

  SECTION("wrong passphrase") {
    auto wrong = encryption::unlock_folder(data, "not the passphrase", fast());
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == "store.passphrase");
    CHECK(wrong.error().message_ja == "パスフレーズが違います");
  }
  SECTION("a locked folder: the store and the enrollment refuse, whatever the test suite's provider") {
    testing::PlainFolders no_provider;
    auto store = Store::open(data);
    REQUIRE_FALSE(store);
    CHECK(store.error().code == "store.locked");
    sync::Enrollment enrollment;
    enrollment.server = "https://x";
    enrollment.token = kToken;
    auto saved = sync::save_enrollment(data, enrollment);
    REQUIRE_FALSE(saved);
    CHECK(saved.error().code == "store.locked");
  }
  SECTION("a store cut short") {
    auto key = encryption::unlock_folder(data, kPassphrase, fast());
    REQUIRE(key);
    const fs::path copy = folder.path / "cut.db";
    REQUIRE(write_file_atomic(copy, store_before.substr(0, store_before.size() - crypt::kPageSize / 2)));
    auto error = read_every_page(copy, *key);
    REQUIRE(error);
    CHECK((error->code == "store.tampered" || error->code == "store.corrupt"));
    REQUIRE(write_file_atomic(copy, store_before.substr(0, 100)));
    error = read_every_page(copy, *key);
    REQUIRE(error);
  }
  SECTION("a damaged key file") {
    testing::PlainFolders no_provider;
    REQUIRE(write_file_atomic(data / "keys.json", "{\"format\":\"tsunagi-keys\",\"version\":1}"));
    auto damaged = encryption::unlock_folder(data, kPassphrase, fast());
    REQUIRE_FALSE(damaged);
    CHECK(damaged.error().code == "store.keyfile");
    REQUIRE(write_file_atomic(data / "keys.json", keys_before));
  }
  CHECK(read_bytes(data / "keys.json") == keys_before);
  CHECK(read_bytes(data / "tsunagi.db") == store_before);
}

TEST_CASE("changing the passphrase rewraps the key without rewriting the store", "[encryption]") {
  TempFolder folder;
  const fs::path data = folder.path / "data";
  REQUIRE(encryption::unlock_folder(data, kPassphrase, fast()));
  REQUIRE(Store::open(data));
  const std::string store_before = read_bytes(data / "tsunagi.db");
  const std::string keys_before = read_bytes(data / "keys.json");

  auto refused = encryption::change_passphrase(data, "not the passphrase", "a new passphrase");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "store.passphrase");
  auto too_short = encryption::change_passphrase(data, kPassphrase, "short");
  REQUIRE_FALSE(too_short);
  CHECK(too_short.error().code == "passphrase.short");
  CHECK(read_bytes(data / "keys.json") == keys_before);

  REQUIRE(encryption::change_passphrase(data, kPassphrase, "新しい合言葉１２３"));
  CHECK(read_bytes(data / "keys.json") != keys_before);
  CHECK(read_bytes(data / "tsunagi.db") == store_before);
  CHECK_FALSE(encryption::open_key_file(data, kPassphrase));
  // Full-width digits typed by an input method are the same passphrase as ASCII ones.
  auto reopened = encryption::open_key_file(data, "新しい合言葉123");
  REQUIRE(reopened);
  CHECK(**reopened == *encryption::folder_key(data));
}

TEST_CASE("passphrases: width folded, a line ending dropped, invalid UTF-8 and short new ones refused",
          "[encryption]") {
  CHECK(*encryption::normalize_passphrase("ＡＢＣ　１２３\n") == "ABC 123");
  CHECK(*encryption::normalize_passphrase("abc\r\n") == "abc");
  CHECK(encryption::normalize_passphrase("\xff\xfe").error().code == "passphrase.invalid");
  CHECK(encryption::check_new_passphrase("あいうえおかきく"));
  CHECK_FALSE(encryption::check_new_passphrase("あいうえおかき"));
}

TEST_CASE("a new key file states Argon2id's parameters, and the default ones are the stated ones", "[encryption]") {
  TempFolder folder;
  encryption::UnlockOptions options;
  options.new_kdf = crypto::kDefaultKdf;
  REQUIRE(encryption::unlock_folder(folder.path, kPassphrase, options));
  auto keys = nlohmann::json::parse(read_bytes(folder.path / "keys.json"));
  CHECK(keys["kdf"]["algorithm"] == "argon2id13");
  CHECK(keys["kdf"]["opslimit"] == 3);
  CHECK(keys["kdf"]["memlimit"] == 128u << 20);
  CHECK(keys["page_size"] == crypt::kPageSize);
  CHECK(encryption::open_key_file(folder.path, kPassphrase));
}

TEST_CASE("a plain folder of an earlier version is encrypted in place with every record", "[encryption]") {
  TempFolder folder;
  const fs::path data = folder.path / "data";
  std::vector<std::string> ids;
  {
    testing::PlainFolders plain;
    {
      StoreOptions old;
      old.target_schema_version = kLatestSchemaVersion - 1;
      auto store = Store::open(data, old);
      REQUIRE(store);
      auto record = meeting(kPhrases[0], kPhrases[1]);
      auto created = (*store)->create(std::move(record));
      REQUIRE(created);
      ids.push_back(created->id);
    }
    auto store = Store::open(data);
    REQUIRE(store);
    REQUIRE((*store)->migration_backups().size() == 1);
    for (int i = 0; i < 30; ++i) {
      auto record = meeting(kPhrases[2] + std::to_string(i), kPhrases[3]);
      auto created = (*store)->create(std::move(record));
      REQUIRE(created);
      ids.push_back(created->id);
    }
    sync::Enrollment enrollment;
    enrollment.server = "https://collector.example:8443";
    enrollment.token = kToken;
    REQUIRE(sync::save_enrollment(data, enrollment));
    std::vector<std::string> files;
    REQUIRE_FALSE(find_needles(folder.path, files).empty());  // plain: the words are there to be found
  }
  REQUIRE(crypt::is_plain_database((data / "tsunagi.db").string()));

  auto key = encryption::unlock_folder(data, kPassphrase, fast());
  INFO((key ? "" : key.error().describe()));
  REQUIRE(key);
  std::vector<std::string> files;
  CHECK(find_needles(folder.path, files).empty());
  CHECK_FALSE(crypt::is_plain_database((data / "tsunagi.db").string()));
  CHECK_FALSE(fs::exists(data / "tsunagi.db.encrypting"));
  auto store = Store::open(data);
  REQUIRE(store);
  RecordQuery query;
  query.limit = 1000;
  auto rows = (*store)->list(query);
  REQUIRE(rows);
  std::vector<std::string> listed;
  for (const auto& row : *rows) listed.push_back(row.id);
  std::sort(listed.begin(), listed.end());
  std::sort(ids.begin(), ids.end());
  CHECK(listed == ids);
  query.search = "就労支援";
  CHECK(list_titles(**store, query) == std::vector<std::string>{kPhrases[0]});
  auto enrollment = sync::load_enrollment(data);
  REQUIRE(enrollment);
  CHECK((*enrollment)->token == kToken);
  // The backup the schema migration took is encrypted too, and opens with the key.
  for (const auto& entry : fs::directory_iterator(data)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".bak-") == std::string::npos) continue;
    CHECK_FALSE(crypt::is_plain_database(entry.path().string()));
    CHECK_FALSE(read_every_page(entry.path(), *key));
  }
}
