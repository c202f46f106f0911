// [SECTION] Enrollment
// [SECTION] Requests with retries
// [SECTION] Push
// [SECTION] Pull
#include "sync/client.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <future>
#include <map>
#include <random>
#include <thread>

#include "model/encryption.hpp"
#include "model/files.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/kill_point.hpp"
#include "model/platform.hpp"
#include "model/record_json.hpp"
#include "sync/protocol.hpp"

namespace tsunagi::sync {

using nlohmann::json;

// Indexed by the enums' values, in declaration order.
constexpr std::array<std::string_view, 5> kSyncPhaseNames{"idle", "pushing", "pulling", "done", "failed"};
constexpr std::array<std::string_view, 6> kSyncResultNames{"done",     "offline",      "not_enrolled",
                                                           "rejected", "pin_mismatch", "failed"};
constexpr std::array<int, 6> kSyncExitCodes{0, 2, 3, 4, 5, 1};
// Comments and report entries waiting to be sent, read at once per pass (they are few: people type them).
constexpr std::size_t kMaxPendingWritten = 10000;

std::string_view sync_phase_name(SyncPhase phase) { return kSyncPhaseNames.at(static_cast<std::size_t>(phase)); }
std::string_view sync_result_name(SyncResult result) { return kSyncResultNames.at(static_cast<std::size_t>(result)); }
int sync_exit_code(SyncResult result) { return kSyncExitCodes.at(static_cast<std::size_t>(result)); }

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Enrollment
// ---------------------------------------------------------------------------------------------------------------

std::filesystem::path enrollment_file(const std::filesystem::path& data_dir) {
  return data_dir / encryption::kEnrollmentFileName;
}

// The enrollment holds the device's token: sealed with the folder's data key when the folder is encrypted.
Result<std::optional<Enrollment>> load_enrollment(const std::filesystem::path& data_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(enrollment_file(data_dir), ec)) return std::optional<Enrollment>();
  const crypto::Key key = encryption::key_for(data_dir);
  if (!key && encryption::has_key_file(data_dir)) return encryption::locked_error(data_dir);
  auto text = key ? encryption::read_sealed_file(enrollment_file(data_dir), *key, encryption::kEnrollmentFileName)
                  : read_file(enrollment_file(data_dir));
  if (!text) return text.error();
  auto parsed = parse_json_text(*text);
  if (!parsed) return parsed.error().with_context(platform::path_to_utf8(enrollment_file(data_dir)));
  auto field = [&parsed](const char* key) { return string_member(*parsed, key); };
  Enrollment e{field("server"),       {field("pin"), field("ca_file")},
               field("device_id"),    field("token"),
               field("collector_id"), field("user_name"),
               field("role"),         field("team")};
  if (e.server.empty() || e.token.empty())
    return make_error("enroll.file", platform::path_to_utf8(enrollment_file(data_dir)), "incomplete enrollment file",
                      "登録情報のファイルが不完全です");
  return std::optional<Enrollment>(std::move(e));
}

Status save_enrollment(const std::filesystem::path& data_dir, const Enrollment& e) {
  json j = {{"server", e.server},       {"pin", e.trust.pin}, {"ca_file", e.trust.ca_file},
            {"device_id", e.device_id}, {"token", e.token},   {"collector_id", e.collector_id},
            {"user_name", e.user_name}, {"role", e.role},     {"team", e.team}};
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  const crypto::Key key = encryption::key_for(data_dir);
  if (!key && encryption::has_key_file(data_dir)) return encryption::locked_error(data_dir);
  if (key)
    return encryption::write_sealed_file(enrollment_file(data_dir), j.dump(2) + "\n", *key,
                                         encryption::kEnrollmentFileName);
  return write_file_atomic(enrollment_file(data_dir), j.dump(2) + "\n", 0600);
}

namespace {

// The pins an answer named, in curl's list form: the collector's key, and the next one when a rotation waits.
std::string accepted_pins(const HttpResponse& response) {
  if (response.pin.empty() || response.next_pin.empty()) return response.pin;
  return response.pin + ";" + response.next_pin;
}

}  // namespace

Result<Enrollment> enroll_device(Transport& transport, const std::string& server, const TlsTrust& trust,
                                 const std::string& code, const std::string& device_name) {
  HttpRequest request{"POST", kEnrollPath, to_json_text(json{{"code", code}, {"device_name", device_name}}), ""};
  auto response = transport.send(request);
  if (!response) return response.error();
  if (response->status != 200) return error_from_response(response->status, response->body);
  auto parsed = parse_json_text(response->body);
  if (!parsed || !parsed->is_object())
    return make_error("protocol.response", "", "unreadable enrollment answer", "登録の応答を読めません");
  const json& j = *parsed;
  const json user = j.value("user", json::object());
  Enrollment e{server,
               trust,
               string_member(j, "device_id"),
               string_member(j, "token"),
               string_member(j, "collector_id"),
               string_member(user, "name"),
               string_member(user, "role"),
               string_member(user, "team")};
  if (e.token.empty() || e.device_id.empty())
    return make_error("protocol.response", "", "the enrollment answer has no token",
                      "登録の応答にトークンがありません");
  if (!e.trust.pin.empty() && !response->pin.empty() && !response->next_pin.empty())  // a rotation waits
    e.trust.pin = accepted_pins(*response);
  return e;
}

Status remember_pins(const std::filesystem::path& data_dir, Enrollment& enrollment, const SyncOutcome& outcome) {
  if (outcome.trust_pin.empty() || outcome.trust_pin == enrollment.trust.pin) return ok_status();
  enrollment.trust.pin = outcome.trust_pin;
  return save_enrollment(data_dir, enrollment);
}

Status adopt_enrollment(Store& store, const Enrollment& enrollment) {
  auto adopted = store.adopt_author(enrollment.user_name);
  if (!adopted) return adopted.error();
  auto role = store.role();
  if (!role) return role.error();
  return *role == enrollment.role ? ok_status() : store.set_role(enrollment.role);
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Requests with retries
// ---------------------------------------------------------------------------------------------------------------

SyncEngine::SyncEngine(Store& store, Transport& transport, Enrollment enrollment, SyncOptions options)
    : store_(store), transport_(transport), enrollment_(std::move(enrollment)), options_(std::move(options)) {
  if (!options_.sleep) options_.sleep = [](int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
}

namespace {

bool transient_status(int status) {
  return status == 429 || status == 502 || status == 503 || status == 504 || status == 500;
}

// Worth another attempt after a pause: the network or the collector may come back. Whichever way it failed to
// connect (no network, refused, timed out, other), the outcome after the last attempt is SyncResult::Offline.
bool transient_error(const Error& error) {
  return error.code == "net.no_network" || error.code == "net.refused" || error.code == "net.connect" ||
         error.code == "net.timeout" || error.code == "net.other" || error.code == "tls.handshake";
}

}  // namespace

Result<HttpResponse> SyncEngine::send(const HttpRequest& request, std::optional<Failure>& failure, Traffic& traffic) {
  static thread_local std::mt19937 jitter{std::random_device{}()};
  int wait = options_.backoff_ms;
  Error last;
  for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
    auto response = transport_.send(request);
    int retry_after_ms = 0;
    if (!response) {
      last = response.error();
      if (last.code == "tls.pin_mismatch") {
        failure = Failure{SyncResult::PinMismatch, last};
        return last;
      }
      if (!transient_error(last)) {
        failure = Failure{SyncResult::Failed, last};
        return last;
      }
    } else {
      traffic.sent += static_cast<std::int64_t>(request.body.size());
      traffic.received += static_cast<std::int64_t>(response->body.size());
      if (!response->pin.empty()) traffic.pins = accepted_pins(*response);
      if (response->status == 401) {
        failure = Failure{SyncResult::NotEnrolled, error_from_response(401, response->body)};
        return failure->error;
      }
      if (!transient_status(response->status)) return response;
      last = error_from_response(response->status, response->body);
      if (!response->retry_after.empty()) retry_after_ms = std::atoi(response->retry_after.c_str()) * 1000;
    }
    if (attempt == options_.attempts) break;
    // Exponential backoff with jitter, so that many devices coming back online do not retry in step.
    int delay = std::max(retry_after_ms, wait / 2 + static_cast<int>(jitter() % static_cast<unsigned>(wait / 2 + 1)));
    options_.sleep(std::min(delay, std::max(options_.backoff_max_ms, retry_after_ms)));
    wait = std::min(wait * 2, options_.backoff_max_ms);
  }
  failure = Failure{SyncResult::Offline, last};
  return last;
}

void SyncEngine::count(const Traffic& traffic) {
  progress_.bytes_sent += traffic.sent;
  progress_.bytes_received += traffic.received;
  if (!traffic.pins.empty()) pins_told_ = traffic.pins;
}

void SyncEngine::report(SyncPhase phase, bool count_waiting) {
  progress_.phase = phase;
  // Counting the outbox scans it: done at the phase boundaries only; push counts down as it goes.
  if (count_waiting)
    if (auto waiting = store_.outbox_size(); waiting) progress_.waiting = *waiting;
  if (on_progress_) on_progress_(progress_);
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Push
// ---------------------------------------------------------------------------------------------------------------

// One push request: the outbox window it covers, and its body.
struct SyncEngine::PushBatch {
  std::int64_t last_seq = 0;                       // the window ends here; the next starts after it
  std::map<std::string, std::int64_t> last_entry;  // per record: its last outbox entry in the window
  std::map<std::string, std::int64_t> entries;     // per record: how many outbox entries of it the window holds
  HttpRequest request;                             // its body empty: nothing to send in this window
  bool end = false;                                // the outbox has nothing after the previous window
};

// Reads the next outbox window after `after` and writes its request: one revision per record, its current
// version as stored (canonical JSON), which covers every entry of it in the window.
std::optional<SyncEngine::Failure> SyncEngine::prepare_push(std::int64_t after, PushBatch& batch) {
  auto entries = store_.outbox(options_.push_batch, after);
  if (!entries) return Failure{SyncResult::Failed, entries.error()};
  if (entries->empty()) {
    batch.end = true;
    return std::nullopt;
  }
  batch.last_seq = entries->back().seq;
  std::vector<std::string> order;
  for (const auto& entry : *entries) {
    if (!batch.last_entry.count(entry.record_id)) order.push_back(entry.record_id);
    batch.last_entry[entry.record_id] = entry.seq;
    ++batch.entries[entry.record_id];
  }
  auto outgoing = store_.outgoing(order);
  if (!outgoing) return Failure{SyncResult::Failed, outgoing.error()};
  std::vector<RevisionText> revisions;
  revisions.reserve(outgoing->size());
  for (auto& record : *outgoing)
    revisions.push_back({record.id, record.clock, record.synced_clock, std::move(record.document)});
  if (revisions.size() < order.size()) {
    // Entries of records that no longer exist here (cannot happen with tombstones, but never loop on them).
    std::vector<Store::Acknowledgement> gone;
    for (const auto& id : order)
      if (std::none_of(revisions.begin(), revisions.end(), [&id](const RevisionText& r) { return r.id == id; }))
        gone.push_back({id, batch.last_entry[id], ""});
    if (auto status = store_.acknowledge_sent(gone); !status) return Failure{SyncResult::Failed, status.error()};
  }
  if (revisions.empty()) return std::nullopt;
  // Compressed here, while the previous batch is on the wire, not on the sending thread between two requests.
  // With the pull cursor, by which the collector knows which of its changes this device had received.
  auto cursor = store_.pull_cursor();
  if (!cursor) return Failure{SyncResult::Failed, cursor.error()};
  batch.request = {"POST", kPushPath, push_request_text(revisions, *cursor), enrollment_.token};
  if (auto status = compress_body(batch.request); !status) return Failure{SyncResult::Failed, status.error()};
  return std::nullopt;
}

// Stores what the collector answered for `batch`: acknowledged revisions leave the outbox, rejected ones are
// marked.
namespace {

// The results of a push answer for the revisions sent (and those for the comments and report entries into
// `comments` and `report_entries`, when not null), or why there are none.
Result<std::vector<PushResult>> push_answer(const HttpResponse& response, std::vector<PushResult>* comments = nullptr,
                                            std::vector<PushResult>* report_entries = nullptr) {
  if (response.status != 200) return error_from_response(response.status, response.body).with_context("push");
  auto body = parse_json_text(response.body);
  if (!body) return body.error().with_context("push answer");
  auto results = parse_push_results(*body, comments, report_entries);
  if (!results) return results.error().with_context("push answer");
  return results;
}

}  // namespace

std::optional<SyncEngine::Failure> SyncEngine::finish_push(const PushBatch& batch, const HttpResponse& response) {
  auto results = push_answer(response);
  if (!results) return Failure{SyncResult::Failed, results.error()};
  std::vector<Store::Acknowledgement> acknowledged;
  for (const auto& result : *results) {
    auto entry = batch.last_entry.find(result.id);
    if (entry == batch.last_entry.end()) continue;  // not one we sent: ignore rather than trust
    if (result.status == PushStatus::Rejected) {
      if (auto status = store_.mark_rejected(result.id, result.hlc, result.error); !status)
        return Failure{SyncResult::Failed, status.error()};
      rejections_.push_back({result.id, result.hlc, result.error.with_context("record " + result.id)});
      continue;
    }
    acknowledged.push_back({result.id, entry->second, result.hlc});
    progress_.waiting = std::max<std::int64_t>(0, progress_.waiting - batch.entries.at(result.id));
  }
  if (auto status = store_.acknowledge_sent(acknowledged); !status) return Failure{SyncResult::Failed, status.error()};
  progress_.records_sent += static_cast<std::int64_t>(acknowledged.size());
  return std::nullopt;
}

std::optional<SyncEngine::Failure> SyncEngine::send_push(std::string body, std::vector<PushResult>& results,
                                                        std::vector<PushResult>* comments,
                                                        std::vector<PushResult>* report_entries) {
  HttpRequest request{"POST", kPushPath, std::move(body), enrollment_.token};
  if (auto status = compress_body(request); !status) return Failure{SyncResult::Failed, status.error()};
  std::optional<Failure> failure;
  Traffic traffic;
  auto response = send(request, failure, traffic);
  if (failure) return failure;
  count(traffic);
  auto answer = push_answer(*response, comments, report_entries);
  if (!answer) return Failure{SyncResult::Failed, answer.error()};
  results = std::move(*answer);
  return std::nullopt;
}

// Versions kept from before a pull merged other changes into changes still waiting (Store::Snapshot) go first,
// each request with the pull cursor those changes were made under; once answered (whatever the answer: the current
// version follows in the outbox), they go.
std::optional<SyncEngine::Failure> SyncEngine::push_snapshots() {
  for (;;) {
    auto kept = store_.snapshots(kMaxPushRevisions);
    if (!kept) return Failure{SyncResult::Failed, kept.error()};
    if (kept->empty()) return std::nullopt;
    const std::string seen = kept->front().seen;
    std::vector<RevisionText> revisions;
    for (auto& snapshot : *kept) {
      if (snapshot.seen != seen) break;
      revisions.push_back({snapshot.id, snapshot.clock, snapshot.base, std::move(snapshot.document)});
    }
    std::vector<PushResult> results;
    if (auto failure = send_push(push_request_text(revisions, seen), results)) return failure;
    std::vector<std::pair<std::string, std::string>> answered;
    for (const auto& result : results)
      if (std::any_of(revisions.begin(), revisions.end(),
                      [&](const RevisionText& sent) { return sent.id == result.id && sent.hlc == result.hlc; }))
        answered.emplace_back(result.id, result.hlc);
    if (answered.empty())
      return Failure{SyncResult::Failed, make_error("protocol.answer", "", "the collector answered none of the revisions sent",
                                                    "送った記録への応答がありません")};
    if (auto status = store_.drop_snapshots(answered); !status) return Failure{SyncResult::Failed, status.error()};
  }
}

namespace {

// What waits of one kind written by people (comments, report entries), split into what the collector will take and
// what this device could not have written (its store damaged or edited by hand), each with why: sent, that would
// have the collector refuse the whole request, and so every sync after it.
template <class Item>
struct Sendable {
  std::vector<Item> items;
  std::vector<std::pair<Item, Error>> unsendable;
};
template <class Item, class ToJson, class FromJson>
Sendable<Item> sendable(std::vector<Item> pending, ToJson to_json, FromJson from_json) {
  Sendable<Item> out;
  for (Item& item : pending) {
    auto checked = from_json(to_json(item), "");
    if (checked)
      out.items.push_back(std::move(item));
    else
      out.unsendable.emplace_back(std::move(item), checked.error());
  }
  return out;
}

// The items [first, first + count) of `items` (fewer at its end).
template <class Item>
std::vector<Item> slice(const std::vector<Item>& items, std::size_t first, std::size_t count) {
  if (first >= items.size()) return {};
  const auto begin = items.begin() + static_cast<std::ptrdiff_t>(first);
  return {begin, begin + static_cast<std::ptrdiff_t>(std::min(count, items.size() - first))};
}

// The answer for `sent`: the ids acknowledged (stored, already stored) into `acknowledged`, and each item refused
// with why into `refused`. Results for anything not sent are ignored rather than trusted.
template <class Item>
void settle(const std::vector<Item>& sent, const std::vector<PushResult>& results,
            std::vector<std::string>& acknowledged, std::vector<std::pair<const Item*, Error>>& refused) {
  for (const PushResult& result : results) {
    auto item = std::find_if(sent.begin(), sent.end(), [&](const Item& i) { return i.id == result.id; });
    if (item == sent.end()) continue;
    if (result.status == PushStatus::Rejected)
      refused.emplace_back(&*item, result.error);
    else
      acknowledged.push_back(result.id);
  }
}

SyncRejection comment_rejection(const Comment& comment, const Error& error) {
  return {comment.record_id, "", error.with_context("comment on record " + comment.record_id)};
}

SyncRejection report_entry_rejection(const ReportEntry& entry, const Error& error) {
  return {"", "",
          error.with_context("report entry " + entry.kind + " " + entry.key + " (" +
                             std::to_string(entry.fiscal_year) + ")")};
}

}  // namespace

// Comments written here go before the records (a return's reason must be at the collector before the return), and
// those on records the collector did not have yet (comment.record_unknown) once more after them. Report entries
// need no record: they go in the same requests as the first pass's comments.
std::optional<SyncEngine::Failure> SyncEngine::push_comments_and_entries(bool last_pass) {
  auto pending_comments = store_.pending_comments(kMaxPendingWritten);
  if (!pending_comments) return Failure{SyncResult::Failed, pending_comments.error()};
  Result<std::vector<ReportEntry>> pending_entries = std::vector<ReportEntry>();
  if (!last_pass) pending_entries = store_.pending_report_entries(kMaxPendingWritten);
  if (!pending_entries) return Failure{SyncResult::Failed, pending_entries.error()};
  auto comments = sendable(std::move(*pending_comments), comment_to_json, comment_from_json);
  auto entries = sendable(std::move(*pending_entries), report_entry_to_json, report_entry_from_json);
  for (const auto& [comment, error] : comments.unsendable) {
    if (auto status = store_.mark_comment_rejected(comment.id, error); !status)
      return Failure{SyncResult::Failed, status.error()};
    if (last_pass) rejections_.push_back(comment_rejection(comment, error));
  }
  for (const auto& [entry, error] : entries.unsendable) {
    if (auto status = store_.mark_report_entry_rejected(entry.id, error); !status)
      return Failure{SyncResult::Failed, status.error()};
    rejections_.push_back(report_entry_rejection(entry, error));
  }
  const std::size_t most = std::max(comments.items.size(), entries.items.size());
  for (std::size_t first = 0; first < most; first += options_.push_batch) {
    const std::vector<Comment> comment_batch = slice(comments.items, first, options_.push_batch);
    const std::vector<ReportEntry> entry_batch = slice(entries.items, first, options_.push_batch);
    std::vector<PushResult> revisions;  // none: a request without records
    std::vector<PushResult> comment_results, entry_results;
    if (auto failure = send_push(push_request_text({}, "", comment_batch, entry_batch), revisions, &comment_results,
                                 &entry_results))
      return failure;
    std::vector<std::string> acknowledged_comments, acknowledged_entries;
    std::vector<std::pair<const Comment*, Error>> refused_comments;
    std::vector<std::pair<const ReportEntry*, Error>> refused_entries;
    settle(comment_batch, comment_results, acknowledged_comments, refused_comments);
    settle(entry_batch, entry_results, acknowledged_entries, refused_entries);
    for (const auto& [comment, error] : refused_comments) {
      if (auto status = store_.mark_comment_rejected(comment->id, error); !status)
        return Failure{SyncResult::Failed, status.error()};
      // Its record goes with this sync's records: tried again after them.
      if (!last_pass && error.code == "comment.record_unknown") continue;
      rejections_.push_back(comment_rejection(*comment, error));
    }
    for (const auto& [entry, error] : refused_entries) {
      if (auto status = store_.mark_report_entry_rejected(entry->id, error); !status)
        return Failure{SyncResult::Failed, status.error()};
      rejections_.push_back(report_entry_rejection(*entry, error));
    }
    if (auto status = store_.acknowledge_comments(acknowledged_comments); !status)
      return Failure{SyncResult::Failed, status.error()};
    if (auto status = store_.acknowledge_report_entries(acknowledged_entries); !status)
      return Failure{SyncResult::Failed, status.error()};
  }
  return std::nullopt;
}

std::optional<SyncEngine::Failure> SyncEngine::push() {
  if (auto failure = push_snapshots()) return failure;
  if (auto failure = push_comments_and_entries(false)) return failure;
  if (auto failure = push_records()) return failure;
  return push_comments_and_entries(true);
}

std::optional<SyncEngine::Failure> SyncEngine::push_records() {
  // Pipelined: while one batch is on the wire (on a worker thread), this thread reads the next one from the store
  // and, once the answer is in and the next batch is on its way, stores the acknowledgements of the answered one.
  // One request is in flight at a time (the transport is one connection); the store is used by this thread only,
  // and acknowledgements are written in order.
  struct Sent {
    Result<HttpResponse> response = Error{};
    std::optional<Failure> failure;
    Traffic traffic;
  };
  auto start = [this](PushBatch& batch) {
    std::future<Sent> flight;
    if (batch.end || batch.request.body.empty()) return flight;
    kill_point("client.push.sending");  // test hook, model/kill_point.hpp (as below)
    flight = std::async(std::launch::async, [this, request = std::move(batch.request)] {
      Sent sent;
      sent.response = send(request, sent.failure, sent.traffic);
      return sent;
    });
    return flight;
  };
  PushBatch current;
  if (auto failure = prepare_push(0, current)) return failure;
  std::future<Sent> in_flight = start(current);
  while (!current.end) {
    PushBatch next;
    std::optional<Failure> prepared = prepare_push(current.last_seq, next);
    std::optional<Sent> answer;
    if (in_flight.valid()) answer = in_flight.get();
    if (answer && answer->failure) return answer->failure;
    // The next batch goes before this answer is stored: its revisions do not depend on these acknowledgements.
    // If storing them fails, the next answer is waited for and left unstored; its revisions stay in the outbox
    // and are answered already_stored when sent again.
    std::future<Sent> next_flight;
    if (!prepared) next_flight = start(next);
    if (answer) {
      count(answer->traffic);
      kill_point("client.push.answered");
      if (auto failure = finish_push(current, *answer->response)) return failure;
      report(SyncPhase::Pushing, false);
    }
    if (prepared) return prepared;
    current = std::move(next);
    in_flight = std::move(next_flight);
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Pull
// ---------------------------------------------------------------------------------------------------------------

// One pull request's answer, decoded.
struct SyncEngine::FetchedPage {
  PulledPage page;
  bool more = false;
  std::optional<Failure> failure;
  Traffic traffic;
};

SyncEngine::FetchedPage SyncEngine::fetch_page(const std::string& cursor) {
  FetchedPage fetched;
  json request = {{"cursor", cursor}, {"limit", options_.pull_page}};
  auto response = send({"POST", kPullPath, to_json_text(request), enrollment_.token}, fetched.failure, fetched.traffic);
  if (fetched.failure) return fetched;
  auto fail = [&fetched](Error error) {
    fetched.failure = Failure{SyncResult::Failed, std::move(error)};
    return std::move(fetched);
  };
  if (response->status != 200) return fail(error_from_response(response->status, response->body).with_context("pull"));
  PulledPage& page = fetched.page;
  auto read_reference = [&page](const json& reference) -> std::optional<Error> {
    auto data = reference_from_json(reference);
    if (!data) return data.error().with_context("pulled reference data");
    page.reference = std::move(*data);
    return std::nullopt;
  };
  auto read_conflicts = [&page](const json& list) -> std::optional<Error> {
    auto conflicts = conflicts_from_json(list);
    if (!conflicts) return conflicts.error().with_context("pulled conflicts");
    page.conflicts = std::move(*conflicts);
    return std::nullopt;
  };
  // The comments or report entries of a page (`member`; absent or null: none), each read by `from_json` into `out`.
  auto read_items = [](const json& list, const std::string& member, auto from_json,
                       auto& out) -> std::optional<Error> {
    if (list.is_null()) return std::nullopt;
    if (!list.is_array()) return make_error("json.type", "/" + member, "expected an array", "配列が必要です");
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto item = from_json(list[i], "/" + member + "/" + std::to_string(i));
      if (!item) return item.error().with_context("pulled " + member);
      out.push_back(std::move(*item));
    }
    return std::nullopt;
  };
  // The same from an array's text, as the plain reader keeps it (empty: none).
  auto read_item_text = [&read_items](const std::string& text, const std::string& member, auto from_json,
                                      auto& out) -> std::optional<Error> {
    if (text.empty()) return std::nullopt;
    auto list = parse_json_text(text);
    if (!list) return list.error().with_context("pulled " + member);
    return read_items(*list, member, from_json, out);
  };
  // The collector sends its stored canonical texts: read them straight into records, keeping each text as the
  // document to store. Anything unusual takes the document path below, which also names any error.
  if (auto plain = read_plain_pull_answer(response->body)) {
    page.records = std::move(plain->records);
    page.documents = std::move(plain->documents);
    page.cursor = std::move(plain->cursor);
    fetched.more = plain->more;
    if (!plain->reference.empty()) {
      auto reference = parse_json_text(plain->reference);
      if (!reference) return fail(reference.error().with_context("pulled reference data"));
      if (auto error = read_reference(*reference)) return fail(*error);
    }
    if (!plain->conflicts.empty()) {
      auto conflicts = parse_json_text(plain->conflicts);
      if (!conflicts) return fail(conflicts.error().with_context("pulled conflicts"));
      if (auto error = read_conflicts(*conflicts)) return fail(*error);
    }
    if (auto error = read_item_text(plain->comments, "comments", comment_from_json, page.comments))
      return fail(*error);
    if (auto error = read_item_text(plain->report_entries, "report_entries", report_entry_from_json,
                                    page.report_entries))
      return fail(*error);
    return fetched;
  }
  auto body = parse_json_text(response->body);
  if (!body || !body->is_object() || !(*body)["records"].is_array() || !(*body)["cursor"].is_string())
    return fail(make_error("protocol.response", "", "unreadable pull answer", "受信した内容を読めません"));
  page.cursor = (*body)["cursor"].get<std::string>();
  json& records = (*body)["records"];
  page.records.reserve(records.size());
  page.documents.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto record = record_from_json(records[i], "/records/" + std::to_string(i));
    if (!record) return fail(record.error().with_context("pull"));
    page.records.push_back(std::move(*record));
    page.documents.push_back(to_json_text(records[i]));
    records[i] = nullptr;  // the parsed page is the largest thing in memory: let it go record by record
  }
  if (const json& reference = (*body)["reference"]; reference.is_object())
    if (auto error = read_reference(reference)) return fail(*error);
  if (auto error = read_conflicts((*body)["conflicts"])) return fail(*error);
  if (auto error = read_items((*body)["comments"], "comments", comment_from_json, page.comments)) return fail(*error);
  if (auto error = read_items((*body)["report_entries"], "report_entries", report_entry_from_json, page.report_entries))
    return fail(*error);
  fetched.more = (*body).value("more", false);
  return fetched;
}

std::optional<SyncEngine::Failure> SyncEngine::pull() {
  auto cursor = store_.pull_cursor();
  if (!cursor) return Failure{SyncResult::Failed, cursor.error()};
  // A first pull (a new device, or a restore) brings everything its user may see: the store builds its indexes
  // once after it rather than maintaining them row by row (Store::start_bulk_load), whatever way the pull ends;
  // and any pull finishes a bulk load an earlier one left (cut off by a full disk).
  if (cursor->empty())
    if (auto status = store_.start_bulk_load(); !status) return Failure{SyncResult::Failed, status.error()};
  auto failure = pull_pages(*cursor);
  if (auto status = store_.finish_bulk_load(); !status && !failure) return Failure{SyncResult::Failed, status.error()};
  return failure;
}

std::optional<SyncEngine::Failure> SyncEngine::pull_pages(const std::string& cursor) {
  // Pipelined: the next page is fetched and decoded on a worker thread while this one is stored here. Each
  // page's cursor is stored with the page, so stopping at any moment loses nothing.
  std::future<FetchedPage> next = std::async(std::launch::async, [this, from = cursor] { return fetch_page(from); });
  for (;;) {
    FetchedPage fetched = next.get();
    count(fetched.traffic);
    if (fetched.failure) return fetched.failure;
    kill_point("client.pull.fetched");
    if (fetched.more)
      next = std::async(std::launch::async, [this, from = fetched.page.cursor] { return fetch_page(from); });
    std::size_t received = fetched.page.records.size();
    auto applied = store_.apply_pulled(std::move(fetched.page));
    if (!applied) return Failure{SyncResult::Failed, applied.error()};  // `next` finishes before we return
    kill_point("client.pull.applied");
    progress_.records_received += static_cast<std::int64_t>(received);
    report(SyncPhase::Pulling, false);
    if (!fetched.more) return std::nullopt;
  }
}

namespace {
constexpr const char* kRestoringSetting = "sync.restoring";  // "1" while a restore has not finished
}  // namespace

SyncOutcome SyncEngine::run(const std::function<void(const SyncProgress&)>& on_progress) {
  on_progress_ = on_progress;
  progress_ = {};
  rejections_.clear();
  SyncOutcome outcome;
  // Records stored under a name this device used before its enrollment become the enrolled user's first (the
  // enrollment's own adoption may have been cut off), so that none is refused for its author forever.
  std::optional<Failure> failure;
  if (auto adopted = adopt_enrollment(store_, enrollment_); !adopted)
    failure = Failure{SyncResult::Failed, adopted.error().with_context("author")};
  // Changes stamped while the laptop's clock ran ahead take fresh clocks once it is right again (clock.future).
  if (auto rewound = store_.rewind_future_clocks(); !failure && !rewound)
    failure = Failure{SyncResult::Failed, rewound.error().with_context("clock")};
  report(SyncPhase::Pushing);
  if (!failure) failure = push();
  if (!failure) {
    kill_point("client.between");
    report(SyncPhase::Pulling);
    failure = pull();
  }
  if (failure) {
    outcome.result = failure->result;
    outcome.error = failure->error;
    report(SyncPhase::Failed);
  } else {
    (void)store_.set_setting("sync.last_success", now_iso8601());
    // Every change is here now: a restore cut off earlier is complete, and the next one starts from the beginning.
    if (auto restoring = store_.setting(kRestoringSetting); restoring && *restoring == "1")
      (void)store_.set_setting(kRestoringSetting, "");
    if (!rejections_.empty()) {
      outcome.result = SyncResult::Rejected;
      outcome.error = rejections_.front().error;
    }
    report(SyncPhase::Done);
  }
  outcome.progress = progress_;
  outcome.rejections = rejections_;
  // A device that pins the collector's key follows what its answers named (a rotation under way, then done).
  if (!enrollment_.trust.pin.empty() && !pins_told_.empty() && pins_told_ != enrollment_.trust.pin)
    outcome.trust_pin = pins_told_;
  return outcome;
}

SyncOutcome SyncEngine::restore(const std::function<void(const SyncProgress&)>& on_progress) {
  // A restore cut off (a kill, a dropped link) goes on from its last stored page when asked again: starting over
  // each time would never finish on a link that drops more often than a whole restore takes. The cursor is reset
  // before the mark is set, so a kill between the two starts over rather than skipping anything.
  auto fail = [](const Error& error) {
    SyncOutcome outcome;
    outcome.result = SyncResult::Failed;
    outcome.error = error;
    return outcome;
  };
  auto restoring = store_.setting(kRestoringSetting);
  if (!restoring) return fail(restoring.error());
  if (*restoring != "1") {
    if (auto status = store_.reset_pull_cursor(); !status) return fail(status.error());
    if (auto status = store_.set_setting(kRestoringSetting, "1"); !status) return fail(status.error());
  }
  return run(on_progress);  // which clears the mark once every change is here
}

}  // namespace tsunagi::sync

namespace tsunagi::sync {

Result<json> post_request(Transport& transport, const Enrollment& enrollment, const char* path, const json& body,
                          const std::string& what) {
  HttpRequest request{"POST", path, to_json_text(body), enrollment.token};
  auto response = transport.send(request);
  if (!response) return response.error();
  if (response->status != 200) return error_from_response(response->status, response->body).with_context(what);
  auto answer = parse_json_text(response->body);
  if (!answer || !answer->is_object())
    return make_error("protocol.response", "", "unreadable " + what + " answer", what + " の応答を読めません");
  return answer;
}

Result<std::vector<HistoryEntry>> fetch_history(Transport& transport, const Enrollment& enrollment,
                                                const std::string& record_id) {
  auto body = post_request(transport, enrollment, kHistoryPath, json{{"record_id", record_id}}, "history");
  if (!body) return body.error();
  if (!body->contains("entries"))
    return make_error("protocol.response", "", "unreadable history answer", "履歴の応答を読めません");
  auto entries = history_from_json((*body)["entries"]);
  if (!entries) return entries.error().with_context("history");
  return entries;
}

Result<HistoryRead> read_history(Store& store, const std::optional<Enrollment>& enrollment, const std::string& record_id) {
  HistoryRead read;
  if (enrollment) {
    auto transport = make_curl_transport(enrollment->server, enrollment->trust);
    auto fetched = fetch_history(*transport, *enrollment, record_id);
    if (fetched) {
      if (auto kept = store.cache_history(record_id, to_json_text(history_json(*fetched))); !kept) return kept.error();
      read.entries = std::move(*fetched);
      return read;
    }
    if (fetched.error().code != "record.not_found") read.unreached = fetched.error();
  }
  auto cached = store.cached_history(record_id);
  if (!cached) return cached.error();
  if (*cached) {
    auto parsed = parse_json_text((*cached)->entries);
    if (!parsed) return parsed.error();
    auto entries = history_from_json(*parsed);
    if (!entries) return entries.error();
    read.entries = std::move(*entries);
    read.kept_at = (*cached)->fetched_at;
    return read;
  }
  auto record = store.get(record_id);
  if (!record) return record.error();
  if (!*record)
    return make_error("record.not_found", "", "no record " + record_id, "記録 " + record_id + " はありません");
  HistoryEntry created;
  created.kind = "created";
  created.who = (*record)->author;
  created.time = (*record)->created_at;
  created.changes = record_changes(nullptr, **record);
  read.entries.push_back(std::move(created));
  read.local_only = true;
  return read;
}

}  // namespace tsunagi::sync
