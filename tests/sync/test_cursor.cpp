// The pull cursor under concurrent pushes: 20 devices push at once while a supervisor pulls small pages in a loop;
// a change committed while the puller pages must never fall behind its cursor.
#include <chrono>
#include <thread>

#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {

namespace {

using namespace std::chrono_literals;

// The collector answered 503 store.busy: come back later.
bool busy(const sync::SyncOutcome& outcome) {
  return outcome.result != sync::SyncResult::Done && outcome.error.code == "store.busy";
}

}  // namespace

TEST_CASE_METHOD(SyncFixture, "a puller paging while 20 devices push skips no record", "[sync][cursor]") {
  constexpr int kDevices = 20;
  constexpr int kRecordsEach = 100;
  constexpr int kBatch = 10;

  std::vector<EngineDevice> pushers;
  for (int i = 0; i < kDevices; ++i) {
    std::string name = "職員" + std::to_string(i + 1);
    pushers.push_back(engine_device("pusher-" + std::to_string(i + 1), add_user(name, "staff", "東区")));
    // Each sync below opens its own connection, as `tsunagi sync` does; an idle one held open would pin one of the
    // collector's worker threads (see test_connections.cpp).
    pushers.back().transport.reset();
  }
  EngineDevice puller = engine_device("puller", add_user("山本 課長", "supervisor"));
  puller.transport.reset();

  // Threads may not use Catch2's assertions: each writes what went wrong here, checked after they end.
  std::mutex mutex;
  std::vector<std::string> failures;                    // guarded by mutex
  std::vector<std::set<std::string>> pushed(kDevices);  // pushed[i] written only by thread i
  auto fail = [&](const std::string& what) {
    std::lock_guard lock(mutex);
    failures.push_back(what);
  };

  std::atomic<int> pushing{kDevices};
  std::vector<std::thread> threads;
  for (int i = 0; i < kDevices; ++i) {
    threads.emplace_back([&, i] {
      EngineDevice& device = pushers[i];
      sync::SyncOptions options = test_sync_options();
      options.push_batch = kBatch;
      for (int round = 0; round < kRecordsEach / kBatch; ++round) {
        // Each round writes a batch and syncs it, so pushes from all devices interleave with the puller's pages.
        auto batch = numbered_records("端末" + std::to_string(i + 1) + "の記録", round * kBatch + 1, kBatch);
        for (auto& record : batch) {
          record.id = new_uuid_v7();
          pushed[i].insert(record.id);
        }
        if (auto written = device.store->import_records(std::move(batch)); !written) {
          fail("device " + std::to_string(i + 1) + ": " + written.error().describe());
          break;
        }
        auto outcome = device.sync_session(options);
        // A collector too busy to answer now (503 store.busy: SQLite's lock held past its wait, as under a
        // sanitizer's load) asks the device to come back, as its next sync does; the cursor's property is the same.
        for (int retry = 0; retry < 5 && busy(outcome); ++retry) {
          std::this_thread::sleep_for(200ms);
          outcome = device.sync_session(options);
        }
        if (outcome.result != sync::SyncResult::Done) {
          fail("device " + std::to_string(i + 1) + " round " + std::to_string(round) + ": " +
               std::string(sync::sync_result_name(outcome.result)) + ": " + outcome.error.describe());
          break;
        }
      }
      --pushing;
    });
  }

  sync::SyncOptions small_pages = test_sync_options();
  small_pages.pull_page = 7;
  auto deadline = std::chrono::steady_clock::now() + 90s;
  while (pushing > 0 && std::chrono::steady_clock::now() < deadline) {
    auto outcome = puller.sync_session(small_pages);
    if (busy(outcome)) continue;  // it pulls again at once, as after any busy answer
    if (outcome.result != sync::SyncResult::Done)
      fail("puller: " + std::string(sync::sync_result_name(outcome.result)) + ": " + outcome.error.describe());
  }
  for (auto& thread : threads) thread.join();
  // The puller really paged while devices pushed: it already held some of the records before its last pull.
  std::int64_t held_before_last = puller.record_count();
  CHECK(held_before_last > 0);
  auto last = puller.sync_session(small_pages);
  INFO(last.error.describe());
  CHECK(last.result == sync::SyncResult::Done);

  for (const auto& failure : failures) FAIL_CHECK(failure);
  std::set<std::string> all;
  for (const auto& ids : pushed) all.insert(ids.begin(), ids.end());
  REQUIRE(all.size() == static_cast<std::size_t>(kDevices * kRecordsEach));
  CHECK(database().integer("SELECT count(*) FROM records") == kDevices * kRecordsEach);
  auto have = puller.record_ids();
  std::vector<std::string> missing;
  std::set_difference(all.begin(), all.end(), have.begin(), have.end(), std::back_inserter(missing));
  INFO("missing " << missing.size() << (missing.empty() ? "" : ", first " + missing.front()));
  CHECK(missing.empty());
  CHECK(have.size() == all.size());
}

}  // namespace tsunagi::sync_tests
