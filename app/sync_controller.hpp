// The window's side of sync: enrollment, the sync engine and a connection probe, all run on one background thread
// so that the UI thread never waits on the network or on SQLite. No ImGui here; the sync screen and the status bar
// draw from view().
//
// The worker opens its own Store on the data folder (a Store is one SQLite connection and not thread-safe).
// Commands (sync, enroll, refresh) are flags the worker takes in turn; progress is published as it happens.
// Destroying the controller raises the transports' cancel flag, so a request in flight stops within about a
// second, and joins the worker; what the engine had not finished stays in the outbox for the next sync.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "model/error.hpp"
#include "model/store.hpp"
#include "sync/client.hpp"

namespace tsunagi {

enum class Connection { Unknown, Online, Offline };

// What to tell the user about the last failure, and what they should do next (catalogue keys "sync.advice.*").
enum class SyncAdvice {
  None,
  Enroll,      // not enrolled, or the token was refused: paste a new line in 設定
  CallOffice,  // the certificate is not the enrolled one
  OpenRecord,  // a record was rejected: open it at the field
  TryLater,    // offline or the collector is unwell: records are safe and wait
  Check,       // anything else: the message says what
};
SyncAdvice advice_for(sync::SyncResult result);

// What the data folder says: the enrollment and the store's sync bookkeeping.
struct DeviceState {
  std::optional<Error> store_error;  // the store or enrollment file could not be read
  bool enrolled = false;
  std::string server, user_name, role, team, device_id;
  std::int64_t waiting = 0;               // changes in the outbox
  std::string last_success;               // ISO 8601, or empty: never
  std::vector<SyncRejection> rejections;  // records the collector refused, with the field and why
  std::vector<std::string> rejected_titles;  // the title of each refused record (same order)
};

// Everything the sync screen and status bar show. Owned by the UI thread (a copy of the worker's).
struct SyncView {
  bool loaded = false;  // the worker has read the data folder once
  DeviceState device;
  Connection connection = Connection::Unknown;

  bool running = false;  // a sync is under way
  sync::SyncProgress progress;
  std::optional<sync::SyncResult> result;  // of the last sync this session
  std::optional<Error> error;              // why the last sync did not finish
  SyncAdvice advice = SyncAdvice::None;

  bool enrolling = false;
  std::optional<Error> enroll_error;  // of the last enrollment attempt
  bool enrolled_now = false;          // the last enrollment attempt succeeded

  std::uint64_t revision = 0;  // grows with every change
};

struct SyncControllerOptions {
  // While enrolled and idle, GET /v1/status this often to show online/offline; zero turns the probe off.
  std::chrono::milliseconds probe_interval{60000};
  sync::SyncOptions engine;  // retries and batch sizes (tests shorten the waits)
  std::string device_name;   // sent when enrolling; the host name when empty
};

class SyncController {
 public:
  // Starts the worker, which reads the store's state at once. `on_change`, if set, is called on the worker thread
  // after each change to the view (to wake an idle event loop); it must be thread-safe and quick.
  SyncController(std::filesystem::path data_folder, std::function<void()> on_change = {},
                 SyncControllerOptions options = {});
  ~SyncController();
  SyncController(const SyncController&) = delete;
  SyncController& operator=(const SyncController&) = delete;

  // UI thread. Push the outbox and pull (ignored while a sync runs).
  void sync_now();
  // UI thread. Enroll with the pasted line from `tsunagi-collector user add`.
  void enroll(std::string line);
  // UI thread. Re-read the waiting count, last sync and rejections (after a record was saved).
  void refresh();

  // UI thread, once a frame: takes the worker's latest view. True when view() changed.
  bool poll();
  const SyncView& view() const { return visible_; }

 private:
  struct Commands {
    bool sync = false;
    bool refresh = false;
    std::optional<std::string> enroll_line;
  };

  void run_worker();
  DeviceState read_state(Store& store);
  void run_sync(Store& store);
  void run_enroll(Store& store, const std::string& line);
  void probe();
  void publish(const std::function<void(SyncView&)>& change);
  std::unique_ptr<sync::Transport> transport_to(const std::string& server, const sync::TlsTrust& trust);

  const std::filesystem::path data_folder_;
  const std::function<void()> on_change_;
  SyncControllerOptions options_;
  std::atomic<bool> cancel_{false};

  SyncView visible_;  // UI thread only

  // mutex_ guards shared_, commands_ and stopping_; wake_ tells the worker a command or stop arrived.
  std::mutex mutex_;
  std::condition_variable wake_;
  SyncView shared_;
  Commands commands_;
  bool stopping_ = false;

  std::thread worker_;  // last: starts after every field above is constructed
};

}  // namespace tsunagi
