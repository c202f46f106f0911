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

// Where the collector stands, as the last request found it. Told apart because each asks something different of
// the user: wait for a network, call the office, enroll again.
enum class Connection {
  Unknown,      // not asked yet (or not enrolled)
  Online,       // the collector answered
  NoNetwork,    // no network at all: the name does not resolve, or there is no route
  NotAnswering, // the network works, but the collector does not answer (down, refusing connections, too slow)
  PinMismatch,  // something answered with a certificate that is not the enrolled collector's
  Refusing,     // the collector answered but refuses this device (token revoked or unknown)
};
std::string_view connection_name(Connection connection);
// The Connection a transport error (or an HTTP status in an "http.<status>" code) shows.
Connection connection_for(const Error& error);

// What to tell the user about the last failure, and what they should do next (catalogue keys "sync.advice.*").
enum class SyncAdvice {
  None,
  Enroll,        // not enrolled, or the token was refused: paste a new line in 設定
  CallOffice,    // the certificate is not the enrolled one
  OpenRecord,    // a record was rejected: open it at the field
  NoNetwork,     // no network: records are safe and go when there is one
  NotAnswering,  // the collector does not answer: records are safe; the office should check the collector
  Check,         // anything else: the office can read the details
};
SyncAdvice advice_for(sync::SyncResult result, const Error& error);

// What the data folder says: the enrollment and the store's sync bookkeeping.
struct DeviceState {
  std::optional<Error> store_error;  // the store or enrollment file could not be read
  bool enrolled = false;
  std::string server, user_name, role, team, device_id;
  std::int64_t waiting = 0;               // records with changes in the outbox (what the user calls 未送信)
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
  // Every sync_now() call gets the next ticket; a sync that finished covers every ticket up to finished_ticket
  // (it started after they were asked), so a caller knows when its request has been answered.
  std::uint64_t finished_ticket = 0;
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
  // While enrolled and idle, GET /v1/status this often to show whether the collector can be reached; when it can
  // and records wait to be sent (not refused ones), they are sent at once. Zero turns the probe off.
  std::chrono::milliseconds probe_interval{60000};
  // While the collector can be reached, a sync at least this often even with nothing to send, so that what the
  // office decided (a return and its reason, a comment) reaches the laptop without a press of 同期. Zero: never.
  std::chrono::milliseconds pull_interval{300000};
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

  // UI thread. Push the outbox and pull. While a sync runs, another follows it (what was saved meanwhile goes
  // too). Returns this request's ticket (see SyncView::finished_ticket).
  std::uint64_t sync_now();
  // UI thread. Enroll with the pasted line from `tsunagi-collector user add`.
  void enroll(std::string line);
  // UI thread. Re-read the waiting count, last sync and rejections (after a record was saved).
  void refresh();

  // UI thread, once a frame: takes the worker's latest view. True when view() changed.
  bool poll();
  const SyncView& view() const { return visible_; }

 private:
  struct Commands {
    std::uint64_t sync_ticket = 0;  // > 0: sync, answering tickets up to this one
    bool refresh = false;
    std::optional<std::string> enroll_line;
  };

  void run_worker();
  DeviceState read_state(Store& store);
  void run_sync(Store& store, std::uint64_t ticket);
  // Records waiting that the collector has not refused: worth sending as soon as it can be reached.
  bool has_sendable(Store& store);
  void run_enroll(Store& store, const std::string& line);
  // Asks the collector whether it can be reached (nullopt: not enrolled, or cancelled).
  std::optional<Connection> probe();
  void publish(const std::function<void(SyncView&)>& change);
  std::unique_ptr<sync::Transport> transport_to(const std::string& server, const sync::TlsTrust& trust);

  const std::filesystem::path data_folder_;
  const std::function<void()> on_change_;
  SyncControllerOptions options_;
  std::atomic<bool> cancel_{false};

  SyncView visible_;           // UI thread only
  std::uint64_t last_ticket_ = 0;  // UI thread only

  // mutex_ guards shared_, commands_ and stopping_; wake_ tells the worker a command or stop arrived.
  std::mutex mutex_;
  std::condition_variable wake_;
  SyncView shared_;
  Commands commands_;
  bool stopping_ = false;

  std::thread worker_;  // last: starts after every field above is constructed
};

}  // namespace tsunagi
