// Power cuts: a SQLite VFS shim (tests/support/power_cut_vfs) drops what was written and not yet synced when the
// power goes, at random calls among those of 200 pushes into the collector (served in this process, over HTTPS from
// an in-process device) or of 200 saves of the record editor (EditorModel through its StoreWriter, as the window
// saves). The machine starts again, the store opens and passes integrity_check, and every revision the collector
// answered "stored" (or "already_stored") and every draft the editor reported saved is there, with its text.
//
// A run starts in a fresh folder and draws its cut points among the calls of a whole run (writes, syncs, truncations
// and deletions of files under the folder: inside transactions, WAL writes and checkpoints alike). The last one cuts
// the power: every later call fails, the program closes everything, the disk restarts, the stores open again. Each
// earlier one is a ghost cut: the disk as a cut there would leave it is copied aside and the run goes on. Each cut
// point is a trial, checked against what was acknowledged before it. Trials alternate between losing every unsynced
// write and tearing them at random (PowerCutVfs::Loss).
//
// TSUNAGI_POWER_CUT_TRIALS: cut points per kind (200 by default; bench/trials.sh runs more); TSUNAGI_POWER_CUT_GHOSTS:
// ghost cuts per run (4 by default, 9 under AddressSanitizer; 0: every trial a real cut); TSUNAGI_POWER_CUT_SEED: the
// first run's seed (1).
#include <atomic>
#include <cstdlib>
#include <random>

#include "app/editor_model.hpp"
#include "app/store_writer.hpp"
#include "collector/server.hpp"
#include "collector/store.hpp"
#include "model/ids.hpp"
#include "sync/tls.hpp"
#include "tests/support/power_cut_vfs.hpp"
#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

using testing::PowerCutVfs;

constexpr int kPushes = 200;  // per run, each of one to three changed records
constexpr int kSaves = 200;   // per run

int env_count(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  return std::max(0, std::atoi(text));
}
int trial_count() { return env_count("TSUNAGI_POWER_CUT_TRIALS", 200); }
// A run costs about seven times as much under AddressSanitizer: there, fewer runs with more ghost cuts each keep the
// trials at 200 within the test's time limit.
#if defined(__SANITIZE_ADDRESS__)
constexpr int kGhostsPerRun = 9;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int kGhostsPerRun = 9;
#else
constexpr int kGhostsPerRun = 4;
#endif
#else
constexpr int kGhostsPerRun = 4;
#endif
int ghosts_per_run() { return env_count("TSUNAGI_POWER_CUT_GHOSTS", kGhostsPerRun); }
int first_seed() { return std::max(1, env_count("TSUNAGI_POWER_CUT_SEED", 1)); }

std::string thousands(std::int64_t value) {
  std::string digits = std::to_string(value);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

// One cut point of a run, and what its check found.
struct Cut {
  bool ghost = false;
  std::int64_t planned = 0;  // the counted call it comes before, from the run's first push or save; 0: at rest
  PowerCutVfs::Loss loss = PowerCutVfs::Loss::All;
  unsigned seed = 0;  // of its randomness (Loss::Torn)
  fs::path folder;    // the files as it left them: a ghost's copy, or the run's own folder
  bool taken = false;
  PowerCutVfs::CutPoint point;
  PowerCutVfs::Aftermath after;
  std::size_t known = 0;            // acknowledgements the test had received before it: those its check holds it to
  int checked = 0;                  // acknowledged revisions or saves checked
  std::vector<std::string> losses;  // empty when nothing acknowledged is missing
};

// What one run did, with its cut points.
struct RunOutcome {
  int seed = 0;
  std::int64_t calls = 0;  // counted calls from the first push or save to the real cut
  int operations = 0;      // pushes or saves begun
  std::vector<Cut> cuts;   // the real cut last

  std::string describe(const Cut& cut) const {
    std::string text =
        "run seed " + std::to_string(seed) + " (TSUNAGI_POWER_CUT_SEED=" + std::to_string(seed) + "), " +
        (cut.ghost ? "ghost cut" : "real cut") + ", loss " + std::string(PowerCutVfs::loss_name(cut.loss)) +
        (cut.point.operation == "none"
             ? " at rest after call " + std::to_string(cut.point.call - 1)
             : " at call " + std::to_string(cut.point.call) + " (" + cut.point.operation + " " + cut.point.file + ")") +
        "; the run made " + std::to_string(operations) + " operations; " + std::to_string(cut.checked) +
        " acknowledged before the cut checked";
    for (const auto& loss_text : cut.losses) text += "\n  " + loss_text;
    return text;
  }
};

// The cut points of a run: `points` calls drawn among the first `budget` of a run; the last cuts the power (in
// `folder`), each earlier one is a ghost cut copied into root/ghost-N. Without a budget: one real cut, at rest.
std::vector<Cut> plan_cuts(std::int64_t budget, int points, int seed, std::mt19937& random, const fs::path& root,
                           const fs::path& folder) {
  std::vector<std::int64_t> calls;
  for (int i = 0; budget > 0 && i < points; ++i) calls.push_back(1 + static_cast<std::int64_t>(random() % budget));
  std::sort(calls.begin(), calls.end());
  calls.erase(std::unique(calls.begin(), calls.end()), calls.end());
  if (calls.empty()) calls.push_back(0);
  std::vector<Cut> cuts(calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    Cut& cut = cuts[i];
    cut.ghost = i + 1 < calls.size();
    cut.planned = calls[i];
    cut.loss = (seed + static_cast<int>(i)) % 2 == 1 ? PowerCutVfs::Loss::All : PowerCutVfs::Loss::Torn;
    cut.seed = static_cast<unsigned>(seed) * 1000u + static_cast<unsigned>(i);
    cut.folder = cut.ghost ? root / ("ghost-" + std::to_string(i)) : folder;
  }
  return cuts;
}

// Sets the run's cut points on `disk`, counted from now. A ghost cut notes how many acknowledgements `known` says the
// test had by then. `cuts` must not move until the run ends.
void arm_cuts(PowerCutVfs& disk, std::vector<Cut>& cuts, const std::atomic<std::size_t>& known) {
  const std::int64_t start = disk.calls();
  for (Cut& cut : cuts) {
    if (!cut.ghost) {
      if (cut.planned > 0) disk.cut_at(start + cut.planned);
      continue;
    }
    Cut* target = &cut;
    disk.ghost_cut_at(start + cut.planned, cut.folder, cut.loss, cut.seed,
                      [target, &known](const PowerCutVfs::CutPoint& point, const PowerCutVfs::Aftermath& after) {
                        target->point = point;
                        target->after = after;
                        target->known = known.load();
                        target->taken = true;
                      });
  }
}

// The figures of one kind's trials, for the line each test prints.
struct Figures {
  int trials = 0;
  int runs = 0;
  int ghosts = 0;
  std::int64_t operations = 0;
  std::int64_t checked = 0;
  std::int64_t lost = 0;
  PowerCutVfs::Aftermath after;
  std::map<std::string, int> cuts;  // "WAL write": trials cut at such a call

  void add(const Cut& cut) {
    ++trials;
    if (cut.ghost) ++ghosts;
    checked += cut.checked;
    lost += static_cast<std::int64_t>(cut.losses.size());
    after.writes_unsynced += cut.after.writes_unsynced;
    after.pieces_lost += cut.after.pieces_lost;
    after.pieces_kept += cut.after.pieces_kept;
    after.pieces_garbled += cut.after.pieces_garbled;
    after.entries_undone += cut.after.entries_undone;
    after.sizes_undone += cut.after.sizes_undone;
    const std::string& file = cut.point.file;
    const bool log = file.size() > 4 && file.compare(file.size() - 4, 4, "-wal") == 0;
    ++cuts[cut.point.operation == "none" ? "rest" : (log ? "WAL " : "database ") + cut.point.operation];
  }

  std::string line(const std::string& what, const std::string& checked_what) const {
    std::string where;
    for (const auto& [call, count] : cuts) where += (where.empty() ? "" : ", ") + call + " " + std::to_string(count);
    return std::to_string(trials) + " trials (" + std::to_string(trials - ghosts) + " real cuts, " +
           std::to_string(ghosts) + " ghost cuts, in " + std::to_string(runs) + " runs of " + thousands(operations) +
           " " + what + "): " + thousands(checked) + " " + checked_what + " checked, lost " + std::to_string(lost) +
           "; cut at: " + where + "; unsynced writes dropped or torn " + thousands(after.writes_unsynced) +
           " (pieces lost " + thousands(after.pieces_lost) + ", kept " + thousands(after.pieces_kept) + ", garbled " +
           thousands(after.pieces_garbled) + "), file entries undone " + thousands(after.entries_undone) +
           ", sizes undone " + thousands(after.sizes_undone);
  }
};

// One run without a cut during it (it counts the calls of a whole run, the budget), then runs from the first seed on
// until TSUNAGI_POWER_CUT_TRIALS cut points are checked, stopping at the first that lost something acknowledged.
template <class Run>
Figures run_trials(Run run) {
  const RunOutcome whole = run(0, 0, 1);
  REQUIRE(whole.cuts.size() == 1);
  INFO("the run without a cut during it: " << whole.describe(whole.cuts.back()));
  REQUIRE(whole.cuts.back().losses.empty());
  REQUIRE(whole.calls > 0);
  REQUIRE(whole.cuts.back().checked > 0);
  Figures figures;
  for (int seed = first_seed(); figures.trials < trial_count(); ++seed) {
    const RunOutcome outcome = run(seed, whole.calls, std::min(1 + ghosts_per_run(), trial_count() - figures.trials));
    ++figures.runs;
    figures.operations += outcome.operations;
    for (const Cut& cut : outcome.cuts) {
      if (!cut.taken) continue;  // a ghost cut planned past the run's end
      INFO(outcome.describe(cut));
      REQUIRE(cut.losses.empty());
      figures.add(cut);
    }
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------------------------
// The disk itself
// ---------------------------------------------------------------------------------------------------------------

// A plain SQLite connection (through the default VFS, so through the shim while one is installed).
class RawDatabase {
 public:
  explicit RawDatabase(const fs::path& file) {
    REQUIRE(sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) == SQLITE_OK);
  }
  ~RawDatabase() { sqlite3_close(db_); }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;
  int exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  // The first column of the first row of `sql`, as text ("" when there is none).
  std::string value(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    std::string text;
    if (sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_text(statement, 0))
      text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    return text;
  }

 private:
  sqlite3* db_ = nullptr;
};

// The shim against what a disk keeps: commits synced survive, writes never synced do not, and a name survives only
// once its folder was synced. The last case is SQLite's documented reason for synchronous=EXTRA: in DELETE journal
// mode, a journal unlinked without a sync of its folder may come back after a power cut, hot, and undo the commit.
TEST_CASE("the power-cut disk keeps what was synced and loses what was not", "[power-cut]") {
  TempFolder root;
  std::mt19937 random(1);
  auto cut_and_restart = [&](const std::function<void()>& before_cut) {
    PowerCutVfs disk(root.path());
    before_cut();
    disk.cut_now();
    return disk.restart(PowerCutVfs::Loss::All, random);
  };

  SECTION("WAL: what synchronous=FULL committed survives, what synchronous=OFF committed is lost") {
    const auto after = cut_and_restart([&] {
      RawDatabase db(root.path() / "wal.db");
      REQUIRE(db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(x)") == SQLITE_OK);
      for (int i = 0; i < 20; ++i) REQUIRE(db.exec("INSERT INTO t VALUES(" + std::to_string(i) + ")") == SQLITE_OK);
      REQUIRE(db.exec("PRAGMA synchronous=OFF") == SQLITE_OK);
      for (int i = 0; i < 20; ++i) REQUIRE(db.exec("INSERT INTO t VALUES(" + std::to_string(i) + ")") == SQLITE_OK);
    });
    CHECK(after.writes_unsynced >= 20);
    RawDatabase db(root.path() / "wal.db");
    CHECK(db.value("SELECT count(*) FROM t") == "20");
    CHECK(db.value("PRAGMA integrity_check") == "ok");
  }
  SECTION("a dead machine writes nothing") {
    PowerCutVfs disk(root.path());
    {
      RawDatabase db(root.path() / "dead.db");
      REQUIRE(db.exec("PRAGMA journal_mode=WAL; CREATE TABLE t(x)") == SQLITE_OK);
      disk.cut_now();
      CHECK(db.exec("INSERT INTO t VALUES(1)") != SQLITE_OK);
    }
    (void)disk.restart(PowerCutVfs::Loss::All, random);
  }
  SECTION("a file never synced, in a folder never synced, is gone") {
    const auto after = cut_and_restart([&] {
      RawDatabase db(root.path() / "new.db");
      REQUIRE(db.exec("PRAGMA synchronous=OFF; CREATE TABLE t(x); INSERT INTO t VALUES(1)") == SQLITE_OK);
    });
    CHECK(after.entries_undone >= 1);
    CHECK(!fs::exists(root.path() / "new.db"));
  }
  SECTION("DELETE journal mode: FULL may lose the last commit, EXTRA (which syncs the folder) does not") {
    for (const std::string synchronous : {"FULL", "EXTRA"}) {
      const fs::path file = root.path() / (synchronous + ".db");
      (void)cut_and_restart([&] {
        RawDatabase db(file);
        REQUIRE(db.exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=" + synchronous + "; CREATE TABLE t(x)") ==
                SQLITE_OK);
        REQUIRE(db.exec("INSERT INTO t VALUES(1)") == SQLITE_OK);
      });
      RawDatabase db(file);
      INFO("synchronous=" << synchronous);
      CHECK(db.value("SELECT count(*) FROM t") == (synchronous == "FULL" ? "0" : "1"));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pushes
// ---------------------------------------------------------------------------------------------------------------

// A collector serving on a thread of its own, stopped (and its store connections closed) on destruction.
class ServedCollector {
 public:
  explicit ServedCollector(const sync::CollectorOptions& options) {
    auto started = sync::CollectorServer::start(options);
    INFO((started ? std::string() : started.error().describe()));
    REQUIRE(started);
    server_ = std::move(*started);
    thread_ = std::thread([this] { server_->serve(); });
  }
  ~ServedCollector() {
    server_->stop();
    thread_.join();
  }
  sync::CollectorServer& operator*() { return *server_; }
  sync::CollectorServer* operator->() { return server_.get(); }

 private:
  std::unique_ptr<sync::CollectorServer> server_;
  std::thread thread_;
};

// The collector's files in `folder` after a cut, as the collector starts again on them: the store opens, passes
// integrity_check, holds every revision in `acknowledged` (answered stored), and each record's document holds the
// title of its latest acknowledged revision unless a later revision replaced it. Returns what is missing.
std::vector<std::string> check_collector(const fs::path& folder,
                                         const std::vector<std::pair<std::string, std::string>>& acknowledged,
                                         const std::map<std::pair<std::string, std::string>, std::string>& titles) {
  std::vector<std::string> losses;
  auto reopened = sync::open_sqlite_collector_store(folder);
  if (!reopened) return {"the collector's store does not open: " + reopened.error().describe()};
  CollectorDatabase database(folder / "collector.db");
  const auto integrity = database.column("PRAGMA integrity_check");
  if (integrity != std::vector<std::string>{"ok"})
    losses.push_back("integrity_check: " + (integrity.empty() ? std::string("?") : integrity.front()));
  std::set<std::string> revisions;
  for (auto& row : database.column("SELECT record_id || ' ' || hlc FROM revisions")) revisions.insert(row);
  std::map<std::string, std::pair<std::string, std::string>> records;  // id → (clock, title)
  for (const auto& row : database.column(
           "SELECT id || char(9) || hlc || char(9) || coalesce(json_extract(doc, '$.title'), '') FROM records")) {
    const auto tab = row.find('\t');
    const auto second = row.find('\t', tab + 1);
    records[row.substr(0, tab)] = {row.substr(tab + 1, second - tab - 1), row.substr(second + 1)};
  }
  std::map<std::string, std::string> latest;  // id → its latest acknowledged clock
  for (const auto& [id, clock] : acknowledged) {
    if (!revisions.count(id + " " + clock))
      losses.push_back("revision " + id + " @ " + clock + " was answered stored and is not in revisions");
    if (latest[id] < clock) latest[id] = clock;
  }
  for (const auto& [id, clock] : latest) {
    auto record = records.find(id);
    const auto title = titles.find({id, clock});
    if (record == records.end()) {
      losses.push_back("record " + id + " (acknowledged @ " + clock + ") is missing");
    } else if (record->second.first < clock) {
      losses.push_back("record " + id + " is @ " + record->second.first + ", its acknowledged revision @ " + clock);
    } else if (record->second.first == clock && (title == titles.end() || record->second.second != title->second)) {
      losses.push_back("record " + id + " @ " + clock + " reads '" + record->second.second + "'");
    }
  }
  return losses;
}

// A member of staff added to the collector store in `folder`, as `tsunagi-collector user add` does: the enrollment
// code issued.
std::string add_staff_member(const fs::path& folder) {
  const std::string code = sync::new_enrollment_code();
  auto admin = sync::open_sqlite_collector_store(folder);
  REQUIRE(admin);
  sync::User user;
  user.name = "佐藤 美咲";
  user.role = sync::Role::Staff;
  user.team = "東区";
  auto added = (*admin)->add_user(user);
  REQUIRE(added);
  REQUIRE((*admin)->add_enrollment_code(added->id, sync::sha256_hex(sync::canonical_enrollment_code(code)),
                                        now_unix_ms() + 3600 * 1000));
  return code;
}

// A collector on `folder`, served in this process on a free port with the certificate in `tls`.
sync::CollectorOptions served_options(const fs::path& folder, const fs::path& tls) {
  sync::CollectorOptions options;
  options.data_dir = folder;
  options.port = 0;
  options.cert_file = tls / "cert.pem";
  options.key_file = tls / "key.pem";
  options.threads = 4;
  options.log = [](const std::string&) {};
  return options;
}

// One run: a new collector (its user added, its enrollment code issued, as `tsunagi-collector user add` does) and an
// enrolled device; kPushes rounds of one to three changes (new case reviews, or new titles of earlier ones), each
// synced at once, until the power goes; the restart; the checks of every cut point.
RunOutcome push_run(const fs::path& tls, int seed, std::int64_t budget, int points) {
  std::mt19937 random(static_cast<unsigned>(seed));
  TempFolder root;
  const fs::path collector_dir = root.path() / "collector";
  fs::create_directories(collector_dir);
  RunOutcome outcome;
  outcome.seed = seed;
  outcome.cuts = plan_cuts(budget, points, seed, random, root.path(), collector_dir);
  std::map<std::pair<std::string, std::string>, std::string> titles;  // (id, clock) → title
  std::vector<std::pair<std::string, std::string>> acknowledged;      // (id, clock) answered stored, in order
  std::atomic<std::size_t> known{0};                                  // acknowledged.size(), for ghost cuts
  Cut& real = outcome.cuts.back();
  {
    PowerCutVfs disk(collector_dir);
    {
      const std::string code = add_staff_member(collector_dir);
      ServedCollector collector(served_options(collector_dir, tls));
      EngineDevice device = enroll_engine_device(
          root.path() / "device", sync::format_enrollment_line({collector->url(), code, collector->pin()}));
      FaultTransport wire(*device.transport);  // keeps every answer
      // Another connection checkpoints now and then, besides the collector's own thread (once a second), so that
      // cuts fall inside checkpoints too.
      auto checkpoints = sync::open_sqlite_collector_store(collector_dir, /*background_checkpoints=*/true);
      REQUIRE(checkpoints);
      sync::SyncOptions sync_options = test_sync_options();
      sync_options.attempts = 2;
      sync_options.sleep = [](int) {};

      const std::int64_t start = disk.calls();
      arm_cuts(disk, outcome.cuts, known);
      std::vector<std::string> ids;
      std::size_t answers_read = 0;
      for (int push = 0; push < kPushes && !disk.is_cut(); ++push) {
        const int changes = 1 + static_cast<int>(random() % 3);
        for (int change = 0; change < changes; ++change) {
          const std::string title = "push " + std::to_string(push) + " change " + std::to_string(change);
          const bool edit = !ids.empty() && random() % 3 == 0;
          auto stored = edit ? device.store->update(ids[random() % ids.size()], json{{"title", title}})
                             : device.store->create(to_record(case_review_json(title, "東区")));
          INFO((stored ? std::string() : stored.error().describe()));
          REQUIRE(stored);  // the device's store is not under the cut
          if (!edit) ids.push_back(stored->id);
          titles[{stored->id, stored->clock}] = title;
        }
        (void)device.sync(sync_options, &wire);
        ++outcome.operations;
        for (; answers_read < wire.answers().size(); ++answers_read) {
          const auto& answer = wire.answers()[answers_read];
          if (answer.path != sync::kPushPath || answer.status != 200) continue;
          const json body = json::parse(answer.body);
          for (const auto& result : body.at("results")) {
            const std::string status = result.at("status");
            if (status == "stored" || status == "already_stored")
              acknowledged.emplace_back(result.at("id").get<std::string>(), result.at("hlc").get<std::string>());
          }
        }
        known.store(acknowledged.size());
        if (random() % 8 == 0) (void)(*checkpoints)->checkpoint();
      }
      disk.cut_now();  // when the run ended before the cut: at rest
      outcome.calls = disk.calls() - start;
      real.point = disk.cut_point();
      real.known = acknowledged.size();
    }  // the collector stops, every connection closes
    std::mt19937 restart_random(real.seed);
    real.after = disk.restart(real.loss, restart_random);
    real.taken = true;
  }
  for (Cut& cut : outcome.cuts) {
    if (!cut.taken) continue;
    const std::vector<std::pair<std::string, std::string>> before(
        acknowledged.begin(), acknowledged.begin() + static_cast<std::ptrdiff_t>(cut.known));
    cut.checked = static_cast<int>(before.size());
    cut.losses = check_collector(cut.folder, before, titles);
  }
  return outcome;
}

TEST_CASE("power cuts during pushes lose no revision the collector answered stored", "[power-cut]") {
  TempFolder shared;
  const fs::path tls = shared.path() / "tls";
  REQUIRE(sync::load_or_create_identity(tls));  // one certificate for every run's collector
  const auto started = std::chrono::steady_clock::now();
  const Figures figures =
      run_trials([&tls](int seed, std::int64_t budget, int points) { return push_run(tls, seed, budget, points); });
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN("power cuts, pushes: " << figures.line("pushes", "revisions answered stored") << " (" << seconds << " s)");
}

TEST_CASE("a collector whose disk is full answers 507, and the device keeps its changes until there is room",
          "[power-cut]") {
  TempFolder root;
  const fs::path collector_dir = root.path() / "collector";
  fs::create_directories(collector_dir);
  REQUIRE(sync::load_or_create_identity(root.path() / "tls"));
  PowerCutVfs disk(collector_dir);
  {
    const std::string code = add_staff_member(collector_dir);
    ServedCollector collector(served_options(collector_dir, root.path() / "tls"));
    EngineDevice device = enroll_engine_device(
        root.path() / "device", sync::format_enrollment_line({collector->url(), code, collector->pin()}));
    device.import({to_record(case_review_json("空きのあるうち", "東区"))});
    REQUIRE(device.sync().result == sync::SyncResult::Done);

    disk.set_full(true);
    std::vector<Record> large;
    for (int i = 0; i < 3; ++i) {
      json review = case_review_json("満杯の後 " + std::to_string(i), "東区");
      review["issues"] = std::string(60000, 'x');  // more than the log has room for
      large.push_back(to_record(review));
    }
    device.import(std::move(large));
    FaultTransport wire(*device.transport);
    auto outcome = device.sync(test_sync_options(), &wire);
    CHECK(outcome.result == sync::SyncResult::Failed);
    CHECK(outcome.error.code == "collector.full");
    CHECK(outcome.error.message_ja.find("ディスク") != std::string::npos);
    REQUIRE_FALSE(wire.answers().empty());
    CHECK(wire.answers().back().status == 507);
    CHECK(device.outbox_size() == 3);  // nothing dropped: the changes wait

    disk.set_full(false);  // room again: the same sync goes through
    REQUIRE(device.sync().result == sync::SyncResult::Done);
    CHECK(device.outbox_size() == 0);
    CollectorDatabase database(collector_dir / "collector.db");
    CHECK(database.integer("SELECT count(*) FROM records") == 4);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Editor saves
// ---------------------------------------------------------------------------------------------------------------

// A save the editor was asked for: the record and the title typed.
struct SaveAttempt {
  std::string id;
  std::string title;
};

// Typing the scratch holds that no save has stored since.
struct Autosaved {
  std::string id;
  std::string title;
};

// The data folder `folder` after a cut, as the program's next start finds it: the store opens, passes
// integrity_check, and each record whose save the editor reported (`saved`: indices into `attempts`) holds the title
// of its last such save, or of a save of it asked for later (its answer may have come after the cut), with an
// outbox entry at its clock (so it will sync); typing autosaved is in the scratch or in the record. Returns what is
// missing.
std::vector<std::string> check_data_folder(const fs::path& folder, const std::vector<SaveAttempt>& attempts,
                                           const std::vector<std::size_t>& saved,
                                           const std::optional<Autosaved>& autosaved) {
  std::vector<std::string> losses;
  auto store = Store::open(folder);
  if (!store) return {"the store does not open: " + store.error().describe()};
  CollectorDatabase database(folder / Store::kFileName);  // any SQLite file, read-only
  const auto integrity = database.column("PRAGMA integrity_check");
  if (integrity != std::vector<std::string>{"ok"})
    losses.push_back("integrity_check: " + (integrity.empty() ? std::string("?") : integrity.front()));
  auto outbox = (*store)->outbox(1000000);
  REQUIRE(outbox);
  std::set<std::pair<std::string, std::string>> waiting;  // (record id, clock) in the outbox
  for (const auto& entry : *outbox) waiting.emplace(entry.record_id, entry.clock);
  std::map<std::string, std::size_t> last_saved;  // id → its last attempt reported saved
  for (std::size_t attempt : saved) last_saved[attempts[attempt].id] = attempt;
  for (const auto& [id, attempt] : last_saved) {
    auto record = (*store)->get(id);
    REQUIRE(record);
    if (!*record) {
      losses.push_back("record " + id + " ('" + attempts[attempt].title + "') was reported saved and is missing");
      continue;
    }
    bool as_saved = false;
    for (std::size_t later = attempt; later < attempts.size() && !as_saved; ++later)
      as_saved = attempts[later].id == id && attempts[later].title == (*record)->title;
    if (!as_saved)
      losses.push_back("record " + id + " reads '" + (*record)->title + "', saved as '" + attempts[attempt].title +
                       "'");
    if (!waiting.count({id, (*record)->clock}))
      losses.push_back("record " + id + " @ " + (*record)->clock + " has no outbox entry at its clock");
  }
  if (autosaved) {
    auto scratch = (*store)->setting(EditorModel::kScratchKey);
    REQUIRE(scratch);
    std::string in_scratch;
    if (!scratch->empty()) {
      const json state = json::parse(*scratch, nullptr, false);
      if (!state.is_discarded() && state.contains("record") && state["record"].contains("title"))
        in_scratch = state["record"]["title"].get<std::string>();
    }
    auto record = (*store)->get(autosaved->id);
    REQUIRE(record);
    const bool in_record = *record && (*record)->title == autosaved->title;
    if (in_scratch != autosaved->title && !in_record)
      losses.push_back("typing autosaved as '" + autosaved->title + "' is neither in the scratch ('" + in_scratch +
                       "') nor in the record");
  }
  return losses;
}

// One run: a new data folder, the window's two connections (the UI thread's reader, the StoreWriter), and kSaves
// rounds of the editor until the power goes: a new record or one saved before is opened, its title typed, the scratch
// autosaved when focus leaves the field (every other round), and Ctrl+S; the restart; the checks of every cut point
// (the scratch at the real cut only: a ghost cut does not stop the editor, whose later saves clear it).
RunOutcome save_run(int seed, std::int64_t budget, int points) {
  std::mt19937 random(static_cast<unsigned>(seed));
  TempFolder root;
  const fs::path data = root.path() / "data";
  fs::create_directories(data);
  RunOutcome outcome;
  outcome.seed = seed;
  outcome.cuts = plan_cuts(budget, points, seed, random, root.path(), data);
  std::vector<SaveAttempt> attempts;  // every save asked for, in order
  std::vector<std::size_t> saved;     // the attempts reported saved, in the order the answers came
  std::atomic<std::size_t> known{0};  // saved.size(), for ghost cuts
  std::optional<Autosaved> autosaved;
  Cut& real = outcome.cuts.back();
  StoreOptions options;
  options.checkpoint_pages = 8 + static_cast<int>(random() % 56);  // the log goes into the file every few saves
  {
    PowerCutVfs disk(data);
    {
      auto reader = Store::open(data, options);
      INFO((reader ? std::string() : reader.error().describe()));
      REQUIRE(reader);
      StoreWriter writer(data, options);
      auto now = std::chrono::steady_clock::now();
      EditorOptions editor_options;
      editor_options.now = [&now] { return now; };
      EditorModel editor(**reader, writer, editor_options);
      writer.post([](Store*, const Error*) -> StoreWriter::Completion { return [] {}; });
      writer.wait_idle();  // the writer's connection is open

      const std::int64_t start = disk.calls();
      arm_cuts(disk, outcome.cuts, known);
      std::vector<std::string> ids;
      constexpr RecordKind kKinds[] = {RecordKind::Meeting, RecordKind::CaseReview, RecordKind::Outreach};
      for (int round = 0; round < kSaves && !disk.is_cut(); ++round) {
        const bool fresh = ids.empty() || random() % 2 == 0;
        const Status opened =
            fresh ? editor.start_new(kKinds[random() % 3], "2024-06-11") : editor.open(ids[random() % ids.size()]);
        if (!opened) break;  // the power went while it was read
        const std::string title = "下書き " + std::to_string(round) + " 𠮷野の会議";
        const std::string id = editor.record().id;
        editor.record().title = title;
        editor.changed("/title");
        now += std::chrono::milliseconds(500);
        if (random() % 2 == 0) {
          const auto before = editor.last_autosaved();
          editor.field_left();  // the scratch is written
          writer.wait_idle();
          if (editor.last_autosaved() != before) autosaved = Autosaved{id, title};
        }
        ++outcome.operations;
        attempts.push_back({id, title});
        REQUIRE(editor.save());  // queued
        writer.wait_idle();
        bool stored = false;
        for (const auto& record : editor.take_stored()) stored = stored || record.id == id;
        if (!stored) continue;                            // the power went: the loop ends
        REQUIRE(editor.notice() == EditorNotice::Saved);  // 保存しました
        saved.push_back(attempts.size() - 1);
        known.store(saved.size());
        autosaved.reset();
        if (fresh) ids.push_back(id);
      }
      disk.cut_now();  // when the run ended before the cut: at rest
      outcome.calls = disk.calls() - start;
      real.point = disk.cut_point();
      real.known = saved.size();
    }  // the editor, the writer and the reader close their connections
    std::mt19937 restart_random(real.seed);
    real.after = disk.restart(real.loss, restart_random);
    real.taken = true;
  }
  for (Cut& cut : outcome.cuts) {
    if (!cut.taken) continue;
    const std::vector<std::size_t> before(saved.begin(), saved.begin() + static_cast<std::ptrdiff_t>(cut.known));
    cut.checked = static_cast<int>(before.size());
    cut.losses = check_data_folder(cut.folder, attempts, before, cut.ghost ? std::nullopt : autosaved);
  }
  return outcome;
}

TEST_CASE("power cuts during editor saves lose no draft the editor reported saved", "[power-cut]") {
  const auto started = std::chrono::steady_clock::now();
  const Figures figures = run_trials(save_run);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN("power cuts, editor saves: " << figures.line("saves", "saves reported saved") << " (" << seconds << " s)");
}

}  // namespace
}  // namespace tsunagi::sync_tests
