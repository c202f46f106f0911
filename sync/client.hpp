// The client side of sync: enrolling a device, and the engine that pushes the outbox and pulls changes.
//
// Sync status is an explicit state machine (SyncPhase, with a name) plus an outcome with an error slot; the CLI
// prints it and the window renders it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/error.hpp"
#include "model/store.hpp"
#include "sync/protocol.hpp"
#include "sync/transport.hpp"

namespace tsunagi::sync {

// What a device keeps after enrolling: where the collector is, how to trust it, and its own token.
// Stored as <data folder>/enrollment.json, mode 0600.
struct Enrollment {
  std::string server;
  TlsTrust trust;
  std::string device_id;
  std::string token;
  std::string collector_id;
  std::string user_name;
  std::string role;
  std::string team;
};

std::filesystem::path enrollment_file(const std::filesystem::path& data_dir);
// nullopt when the device is not enrolled.
Result<std::optional<Enrollment>> load_enrollment(const std::filesystem::path& data_dir);
Status save_enrollment(const std::filesystem::path& data_dir, const Enrollment& enrollment);

// Redeems an enrollment code at `server` over `transport` (already set up to trust the collector as `trust` says).
// Errors: the collector's ("enroll.invalid", "enroll.expired", "enroll.used", "enroll.slow_down") or the
// transport's ("tls.pin_mismatch", "net.connect", ...).
Result<Enrollment> enroll_device(Transport& transport, const std::string& server, const TlsTrust& trust,
                                 const std::string& code, const std::string& device_name);

// Makes the enrolled user this device's author (Store::adopt_author, one transaction): later changes are theirs,
// and records written here before enrollment that never reached the collector become theirs too, as changes that
// sync. SyncEngine::run does it again before each push, so that a cut-off adoption is finished.
Status adopt_enrollment(Store& store, const Enrollment& enrollment);

// Sends `body` to `path` with the device's token and reads the JSON object answered, one request without retries;
// a refusal is the collector's error, with `what` (the request's name) as context. The admin commands
// (tsunagi admin ...) go through it.
Result<nlohmann::json> post_request(Transport& transport, const Enrollment& enrollment, const char* path,
                                    const nlohmann::json& body, const std::string& what);

// A record's history from the collector (POST /v1/history), one request without retries: the caller keeps it
// (Store::cache_history) for reading offline. Errors: the transport's, record.not_found (unknown, or not this
// user's to see), auth.token.
Result<std::vector<HistoryEntry>> fetch_history(Transport& transport, const Enrollment& enrollment,
                                                const std::string& record_id);

// A record's history as a device shows it: from the collector when `enrollment` is set and the collector answers
// (kept in `store` for offline reading), else the copy kept (`kept_at` says when it came, `unreached` why it is
// not fresh), else its creation alone as this device has it (`local_only`: never sent, or the collector unreached
// with nothing kept). Fails when the record is unknown everywhere (record.not_found).
struct HistoryRead {
  std::vector<HistoryEntry> entries;
  std::string kept_at;
  bool local_only = false;
  std::optional<Error> unreached;
};
Result<HistoryRead> read_history(Store& store, const std::optional<Enrollment>& enrollment, const std::string& record_id);

enum class SyncPhase { Idle, Pushing, Pulling, Done, Failed };
std::string_view sync_phase_name(SyncPhase phase);

struct SyncProgress {
  SyncPhase phase = SyncPhase::Idle;
  std::int64_t records_sent = 0;
  std::int64_t records_received = 0;
  std::int64_t bytes_sent = 0;
  std::int64_t bytes_received = 0;
  std::int64_t waiting = 0;  // changes still in the outbox
};

enum class SyncResult { Done, Offline, NotEnrolled, Rejected, PinMismatch, Failed };
std::string_view sync_result_name(SyncResult result);
// The `tsunagi sync` exit code: 0 done, 2 offline, 3 not enrolled or token refused, 4 a record was rejected,
// 5 certificate pin mismatch, 1 anything else.
int sync_exit_code(SyncResult result);

struct SyncOutcome {
  SyncResult result = SyncResult::Done;
  Error error;  // why, when not Done
  SyncProgress progress;
  std::vector<SyncRejection> rejections;
  // The pins the device should accept from now on, as the collector's answers named them ("sha256//A", or
  // "sha256//A;sha256//B" while a key rotation waits): empty when they are those the enrollment holds (or it pins
  // no key). remember_pins stores them.
  std::string trust_pin;
};

// Stores the pins a sync learned (SyncOutcome::trust_pin) in `enrollment` and its file, when they changed.
Status remember_pins(const std::filesystem::path& data_dir, Enrollment& enrollment, const SyncOutcome& outcome);

struct SyncOptions {
  std::size_t push_batch = 500;  // outbox entries per push request
  std::size_t pull_page = 1000;  // records per pull request; a page is held in memory while stored
  int attempts = 5;              // per request, for transient failures (cannot connect, timeout, 5xx, 429)
  int backoff_ms = 200;          // first wait; doubles, with jitter, up to backoff_max_ms
  int backoff_max_ms = 5000;
  std::function<void(int milliseconds)> sleep;  // tests make waiting instant
};

class SyncEngine {
 public:
  SyncEngine(Store& store, Transport& transport, Enrollment enrollment, SyncOptions options = {});

  // Pushes the outbox, then pulls every change after the stored cursor, in bounded batches. Safe to stop at any
  // moment (crash, kill, lost connection): an outbox entry goes only when the collector acknowledged it, and the
  // cursor moves only with the page it belongs to. Not thread-safe; run it on one background thread.
  SyncOutcome run(const std::function<void(const SyncProgress&)>& on_progress = {});
  // A full pull from the beginning (a new or wiped laptop), after pushing whatever waits. A restore that did not
  // finish goes on from its last stored page instead of starting over.
  SyncOutcome restore(const std::function<void(const SyncProgress&)>& on_progress = {});

 private:
  struct Failure {
    SyncResult result;
    Error error;
  };
  struct Traffic {
    std::int64_t sent = 0;
    std::int64_t received = 0;
    std::string pins;  // the collector's key and the next one, as the last answer named them
  };
  struct PushBatch;
  struct FetchedPage;
  // Sends a request, retrying transient failures with exponential backoff and jitter. Touches no engine state but
  // the transport (used by one request at a time), so it may run on a worker thread.
  Result<HttpResponse> send(const HttpRequest& request, std::optional<Failure>& failure, Traffic& traffic);
  std::optional<Failure> push();
  std::optional<Failure> push_records();
  std::optional<Failure> push_comments_and_entries(bool last_pass);
  // Sends one push request (compressed when large) and reads the answer: the revisions' results, and the comments'
  // and report entries' into `comments` and `report_entries` when not null.
  std::optional<Failure> send_push(std::string body, std::vector<PushResult>& results,
                                   std::vector<PushResult>* comments = nullptr,
                                   std::vector<PushResult>* report_entries = nullptr);
  std::optional<Failure> push_snapshots();
  std::optional<Failure> prepare_push(std::int64_t after, PushBatch& batch);
  std::optional<Failure> finish_push(const PushBatch& batch, const HttpResponse& response);
  std::optional<Failure> pull();
  std::optional<Failure> pull_pages(const std::string& cursor);  // from `cursor` to the last page
  FetchedPage fetch_page(const std::string& cursor);  // runs on a worker thread: no store access
  void report(SyncPhase phase, bool count_waiting = true);
  void count(const Traffic& traffic);  // into progress_ and pins_told_

  Store& store_;
  Transport& transport_;
  Enrollment enrollment_;
  SyncOptions options_;
  SyncProgress progress_;
  std::vector<SyncRejection> rejections_;
  std::function<void(const SyncProgress&)> on_progress_;
  std::string pins_told_;
};

}  // namespace tsunagi::sync
