// bench/sync: push and pull through a real tsunagi-collector over HTTPS on 127.0.0.1.
// For each N (10,000 and 100,000 records of about 1.5 KB of JSON): a full push and a full pull (a fresh device restoring
// everything), in-process and as a whole `tsunagi sync` / `tsunagi restore` process; then the latency of a sync
// with nothing to do and of one with 100 changed records, in-process with a warm connection and as a process; and
// the peak memory of client and collector; and a supervisor approving 1,000 records at once, with the sync of
// the decisions. Figures are printed beside the targets and the peers' anchors
// (shared/bench/anchors/RESULTS.md).
//
// Usage: bench_sync TSUNAGI_BIN COLLECTOR_BIN [N ...]
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "bench_data.hpp"
#include "model/record_json.hpp"
#include "model/store.hpp"
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

Device enroll(const CollectorProcess& collector, const std::filesystem::path& folder, const std::string& user,
              const std::string& role = "supervisor") {
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
  StoreOptions options;
  options.author = user;
  auto store = Store::open(folder, options);
  if (!store) throw std::runtime_error(store.error().describe());
  device.store = std::move(*store);
  return device;
}

sync::SyncOutcome sync_once(Device& device) {
  sync::SyncEngine engine(*device.store, *device.transport, device.enrollment);
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

void bench_n(const std::string& tsunagi_bin, const std::string& collector_bin, std::uint32_t n,
             const std::filesystem::path& root) {
  std::printf("\nN = %u records\n", n);
  std::printf("  %-52s %11s %-9s %-12s %-8s %s\n", "measure", "value", "unit", "target", "", "peers");
  CollectorProcess collector(collector_bin, root / "collector");

  // Full push, in-process: a device with N records waiting.
  Device pusher = enroll(collector, root / "pusher", "送信端末");
  fill(pusher, n, 42);
  auto start = std::chrono::steady_clock::now();
  auto pushed = sync_once(pusher);
  double push_rate = pushed.progress.records_sent / seconds_since(start);
  row("full push, in-process", push_rate, "records/s", ">= 30,000", push_rate >= 30000,
      ratio("PouchDB", push_rate, kPouchPushDocsPerSecond));

  // Full pull, in-process: a fresh device restores everything.
  Device puller = enroll(collector, root / "puller", "受信端末");
  start = std::chrono::steady_clock::now();
  auto pulled = sync_once(puller);
  double pull_rate = pulled.progress.records_received / seconds_since(start);
  row("full pull (fresh device), in-process", pull_rate, "records/s", ">= 30,000", pull_rate >= 30000,
      ratio("PouchDB", pull_rate, kPouchPullDocsPerSecond));
  if (pulled.progress.records_received != n)
    std::printf("  !! pulled %lld of %u\n", (long long)pulled.progress.records_received, n);

  // The same as whole processes, with their peak memory.
  // Staff: it sees only its own records, so its sync is its push (a supervisor would also pull the first N).
  Device process_pusher = enroll(collector, root / "process-pusher", "送信端末2", "staff");
  fill(process_pusher, n, 43);
  process_pusher.store.reset();
  start = std::chrono::steady_clock::now();
  auto push_process =
      testing::run({tsunagi_bin, "--data", process_pusher.folder.string(), "sync"}, std::chrono::minutes(10));
  double push_process_s = seconds_since(start);
  Device process_puller = enroll(collector, root / "process-puller", "受信端末2");
  process_puller.store.reset();
  start = std::chrono::steady_clock::now();
  auto pull_process =
      testing::run({tsunagi_bin, "--data", process_puller.folder.string(), "restore"}, std::chrono::minutes(10));
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

  // Latency: nothing to do, and 100 changed records, with a warm connection.
  double noop = median_ms(30, [&] { sync_once(pusher); });
  row("no-op sync, in-process (median of 30)", noop, "ms", "< 5", noop < 5,
      ratio("faster than PouchDB", kPouchNoopMs, noop));
  int round = 0;
  std::vector<double> incremental_ms;
  for (int i = 0; i < 15; ++i) {
    edit(pusher, 100, round++);  // the edits are not part of the sync's time
    auto sync_start = std::chrono::steady_clock::now();
    auto outcome = sync_once(pusher);
    incremental_ms.push_back(seconds_since(sync_start) * 1000);
    if (outcome.progress.records_sent != 100) std::printf("  !! sent %lld\n", (long long)outcome.progress.records_sent);
  }
  double incremental = percentile(incremental_ms, 0.5);
  row("100 changed records, in-process (median of 15)", incremental, "ms", "< 20", incremental < 20,
      ratio("faster than PouchDB", kPouchIncrementalMs, incremental));
  pusher.store.reset();
  double noop_process = median_ms(5, [&] { testing::run({tsunagi_bin, "--data", pusher.folder.string(), "sync"}); });
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
    testing::run({tsunagi_bin, "--data", pusher.folder.string(), "sync"});
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
  try {
    for (auto n : sizes) {
      bench_n(argv[1], argv[2], n, root / std::to_string(n));
      std::filesystem::remove_all(root / std::to_string(n));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_sync: %s\n", e.what());
    std::filesystem::remove_all(root);
    return 1;
  }
  std::filesystem::remove_all(root);
  return 0;
}
