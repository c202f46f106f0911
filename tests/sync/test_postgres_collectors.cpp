// Several tsunagi-collector processes on one PostgreSQL database (a schema of its own on the server ctest's
// fixture starts), each serving HTTPS on 127.0.0.1 with the same TLS identity, and in-process devices (real stores,
// real SyncEngines over libcurl) whose every request goes to the next process in turn, as behind a load balancer:
//  - the pull cursor stays exact while 20 devices push through three processes at once;
//  - 200 devices pushing and pulling for a bounded time end with the same records as the database, and each
//    process's requests per second and latency are printed;
//  - migrate-store moves a SQLite collector's database to PostgreSQL, and its devices keep syncing.
#include <algorithm>
#include <map>
#include <numeric>

#include "collector/admin.hpp"
#include "collector/postgres.hpp"
#include "sync_fixture.hpp"
#include "tests/support/postgres.hpp"

namespace tsunagi::sync_tests {

namespace {

// "id@hlc" → how many times pulls brought that version of a record to one device: twice is sent twice to one cursor.
using Received = std::map<std::string, int>;

// Sends each request to the next of several collectors, and counts into `received` the records pulls brought back.
// Its connections close with it: a device makes one per sync, as a `tsunagi sync` process does (a device holding
// its connections open between syncs would hold a collector's worker threads).
class RotatingTransport final : public sync::Transport {
 public:
  RotatingTransport(const std::vector<std::string>& urls, const std::string& pin, Received& received)
      : received(received) {
    for (const std::string& url : urls) collectors_.push_back(sync::make_curl_transport(url, {pin, ""}));
    static std::atomic<std::size_t> runs{0};
    next_ = runs++;  // runs start at different processes, so that each process serves pushes and pulls
  }
  Result<sync::HttpResponse> send(const sync::HttpRequest& request) override {
    auto response = collectors_[next_++ % collectors_.size()]->send(request);
    if (response && request.path == "/v1/pull" && response->status == 200) {
      json page = json::parse(response->body, nullptr, false);
      if (page.is_object() && page["records"].is_array())
        for (const json& record : page["records"]) ++received[record.value("id", "") + "@" + record.value("hlc", "")];
    }
    return response;
  }

 private:
  Received& received;
  std::vector<std::unique_ptr<sync::Transport>> collectors_;
  std::size_t next_ = 0;
};

// `count` collector processes serving one PostgreSQL schema, each from a folder of its own (its request log) with
// the first one's TLS identity, the default reference data imported.
class PostgresCollectors {
 public:
  explicit PostgresCollectors(int count) {
    const fs::path first = root.path() / "collector-1";
    fs::create_directories(first);
    auto imported = testing::run({TSUNAGI_COLLECTOR_BIN, "reference", "import", TSUNAGI_REFERENCE_FILE, "--db",
                                  schema.url(), "--data", first.string()});
    if (imported.exit_code != 0) throw std::runtime_error("reference import failed: " + describe(imported));
    for (int i = 1; i <= count; ++i) {
      const fs::path folder = root.path() / ("collector-" + std::to_string(i));
      fs::create_directories(folder);
      if (i > 1)
        for (const char* file : {"cert.pem", "key.pem"})
          fs::copy_file(first / file, folder / file, fs::copy_options::overwrite_existing);
      processes.push_back(std::make_unique<testing::CollectorProcess>(TSUNAGI_COLLECTOR_BIN, folder, 0, schema.url()));
    }
  }

  std::vector<std::string> urls() const {
    std::vector<std::string> out;
    for (const auto& process : processes) out.push_back(process->url());
    return out;
  }
  const std::string& pin() const { return processes.front()->pin(); }

  // A device enrolled as a new user (through the first process), whose requests then go to each process in turn.
  struct Device {
    EngineDevice engine;
    std::vector<std::string> urls;
    std::string pin;
    std::unique_ptr<Received> received = std::make_unique<Received>();

    // One sync over connections of its own to every process, closed when it ends.
    sync::SyncOutcome sync() {
      RotatingTransport transport(urls, pin, *received);
      return engine.sync(test_sync_options(), &transport);
    }
  };
  Device device(sync::CollectorStore& admin, const std::string& name, const std::string& role) {
    sync::NewUser user{.name = name, .role = role};
    auto issued = sync::add_user_with_code(admin, user, pin());
    INFO((issued ? std::string() : issued.error().describe()));
    REQUIRE(issued);
    const std::string line =
        "tsunagi-enroll " + processes.front()->url() + " " + (*issued)["code"].get<std::string>() + " " + pin();
    return Device{enroll_engine_device(root.path() / ("device-" + name), line), urls(), pin()};
  }

  void settle() const { testing::settle_postgres(schema.url()); }

  std::unique_ptr<sync::CollectorStore> store() const {
    auto store = sync::open_collector_store(schema.url());
    REQUIRE(store);
    return std::move(*store);
  }

  // The record ids the database holds (written by `author`, when given).
  std::set<std::string> database_ids(const std::string& author = "") const {
    auto db = sync::PgDatabase::open(schema.url());
    REQUIRE(db);
    auto select = (*db)->prepare(author.empty() ? "SELECT id FROM records" : "SELECT id FROM records WHERE author = ?");
    REQUIRE(select);
    if (!author.empty()) (*select)->bind(1, author);
    std::set<std::string> ids;
    for (;;) {
      auto row = (*select)->step();
      REQUIRE(row);
      if (!*row) break;
      ids.insert((*select)->text(0));
    }
    return ids;
  }

  // Each process's request log lines for the sync routes, as latencies in ms.
  std::vector<std::vector<double>> latencies() const {
    std::vector<std::vector<double>> out;
    for (const auto& process : processes) {
      std::ifstream log(process->folder() / "requests.log");
      std::vector<double> ms;
      for (std::string line; std::getline(log, line);) {
        if (line.find("/v1/push ") == std::string::npos && line.find("/v1/pull ") == std::string::npos) continue;
        auto at = line.find("ms device=");
        auto start = line.rfind(' ', at);
        if (at != std::string::npos && start != std::string::npos) ms.push_back(std::atof(line.c_str() + start + 1));
      }
      out.push_back(std::move(ms));
    }
    return out;
  }

  TempFolder root;
  testing::PostgresSchema schema;
  std::vector<std::unique_ptr<testing::CollectorProcess>> processes;
};

bool done(const sync::SyncOutcome& outcome) { return outcome.result == sync::SyncResult::Done; }

std::string describe_outcome(const sync::SyncOutcome& outcome) {
  return std::string(sync::sync_result_name(outcome.result)) + ": " + outcome.error.describe();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<std::size_t>(p * static_cast<double>(values.size())))];
}

std::set<std::string> received_ids(const Received& received, std::size_t& doubled) {
  std::set<std::string> ids;
  for (const auto& [key, times] : received) {
    ids.insert(key.substr(0, key.find('@')));
    if (times > 1) ++doubled;
  }
  return ids;
}

}  // namespace

TEST_CASE("three collectors on one PostgreSQL, 20 devices pushing at once: pulls skip nothing and send nothing twice",
          "[postgres][cursor]") {
  PostgresCollectors collectors(3);
  auto admin = collectors.store();
  constexpr int kPushers = 20, kRounds = 4, kPerRound = 5;
  std::vector<PostgresCollectors::Device> pushers;
  for (int i = 0; i < kPushers; ++i) pushers.push_back(collectors.device(*admin, "職員" + std::to_string(i), "staff"));
  // Two supervisors who see everything pull again and again meanwhile, each request to the next process.
  std::vector<PostgresCollectors::Device> watchers;
  for (const char* name : {"課長A", "課長B"}) watchers.push_back(collectors.device(*admin, name, "supervisor"));

  std::mutex made_mutex;
  std::set<std::string> made;  // every record any device created
  std::atomic<int> pushing{kPushers};
  std::atomic<bool> settled{false};
  std::vector<std::string> failures;
  std::vector<std::thread> threads;
  for (int i = 0; i < kPushers; ++i)
    threads.emplace_back([&, i] {
      PostgresCollectors::Device& device = pushers[i];
      for (int round = 0; round < kRounds; ++round) {
        auto ids = device.engine.import(numbered_records("device " + std::to_string(i), round * kPerRound, kPerRound));
        {
          std::lock_guard lock(made_mutex);
          made.insert(ids.begin(), ids.end());
        }
        auto outcome = device.sync();
        if (!done(outcome) || device.engine.outbox_size() != 0) {
          std::lock_guard lock(made_mutex);
          failures.push_back("device " + std::to_string(i) + ": " + describe_outcome(outcome));
        }
      }
      --pushing;
    });
  for (auto& watcher : watchers)
    threads.emplace_back([&] {
      while (!settled) (void)watcher.sync();
      auto last = watcher.sync();  // after every push was answered and every transaction before ended
      if (!done(last)) {
        std::lock_guard lock(made_mutex);
        failures.push_back("watcher: " + describe_outcome(last));
      }
    });
  for (int i = 0; i < kPushers; ++i) threads[i].join();
  collectors.settle();
  settled = true;
  for (std::size_t i = kPushers; i < threads.size(); ++i) threads[i].join();
  INFO((failures.empty() ? std::string() : failures.front()));
  REQUIRE(failures.empty());

  const std::set<std::string> stored = collectors.database_ids();
  REQUIRE(made.size() == static_cast<std::size_t>(kPushers * kRounds * kPerRound));
  CHECK(stored == made);
  for (auto& watcher : watchers) {
    std::size_t doubled = 0;
    const std::set<std::string> received = received_ids(*watcher.received, doubled);
    std::size_t skipped = 0;
    for (const std::string& id : made) skipped += received.count(id) == 0;
    INFO(watcher.engine.folder.filename().string() << ": " << watcher.received->size() << " received");
    CHECK(skipped == 0);
    CHECK(doubled == 0);
    CHECK(watcher.engine.record_ids() == made);
  }
}

TEST_CASE(
    "a return with its reason and an approval made through one collector process reach devices through the others",
    "[postgres][review]") {
  PostgresCollectors collectors(3);
  auto admin = collectors.store();
  PostgresCollectors::Device staff = collectors.device(*admin, "田中 花子", "staff");
  PostgresCollectors::Device supervisor = collectors.device(*admin, "主任", "supervisor");
  const std::string id = staff.engine.import({to_record(meeting_json("運営会議", "東区"))}).front();
  REQUIRE(done(staff.sync()));  // every request of a sync goes to the next process
  collectors.settle();
  REQUIRE(done(supervisor.sync()));
  const std::string reason = "参加者数を確認してください。";
  REQUIRE(supervisor.engine.store->review({id}, ReviewDecision::Return, reason, "supervisor"));
  REQUIRE(done(supervisor.sync()));
  collectors.settle();
  REQUIRE(done(staff.sync()));
  auto returned = staff.engine.store->get(id);
  REQUIRE(returned);
  REQUIRE(*returned);
  CHECK((*returned)->status == ReviewStatus::Returned);
  auto reasons = staff.engine.store->decision_comments(id);
  REQUIRE(reasons);
  REQUIRE(reasons->size() == 1);
  CHECK(reasons->front().text == reason);

  REQUIRE(staff.engine.store->update(id, json{{"status", "submitted"}}));  // corrected and submitted again
  REQUIRE(done(staff.sync()));
  collectors.settle();
  REQUIRE(done(supervisor.sync()));
  REQUIRE(supervisor.engine.store->review({id}, ReviewDecision::Approve, "", "supervisor"));
  REQUIRE(done(supervisor.sync()));
  collectors.settle();
  REQUIRE(done(staff.sync()));
  auto approved = staff.engine.store->get(id);
  REQUIRE(approved);
  CHECK((*approved)->status == ReviewStatus::Approved);
}

TEST_CASE("a device revoked through one collector process is refused by the others", "[postgres][identity]") {
  PostgresCollectors collectors(3);
  auto admin = collectors.store();
  PostgresCollectors::Device laptop = collectors.device(*admin, "田中 花子", "staff");
  laptop.engine.import(numbered_records("取消前", 0, 2));
  REQUIRE(done(laptop.sync()));  // through every process in turn
  auto revoked = collectors.processes[1]->admin({"device", "revoke", laptop.engine.enrollment.device_id});
  INFO(describe(revoked));
  REQUIRE(revoked.exit_code == 0);
  laptop.engine.import(numbered_records("取消後", 2, 1));
  for (const auto& process : collectors.processes) {  // each refuses the token now
    auto transport = sync::make_curl_transport(process->url(), {collectors.pin(), ""});
    auto outcome = laptop.engine.sync(test_sync_options(), transport.get());
    CHECK(outcome.result == sync::SyncResult::NotEnrolled);
  }
  CHECK(laptop.engine.outbox_size() == 1);  // kept on the laptop
}

TEST_CASE("a collector process with another key than the others on its database refuses to start",
          "[postgres][identity]") {
  PostgresCollectors collectors(1);
  TempFolder fresh;  // a folder without the others' pair: the collector would make a key of its own
  const fs::path folder = fresh.path() / "collector";
  auto started = testing::run({TSUNAGI_COLLECTOR_BIN, "serve", "--db", collectors.schema.url(), "--data",
                               folder.string(), "--listen", "127.0.0.1:0"},
                              std::chrono::seconds(30));
  INFO(describe(started));
  CHECK(started.exit_code == 1);
  CHECK(contains(started.err, "tls.pin_differs"));
  CHECK(contains(started.err, collectors.pin()));
}

TEST_CASE("while PostgreSQL refuses the collector, devices hear 503 and keep their changes, then sync when it is back",
          "[postgres][outage]") {
  // A database of its own, whose connections the test can refuse and cut without touching the other tests'.
  auto server = sync::PgDatabase::open(testing::postgres_server_url());
  REQUIRE(server);
  const std::string name = "outage_" + std::to_string(::getpid()) + "_" + std::to_string(now_unix_ms() % 100000);
  REQUIRE((*server)->exec("CREATE DATABASE " + name));
  std::string url = testing::postgres_server_url();
  url = url.substr(0, url.rfind('/') + 1) + name;
  TempFolder root;
  {
    testing::CollectorProcess collector(TSUNAGI_COLLECTOR_BIN, root.path() / "collector", 0, url);
    EngineDevice laptop = enroll_engine_device(root.path() / "laptop", collector.add_user("田中 花子", "staff"));
    laptop.import(numbered_records("停止前", 0, 3));
    REQUIRE(done(laptop.sync()));

    REQUIRE((*server)->exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false"));
    REQUIRE((*server)->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'"));
    laptop.import(numbered_records("停止中", 3, 2));
    sync::SyncOptions quick = test_sync_options();
    quick.attempts = 2;
    quick.sleep = [](int) {};  // the collector's Retry-After, not waited for here
    auto refused = laptop.sync(quick);
    INFO(describe_outcome(refused));
    CHECK(refused.result == sync::SyncResult::Offline);  // worth retrying later, not a rejection
    CHECK(laptop.outbox_size() == 2);
    auto transport = sync::make_curl_transport(collector.url(), {collector.pin(), ""});
    auto status = transport->send({"GET", "/v1/status", "", "", false});
    REQUIRE(status);
    CHECK(status->status == 503);  // a load balancer's health check sees it
    CHECK(contains(status->body, "collector.database"));
    std::ifstream log(collector.folder() / "requests.log");
    const std::string logged((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    CHECK(contains(logged, "error=store.unavailable"));  // the cause is in the collector's log

    REQUIRE((*server)->exec("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true"));
    auto back = laptop.sync();  // the collector connects again by itself
    INFO(describe_outcome(back));
    CHECK(done(back));
    CHECK(laptop.outbox_size() == 0);
  }
  (void)(*server)->exec("DROP DATABASE " + name + " WITH (FORCE)");
}

TEST_CASE("200 devices push and pull through three collectors on one PostgreSQL, and all end with the same records",
          "[postgres][load]") {
  const int kDevices = testing::env_count("TSUNAGI_LOAD_DEVICES", 200);
  const int kSeconds = testing::env_count("TSUNAGI_LOAD_SECONDS", 12);
  const int kWorkers = std::min(16, kDevices);  // devices syncing at one time
  PostgresCollectors collectors(3);
  auto admin = collectors.store();
  std::vector<PostgresCollectors::Device> devices;
  // Staff, who see what they wrote, and one in twenty a supervisor who sees everything (and pulls it all).
  auto supervises = [](int i) { return i % 20 == 0; };
  auto user_name = [](int i) { return "端末" + std::to_string(i); };
  for (int i = 0; i < kDevices; ++i)
    devices.push_back(collectors.device(*admin, user_name(i), supervises(i) ? "supervisor" : "staff"));
  {  // each device's first sync (the reference data, and the device's start) is set-up, not part of the load
    std::vector<std::thread> first;
    std::atomic<int> next{0}, failed{0};
    for (int w = 0; w < kWorkers; ++w)
      first.emplace_back([&] {
        for (int index = next++; index < kDevices; index = next++) failed += !done(devices[index].sync());
      });
    for (auto& thread : first) thread.join();
    REQUIRE(failed == 0);
  }
  for (const auto& process : collectors.processes) std::ofstream(process->folder() / "requests.log", std::ios::trunc);

  std::atomic<long> syncs{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  const auto started = std::chrono::steady_clock::now();
  const auto until = started + std::chrono::seconds(kSeconds);
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.emplace_back([&, w] {
      // Worker w takes its own devices (w, w + kWorkers, ...) in turn: a device syncs on one thread at a time.
      for (int index = w; std::chrono::steady_clock::now() < until;
           index = index + kWorkers < kDevices ? index + kWorkers : w) {
        PostgresCollectors::Device& device = devices[index];
        auto made = numbered_records(user_name(index), static_cast<int>(syncs % 100000), 1);
        for (Record& record : made) record.author = user_name(index);
        device.engine.import(std::move(made));
        auto outcome = device.sync();
        ++syncs;
        if (!done(outcome)) {
          std::lock_guard lock(failures_mutex);
          failures.push_back(describe_outcome(outcome));
        }
      }
    });
  for (auto& worker : workers) worker.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto latencies = collectors.latencies();
  // Then every device syncs once more, after the last push: each then holds what the database holds.
  collectors.settle();
  for (auto& device : devices) REQUIRE(done(device.sync()));

  std::printf("load: %d devices, %d at a time, %.1f s, %ld syncs, 3 collector processes on PostgreSQL\n", kDevices,
              kWorkers, seconds, syncs.load());
  for (std::size_t i = 0; i < latencies.size(); ++i)
    std::printf("  collector %zu: %zu requests, %.0f req/s, p50 %.1f ms, p99 %.1f ms\n", i + 1, latencies[i].size(),
                static_cast<double>(latencies[i].size()) / seconds, percentile(latencies[i], 0.5),
                percentile(latencies[i], 0.99));
  std::fflush(stdout);

  INFO((failures.empty() ? std::string() : failures.front()));
  CHECK(failures.empty());
  const std::set<std::string> stored = collectors.database_ids();
  std::size_t outboxes = 0, differing = 0, doubled = 0;
  for (int i = 0; i < kDevices; ++i) {
    EngineDevice& device = devices[i].engine;
    outboxes += static_cast<std::size_t>(device.outbox_size());
    differing += device.record_ids() != (supervises(i) ? stored : collectors.database_ids(user_name(i)));
    received_ids(*devices[i].received, doubled);
  }
  CHECK(stored.size() >= static_cast<std::size_t>(syncs.load()));  // each sync made one record first
  CHECK(outboxes == 0);                                            // 0 lost: every record made reached the database
  CHECK(differing == 0);  // every device holds exactly the database's records that its user sees
  CHECK(doubled == 0);    // no version sent twice to one device
  for (const auto& process : latencies) CHECK(process.size() > 0);  // each process served its share
}

TEST_CASE("migrate-store moves a SQLite collector to PostgreSQL, and its devices keep syncing without enrolling again",
          "[postgres][migrate_store]") {
  SyncFixture ward;
  const std::string line = ward.add_user("田中 花子", "staff");
  EngineDevice laptop = ward.engine_device("laptop", line);
  const std::string supervisor_line = ward.add_user("主任", "supervisor");
  EngineDevice office = ward.engine_device("office", supervisor_line);
  auto before = laptop.import(numbered_records("移行前", 0, 30));
  REQUIRE(done(laptop.sync()));
  REQUIRE(done(office.sync()));
  REQUIRE(office.record_ids().size() == 30);

  testing::PostgresSchema schema;
  // Refused while the ward's collector serves from the folder: what it took afterwards would stay behind.
  auto serving = testing::run(
      {TSUNAGI_COLLECTOR_BIN, "migrate-store", "--from", ward.collector_dir().string(), "--to", schema.url()});
  CHECK(serving.exit_code != 0);
  CHECK(contains(serving.err, "migrate_store.serving"));
  ward.collector->stop();
  auto moved = testing::run(
      {TSUNAGI_COLLECTOR_BIN, "migrate-store", "--from", ward.collector_dir().string(), "--to", schema.url()});
  INFO(describe(moved));
  REQUIRE(moved.exit_code == 0);
  CHECK(contains(moved.out, "records"));
  // The SQLite database is set aside, and the folder refuses commands without --db: nothing serves the old copy.
  CHECK_FALSE(fs::exists(ward.collector_dir() / "collector.db"));
  auto again = testing::run(
      {TSUNAGI_COLLECTOR_BIN, "migrate-store", "--from", ward.collector_dir().string(), "--to", schema.url()});
  CHECK(contains(again.err, "store.moved"));
  auto without_db = testing::run({TSUNAGI_COLLECTOR_BIN, "user", "list", "--data", ward.collector_dir().string()});
  CHECK(without_db.exit_code != 0);
  CHECK(contains(without_db.err, "store.moved"));
  CHECK_FALSE(fs::exists(ward.collector_dir() / "collector.db"));
  // Another ward's collector cannot be moved into a database that holds one.
  const fs::path other = ward.folder("other-ward");
  REQUIRE(testing::run({TSUNAGI_COLLECTOR_BIN, "migrate", "--data", other.string()}).exit_code == 0);
  auto occupied =
      testing::run({TSUNAGI_COLLECTOR_BIN, "migrate-store", "--from", other.string(), "--to", schema.url()});
  CHECK(contains(occupied.err, "migrate_store.not_empty"));
  CHECK(fs::exists(other / "collector.db"));  // left as it was

  // The same port and identity, now on PostgreSQL: the devices' tokens and cursors still hold.
  testing::CollectorProcess city(TSUNAGI_COLLECTOR_BIN, ward.collector_dir(), ward.collector->port(), schema.url());
  auto after = laptop.import(numbered_records("移行後", 30, 5));
  auto pushed = laptop.sync();
  INFO(describe_outcome(pushed));
  REQUIRE(done(pushed));
  CHECK(laptop.outbox_size() == 0);
  testing::settle_postgres(schema.url());
  auto pulled = office.sync();
  REQUIRE(done(pulled));
  CHECK(pulled.progress.records_received == 5);  // only what is new: the cursor from the SQLite collector holds
  CHECK(office.record_ids().size() == 35);
  auto listed = city.admin({"device", "list"});
  CHECK(contains(listed.out, "laptop"));
  // Admin commands anywhere, without the folder: the URL and pin come from the database.
  auto code =
      testing::run({TSUNAGI_COLLECTOR_BIN, "user", "add", "--db", schema.url(), "--name", "新人", "--role", "staff"});
  INFO(describe(code));
  CHECK(code.exit_code == 0);
  CHECK(contains(code.out, city.pin()));
}

}  // namespace tsunagi::sync_tests
