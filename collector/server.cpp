// [SECTION] Codes and tokens
// [SECTION] Store pool and request context
// [SECTION] Routes: enroll, push, pull, status
// [SECTION] Server set-up: TLS, limits, errors, log
#include "collector/server.hpp"

#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include "collector/admin.hpp"
#include "collector/rules.hpp"
#include "model/files.hpp"
#include "model/ids.hpp"
#include "model/json_text.hpp"
#include "model/kill_point.hpp"
#include "model/record_json.hpp"
#include "sync/gzip.hpp"
#include "sync/tls.hpp"

namespace tsunagi::sync {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Codes and tokens
// ---------------------------------------------------------------------------------------------------------------

namespace {
constexpr const char* kCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford's base32: no I, L, O, U
}

std::string new_enrollment_code() {
  unsigned char bytes[20];
  random_bytes(bytes, sizeof bytes);
  std::string code;
  for (int i = 0; i < 20; ++i) {
    if (i > 0 && i % 4 == 0) code += '-';
    code += kCodeAlphabet[bytes[i] & 31];
  }
  return code;
}

std::string canonical_enrollment_code(std::string_view typed) {
  std::string code;
  for (char c : typed) {
    if (c == '-' || c == ' ' || c == '\t') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == 'O') c = '0';
    if (c == 'I' || c == 'L') c = '1';
    code += c;
  }
  return code;
}

std::string new_device_token() {
  unsigned char bytes[32];
  random_bytes(bytes, sizeof bytes);
  static const char* kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      token += kBase64Url[(buffer >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) token += kBase64Url[(buffer << (6 - bits)) & 63];
  return token;
}

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Store pool and request context
// ---------------------------------------------------------------------------------------------------------------

namespace {

constexpr std::int64_t kEnrollWindowMs = 10 * 60 * 1000;
constexpr std::size_t kMaxEnrollBodyBytes = 16 * 1024;  // a code and a device name
// Wrong enrollment codes allowed in kEnrollWindowMs, from one address and for one code. Codes carry 100 random
// bits, so the limits are not what stops guessing; they stop a script hammering the collector, without locking out
// an office whose colleagues share one address behind NAT (a pasted line is rarely wrong; the same wrong line
// pasted again and again is).
constexpr int kEnrollFailuresPerAddress = 20;
constexpr int kEnrollFailuresPerCode = 5;

// Store connections for the server's worker threads: a request borrows one and gives it back. SQLite connections
// are as many as requests in flight; PostgreSQL ones at most `limit` (the server's connections are shared by every
// collector process), so a request may wait for one.
class StorePool {
 public:
  StorePool(std::string database, std::size_t limit) : database_(std::move(database)), limit_(limit) {}

  class Lease {
   public:
    Lease(StorePool& pool, std::unique_ptr<CollectorStore> store) : pool_(pool), store_(std::move(store)) {}
    ~Lease() {
      if (store_) pool_.give_back(std::move(store_));
    }
    Lease(Lease&&) = default;
    CollectorStore* operator->() { return store_.get(); }
    CollectorStore& operator*() { return *store_; }

   private:
    StorePool& pool_;
    std::unique_ptr<CollectorStore> store_;
  };

  Result<Lease> borrow() {
    {
      std::unique_lock lock(mutex_);
      freed_.wait(lock, [&] { return !idle_.empty() || open_ < limit_; });
      if (!idle_.empty()) {
        auto store = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(store));
      }
      ++open_;
    }
    auto opened = open_collector_store(database_, /*background_checkpoints=*/true);
    if (!opened) {
      std::lock_guard lock(mutex_);
      --open_;
      freed_.notify_one();
      return opened.error();
    }
    return Lease(*this, std::move(*opened));
  }

 private:
  void give_back(std::unique_ptr<CollectorStore> store) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(store));
    freed_.notify_one();
  }

  std::string database_;  // a folder (SQLite) or a PostgreSQL URL
  std::size_t limit_;
  std::mutex mutex_;  // guards idle_ and open_
  std::condition_variable freed_;
  std::vector<std::unique_ptr<CollectorStore>> idle_;
  std::size_t open_ = 0;  // connections made, idle or lent
};

// Per request, for the log line: set by the handler thread, read by the logger on the same thread.
thread_local std::chrono::steady_clock::time_point request_started;
thread_local std::string request_device;
thread_local std::string request_failure;  // why the collector failed the request (a store's error), for its log

// With the charset named, httplib does not compress the body itself (it would answer brotli to a client asking
// for it); the protocol's one coding is gzip, applied by answer().
constexpr const char* kJsonType = "application/json; charset=utf-8";
constexpr std::size_t kCompressAboveBytes = 1024;

void send_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, kJsonType);
}

// A 200 answer: gzip-compressed when the client accepts gzip and the body is large enough to gain from it.
void answer(const httplib::Request& req, httplib::Response& res, std::string body) {
  res.set_header("Vary", "Accept-Encoding");
  if (body.size() > kCompressAboveBytes && accepts_gzip(req.get_header_value("Accept-Encoding")))
    if (auto packed = gzip_compress(body)) {
      res.set_header("Content-Encoding", "gzip");
      body = std::move(*packed);
    }
  send_json(res, 200, body);
}

void send_error(httplib::Response& res, int status, const Error& error) {
  send_json(res, status, to_json_text(error_json(error)));
}

// A store failure as the client should read it: busy (retry later), the collector's disk full (507: the device
// keeps its records and tells the user to call the office), or an internal error.
void send_store_failure(httplib::Response& res, const Error& error) {
  request_failure = error.code + ": " + error.message;
  if (error.code == "store.busy") return send_error(res, 503, error);
  if (error.code == "store.unavailable") {  // PostgreSQL restarting or unreachable: devices retry later
    res.set_header("Retry-After", "5");
    return send_error(res, 503,
                      make_error("collector.database", "", "the collector cannot reach its database: try again later",
                                 "集約サーバーがデータベースに接続できません。しばらくしてから同期してください"));
  }
  if (error.code == "store.full")
    return send_error(res, 507,
                      make_error("collector.full", "", "the collector's disk is full: call the office",
                                 "集約サーバーのディスクがいっぱいです。事務所に連絡してください"));
  // The database's own words stay in the collector's log; the device says what its user can act on.
  send_error(
      res, 500,
      make_error(error.code, "", "the collector failed to store or read: its log says why",
                 "集約サーバーでエラーが発生しました。しばらくしてから同期し、続くときは事務所に連絡してください"));
}

Error malformed_cursor(const std::string& path) {
  return make_error("protocol.cursor", path, "malformed cursor", "カーソルが不正です");
}

Error unauthorized() {
  return make_error("auth.token", "", "missing, unknown or revoked token: enroll this device again",
                    "認証できません（トークンが無いか無効です）。端末を登録し直してください");
}

// [SECTION] Bounded request heads
//
// httplib 0.11 keeps every header line of a request (each up to 8 KB) with no limit on their number, before any
// handler runs: a client that sends header lines without end grows the collector's memory without end. The bytes
// read from each connection are counted beneath TLS; once a request's head (all that is read before its handler
// starts) passes kMaxRequestHeadBytes, the read fails and httplib drops the connection. httplib serves one
// connection at a time on each worker thread, so the count is the thread's. The same failing read ends a connection
// whose request body was left unread (httplib 0.11 keeps a connection open whatever the answer says).

constexpr std::size_t kMaxRequestHeadBytes = 64 * 1024;  // a device's request head is a few hundred bytes

struct HeadCount {
  std::size_t bytes = 0;  // read since the current request began
  bool in_body = false;   // the request's handler runs: its body is read, under its own limits
  bool close = false;     // the connection ends after this answer: every later read fails
};
thread_local HeadCount head_count;

// A request's body, read through httplib's reader at most once. A handler that answers without reading it (a
// wrong token, too many enrollment failures) leaves it to drain(), run after every handler: httplib reads the
// next request of a kept-alive connection from where the handler stopped, so an unread body would be taken for
// a request. A small plain body is read and dropped; any other (compressed, chunked, large) ends the connection
// instead, so that nobody without a token can make the collector inflate 32 MB of gzip.
class RequestBody {
 public:
  RequestBody(const httplib::Request& req, const httplib::ContentReader& reader) : req_(req), reader_(reader) {}

  // The body, decompressed, up to `limit` bytes (httplib checks its payload limit against the compressed size
  // only, so a small gzip body could otherwise inflate without bound); or an error response already sent.
  std::optional<std::string> read(httplib::Response& res, std::size_t limit) {
    std::string body;
    bool too_large = std::strtoull(req_.get_header_value("Content-Length").c_str(), nullptr, 10) > limit;
    // Read to its end even when too large (httplib skips a declared length over its limit itself).
    bool complete = !too_large && consume([&](const char* data, std::size_t size) {
      if (body.size() + size > limit) {
        too_large = true;  // stop reading (and inflating) at once
        return false;
      }
      body.append(data, size);
      return true;
    });
    if (too_large) {
      consumed_ = true;
      head_count.close = true;  // the rest of the body is never read
      send_error(
          res, 413,
          make_error("protocol.too_large", "", "request body too large (" + std::to_string(limit) + " bytes at most)",
                     "送信内容が大きすぎます"));
      return std::nullopt;
    }
    if (!complete) {
      res.set_header("Connection", "close");
      send_error(res, 400,
                 make_error("protocol.body", "", "the request body could not be read", "送信内容を読めません"));
      return std::nullopt;
    }
    return body;
  }

  // Reads and drops a small plain body still unread, or ends the connection after the answer.
  void drain(httplib::Response& res) {
    if (consumed_) return;
    const int status = res.status;  // reading a body that does not inflate would set 400 over the answer given
    // A small body, also a compressed one (a device's push answered 401 or 503 at once), is read and dropped, its
    // inflation bounded: closing instead does not help when the body came in the same TLS record as the head,
    // since httplib has read it already and would parse it as the next request. A larger, chunked or inflating one
    // ends the connection.
    constexpr std::size_t kMaxDrainedBytes = 64 * 1024, kMaxDrainedInflated = 1024 * 1024;
    const std::string length = req_.get_header_value("Content-Length");
    const bool small = !length.empty() && std::strtoull(length.c_str(), nullptr, 10) <= kMaxDrainedBytes;
    std::size_t inflated = 0;
    if (!small || !consume([&](const char*, std::size_t size) { return (inflated += size) <= kMaxDrainedInflated; }))
      head_count.close = true;
    res.status = status;
  }

 private:
  bool consume(const httplib::ContentReceiver& receiver) {
    if (consumed_) return true;
    consumed_ = true;
    return reader_(receiver);
  }

  const httplib::Request& req_;
  const httplib::ContentReader& reader_;
  bool consumed_ = false;
};

// The JSON body of a request, or an error response already sent.
std::optional<json> read_body(const std::string& text, httplib::Response& res) {
  auto parsed = parse_json_text(text);
  if (!parsed) {
    send_error(res, 400, parsed.error());
    return std::nullopt;
  }
  if (!parsed->is_object()) {
    send_error(res, 400, make_error("json.type", "/", "expected a JSON object", "JSONオブジェクトが必要です"));
    return std::nullopt;
  }
  return std::move(*parsed);
}

}  // namespace

struct CollectorServer::Impl {
  CollectorOptions options;
  TlsIdentity identity;
  bool created_certificate = false;
  std::string pin;
  std::string next_pin;  // of the key waiting to be rotated to (tls.hpp), or empty
  std::unique_ptr<httplib::SSLServer> server;
  std::unique_ptr<ServingLock> serving;  // restore refuses while it is held
  StorePool pool;
  int port = 0;

  // Checkpoints run here, off the request threads (whose connections never checkpoint), once a second.
  std::thread checkpointer;
  std::mutex checkpoint_mutex;  // guards stopping
  std::condition_variable checkpoint_wake;
  bool stopping = false;

  bool on_postgres() const { return !options.database.empty(); }

  void run_checkpoints() {
    if (on_postgres()) return;  // PostgreSQL checkpoints itself
    auto store = open_sqlite_collector_store(options.data_dir, /*background_checkpoints=*/true);
    if (!store) return log("checkpoint: " + store.error().describe());
    std::unique_lock lock(checkpoint_mutex);
    while (!stopping) {
      checkpoint_wake.wait_for(lock, std::chrono::seconds(1));
      if (stopping) break;
      lock.unlock();
      if (auto status = (*store)->checkpoint(); !status) log("checkpoint: " + status.error().describe());
      lock.lock();
    }
  }

  explicit Impl(const CollectorOptions& o)
      : options(o),
        pool(o.database.empty() ? o.data_dir.string() : o.database,
             o.database.empty() ? std::numeric_limits<std::size_t>::max()
                                : std::max<std::size_t>(1, o.database_connections)) {}

  void log(const std::string& line) {
    if (options.log)
      options.log(line);
    else
      std::fprintf(stderr, "%s\n", line.c_str());
  }

  // The principal of the request's bearer token, or a 401 already sent.
  std::optional<Principal> authenticate(const httplib::Request& req, httplib::Response& res, CollectorStore& store) {
    std::string header = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (header.rfind(prefix, 0) != 0) {
      send_error(res, 401, unauthorized());
      return std::nullopt;
    }
    auto who = store.authenticate(sha256_hex(header.substr(prefix.size())));
    if (!who) {
      send_store_failure(res, who.error());
      return std::nullopt;
    }
    if (!*who) {
      send_error(res, 401, unauthorized());
      return std::nullopt;
    }
    request_device = (*who)->device.id;
    return std::move(**who);
  }

  // The JSON object body of a request (decompressed, within the size limit), or an error response already sent.
  std::optional<json> json_body(RequestBody& body, httplib::Response& res, std::size_t limit) {
    auto text = body.read(res, limit);
    if (!text) return std::nullopt;
    return read_body(*text, res);
  }

  // What an authenticated request works with: a store connection, who is asking, and the body (its text; and
  // its document unless the handler reads the text itself).
  struct Call {
    StorePool::Lease store;
    Principal who;
    json body;
    std::string text;
  };
  std::optional<Call> authorized_call(const httplib::Request& req, RequestBody& request_body, httplib::Response& res,
                                      bool parse_body = true) {
    auto store = pool.borrow();
    if (!store) {
      send_error(res, 503, store.error());
      return std::nullopt;
    }
    auto who = authenticate(req, res, **store);
    if (!who) return std::nullopt;
    auto text = request_body.read(res, options.max_body_bytes);
    if (!text) return std::nullopt;
    if (!parse_body) return Call{std::move(*store), std::move(*who), json(), std::move(*text)};
    auto body = read_body(*text, res);
    if (!body) return std::nullopt;
    return Call{std::move(*store), std::move(*who), std::move(*body), std::string()};
  }

  // -------------------------------------------------------------------------------------------------------------
  // [SECTION] Routes
  // -------------------------------------------------------------------------------------------------------------

  void enroll(const httplib::Request& req, httplib::Response& res, RequestBody& request_body) {
    auto store = pool.borrow();
    if (!store) return send_error(res, 503, store.error());
    std::int64_t now = now_unix_ms();
    // Failures are counted per address and, under the key "code:" + its hash, per code.
    auto too_many = [&](const std::string& key, int allowed) {
      auto failures = (*store)->enrollment_failures(key, now, kEnrollWindowMs);
      if (!failures) {
        send_store_failure(res, failures.error());
        return true;
      }
      if (*failures < allowed) return false;
      res.set_header("Retry-After", std::to_string(kEnrollWindowMs / 1000));
      send_error(res, 429,
                 make_error("enroll.slow_down", "", "too many wrong enrollment codes; try again later",
                            "登録コードの誤りが続いたため、しばらく受け付けません。時間をおいてください"));
      return true;
    };
    if (too_many(req.remote_addr, kEnrollFailuresPerAddress)) return;
    auto body = json_body(request_body, res, kMaxEnrollBodyBytes);
    if (!body) return;
    std::string code;
    std::string device_name;
    for (auto [key, out] : {std::pair{"code", &code}, std::pair{"device_name", &device_name}}) {
      auto it = body->find(key);
      if (it == body->end() || it->is_null()) continue;
      if (!it->is_string())
        return send_error(res, 400,
                          make_error("json.type", std::string("/") + key, "expected a string", "文字列が必要です"));
      *out = it->get<std::string>();
    }
    if (code.empty())
      return send_error(res, 400, make_error("protocol.field", "/code", "missing", "コードがありません"));
    const std::string code_hash = sha256_hex(canonical_enrollment_code(code));
    const std::string code_key = "code:" + code_hash;
    if (too_many(code_key, kEnrollFailuresPerCode)) return;
    std::string token = new_device_token();
    auto who =
        (*store)->redeem_enrollment(code_hash, device_name.empty() ? "device" : device_name, sha256_hex(token), now);
    if (!who) {
      if (who.error().code.rfind("enroll.", 0) == 0) {
        (void)(*store)->note_enrollment_failure(req.remote_addr, now, kEnrollWindowMs);
        (void)(*store)->note_enrollment_failure(code_key, now, kEnrollWindowMs);
        return send_error(res, 401, who.error());
      }
      return send_store_failure(res, who.error());
    }
    request_device = who->device.id;
    json enrolled = {{"device_id", who->device.id},
                     {"token", token},
                     {"collector_id", (*store)->collector_id()},
                     {"user",
                      {{"name", who->user.name},
                       {"role", std::string(role_name(who->user.role))},
                       {"team", who->user.team},
                       {"committees", who->user.committees},
                       {"council", who->user.council}}}};
    kill_point("collector.enroll.redeemed");  // test hook, model/kill_point.hpp (as below)
    answer(req, res, to_json_text(enrolled));
  }

  void push(const httplib::Request& req, httplib::Response& res, RequestBody& request_body) {
    auto call = authorized_call(req, request_body, res, /*parse_body=*/false);
    if (!call) return;
    // Devices send canonical records: read them from the text. Anything else is read as a document, which
    // handles the unusual and names what is wrong.
    Result<std::vector<Revision>> revisions = Error{};
    std::string seen_cursor;
    std::vector<Comment> comments;
    std::vector<ReportEntry> report_entries;
    if (auto plain = read_plain_push_request(call->text, &seen_cursor)) {
      revisions = std::move(*plain);
    } else {
      auto body = read_body(call->text, res);
      if (!body) return;
      call->text.clear();
      revisions = parse_push_request(*body, &seen_cursor, &comments, &report_entries);
    }
    if (!revisions)
      return send_error(res, revisions.error().code == "protocol.too_many" ? 413 : 400, revisions.error());
    std::optional<std::int64_t> seen;
    if (!seen_cursor.empty()) {
      seen = parse_cursor(seen_cursor, call->store->collector_id());
      if (!seen) return send_error(res, 400, malformed_cursor("/seen"));
      if (*seen == 0) seen.reset();  // another collector's cursor (or none): judged by clocks, as before
    }
    if (auto refusal = future_clock_refusal(*revisions, now_unix_ms())) return send_error(res, 422, *refusal);
    kill_point("collector.push.received");
    auto results =
        call->store->push(call->who, std::move(*revisions), seen, std::move(comments), std::move(report_entries));
    if (!results) return send_store_failure(res, results.error());
    kill_point("collector.push.stored");
    answer(req, res, to_json_text(push_results_json(results->results, results->comments, results->report_entries)));
  }

  void pull(const httplib::Request& req, httplib::Response& res, RequestBody& request_body) {
    auto call = authorized_call(req, request_body, res);
    if (!call) return;
    const json* body = &call->body;
    CollectorStore& store = *call->store;
    std::string cursor;
    if (auto it = body->find("cursor"); it != body->end() && !it->is_null()) {
      if (!it->is_string())
        return send_error(res, 400, make_error("json.type", "/cursor", "expected a string", "文字列が必要です"));
      cursor = it->get<std::string>();
    }
    auto after = parse_cursor(cursor, store.collector_id());
    if (!after) return send_error(res, 400, malformed_cursor("/cursor"));
    std::size_t limit = kMaxPullPage;
    if (auto it = body->find("limit"); it != body->end() && !it->is_null()) {
      if (!it->is_number_integer() || it->get<long long>() < 1)
        return send_error(res, 400,
                          make_error("json.type", "/limit", "expected a positive integer", "正の整数が必要です"));
      limit = std::min<std::size_t>(limit, static_cast<std::size_t>(it->get<long long>()));
    }
    auto page = store.pull(call->who, *after, limit);
    if (!page) return send_store_failure(res, page.error());
    kill_point("collector.pull.read");
    // The stored documents are already JSON text: splice them in rather than parse and print them again.
    std::string out = "{\"records\":[";
    for (std::size_t i = 0; i < page->records.size(); ++i) {
      if (i) out += ',';
      out += page->records[i];
    }
    out += "],\"reference\":";
    out += page->reference ? *page->reference : "null";
    if (!page->conflicts.empty()) {
      json conflicts = json::array();
      for (const FieldConflict& conflict : page->conflicts) conflicts.push_back(conflict_json(conflict));
      out += ",\"conflicts\":" + to_json_text(conflicts);
    }
    // Comments and report entries likewise, each member only when there are any (older clients read neither).
    for (auto [member, documents] :
         {std::pair{"comments", &page->comments}, std::pair{"report_entries", &page->report_entries}}) {
      if (documents->empty()) continue;
      out += std::string(",\"") + member + "\":[";
      for (std::size_t i = 0; i < documents->size(); ++i) out += (i ? "," : "") + (*documents)[i];
      out += "]";
    }
    out += ",\"cursor\":" + to_json_text(json(format_cursor(store.collector_id(), page->sequence)));
    out += std::string(",\"more\":") + (page->more ? "true" : "false") + "}";
    answer(req, res, std::move(out));
  }

  // A record's history: {"entries": [...]} (history_json), or 404 record.not_found for a record this user may not
  // see, as for one that does not exist.
  void history(const httplib::Request& req, httplib::Response& res, RequestBody& request_body) {
    auto call = authorized_call(req, request_body, res);
    if (!call) return;
    const json& body = call->body;
    for (const auto& [key, value] : body.items())
      if (key != "record_id")
        return send_error(
            res, 400,
            make_error("protocol.member", "/" + key, "not a member of this request", "この要求にない項目です"));
    auto id = body.find("record_id");
    if (id == body.end() || !id->is_string() || id->get_ref<const std::string&>().empty())
      return send_error(res, 400,
                        make_error("json.type", "/record_id", "expected the record's id", "記録のIDが必要です"));
    auto entries = call->store->history(call->who, id->get<std::string>());
    if (!entries) return send_store_failure(res, entries.error());
    if (!*entries)
      return send_error(res, 404, make_error("record.not_found", "/record_id", "no such record", "記録がありません"));
    answer(req, res, to_json_text(json{{"entries", history_json(**entries)}}));
  }

  // Users, devices and reference data, for an admin's device only (collector/admin.hpp).
  void admin(const httplib::Request& req, httplib::Response& res, RequestBody& request_body) {
    auto call = authorized_call(req, request_body, res);
    if (!call) return;
    if (call->who.user.role != Role::Admin) return send_error(res, 403, admin_only());
    auto answered = run_admin_request(*call->store, req.path, call->body, pin);
    if (!answered) {
      const Error& error = answered.error();
      if (error.code.rfind("store.", 0) == 0) return send_store_failure(res, error);
      return send_error(res, admin_error_status(error), error);
    }
    answer(req, res, to_json_text(*answered));
  }

  // Also a load balancer's health check: it answers 200 only when the database does.
  void status(const httplib::Request&, httplib::Response& res) {
    auto store = pool.borrow();
    if (!store) return send_store_failure(res, store.error());
    if (auto reached = (*store)->announcement(); !reached) return send_store_failure(res, reached.error());
    send_json(res, 200,
              to_json_text(json{{"collector_id", (*store)->collector_id()}, {"time", now_iso8601()}, {"protocol", 1}}));
  }
};

// ---------------------------------------------------------------------------------------------------------------
// [SECTION] Server set-up
// ---------------------------------------------------------------------------------------------------------------

namespace {

long count_head_bytes(BIO*, int operation, const char*, std::size_t, int, long, int result, std::size_t* processed) {
  if (operation != (BIO_CB_READ | BIO_CB_RETURN)) return result;
  if (head_count.close) return -1;
  if (result <= 0 || head_count.in_body) return result;
  head_count.bytes += *processed;
  return head_count.bytes > kMaxRequestHeadBytes ? -1 : result;
}

// Counts from the end of the handshake (the handshake's own bytes are OpenSSL's to bound).
void watch_connection(const SSL* ssl, int where, int) {
  if ((where & SSL_CB_HANDSHAKE_DONE) == 0) return;
  head_count = {};
  BIO_set_callback_ex(SSL_get_rbio(ssl), count_head_bytes);
}

bool configure_tls(SSL_CTX& ctx, const TlsIdentity& identity) {
  SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
  // TLS 1.2 with forward-secret AEAD suites only, in the server's order (TLS 1.3's suites are all AEAD).
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(&ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) return false;
  SSL_CTX_set_info_callback(&ctx, watch_connection);
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(
      BIO_new_mem_buf(identity.certificate_pem.data(), static_cast<int>(identity.certificate_pem.size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr),
                                                   X509_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
      BIO_new_mem_buf(identity.private_key_pem.data(), static_cast<int>(identity.private_key_pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  return cert && key && SSL_CTX_use_certificate(&ctx, cert.get()) == 1 &&
         SSL_CTX_use_PrivateKey(&ctx, key.get()) == 1 && SSL_CTX_check_private_key(&ctx) == 1;
}

}  // namespace

CollectorServer::CollectorServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CollectorServer::~CollectorServer() { stop(); }

Result<std::unique_ptr<CollectorServer>> CollectorServer::start(const CollectorOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  if (!options.cert_file.empty() || !options.key_file.empty()) {
    auto cert = read_file(options.cert_file);
    if (!cert) return cert.error();
    auto key = read_file(options.key_file);
    if (!key) return key.error();
    impl->identity.certificate_pem = std::move(*cert);
    impl->identity.private_key_pem = std::move(*key);
  } else {
    auto identity = load_or_create_identity(options.data_dir, &impl->created_certificate);
    if (!identity) return identity.error();
    impl->identity = std::move(*identity);
    auto next = next_identity_pin(options.data_dir);
    if (!next) return next.error();
    impl->next_pin = next->value_or("");
  }
  auto pin = public_key_pin(impl->identity.certificate_pem);
  if (!pin) return pin.error();
  impl->pin = *pin;
  if (options.database.empty()) {  // the SQLite store in the folder: restore waits for this process to end
    auto serving = ServingLock::serving(options.data_dir);
    if (!serving) return serving.error();
    impl->serving = std::move(*serving);
  }
  {
    auto store = impl->pool.borrow();  // creates the database now, so that a bad folder fails at start
    if (!store) return store.error();
  }

  Impl* self = impl.get();
  impl->server =
      std::make_unique<httplib::SSLServer>([self](SSL_CTX& ctx) { return configure_tls(ctx, self->identity); });
  if (!impl->server->is_valid())
    return make_error("tls.setup", "", "cannot set up TLS with the certificate and key",
                      "証明書と鍵でTLSを設定できません");
  httplib::SSLServer& server = *impl->server;
  server.set_payload_max_length(options.max_body_bytes);
  server.set_read_timeout(30, 0);
  server.set_write_timeout(30, 0);
  // httplib gives each open connection a worker thread, idle or not: enough workers for an office's devices, and
  // idle connections closed soon, so that devices holding one cannot lock others out.
  server.new_task_queue = [threads = options.threads] { return new httplib::ThreadPool(threads); };
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(5);
  server.set_tcp_nodelay(true);
  // Address reuse only (a restart binds at once past connections in TIME_WAIT), not SO_REUSEPORT, which httplib
  // sets by default and which lets a second collector listen on the same port and take some of its connections.
  server.set_socket_options([](socket_t socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_pre_routing_handler([self](const httplib::Request&, httplib::Response& res) {
    // Every answer names the key it came with and the next one, if one waits: devices follow a key rotation.
    res.set_header("Tsunagi-Pin", self->pin);
    if (!self->next_pin.empty()) res.set_header("Tsunagi-Next-Pin", self->next_pin);
    head_count.in_body = true;
    request_started = std::chrono::steady_clock::now();
    request_device.clear();
    request_failure.clear();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  using Reader = httplib::ContentReader;
  using Route = void (Impl::*)(const httplib::Request&, httplib::Response&, RequestBody&);
  std::vector<std::pair<const char*, Route>> routes{
      {kEnrollPath, &Impl::enroll}, {kPushPath, &Impl::push}, {kPullPath, &Impl::pull}, {kHistoryPath, &Impl::history}};
  for (const char* path : kAdminPaths) routes.emplace_back(path, &Impl::admin);
  for (auto [path, route] : routes)
    server.Post(path, [self, handle = route](const httplib::Request& req, httplib::Response& res,
                                             const Reader& reader) {  // (clang 14 cannot capture a binding)
      RequestBody body(req, reader);
      (self->*handle)(req, res, body);
      body.drain(res);
    });
  server.Get(kStatusPath, [self](const httplib::Request& req, httplib::Response& res) { self->status(req, res); });
  // Every error a client sees is JSON with a stable code, also the ones httplib makes itself (404, 413).
  server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Handled;
    Error error =
        res.status == 413 ? make_error("protocol.too_large", "", "request body too large", "送信内容が大きすぎます")
        : res.status == 404
            ? make_error("protocol.not_found", "", "no such endpoint", "その操作はありません")
            : make_error("http." + std::to_string(res.status), "", "request failed", "要求を処理できませんでした");
    send_error(res, res.status, error);
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_error(res, 500, make_error("server.internal", "", "internal error", "サーバー内部のエラー"));
  });
  // One line per request: never a token or record text.
  server.set_logger([self](const httplib::Request& req, const httplib::Response& res) {
    head_count = {.close = head_count.close};  // the answer is written: the next request begins, or none
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - request_started).count();
    char line[512];
    std::snprintf(line, sizeof line, "%s %s %s %d %.1fms device=%s", now_iso8601().c_str(), req.method.c_str(),
                  req.path.c_str(), res.status, ms, request_device.empty() ? "-" : request_device.c_str());
    std::string text = line;
    if (!request_failure.empty()) {  // a store's message: no record text (nor a password: URLs are redacted)
      text += " error=" + request_failure;
      std::replace(text.begin(), text.end(), '\n', ' ');
    }
    self->log(text);
  });

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port(options.host);
    if (port < 0) port = 0;
  } else if (!server.bind_to_port(options.host, port)) {
    port = 0;
  }
  if (port <= 0) {
    const std::string where = options.host + ":" + std::to_string(options.port);
    return make_error("net.bind", "",
                      "cannot listen on " + where + ": the port is in use (another collector?) or not allowed",
                      where + " で待ち受けできません（ほかの集約サーバーなどが使用中か、使えないポートです）");
  }
  impl->port = port;
  return std::unique_ptr<CollectorServer>(new CollectorServer(std::move(impl)));
}

int CollectorServer::port() const { return impl_->port; }

std::string CollectorServer::url() const {
  std::string host = impl_->options.host;
  if (host.empty() || host == "0.0.0.0" || host == "::") {
    // Every address: devices reach it by the machine's name (which the self-signed certificate names too).
    char name[256] = {};
    host = ::gethostname(name, sizeof name - 1) == 0 && name[0] ? name : "localhost";
  }
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "https://" + host + ":" + std::to_string(impl_->port);
}

const std::string& CollectorServer::pin() const { return impl_->pin; }
const std::string& CollectorServer::next_pin() const { return impl_->next_pin; }
bool CollectorServer::created_certificate() const { return impl_->created_certificate; }

void CollectorServer::serve() {
  impl_->checkpointer = std::thread([impl = impl_.get()] { impl->run_checkpoints(); });
  impl_->server->listen_after_bind();
}

void CollectorServer::stop() {
  if (!impl_) return;
  if (impl_->server) impl_->server->stop();
  {
    std::lock_guard lock(impl_->checkpoint_mutex);
    impl_->stopping = true;
  }
  impl_->checkpoint_wake.notify_all();
  if (impl_->checkpointer.joinable()) impl_->checkpointer.join();
}

}  // namespace tsunagi::sync
