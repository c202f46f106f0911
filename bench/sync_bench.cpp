// bench/sync: push and pull through a real tsunagi-collector over HTTPS on 127.0.0.1.
// For each N (10,000 and 100,000 records of about 1.5 KB of JSON): a full push and a full pull (a fresh device
// restoring everything), in-process and as a whole `tsunagi sync` / `tsunagi restore` process; then the latency of a
// sync with nothing to do and of one with 100 changed records, in-process with a warm connection and as a process; and
// the peak memory of client and collector; and a supervisor approving 1,000 records at once, with the sync of
// the decisions. Figures are printed beside the targets and the peers' anchors
// (shared/bench/anchors/RESULTS.md). Then the same push, pull, no-op and 100-changed syncs with the collector on
// PostgreSQL, in a column beside SQLite's, and the collector's requests per second with one and with three
// processes on one PostgreSQL database (devices syncing at once, each sync to the next process).
//
// Usage: bench_sync TSUNAGI_BIN COLLECTOR_BIN [N ...]
// PostgreSQL: the server $TSUNAGI_TEST_POSTGRES names, else one started for the run (tests/support/postgres_server.sh).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "bench_data.hpp"
#include "collector/postgres.hpp"
#include "model/encryption.hpp"
#include "model/record_json.hpp"
#include "model/store.hpp"
#include "support/postgres.hpp"
#include "support/process.hpp"
#include "sync/client.hpp"
#include "sync/protocol.hpp"

using namespace tsunagi;
using namespace tsunagi::bench;
using tsunagi::testing::CollectorProcess;

namespace {

// shared/bench/anchors/RESULTS.md, measured on this kind of machine.
constexpr double kPouchPushDocsPerSecond = 3415;  // 100k, default batch
constexpr double kPouchPullDocsPerSecond = 3021;  // 100k
constexpr double kPouchIncrementalMs = 47.2;      // 100 changed docs
constexpr double kPouchNoopMs = 4.05;             // nothing changed
constexpr double kSqliteRowsPerSecond = 198606;   // raw WAL insert, 1,000 rows per transaction

void row(const std::string& what, double value, const char* unit, const std::string& target, bool met,
         const std::string& peer = "") {
  std::printf("  %-52s %11.2f %-9s %-12s %-8s %s\n", what.c_str(), value, unit, target.c_str(),
              target.empty() ? "" : (met ? "met" : "NOT MET"), peer.c_str());
}

std::string ratio(const char* name, double ours, double theirs) {
  char text[96];
  std::snprintf(text, sizeof text, "%.1fx %s", ours / theirs, name);
  return text;
}

double median_ms(int runs, const std::function<void()>& action) {
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    action();
    ms.push_back(seconds_since(start) * 1000);
  }
  return percentile(ms, 0.5);
}

struct Device {
  std::filesystem::path folder;
  std::unique_ptr<Store> store;
  std::unique_ptr<sync::Transport> transport;
  sync::Enrollment enrollment;
};

// Laptops' data is encrypted at rest (issue [10]): the devices that `tsunagi` processes also open get this
// passphrase, which the processes read from the file $TSUNAGI_PASSPHRASE_FILE names.
constexpr const char* kPassphrase = "bench: 連携会議の記録 2024";

std::vector<std::string> passphrase_env(const std::filesystem::path& root) {
  const auto file = root / "passphrase.txt";
  std::ofstream(file) << kPassphrase << "\n";
  return {"TSUNAGI_PASSPHRASE_FILE=" + file.string()};
}

Device enroll(const CollectorProcess& collector, const std::filesystem::path& folder, const std::string& user,
              const std::string& role = "supervisor", bool encrypted = false) {
  Device device;
  device.folder = folder;
  std::string line = collector.add_user(user, role);
  auto parsed = sync::parse_enrollment_line(line);
  sync::TlsTrust trust{parsed->pin, ""};
  device.transport = sync::make_curl_transport(parsed->server, trust);
  auto enrollment = sync::enroll_device(*device.transport, parsed->server, trust, parsed->code, user);
  if (!enrollment) throw std::runtime_error(enrollment.error().describe());
  device.enrollment = *enrollment;
  if (auto status = sync::save_enrollment(folder, *enrollment); !status)
    throw std::runtime_error(status.error().describe());
  if (encrypted)
    if (auto key = encryption::unlock_folder(folder, kPassphrase); !key)
      throw std::runtime_error(key.error().describe());
  StoreOptions options;
  options.author = user;
  auto store = Store::open(folder, options);
  if (!store) throw std::runtime_error(store.error().describe());
  device.store = std::move(*store);
  return device;
}

sync::SyncOutcome sync_once(Device& device, sync::Transport* through = nullptr) {
  sync::SyncEngine engine(*device.store, through ? *through : *device.transport, device.enrollment);
  auto outcome = engine.run();
  if (outcome.result != sync::SyncResult::Done) throw std::runtime_error("sync: " + outcome.error.describe());
  return outcome;
}

void fill(Device& device, std::uint32_t n, std::uint32_t seed) {
  for (std::uint32_t offset = 0; offset < n; offset += 10000) {
    std::vector<Record> batch;
    for (std::uint32_t i = offset; i < std::min(n, offset + 10000); ++i) {
      Record r = make_record(i, seed);
      r.author = device.enrollment.user_name;
      batch.push_back(std::move(r));
    }
    if (auto written = device.store->import_records(std::move(batch)); !written)
      throw std::runtime_error(written.error().describe());
  }
}

// Changes `count` records of the device (their titles), as a day's edits would.
void edit(Device& device, int count, int round) {
  RecordQuery query;
  query.limit = count;
  query.offset = round * count;
  auto rows = device.store->list(query);
  for (const auto& summary : *rows)
    (void)device.store->update(summary.id,
                               nlohmann::json{{"title", summary.title + "（修正" + std::to_string(round) + "）"}});
}

// What one store gives a device's syncs, in-process.
struct StoreFigures {
  double push = 0, pull = 0, noop_ms = 0, incremental_ms = 0;
};

// A full push of N, a full pull of N by a fresh device, the median no-op sync and the median sync of 100 changed
// records, against `collector`; the pusher and puller are left for what follows.
StoreFigures measure_store(CollectorProcess& collector, const std::filesystem::path& root, std::uint32_t n,
                           Device& pusher, Device& puller, int& round) {
  StoreFigures figures;
  pusher = enroll(collector, root / "pusher", "送信端末", "supervisor", /*encrypted=*/true);
  fill(pusher, n, 42);
  auto start = std::chrono::steady_clock::now();
  auto pushed = sync_once(pusher);
  figures.push = pushed.progress.records_sent / seconds_since(start);
  puller = enroll(collector, root / "puller", "受信端末");
  start = std::chrono::steady_clock::now();
  auto pulled = sync_once(puller);
  figures.pull = pulled.progress.records_received / seconds_since(start);
  if (pulled.progress.records_received != n)
    std::printf("  !! pulled %lld of %u\n", (long long)pulled.progress.records_received, n);
  figures.noop_ms = median_ms(30, [&] { sync_once(pusher); });
  std::vector<double> incremental_ms;
  for (int i = 0; i < 15; ++i) {
    edit(pusher, 100, round++);  // the edits are not part of the sync's time
    auto sync_start = std::chrono::steady_clock::now();
    auto outcome = sync_once(pusher);
    incremental_ms.push_back(seconds_since(sync_start) * 1000);
    if (outcome.progress.records_sent != 100) std::printf("  !! sent %lld\n", (long long)outcome.progress.records_sent);
  }
  figures.incremental_ms = percentile(incremental_ms, 0.5);
  return figures;
}

StoreFigures bench_n(const std::string& tsunagi_bin, const std::string& collector_bin, std::uint32_t n,
                     const std::filesystem::path& root) {
  std::printf("\nN = %u records\n", n);
  std::printf("  %-52s %11s %-9s %-12s %-8s %s\n", "measure", "value", "unit", "target", "", "peers");
  CollectorProcess collector(collector_bin, root / "collector");

  // Full push, in-process: a device with N records waiting; full pull: a fresh device restores everything; a no-op
  // sync and one of 100 changed records, with a warm connection.
  Device pusher, puller;
  int round = 0;
  const StoreFigures figures = measure_store(collector, root, n, pusher, puller, round);
  const double push_rate = figures.push, pull_rate = figures.pull;
  row("full push, in-process", push_rate, "records/s", ">= 30,000", push_rate >= 30000,
      ratio("PouchDB", push_rate, kPouchPushDocsPerSecond));
  row("full pull (fresh device), in-process", pull_rate, "records/s", ">= 30,000", pull_rate >= 30000,
      ratio("PouchDB", pull_rate, kPouchPullDocsPerSecond));
  row("no-op sync, in-process (median of 30)", figures.noop_ms, "ms", "< 5", figures.noop_ms < 5,
      ratio("faster than PouchDB", kPouchNoopMs, figures.noop_ms));
  row("100 changed records, in-process (median of 15)", figures.incremental_ms, "ms", "< 20",
      figures.incremental_ms < 20, ratio("faster than PouchDB", kPouchIncrementalMs, figures.incremental_ms));

  // The same as whole processes, with their peak memory.
  // Staff: it sees only its own records, so its sync is its push (a supervisor would also pull the first N).
  const auto env = passphrase_env(root);
  Device process_pusher = enroll(collector, root / "process-pusher", "送信端末2", "staff", true);
  fill(process_pusher, n, 43);
  process_pusher.store.reset();
  auto start = std::chrono::steady_clock::now();
  auto push_process =
      testing::run({tsunagi_bin, "--data", process_pusher.folder.string(), "sync"}, std::chrono::minutes(10), env);
  double push_process_s = seconds_since(start);
  Device process_puller = enroll(collector, root / "process-puller", "受信端末2", "supervisor", true);
  process_puller.store.reset();
  start = std::chrono::steady_clock::now();
  auto pull_process =
      testing::run({tsunagi_bin, "--data", process_puller.folder.string(), "restore"}, std::chrono::minutes(10), env);
  double pull_process_s = seconds_since(start);
  if (push_process.exit_code != 0 || pull_process.exit_code != 0)
    std::printf("  !! process sync failed: %s %s\n", push_process.err.c_str(), pull_process.err.c_str());
  row("full push, `tsunagi sync` process", n / push_process_s, "records/s", "", true);
  // The collector now holds both pushers' records: 2N.
  row("full pull of 2N, `tsunagi restore` process", 2.0 * n / pull_process_s, "records/s", "", true);
  row("client peak memory, push process", push_process.max_rss_kb / 1024.0, "MB", n >= 100000 ? "< 150" : "",
      push_process.max_rss_kb / 1024.0 < 150);
  row("client peak memory, restore process", pull_process.max_rss_kb / 1024.0, "MB", n >= 100000 ? "< 150" : "",
      pull_process.max_rss_kb / 1024.0 < 150);

  // Latency as whole processes: nothing to do, and 100 changed records.
  pusher.store.reset();
  double noop_process = median_ms(5, [&] {
    testing::run({tsunagi_bin, "--data", pusher.folder.string(), "sync"}, std::chrono::minutes(1), env);
  });
  row("no-op sync, `tsunagi sync` process (median of 5)", noop_process, "ms", "", true);
  {
    auto store = Store::open(pusher.folder);
    pusher.store = std::move(*store);
  }
  std::vector<double> process_ms;
  for (int i = 0; i < 5; ++i) {
    edit(pusher, 100, round++);
    pusher.store.reset();  // the process opens the store itself
    auto sync_start = std::chrono::steady_clock::now();
    testing::run({tsunagi_bin, "--data", pusher.folder.string(), "sync"}, std::chrono::minutes(1), env);
    process_ms.push_back(seconds_since(sync_start) * 1000);
    pusher.store = std::move(*Store::open(pusher.folder));
  }
  double incremental_process = percentile(process_ms, 0.5);
  row("100 changed records, `tsunagi sync` process (median of 5)", incremental_process, "ms", "", true);

  // A supervisor approves 1,000 records selected in the queue and syncs the decisions: the time the supervisor
  // waits, from pressing 承認 to the collector holding every decision.
  Device author = enroll(collector, root / "author", "職員 承認待ち", "staff");
  fill(author, 1000, 44);
  sync_once(author);
  sync_once(puller);  // the supervisor's device receives them
  RecordQuery waiting;
  waiting.status = ReviewStatus::Submitted;
  waiting.author = author.enrollment.user_name;
  waiting.limit = 0;
  std::vector<std::string> ids;
  (void)puller.store->for_each(waiting, [&ids](const Record& record) {
    ids.push_back(record.id);
    return true;
  });
  start = std::chrono::steady_clock::now();
  auto approved = puller.store->review(ids, ReviewDecision::Approve, "", "supervisor");
  const double decide_s = seconds_since(start);
  auto decisions = sync_once(puller);
  const double approve_s = seconds_since(start);
  if (!approved || ids.size() != 1000 || decisions.progress.records_sent != 1000)
    std::printf("  !! approved %zu, sent %lld%s\n", ids.size(), (long long)decisions.progress.records_sent,
                approved ? "" : (" (" + approved.error().describe() + ")").c_str());
  row("approve 1,000 selected, on the device", decide_s * 1000, "ms", "", true);
  row("approve 1,000 selected + sync the decisions", approve_s * 1000, "ms", "< 2,000", approve_s < 2.0);
  row("collector peak memory", collector.peak_memory_kb() / 1024.0, "MB", "", true);
  std::printf("  ratio: push rate / SQLite raw insert = %.2f, pull rate / SQLite raw insert = %.2f\n",
              push_rate / kSqliteRowsPerSecond, pull_rate / kSqliteRowsPerSecond);
  return figures;
}

// The same in-process syncs with the collector on PostgreSQL (a schema of its own), printed beside SQLite's.
void compare_postgres(const std::string& collector_bin, std::uint32_t n, const std::filesystem::path& root,
                      const StoreFigures& sqlite) {
  testing::PostgresSchema schema;
  CollectorProcess collector(collector_bin, root / "collector-postgres", 0, schema.url());
  Device pusher, puller;
  int round = 0;
  const StoreFigures postgres = measure_store(collector, root / "postgres", n, pusher, puller, round);
  std::printf("\nN = %u records, the collector's store\n", n);
  std::printf("  %-52s %11s %11s %-9s %s\n", "measure", "SQLite", "PostgreSQL", "unit", "PostgreSQL / SQLite");
  auto line = [](const char* what, double a, double b, const char* unit) {
    std::printf("  %-52s %11.2f %11.2f %-9s %.2f\n", what, a, b, unit, b / a);
  };
  line("full push, in-process", sqlite.push, postgres.push, "records/s");
  line("full pull (fresh device), in-process", sqlite.pull, postgres.pull, "records/s");
  line("no-op sync, in-process (median of 30)", sqlite.noop_ms, postgres.noop_ms, "ms");
  line("100 changed records, in-process (median of 15)", sqlite.incremental_ms, postgres.incremental_ms, "ms");
}

// Requests per second that `processes` collector processes on one PostgreSQL database serve to 32 devices syncing
// at once (each adds one record, then syncs: a push and a pull), for `seconds`; each sync goes to the next process.
double requests_per_second(const std::string& collector_bin, int processes, const std::filesystem::path& root,
                           int seconds) {
  testing::PostgresSchema schema;
  std::vector<std::unique_ptr<CollectorProcess>> collectors;
  for (int i = 0; i < processes; ++i) {
    const auto folder = root / ("collector-" + std::to_string(i));
    std::filesystem::create_directories(folder);
    if (i > 0)
      for (const char* file : {"cert.pem", "key.pem"})
        std::filesystem::copy_file(root / "collector-0" / file, folder / file);
    collectors.push_back(std::make_unique<CollectorProcess>(collector_bin, folder, 0, schema.url()));
  }
  constexpr int kDevices = 32, kThreads = 8;
  std::vector<Device> devices;
  for (int i = 0; i < kDevices; ++i)
    devices.push_back(
        enroll(*collectors[0], root / ("device-" + std::to_string(i)), "端末" + std::to_string(i), "staff"));
  for (const auto& collector : collectors) std::ofstream(collector->folder() / "requests.log", std::ios::trunc);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; std::chrono::steady_clock::now() < until; ++round)
        for (int d = t; d < kDevices; d += kThreads) {  // a device syncs on one thread only
          Device& device = devices[d];
          fill(device, 1, static_cast<std::uint32_t>(round * kDevices + d));
          const CollectorProcess& to = *collectors[(round + d) % collectors.size()];
          auto session = sync::make_curl_transport(to.url(), {to.pin(), ""});
          sync_once(device, session.get());
        }
    });
  for (auto& thread : threads) thread.join();
  const double elapsed = seconds_since(start);
  long requests = 0;
  for (const auto& collector : collectors) {
    std::ifstream log(collector->folder() / "requests.log");
    for (std::string line; std::getline(log, line);) requests += line.find(" /v1/") != std::string::npos;
  }
  return requests / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_sync TSUNAGI_BIN COLLECTOR_BIN [N ...]\n");
    return 64;
  }
  std::vector<std::uint32_t> sizes;
  for (int i = 3; i < argc; ++i) sizes.push_back(static_cast<std::uint32_t>(std::atoi(argv[i])));
  if (sizes.empty()) sizes = {10000, 100000};
  auto root = std::filesystem::temp_directory_path() / ("tsunagi-bench-sync-" + std::to_string(::getpid()));
  std::printf("bench/sync: records of about 1.5 KB of JSON; collector and clients on 127.0.0.1 over HTTPS\n");
  // PostgreSQL: the one named, else a server of our own for this run.
  const std::string script = std::string(TSUNAGI_SOURCE_DIR) + "/tests/support/postgres_server.sh";
  const bool own_server = !std::getenv("TSUNAGI_TEST_POSTGRES");
  if (own_server) {
    // std::system, not testing::run: the server outlives the script and holds no pipe of ours to wait on.
    const std::string start = "bash '" + script + "' start '" + (root / "postgres").string() + "' >&2";
    if (std::system(start.c_str()) != 0) {
      std::fprintf(stderr, "bench_sync: cannot start PostgreSQL\n");
      return 1;
    }
    std::ifstream url_file(root / "postgres" / "url");
    std::string url;
    std::getline(url_file, url);
    ::setenv("TSUNAGI_TEST_POSTGRES", url.c_str(), 1);
  }
  auto stop_server = [&] {
    if (own_server) (void)std::system(("bash '" + script + "' stop '" + (root / "postgres").string() + "'").c_str());
  };
  try {
    for (auto n : sizes) {
      const StoreFigures sqlite = bench_n(argv[1], argv[2], n, root / std::to_string(n));
      compare_postgres(argv[2], n, root / std::to_string(n), sqlite);
      std::filesystem::remove_all(root / std::to_string(n));
    }
    const double one = requests_per_second(argv[2], 1, root / "one", 10);
    const double three = requests_per_second(argv[2], 3, root / "three", 10);
    std::printf("\nthe collector on PostgreSQL, 32 devices syncing at once (8 at a time), 10 s each\n");
    std::printf("  %-52s %11.0f requests/s\n", "1 collector process", one);
    std::printf("  %-52s %11.0f requests/s  (%.2fx one process; one machine of 2 cores runs them all)\n",
                "3 collector processes", three, three / one);
    stop_server();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sync: %s\n", e.what());
    stop_server();
    std::filesystem::remove_all(root);
    return 1;
  }
  std::filesystem::remove_all(root);
  return 0;
}
