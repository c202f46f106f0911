// Crashes in the middle of a sync: the collector SIGKILLed while pushes are on their way (and restarted on the same
// port), and a real `tsunagi sync` process SIGKILLed in the middle of a pull. Nothing is lost, nothing doubled.
#include <netinet/in.h>
#include <sys/socket.h>

#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

// Kills the collector and starts it again on its port, from a thread of its own so that the request in flight
// meets the crash. A failure to restart is remembered rather than thrown on that thread.
class Restarter {
 public:
  explicit Restarter(testing::CollectorProcess& collector) : collector_(collector) {}
  ~Restarter() { join(); }

  // After `kill_after`, SIGKILL; after `restart_after` more, start again.
  void kill_then_restart(std::chrono::milliseconds kill_after, std::chrono::milliseconds restart_after) {
    join();
    thread_ = std::thread([this, kill_after, restart_after] {
      std::this_thread::sleep_for(kill_after);
      kill();
      restart_after_wait(restart_after);
    });
  }
  // SIGKILL now, on this thread; start again after `restart_after`, on another.
  void kill_now_restart_later(std::chrono::milliseconds restart_after) {
    join();
    kill();
    thread_ = std::thread([this, restart_after] { restart_after_wait(restart_after); });
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  int kills() const { return kills_; }
  const std::string& failure() const { return failure_; }

 private:
  void kill() {
    collector_.kill();
    ++kills_;
  }
  void restart_after_wait(std::chrono::milliseconds delay) {
    std::this_thread::sleep_for(delay);
    try {
      collector_.restart();
    } catch (const std::exception& e) {
      failure_ = e.what();
    }
  }

  testing::CollectorProcess& collector_;
  std::thread thread_;
  std::atomic<int> kills_{0};
  std::string failure_;  // written by the thread, read after join()
};

// Reads `fd` until a complete line satisfies `wanted` or `deadline` passes; returns what it read.
std::string read_until_line(int fd, const std::function<bool(const std::string&)>& wanted,
                            std::chrono::steady_clock::time_point deadline, bool* found) {
  std::string text;
  std::size_t line_start = 0;
  *found = false;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd entry{fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (::poll(&entry, 1, static_cast<int>(std::max<long long>(1, left.count()))) <= 0) continue;
    char buffer[4096];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return text;  // the process ended
    text.append(buffer, static_cast<std::size_t>(n));
    for (std::size_t end; (end = text.find('\n', line_start)) != std::string::npos; line_start = end + 1) {
      if (wanted(text.substr(line_start, end - line_start))) {
        *found = true;
        return text;
      }
    }
  }
  return text;
}

// Listens on 127.0.0.1:`port` where the collector was, and resets (RST) the first connection once its TLS
// handshake has begun, as a collector dying in the middle of a handshake does; then stops listening.
class HandshakeResetter {
 public:
  explicit HandshakeResetter(int port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof yes);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 8) != 0)
      throw std::runtime_error("cannot listen on the collector's port");
    thread_ = std::thread([this] {
      pollfd entry{listener_, POLLIN, 0};
      if (::poll(&entry, 1, 10000) <= 0) return;
      int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      pollfd hello{connection, POLLIN, 0};
      if (::poll(&hello, 1, 5000) > 0) {
        char buffer[512];
        (void)::read(connection, buffer, sizeof buffer);  // the ClientHello: the handshake is under way
        reset_ = true;
      }
      linger abort{1, 0};  // close with RST, not FIN
      ::setsockopt(connection, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
      ::close(connection);
    });
  }
  ~HandshakeResetter() { finish(); }
  // Waits for the reset to happen (or time out), then stops listening.
  void finish() {
    if (thread_.joinable()) thread_.join();
    if (listener_ >= 0) ::close(listener_);
    listener_ = -1;
  }
  bool reset() const { return reset_; }

 private:
  int listener_ = -1;
  std::thread thread_;
  std::atomic<bool> reset_{false};
};

}  // namespace

TEST_CASE_METHOD(SyncFixture, "a connection reset during the TLS handshake is retried like any lost connection",
                 "[sync][crash]") {
  EngineDevice device = engine_device("staff", add_user("中村 次郎", "staff", "東区"));
  auto ids = device.import(numbered_records("再接続の確認", 1, 10));
  collector->kill();
  std::string restart_failure;
  std::thread comeback;
  {
    HandshakeResetter resetter(collector->port());
    comeback = std::thread([&] {
      resetter.finish();  // after the reset, the port is closed for a moment: the collector is starting again
      std::this_thread::sleep_for(300ms);
      try {
        collector->restart();
      } catch (const std::exception& e) {
        restart_failure = e.what();
      }
    });
    auto outcome = device.sync_session();
    comeback.join();
    REQUIRE(restart_failure.empty());
    REQUIRE(resetter.reset());
    INFO(outcome.error.code << ": " << outcome.error.describe());
    CHECK(outcome.result == sync::SyncResult::Done);
  }
  CHECK(device.outbox_size() == 0);
  CHECK(database().integer("SELECT count(*) FROM records") == 10);
}

TEST_CASE_METHOD(SyncFixture, "a collector killed in the middle of a push loses nothing and doubles nothing",
                 "[sync][crash]") {
  EngineDevice device = engine_device("staff", add_user("中村 次郎", "staff", "東区"));
  auto ids = device.import(numbered_records("停電の確認", 1, 3000));
  const int port = collector->port();

  Restarter restarter(*collector);
  FaultTransport faulty(*device.transport);
  faulty.before_send = [&](int number, const sync::HttpRequest& request) {
    if (request.path != sync::kPushPath) return;
    // 5th push: the request goes out now and the collector dies a few milliseconds later, while it reads or stores
    // the batch or writes its answer.
    if (number == 5) restarter.kill_then_restart(5ms, 300ms);
    // 15th push: the collector is already dead when the request goes; the engine must wait for it to come back.
    if (number == 15) restarter.kill_now_restart_later(400ms);
  };
  sync::SyncOptions options = test_sync_options();
  options.push_batch = 100;
  auto outcome = device.sync(options, &faulty);
  restarter.join();

  INFO(faulty.events());
  REQUIRE(restarter.failure().empty());
  CHECK(restarter.kills() == 2);
  CHECK(collector->port() == port);
  INFO(outcome.error.describe());
  CHECK(outcome.result == sync::SyncResult::Done);
  CHECK(faulty.count(sync::kPushPath) > 30);  // 30 batches, and the requests that the kills cost
  CHECK(device.outbox_size() == 0);

  auto db = database();
  CHECK(db.integer("SELECT count(*) FROM records") == 3000);
  CHECK(db.integer("SELECT count(DISTINCT id) FROM records") == 3000);
  CHECK(db.integer("SELECT count(*) FROM (SELECT record_id FROM revisions GROUP BY record_id HAVING count(*) > 1)") ==
        0);
  auto stored = db.column("SELECT id FROM records");
  CHECK(std::set<std::string>(stored.begin(), stored.end()) == std::set<std::string>(ids.begin(), ids.end()));
  // And the collector still answers after its restarts.
  auto again = device.sync(options);
  CHECK(again.result == sync::SyncResult::Done);
}

TEST_CASE_METHOD(SyncFixture, "a tsunagi sync killed in the middle of a pull resumes from its cursor",
                 "[sync][crash]") {
  constexpr int kRecords = 5000;
  EngineDevice writer = engine_device("writer", add_user("中村 次郎", "staff", "東区"));
  auto ids = writer.import(numbered_records("再開の確認", 1, kRecords));
  sync::SyncOptions options = test_sync_options();
  options.push_batch = 1000;
  auto pushed = writer.sync(options);
  INFO(pushed.error.describe());
  REQUIRE(pushed.result == sync::SyncResult::Done);

  Laptop supervisor = laptop("supervisor-laptop");
  auto enrolled = supervisor.enroll(add_user("山本 課長", "supervisor"));
  INFO(describe(enrolled));
  REQUIRE(enrolled.exit_code == 0);

  // The real client, killed as soon as it reports a first page of records (it prints a progress line per page).
  int out_fd = -1, err_fd = -1;
  pid_t pid =
      testing::spawn({TSUNAGI_BIN, "--data", supervisor.data().string(), "--lang", "en", "sync"}, &out_fd, &err_fd);
  bool found = false;
  std::string progress = read_until_line(
      err_fd,
      [](const std::string& line) {
        return line.find("sync pulling:") != std::string::npos && last_received(line) > 0;
      },
      std::chrono::steady_clock::now() + 60s, &found);
  ::kill(pid, SIGKILL);
  int killed_exit = testing::wait_for(pid, 10s);
  ::close(out_fd);
  ::close(err_fd);
  INFO(progress);
  REQUIRE(found);
  CHECK(killed_exit == -1);  // it died of the signal, it did not finish first

  // The killed run was the laptop's first pull, which sets the store's indexes aside: opening it builds them again.
  auto index_count = [](const Store& store) {
    CollectorDatabase db(store.file());  // any SQLite file, read-only
    return db.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'index'");
  };
  std::int64_t kept = 0;
  {
    auto store = Store::open(supervisor.data());
    REQUIRE(store);
    TempFolder fresh;
    auto new_store = Store::open(fresh.path());
    REQUIRE(new_store);
    CHECK(index_count(**store) == index_count(**new_store));
    RecordQuery everything;
    everything.include_deleted = true;
    auto count = (*store)->count(everything);
    REQUIRE(count);
    kept = *count;
  }
  CHECK(kept > 0);
  CHECK(kept < kRecords);

  auto resumed = supervisor.sync();
  INFO(describe(resumed));
  REQUIRE(resumed.exit_code == 0);
  long long received = last_received(resumed.err);
  CHECK(received < kRecords);          // it resumed from the cursor...
  CHECK(received + kept == kRecords);  // ...exactly where the killed run's last stored page ended
  auto have = supervisor.record_ids();
  CHECK(have.size() == static_cast<std::size_t>(kRecords));
  CHECK(have == std::set<std::string>(ids.begin(), ids.end()));
}

}  // namespace tsunagi::sync_tests
