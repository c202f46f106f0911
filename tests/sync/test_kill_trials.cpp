// Kill trials: a real `tsunagi sync` process, or the real tsunagi-collector, stopped by a kill point
// (sync/kill_point.hpp) in the middle of a request, SIGKILLed there, started again and synced clean; after each
// kill the collector and both laptops hold the same records, each exactly once, every record created and every
// latest edit and deletion. Kills that never land (the sync finished before its point) are counted apart and do not
// count towards the required number.
//
// The world: laptop A (staff of 東区: case reviews of its own, and B's meetings) and laptop B (a supervisor: sees
// everything); each trial gives both new records, edits and deletions, so something is on the wire in both
// directions. TSUNAGI_KILL_TRIALS_CLIENT (default 50) and TSUNAGI_KILL_TRIALS_COLLECTOR (default 20) set how many
// kills must land; TSUNAGI_KILL_SEED (default 1) seeds the choice of point, count and sizes. bench/trials.sh runs
// more.
//
// [SECTION] Processes stopped at a kill point
// [SECTION] The world: two laptops, their changes, what each must hold
// [SECTION] Trials
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <iomanip>
#include <random>

#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

using testing::env_count;
using testing::kill_and_reap;
using testing::process_state;
using testing::watch_until_stopped;
using testing::Watched;

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Processes stopped at a kill point
// ---------------------------------------------------------------------------------------------------------------

// Starts `argv` with stdout and stderr appended to `log` and `extra_env` on top of ours.
pid_t spawn_logged(const std::vector<std::string>& argv, const fs::path& log,
                   const std::vector<std::string>& extra_env = {}) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const auto& word : argv) args.push_back(const_cast<char*>(word.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** entry = environ; *entry; ++entry) env_strings.emplace_back(*entry);
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> env;
  for (auto& entry : env_strings) env.push_back(entry.data());
  env.push_back(nullptr);
  pid_t pid = -1;
  int failed = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (failed) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

// The text of `file` from byte `from` on (a log that earlier runs wrote to as well).
std::string read_text(const fs::path& file, std::uintmax_t from = 0) {
  std::ifstream in(file);
  in.seekg(static_cast<std::streamoff>(from));
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
std::uintmax_t log_size(const fs::path& file) {
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  return ec ? 0 : size;
}

// Starts the collector again on its port and folder with TSUNAGI_KILL_POINT set to `point` (none when empty).
// CollectorProcess gives its child our environment: the variable is ours only while it starts.
void restart_collector(testing::CollectorProcess& collector, const std::string& point) {
  if (!point.empty()) ::setenv("TSUNAGI_KILL_POINT", point.c_str(), 1);
  try {
    collector.restart();
  } catch (...) {
    ::unsetenv("TSUNAGI_KILL_POINT");
    throw;
  }
  ::unsetenv("TSUNAGI_KILL_POINT");
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] The world: two laptops, their changes, what each must hold
// ---------------------------------------------------------------------------------------------------------------

struct Expected {
  std::string title;
  bool deleted = false;
  int owner = 0;  // index of the laptop that wrote it
  bool meeting = false;
};

struct Device {
  std::string name;
  fs::path data;
  bool staff = false;             // staff see their own records and meetings of their area
  std::vector<std::string> live;  // its own records not deleted: what it edits
  fs::path log() const { return data.parent_path() / (name + ".log"); }
  std::vector<std::string> tsunagi_argv(const std::vector<std::string>& words) const {
    std::vector<std::string> argv{TSUNAGI_BIN, "--data", data.string(), "--lang", "en"};
    argv.insert(argv.end(), words.begin(), words.end());
    return argv;
  }
};

// An in-memory SQLite database holding what every replica must hold (table `expected`), to which a store is
// attached read-only for the length of a comparison.
class Ledger {
 public:
  Ledger() {
    if (sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nullptr) !=
        SQLITE_OK)
      throw std::runtime_error("cannot open an in-memory database");
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA temp_store = MEMORY");  // for the encrypted stores it attaches
    exec(
        "CREATE TABLE expected(id TEXT PRIMARY KEY, title TEXT NOT NULL, deleted INTEGER NOT NULL, "
        "owner INTEGER NOT NULL, meeting INTEGER NOT NULL) WITHOUT ROWID");
  }
  ~Ledger() { sqlite3_close(db_); }
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // The first column of every row of `sql`, as text; `?` placeholders take `values` in order.
  std::vector<std::string> column(const std::string& sql, const std::vector<std::string>& values = {}) {
    return query_column(db_, sql, values);
  }
  void exec(const std::string& sql, const std::vector<std::string>& values = {}) { column(sql, values); }
  long long integer(const std::string& sql) {
    auto rows = column(sql);
    return rows.empty() ? 0 : std::atoll(rows.front().c_str());
  }

  // `file` attached read-only as `schema` while this lives (SQLite reads its WAL: what a running process
  // committed is seen).
  class Attached {
   public:
    Attached(Ledger& ledger, std::string schema, const fs::path& file) : ledger_(ledger), schema_(std::move(schema)) {
      ledger_.exec("ATTACH DATABASE ? AS " + schema_, {testing::store_file_uri(file)});
    }
    ~Attached() { ledger_.exec("DETACH DATABASE " + schema_); }
    Attached(const Attached&) = delete;
    Attached& operator=(const Attached&) = delete;

   private:
    Ledger& ledger_;
    std::string schema_;
  };

 private:
  sqlite3* db_ = nullptr;
};

// Counts of one kind of trial, reported at the end.
struct Figures {
  std::map<std::string, int> landed;       // by point
  std::map<std::string, int> not_reached;  // by point: the sync finished first
  long long records_compared = 0;          // rows compared with what they must hold, over all checks
  long long lost = 0;                      // records missing, or without their latest edit
  long long doubled = 0;                   // a record twice, a revision twice, a change applied as a conflict
  int checks = 0;
  int total_landed() const {
    int sum = 0;
    for (const auto& [point, count] : landed) sum += count;
    return sum;
  }
  std::string describe(const std::string& what, int seed, double seconds) const {
    std::ostringstream out;
    int missed = 0;
    for (const auto& [point, count] : not_reached) missed += count;
    out << what << " (seed " << seed << "): " << total_landed() << " kills landed mid-request (";
    bool first = true;
    for (const auto& [point, count] : landed) {
      out << (first ? "" : ", ") << point << " " << count;
      first = false;
    }
    out << "), " << missed << " runs finished before their point; " << checks << " checks, " << records_compared
        << " records compared, lost " << lost << ", doubled " << doubled << "; " << std::fixed << std::setprecision(1)
        << seconds << " s";
    return out.str();
  }
};

class KillWorld {
 public:
  KillWorld(SyncFixture& fixture, int seed) : fixture_(fixture), random_(static_cast<unsigned>(seed)) {
    devices_.push_back({"laptop-a", fixture.folder("laptop-a"), true, {}});
    devices_.push_back({"laptop-b", fixture.folder("laptop-b"), false, {}});
    enroll(devices_[0], fixture.add_user("中村 次郎", "staff", "東区"));
    enroll(devices_[1], fixture.add_user("山本 課長", "supervisor"));
    for (auto& device : devices_) sync_clean(device);
  }

  std::mt19937& random() { return random_; }
  Device& device(int index) { return devices_.at(static_cast<std::size_t>(index)); }
  int pick(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }
  // Which time a point is reached, at most `most`: the first mostly, a later one (a larger trial) in a third.
  int nth(int most) { return most > 1 && pick(0, 2) == 0 ? pick(2, most) : 1; }

  void enroll(const Device& device, const std::string& line) {
    auto enrolled = testing::run(device.tsunagi_argv({"enroll", line, "--device-name", device.name}), kProcessLimit);
    INFO(describe(enrolled));
    REQUIRE(enrolled.exit_code == 0);
  }

  // A `tsunagi sync` process without a kill point (the laptop started again after a kill), which must finish.
  void sync_process(const Device& device) {
    auto synced = testing::run(device.tsunagi_argv({"sync"}), kProcessLimit);
    INFO(device.name << ": " << describe(synced));
    REQUIRE(synced.exit_code == 0);
  }
  // What `tsunagi sync` does (the same engine, options, enrollment file and store), run in this process: the
  // syncs around a kill need not pay a process start each, which costs 0.4 s under AddressSanitizer.
  void sync_clean(const Device& device) {
    auto enrollment = sync::load_enrollment(device.data);
    REQUIRE(enrollment);
    REQUIRE(*enrollment);
    auto store = Store::open(device.data);
    INFO((store ? std::string() : store.error().describe()));
    REQUIRE(store);
    auto transport = sync::make_curl_transport((*enrollment)->server, (*enrollment)->trust);
    sync::SyncEngine engine(**store, *transport, **enrollment);
    auto outcome = engine.run();
    INFO(device.name << ": " << sync::sync_result_name(outcome.result) << " " << outcome.error.describe());
    REQUIRE(outcome.result == sync::SyncResult::Done);
  }
  // A `tsunagi sync` started with `kill_point` (none when empty), its output appended to the laptop's log.
  pid_t start_sync(const Device& device, const std::string& kill_point = "") const {
    std::vector<std::string> env;
    if (!kill_point.empty()) env.push_back("TSUNAGI_KILL_POINT=" + kill_point);
    return spawn_logged(device.tsunagi_argv({"sync"}), device.log(), env);
  }

  // Writes on laptop `index` (through its store, while no process of it runs): `creates` new records (B's:
  // meetings of 東区, which A sees, and case reviews, which it does not; `meetings_only` makes them all meetings),
  // then `edits` title changes and `deletes` deletions of its own live records. Each is one outbox entry.
  void change(int index, int creates, int edits, int deletes, bool meetings_only = false) {
    Device& device = devices_.at(static_cast<std::size_t>(index));
    auto store = Store::open(device.data);
    INFO((store ? std::string() : store.error().describe()));
    REQUIRE(store);
    std::vector<Record> records;
    const std::string prefix = device.name + " " + std::to_string(++changes_);
    for (int i = 0; i < creates; ++i) {
      const std::string title = prefix + "-" + std::to_string(i);
      bool meeting = !device.staff && (meetings_only || i % 2 == 0);
      Record record = to_record(meeting ? meeting_json(title, "東区", "draft") : case_review_json(title, "東区"));
      record.id = new_uuid_v7();
      expected_[record.id] = {title, false, index, meeting};
      changed_.insert(record.id);
      device.live.push_back(record.id);
      records.push_back(std::move(record));
    }
    if (!records.empty()) {
      auto written = (*store)->import_records(std::move(records));
      INFO((written ? std::string() : written.error().describe()));
      REQUIRE(written);
    }
    for (int i = 0; i < edits && !device.live.empty(); ++i) {
      const std::string& id = device.live[static_cast<std::size_t>(pick(0, static_cast<int>(device.live.size()) - 1))];
      std::string title = expected_[id].title + " 修正" + std::to_string(changes_) + "." + std::to_string(i);
      auto updated = (*store)->update(id, json{{"title", title}});
      INFO((updated ? std::string() : updated.error().describe()));
      REQUIRE(updated);
      expected_[id].title = title;
      changed_.insert(id);
    }
    for (int i = 0; i < deletes && !device.live.empty(); ++i) {
      auto at = device.live.begin() + pick(0, static_cast<int>(device.live.size()) - 1);
      auto removed = (*store)->remove(*at);
      INFO((removed ? std::string() : removed.error().describe()));
      REQUIRE(removed);
      expected_[*at].deleted = true;
      changed_.insert(*at);
      device.live.erase(at);
    }
  }

  // After a clean sync of both: the collector holds every record once, at its latest edit, each stored version a
  // revision recorded once, no change taken for a conflict; each laptop holds exactly what its user may see, at the
  // collector's version, acknowledged, with nothing waiting, refused or in conflict. Each comparison is a query
  // over what must be held (the ledger) and the store attached beside it.
  void check(Figures& figures, const std::string& trial) {
    ++figures.checks;
    for (const std::string& id : changed_) {
      const Expected& wanted = expected_.at(id);
      ledger_.exec("INSERT OR REPLACE INTO expected(id, title, deleted, owner, meeting) VALUES(?, ?, " +
                       std::to_string(wanted.deleted) + ", " + std::to_string(wanted.owner) + ", " +
                       std::to_string(wanted.meeting) + ")",
                   {id, wanted.title});
    }
    changed_.clear();
    std::vector<std::string> problems;
    auto note = [&problems](const std::string& where, const std::vector<std::string>& rows) {
      for (std::size_t i = 0; i < rows.size() && problems.size() < 20; ++i) problems.push_back(where + rows[i]);
      return static_cast<long long>(rows.size());
    };

    Ledger::Attached collector(ledger_, "c", fixture_.collector_dir() / "collector.db");
    figures.records_compared += ledger_.integer("SELECT count(*) FROM c.records");
    figures.lost += note("collector: ", ledger_.column(R"sql(
      SELECT x.id || ' ''' || x.title || ''' deleted ' || x.deleted || ': ' || CASE WHEN r.id IS NULL THEN 'missing'
             ELSE 'holds ''' || coalesce(json_extract(r.doc, '$.title'), '') || ''' deleted ' ||
                  coalesce(json_extract(r.doc, '$.deleted'), 0) END
      FROM expected x LEFT JOIN c.records r ON r.id = x.id
      WHERE r.id IS NULL OR coalesce(json_extract(r.doc, '$.title'), '') <> x.title
         OR coalesce(json_extract(r.doc, '$.deleted'), 0) <> x.deleted LIMIT 1000)sql"));
    figures.doubled +=
        note("collector: never written: ",
             ledger_.column("SELECT id FROM c.records WHERE id NOT IN (SELECT id FROM expected) LIMIT 1000"));
    figures.doubled += note("collector: a revision recorded twice: ",
                            ledger_.column("SELECT record_id || ' ' || hlc FROM c.revisions GROUP BY record_id, hlc "
                                           "HAVING count(*) > 1 LIMIT 1000"));
    figures.doubled += note("collector: a conflict, though each record has one writer: ",
                            ledger_.column("SELECT record_id || ' ' || field FROM c.conflicts LIMIT 1000"));
    note("collector: a stored version that no push brought: ",
         ledger_.column("SELECT r.id || ' ' || r.hlc FROM c.records r WHERE NOT EXISTS "
                        "(SELECT 1 FROM c.revisions v WHERE v.record_id = r.id AND v.hlc = r.hlc) LIMIT 20"));

    for (std::size_t index = 0; index < devices_.size(); ++index) {
      const Device& device = devices_[index];
      // What its user may see: everything (a supervisor), or its own records and meetings of its area.
      const std::string sees =
          device.staff ? "(x.owner = " + std::to_string(index) + " OR x.meeting = 1)" : std::string("1");
      Ledger::Attached laptop(ledger_, "d", device.data / "tsunagi.db");
      figures.records_compared += ledger_.integer("SELECT count(*) FROM d.records");
      figures.lost += note(device.name + ": ", ledger_.column(R"sql(
        SELECT x.id || ' ''' || x.title || ''' deleted ' || x.deleted || ': ' || CASE WHEN r.id IS NULL THEN 'missing'
               ELSE 'holds ''' || r.title || ''' deleted ' || r.deleted || ' at ' || r.hlc || ' (synced ' ||
                    r.synced_hlc || '), the collector''s at ' || coalesce(s.hlc, '') END
        FROM expected x LEFT JOIN d.records r ON r.id = x.id LEFT JOIN c.records s ON s.id = x.id
        WHERE )sql" + sees + R"sql( AND (r.id IS NULL OR r.title <> x.title OR r.deleted <> x.deleted
               OR r.hlc IS NOT s.hlc OR r.synced_hlc <> r.hlc) LIMIT 1000)sql"));
      figures.doubled += note(device.name + ": should not be here: ",
                              ledger_.column("SELECT r.id FROM d.records r LEFT JOIN expected x ON x.id = r.id "
                                             "WHERE x.id IS NULL OR NOT " +
                                             sees + " LIMIT 1000"));
      for (const char* table : {"outbox", "sync_rejections", "record_conflicts"})
        if (long long left = ledger_.integer(std::string("SELECT count(*) FROM d.") + table)) {
          figures.lost += left;
          problems.push_back(device.name + ": " + std::to_string(left) + " rows left in " + table);
        }
    }
    INFO(trial);
    for (const auto& text : problems) UNSCOPED_INFO(text);
    REQUIRE(problems.empty());
  }

  std::size_t record_count() const { return expected_.size(); }

 private:
  SyncFixture& fixture_;
  std::mt19937 random_;
  std::vector<Device> devices_;
  std::map<std::string, Expected> expected_;
  std::set<std::string> changed_;  // ids whose row the ledger does not have yet
  Ledger ledger_;
  int changes_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Trials
// ---------------------------------------------------------------------------------------------------------------

// How much a trial writes so that its point is reached `nth` times: a push request takes 500 outbox entries
// (SyncOptions::push_batch), a pull page 1,000 records (pull_page).
struct TrialSize {
  int other_creates = 0;  // written and pushed by the other laptop first: what the killed one pulls
  bool other_meetings_only = false;
  int creates = 0, edits = 0, deletes = 0;  // written on the laptop whose sync is killed: what it pushes
};
TrialSize size_for(KillWorld& world, const std::string& point, int nth) {
  TrialSize size;
  size.other_creates = world.pick(5, 80);
  size.creates = world.pick(5, 160);
  size.edits = world.pick(0, 30);
  size.deletes = world.pick(0, 3);
  bool push = point.find(".push.") != std::string::npos;
  bool pull = point.find(".pull.") != std::string::npos;
  if (push && nth == 2) size.creates = world.pick(520, 620);
  if (pull && nth == 2) {
    size.other_creates = world.pick(1001, 1060);
    size.other_meetings_only = true;  // so that laptop A sees every one
  }
  return size;
}

struct Point {
  const char* name;
  int max_nth;     // counts 1..max_nth are drawn; 2 makes the trial large enough for two requests
  int weight = 1;  // how many times it comes in each round
};
// The points in rounds: each round holds every point `weight` times, shuffled, so that every point gets its share
// of the kills in any run of a few rounds.
class PointDeck {
 public:
  explicit PointDeck(std::vector<Point> points) : points_(std::move(points)) {}
  const Point& draw(std::mt19937& random) {
    if (round_.empty()) {
      for (std::size_t i = 0; i < points_.size(); ++i) round_.insert(round_.end(), points_[i].weight, i);
      std::shuffle(round_.begin(), round_.end(), random);
    }
    std::size_t next = round_.back();
    round_.pop_back();
    return points_[next];
  }

 private:
  std::vector<Point> points_;
  std::vector<std::size_t> round_;
};

TEST_CASE_METHOD(SyncFixture, "kill trials: tsunagi sync killed mid-request at random points of push and pull",
                 "[sync][crash][kill]") {
  const int required = env_count("TSUNAGI_KILL_TRIALS_CLIENT", 50);
  const int seed = env_count("TSUNAGI_KILL_SEED", 1);
  const auto started = std::chrono::steady_clock::now();
  // "held:" points stop the collector there while it serves the laptop's request: the laptop is killed while it
  // waits for the answer, and the collector goes on (SIGCONT) to answer a closed connection.
  PointDeck points({{"client.push.sending", 2},
                    {"client.push.answered", 2},
                    {"client.between", 1},
                    {"client.pull.fetched", 2},
                    {"client.pull.applied", 2},
                    {"held:collector.push.stored", 2},
                    {"held:collector.pull.read", 2}});
  KillWorld world(*this, seed);
  Figures figures;
  int trial = 0;
  while (figures.total_landed() < required) {
    ++trial;
    REQUIRE(trial <= 2 * required + 10);  // a point missed now and then, never most of the time
    const Point& point = points.draw(world.random());
    const int nth = world.nth(point.max_nth);
    const int killed = world.pick(0, 1), other = 1 - killed;
    const std::string name = point.name;
    const bool held = name.rfind("held:", 0) == 0;
    const std::string armed = (held ? name.substr(5) : name) + ":" + std::to_string(nth);
    TrialSize size = size_for(world, name, nth);
    const std::string label = "seed " + std::to_string(seed) + ", trial " + std::to_string(trial) + ": " + name + ":" +
                              std::to_string(nth) + " on " + world.device(killed).name;
    INFO(label);

    const int other_edits = world.pick(0, 20), other_deletes = world.pick(0, 2);
    world.change(other, size.other_creates, other_edits, other_deletes, size.other_meetings_only);
    world.sync_clean(world.device(other));
    world.change(killed, size.creates, size.edits, size.deletes);
    if (held) restart_collector(*collector, armed);
    // The process that stops at the point writes a line first: read it from where its log ends now.
    const fs::path log = held ? collector_dir() / "requests.log" : world.device(killed).log();
    const auto log_from = log_size(log), client_log_from = log_size(world.device(killed).log());
    pid_t sync = world.start_sync(world.device(killed), held ? "" : armed);
    Watched watched = watch_until_stopped(held ? collector->pid() : sync, sync);
    if (watched.stopped) {
      kill_and_reap(sync);
      if (held) ::kill(collector->pid(), SIGCONT);
      CHECK(contains(read_text(log, log_from), "kill point reached: " + armed.substr(0, armed.find(':'))));
      ++figures.landed[name];
    } else {
      INFO(read_text(world.device(killed).log(), client_log_from));
      REQUIRE(watched.exit_code == 0);
      ++figures.not_reached[name];
      if (held) restart_collector(*collector, "");  // disarmed before a clean sync can reach the point
    }
    world.sync_process(world.device(killed));
    world.sync_clean(world.device(other));
    REQUIRE(process_state(collector->pid()) != 'Z');  // the collector lives on after answering a dead connection
    world.check(figures, label);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN(figures.describe("client kill trials", seed, seconds) << "; " << world.record_count() << " records");
  CHECK(figures.lost == 0);
  CHECK(figures.doubled == 0);
}

TEST_CASE_METHOD(SyncFixture, "kill trials: the collector killed mid-request at random points, then restarted",
                 "[sync][crash][kill]") {
  const int required = env_count("TSUNAGI_KILL_TRIALS_COLLECTOR", 20);
  const int seed = env_count("TSUNAGI_KILL_SEED", 1);
  const auto started = std::chrono::steady_clock::now();
  PointDeck points({{"collector.push.received", 2, 2},
                    {"collector.push.uncommitted", 2, 2},
                    {"collector.push.stored", 2, 2},
                    {"collector.pull.read", 2, 2},
                    {"collector.enroll.redeemed", 1, 1}});
  KillWorld world(*this, seed);
  Figures figures;
  int trial = 0, retried_to_the_end = 0, enrollments = 0;
  while (figures.total_landed() < required) {
    ++trial;
    REQUIRE(trial <= 2 * required + 10);
    const Point& point = points.draw(world.random());
    const int nth = world.nth(point.max_nth);
    const int killed = world.pick(0, 1), other = 1 - killed;
    const std::string name = point.name;
    const bool enroll = name == "collector.enroll.redeemed";
    TrialSize size = size_for(world, name, nth);
    const std::string label = "seed " + std::to_string(seed) + ", trial " + std::to_string(trial) + ": " + name + ":" +
                              std::to_string(nth) + (enroll ? "" : " serving " + world.device(killed).name);
    INFO(label);

    const int other_edits = world.pick(0, 20), other_deletes = world.pick(0, 2);
    world.change(other, size.other_creates, other_edits, other_deletes, size.other_meetings_only);
    world.sync_clean(world.device(other));
    world.change(killed, size.creates, size.edits, size.deletes);
    // An enrollment trial enrolls a new laptop of supervisor B's user; the others sync laptop `killed`.
    Device newcomer{"laptop-new-" + std::to_string(trial), folder("laptop-new-" + std::to_string(trial)), false, {}};
    std::string line;
    if (enroll) line = collector->user_code("山本 課長");
    restart_collector(*collector, name + ":" + std::to_string(nth));
    const fs::path collector_log = collector_dir() / "requests.log";
    const fs::path runner_log = enroll ? newcomer.log() : world.device(killed).log();
    const auto collector_log_from = log_size(collector_log), runner_log_from = log_size(runner_log);
    pid_t runner =
        enroll ? spawn_logged(newcomer.tsunagi_argv({"enroll", line, "--device-name", newcomer.name}), newcomer.log())
               : world.start_sync(world.device(killed));
    Watched watched = watch_until_stopped(collector->pid(), runner);
    if (watched.stopped) {
      CHECK(contains(read_text(collector_log, collector_log_from), "kill point reached: " + name));
      collector->kill();
      restart_collector(*collector, "");
      ++figures.landed[name];
      // The laptop's request met the crash; it retries while the collector starts again, or gives up (offline:
      // its changes wait) and the clean sync below sends them.
      int exit_code = testing::wait_for(runner, kProcessLimit);
      INFO(read_text(runner_log, runner_log_from));
      if (enroll)
        CHECK(exit_code == 2);  // offline: the answer with the token never came
      else
        CHECK((exit_code == 0 || exit_code == 2));
      if (exit_code == 0) ++retried_to_the_end;
    } else {
      INFO(read_text(runner_log, runner_log_from));
      REQUIRE(watched.exit_code == 0);
      ++figures.not_reached[name];
      restart_collector(*collector, "");
    }
    if (enroll) {
      // The code was redeemed before the crash: it is used up, and a new one enrolls the laptop.
      auto again = testing::run(newcomer.tsunagi_argv({"enroll", line, "--device-name", newcomer.name}));
      INFO(describe(again));
      CHECK(again.exit_code == 3);
      CHECK(contains(again.err, "enroll.used"));
      world.enroll(newcomer, collector->user_code("山本 課長"));
      ++enrollments;
    }
    world.sync_clean(world.device(killed));
    world.sync_clean(world.device(other));
    if (enroll) {  // the new laptop of supervisor B's user holds every record
      world.sync_clean(newcomer);
      CollectorDatabase db(newcomer.data / "tsunagi.db");
      CHECK(static_cast<std::size_t>(db.integer("SELECT count(*) FROM records")) == world.record_count());
    }
    world.check(figures, label);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN(figures.describe("collector kill trials", seed, seconds)
       << "; " << world.record_count() << " records; " << retried_to_the_end
       << " syncs rode through the restart; enrolled again after a lost enrollment answer: " << enrollments);
  CHECK(figures.lost == 0);
  CHECK(figures.doubled == 0);
}

}  // namespace
}  // namespace tsunagi::sync_tests
