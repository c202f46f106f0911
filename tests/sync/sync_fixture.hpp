// What the sync integration tests share: a fresh folder per test, a real tsunagi-collector on 127.0.0.1 (with the
// default reference data), real `tsunagi` client processes, in-process devices (Store + SyncEngine + the real
// libcurl transport), a fault-injecting Transport, record builders, and a read-only look into collector.db.
//
// [SECTION] Folders and processes
// [SECTION] Records
// [SECTION] Devices: real client processes
// [SECTION] Devices: in-process engines
// [SECTION] Fault-injecting transport
// [SECTION] The collector's database
// [SECTION] The fixture
#pragma once

#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/encryption.hpp"
#include "model/ids.hpp"
#include "model/record_json.hpp"
#include "model/store.hpp"
#include "sync/client.hpp"
#include "sync/protocol.hpp"
#include "sync/transport.hpp"
#include "tests/support/encrypted_folders.hpp"
#include "tests/support/process.hpp"

namespace tsunagi::sync_tests {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// Every process a test runs gets at most this long; a hung one is killed and the test fails on its exit code.
constexpr std::chrono::milliseconds kProcessLimit = 60s;

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Folders and processes
// ---------------------------------------------------------------------------------------------------------------

// A fresh folder (mkdtemp under $TMPDIR or /tmp), removed with its contents when the test ends. Set
// TSUNAGI_KEEP_TEST_DIRS=1 to keep it for a post-mortem.
class TempFolder {
 public:
  TempFolder() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/tsunagi-sync-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempFolder() {
    const char* keep = std::getenv("TSUNAGI_KEEP_TEST_DIRS");
    if (keep && *keep == '1') return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};


inline std::string trimmed(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  return text.substr(start);
}

inline std::string describe(const testing::ProcessResult& result) {
  return "exit " + std::to_string(result.exit_code) + "\n--- stdout\n" + result.out + "\n--- stderr\n" + result.err;
}

// The last "received N" that a `tsunagi sync` progress line printed; -1 when there is none.
inline long long last_received(const std::string& progress) {
  long long received = -1;
  for (std::size_t at = progress.find("received "); at != std::string::npos; at = progress.find("received ", at + 1))
    received = std::atoll(progress.c_str() + at + 9);
  return received;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Records
// ---------------------------------------------------------------------------------------------------------------

// A meeting that passes validation when submitted (date, title, body, meeting_type, format).
inline json meeting_json(const std::string& title, const std::string& area, const std::string& status = "submitted") {
  return {{"kind", "meeting"},
          {"date", "2024-05-20"},
          {"start_time", "13:30"},
          {"end_time", "15:00"},
          {"title", title},
          {"area", area},
          {"status", status},
          {"body", "相談支援部会"},
          {"meeting_type", "committee"},
          {"format", "in_person"},
          {"venue", "市民福祉プラザ ３階 研修室"},
          {"participant_count", 12},
          {"minutes", "新規事業所の紹介を受け、空き状況や受け入れ可能な障がい特性について情報共有を行った。"}};
}

// A case review; a draft unless `status` says otherwise.
inline json case_review_json(const std::string& title, const std::string& area, const std::string& status = "draft") {
  return {{"kind", "case_review"},
          {"date", "2024-06-11"},
          {"title", title},
          {"area", area},
          {"status", status},
          {"case_code", "A-2024-017"},
          {"review_type", "case_study"},
          {"presenting_agency", "相談支援センターかけはし"},
          {"issues", "家族それぞれに支援者が関わっていたが、情報が統一されていなかった。"},
          {"policy", "支援者間で情報を共有し、目標を一本化する。"}};
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

inline Record to_record(const json& object) {
  auto record = record_from_json(object);
  if (!record) throw std::runtime_error("bad test record: " + record.error().describe());
  return std::move(*record);
}

// `count` draft case reviews numbered from `first`, titled "<prefix> #<n>".
inline std::vector<Record> numbered_records(const std::string& prefix, int first, int count) {
  std::vector<Record> records;
  records.reserve(static_cast<std::size_t>(count));
  for (int i = first; i < first + count; ++i)
    records.push_back(to_record(case_review_json(prefix + " #" + std::to_string(i), "東区")));
  return records;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Devices: real client processes
// ---------------------------------------------------------------------------------------------------------------

// A laptop running the real `tsunagi` program on its own data folder (messages in English).
class Laptop {
 public:
  explicit Laptop(fs::path data) : data_(std::move(data)) {}

  const fs::path& data() const { return data_; }

  testing::ProcessResult tsunagi(const std::vector<std::string>& words,
                                 std::chrono::milliseconds limit = kProcessLimit) const {
    std::vector<std::string> argv{TSUNAGI_BIN, "--data", data_.string(), "--lang", "en"};
    argv.insert(argv.end(), words.begin(), words.end());
    return testing::run(argv, limit);
  }

  // `tsunagi record add --json FILE`; returns the new record's id.
  std::string add_record(const json& record) {
    fs::path input =
        data_.parent_path() / (data_.filename().string() + "-input-" + std::to_string(inputs_++) + ".json");
    std::ofstream(input) << record.dump();
    auto result = tsunagi({"record", "add", "--json", input.string()});
    INFO(describe(result));
    REQUIRE(result.exit_code == 0);
    std::string id = trimmed(result.out);
    REQUIRE(id.size() == 36);
    return id;
  }

  testing::ProcessResult enroll(const std::string& line) const {
    return tsunagi({"enroll", line, "--device-name", data_.filename().string()});
  }
  testing::ProcessResult sync() const { return tsunagi({"sync"}); }

  // Every record on the laptop, tombstones included, by `record list --format json`.
  json records() const {
    auto result = tsunagi({"record", "list", "--format", "json", "--deleted", "--others-drafts"});
    INFO(describe(result));
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
  }
  std::set<std::string> record_ids() const {
    std::set<std::string> ids;
    for (const auto& record : records()) ids.insert(record.at("id").get<std::string>());
    return ids;
  }
  json show(const std::string& id) const {
    auto result = tsunagi({"record", "show", id, "--format", "json"});
    INFO(describe(result));
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
  }

  // enrollment.json, opened with the folder's data key (it is sealed: model/encryption), read from its key file now
  // (the laptop's `tsunagi` may have wiped the folder and made a new one since this process last unlocked it).
  crypto::Key data_key() const {
    auto key = encryption::open_key_file(data_, testing::kTestPassphrase);
    REQUIRE(key);
    return *key;
  }
  json enrollment_file() const {
    const crypto::Key key = data_key();
    auto text = encryption::read_sealed_file(data_ / "enrollment.json", *key, encryption::kEnrollmentFileName);
    REQUIRE(text);
    return json::parse(*text);
  }
  // Rewrites one member of enrollment.json, as a user who knows the passphrase editing the file would.
  void edit_enrollment(const std::string& key, const std::string& value) const {
    json file = enrollment_file();
    file[key] = value;
    REQUIRE(encryption::write_sealed_file(data_ / "enrollment.json", file.dump(2) + "\n", *data_key(),
                                          encryption::kEnrollmentFileName));
  }

 private:
  fs::path data_;
  int inputs_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Devices: in-process engines
// ---------------------------------------------------------------------------------------------------------------

// Quick retries for tests: enough attempts to ride through a collector restart, short waits.
inline sync::SyncOptions test_sync_options() {
  sync::SyncOptions options;
  options.attempts = 12;
  options.backoff_ms = 50;
  options.backoff_max_ms = 600;
  return options;
}

// A device run in this process: its own Store folder, its own libcurl transport (pinned to the collector), the
// enrollment it got from the collector. Not thread-safe: one thread per device.
struct EngineDevice {
  fs::path folder;
  std::unique_ptr<Store> store;
  std::unique_ptr<sync::Transport> transport;
  sync::Enrollment enrollment;

  // One SyncEngine::run over `transport` (the device's own when null).
  sync::SyncOutcome sync(const sync::SyncOptions& options = test_sync_options(), sync::Transport* through = nullptr) {
    sync::SyncEngine engine(*store, through ? *through : *transport, enrollment, options);
    return engine.run();
  }
  // One run over a connection of its own, closed when the run ends: what a `tsunagi sync` process does.
  sync::SyncOutcome sync_session(const sync::SyncOptions& options = test_sync_options()) const {
    auto session = sync::make_curl_transport(enrollment.server, enrollment.trust);
    sync::SyncEngine engine(*store, *session, enrollment, options);
    return engine.run();
  }
  std::int64_t outbox_size() const {
    auto size = store->outbox_size();
    REQUIRE(size);
    return *size;
  }
  std::int64_t record_count() const {
    RecordQuery everything;
    everything.include_deleted = true;
    auto count = store->count(everything);
    REQUIRE(count);
    return *count;
  }
  std::set<std::string> record_ids() const {
    RecordQuery everything;
    everything.include_deleted = true;
    everything.limit = 0;
    std::set<std::string> ids;
    REQUIRE(store->for_each(everything, [&ids](const Record& record) {
      ids.insert(record.id);
      return true;
    }));
    return ids;
  }
  // From now on the device's wall clock runs `ahead` milliseconds ahead of the real one (negative: behind), as a
  // laptop's with a wrong clock: the store is opened again with that clock.
  void run_clock_ahead(std::shared_ptr<std::atomic<std::int64_t>> ahead) {
    store.reset();
    StoreOptions options;
    options.wall_clock = [ahead] { return now_unix_ms() + ahead->load(); };
    auto reopened = Store::open(folder, options);
    REQUIRE(reopened);
    store = std::move(*reopened);
  }
  // Stores `records` in one transaction (each gets an outbox entry) and returns their ids.
  std::vector<std::string> import(std::vector<Record> records) {
    std::vector<std::string> ids;
    for (auto& record : records) {
      if (record.id.empty()) record.id = new_uuid_v7();
      ids.push_back(record.id);
    }
    auto written = store->import_records(std::move(records));
    INFO((written ? std::string() : written.error().describe()));
    REQUIRE(written);
    return ids;
  }
};

// Enrolls a new in-process device in `folder` with an enrollment line from `tsunagi-collector user add|code`.
inline EngineDevice enroll_engine_device(const fs::path& folder, const std::string& line) {
  auto parsed = sync::parse_enrollment_line(line);
  REQUIRE(parsed);
  sync::TlsTrust trust{parsed->pin, ""};
  EngineDevice device;
  device.folder = folder;
  device.transport = sync::make_curl_transport(parsed->server, trust);
  auto enrollment = sync::enroll_device(*device.transport, parsed->server, trust, parsed->code, folder.filename());
  INFO((enrollment ? std::string() : enrollment.error().describe()));
  REQUIRE(enrollment);
  device.enrollment = *enrollment;
  auto store = Store::open(folder);
  INFO((store ? std::string() : store.error().describe()));
  REQUIRE(store);
  device.store = std::move(*store);
  REQUIRE(sync::adopt_enrollment(*device.store, device.enrollment));
  return device;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Fault-injecting transport
// ---------------------------------------------------------------------------------------------------------------

// Wraps a real transport and counts requests per path. A test sets hooks to act before a request goes (kill the
// collector, say) or to lose a response after the collector has handled the request, as a dropped connection
// would. Thread-safe only as its inner transport is: one thread.
class FaultTransport final : public sync::Transport {
 public:
  explicit FaultTransport(sync::Transport& inner) : inner_(inner) {}

  // Called with the 1-based number of this request to its path, before it is forwarded.
  std::function<void(int number, const sync::HttpRequest&)> before_send;
  // When it returns true, the collector's answer is thrown away and the caller gets a connection error instead.
  std::function<bool(int number, const sync::HttpRequest&)> lose_response;
  // When it returns true, the request is not forwarded at all: the caller gets `refusal` (a net.connect error).
  std::function<bool(int number, const sync::HttpRequest&)> refuse;

  Result<sync::HttpResponse> send(const sync::HttpRequest& request) override {
    int number = ++counts_[request.path];
    if (before_send) before_send(number, request);
    if (refuse && refuse(number, request)) return connection_error("refused before sending");
    auto response = inner_.send(request);
    std::string what = request.path + " #" + std::to_string(number) + ": ";
    events_.push_back(what + (response ? "HTTP " + std::to_string(response->status)
                                       : response.error().code + " " + response.error().message));
    if (response) answers_.push_back({request.path, response->status, response->body});
    if (response && lose_response && lose_response(number, request)) {
      ++lost_;
      return connection_error("connection reset after the request was sent");
    }
    return response;
  }

  int count(const std::string& path) const {
    auto it = counts_.find(path);
    return it == counts_.end() ? 0 : it->second;
  }
  int lost() const { return lost_; }
  // One line per request forwarded: its path, number, and the status or the transport's error.
  std::string events() const {
    std::string text;
    for (const auto& event : events_) text += event + "\n";
    return text;
  }

  struct Answer {
    std::string path;
    int status = 0;
    std::string body;
  };
  // Every answer the collector gave, lost ones included, in order.
  const std::vector<Answer>& answers() const { return answers_; }

 private:
  static Error connection_error(const std::string& what) {
    return make_error("net.connect", "", "fault injected: " + what, "障害の注入: " + what);
  }

  sync::Transport& inner_;
  std::map<std::string, int> counts_;
  std::vector<Answer> answers_;
  std::vector<std::string> events_;
  int lost_ = 0;
};

// How many results of push answers have `status` ("stored", "already_stored", ...).
inline int push_results_with(const std::vector<FaultTransport::Answer>& answers, const std::string& status) {
  int count = 0;
  for (const auto& answer : answers) {
    if (answer.path != sync::kPushPath || answer.status != 200) continue;
    const json body = json::parse(answer.body);  // named: a range-for over a temporary's member would dangle
    for (const auto& result : body.at("results"))
      if (result.at("status") == status) ++count;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The collector's database
// ---------------------------------------------------------------------------------------------------------------

// The first column of every row of `sql` on `db`, as text; `?` placeholders take `values` in order. Throws on an
// SQL error.
inline std::vector<std::string> query_column(sqlite3* db, const std::string& sql,
                                             const std::vector<std::string>& values = {}) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("bad SQL: ") + sqlite3_errmsg(db) + ": " + sql);
  for (std::size_t i = 0; i < values.size(); ++i)
    sqlite3_bind_text(statement, static_cast<int>(i + 1), values[i].c_str(), -1, SQLITE_TRANSIENT);
  std::vector<std::string> rows;
  int step = SQLITE_ROW;
  while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(statement, 0);
    rows.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
  }
  sqlite3_finalize(statement);
  if (step != SQLITE_DONE) throw std::runtime_error(std::string("SQL failed: ") + sqlite3_errmsg(db) + ": " + sql);
  return rows;
}

// A database opened read-only: collector.db, or a device's store through its key (SQLite reads the WAL, so what the
// running process committed is visible).
class CollectorDatabase {
 public:
  explicit CollectorDatabase(const fs::path& file) {
    if (testing::open_store_file(file, &db_, SQLITE_OPEN_READONLY) != SQLITE_OK)
      throw std::runtime_error("cannot open " + file.string() + " read-only");
    sqlite3_busy_timeout(db_, 5000);
  }
  ~CollectorDatabase() { sqlite3_close(db_); }
  CollectorDatabase(const CollectorDatabase&) = delete;
  CollectorDatabase& operator=(const CollectorDatabase&) = delete;

  // The first column of every row of `sql`, as text; `?` placeholders take `values` in order.
  std::vector<std::string> column(const std::string& sql, const std::vector<std::string>& values = {}) const {
    return query_column(db_, sql, values);
  }
  long long integer(const std::string& sql, const std::vector<std::string>& values = {}) const {
    auto rows = column(sql, values);
    return rows.empty() ? 0 : std::atoll(rows.front().c_str());
  }

 private:
  sqlite3* db_ = nullptr;
};

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The fixture
// ---------------------------------------------------------------------------------------------------------------

// A fresh folder and a real tsunagi-collector serving HTTPS on 127.0.0.1 (any free port), with the default
// reference data imported (so that 東・博多エリア contains 東区). Everything it started stops with it.
class SyncFixture {
 public:
  SyncFixture() {
    fs::create_directories(collector_dir());
    auto imported = testing::run(
        {TSUNAGI_COLLECTOR_BIN, "reference", "import", TSUNAGI_REFERENCE_FILE, "--data", collector_dir().string()});
    if (imported.exit_code != 0) throw std::runtime_error("reference import failed: " + describe(imported));
    collector = std::make_unique<testing::CollectorProcess>(TSUNAGI_COLLECTOR_BIN, collector_dir());
  }

  fs::path collector_dir() const { return root.path() / "collector"; }
  fs::path folder(const std::string& name) const { return root.path() / name; }

  // `tsunagi-collector user add`: the pasteable enrollment line. Staff get `team`.
  std::string add_user(const std::string& name, const std::string& role, const std::string& team = "",
                       const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> words = extra;
    if (!team.empty()) words.insert(words.end(), {"--team", team});
    return collector->add_user(name, role, words);
  }
  testing::ProcessResult admin(const std::vector<std::string>& words) const { return collector->admin(words); }

  Laptop laptop(const std::string& name) const { return Laptop(folder(name)); }
  EngineDevice engine_device(const std::string& name, const std::string& line) const {
    return enroll_engine_device(folder(name), line);
  }
  // A transport to the collector, as a device would have it (pinned).
  std::unique_ptr<sync::Transport> transport() const {
    return sync::make_curl_transport(collector->url(), {collector->pin(), ""});
  }
  CollectorDatabase database() const { return CollectorDatabase(collector_dir() / "collector.db"); }

  TempFolder root;
  std::unique_ptr<testing::CollectorProcess> collector;
};

}  // namespace tsunagi::sync_tests
