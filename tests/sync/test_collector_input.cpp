// Bad input sent to the collector's real HTTPS port: every refusal is a JSON error object with a stable code and a
// path, one bad revision does not sink its batch, and the collector keeps serving afterwards.
#include <curl/curl.h>

#include "tests/sync/sync_fixture.hpp"

namespace tsunagi::sync_tests {
namespace {

// {"error": {"code", "message", "message_ja", "path"}}, all strings, code and messages not empty.
void check_error_body(const std::string& body) {
  INFO(body);
  json parsed = json::parse(body, nullptr, false);
  REQUIRE(parsed.is_object());
  REQUIRE(parsed.contains("error"));
  const json& error = parsed["error"];
  REQUIRE(error.is_object());
  for (const char* key : {"code", "message", "message_ja", "path"}) {
    INFO(key);
    REQUIRE(error.contains(key));
    CHECK(error[key].is_string());
  }
  CHECK_FALSE(error["code"].get<std::string>().empty());
  CHECK_FALSE(error["message"].get<std::string>().empty());
  CHECK_FALSE(error["message_ja"].get<std::string>().empty());
}

json error_of(const sync::HttpResponse& response) { return json::parse(response.body).at("error"); }

size_t keep_body(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// POSTs `body` as it is (no gzip, unlike the client's transport, and without waiting for 100 Continue) over a
// pinned connection; the status and body. Status 0 when the collector answered and closed the connection before
// the whole body went out: the client may then fail to send before it reads the answer (TCP resets a connection
// closed with unread data), which is a refusal too.
std::pair<long, std::string> post_uncompressed(const std::string& url, const std::string& pin, const std::string& body,
                                               const std::string& token) {
  CURL* handle = curl_easy_init();
  REQUIRE(handle);
  std::string answer;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(handle, CURLOPT_URL, (url + sync::kPushPath).c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(handle, CURLOPT_PINNEDPUBLICKEY, pin.c_str());
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
  curl_easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, keep_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &answer);
  CURLcode result = curl_easy_perform(handle);
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(handle);
  INFO(curl_easy_strerror(result));
  CHECK((result == CURLE_OK || result == CURLE_SEND_ERROR || result == CURLE_RECV_ERROR));
  if (result != CURLE_OK) return {0, ""};
  return {status, answer};
}

// A JSON push body larger than the collector's 32 MiB limit: one revision-shaped object with a long text.
std::string oversized_push_body() {
  std::string body = R"({"revisions":[],"padding":")";
  body.append(sync::kMaxBodyBytes + 1024 * 1024, 'a');
  body += "\"}";
  return body;
}

}  // namespace

TEST_CASE_METHOD(SyncFixture, "the collector refuses bad input with JSON errors and keeps serving",
                 "[sync][collector]") {
  EngineDevice device = engine_device("staff", add_user("田中 一郎", "staff", "東区"));
  const std::string& token = device.enrollment.token;
  auto transport = this->transport();
  auto push = [&](const std::string& body, const std::string& with_token) {
    auto answer = transport->send({"POST", sync::kPushPath, body, with_token});
    INFO((answer ? std::string() : answer.error().describe()));
    REQUIRE(answer);
    return *answer;
  };
  auto good = [&](const std::string& title) {
    auto ids = device.import({to_record(case_review_json(title, "東区"))});
    auto record = device.store->get(ids.front());
    REQUIRE(record);
    REQUIRE(*record);
    const Record& r = **record;
    return sync::Revision{r.id, r.clock, "", sync::content_hash(r), record_to_json(r)};
  };

  SECTION("malformed JSON") {
    auto answer = push(R"({"revisions": [{"id": "x",)", token);
    CHECK(answer.status == 400);
    check_error_body(answer.body);
    CHECK(error_of(answer).at("code") == "json.syntax");
  }
  SECTION("invalid UTF-8") {
    auto answer = push("{\"revisions\": [], \"note\": \"\xff\xfe\xe3\x81\"}", token);
    CHECK(answer.status == 400);
    check_error_body(answer.body);
    CHECK(error_of(answer).at("code") == "utf8.invalid");
  }
  SECTION("not an object") {
    auto answer = push("[1, 2, 3]", token);
    CHECK(answer.status == 400);
    check_error_body(answer.body);
  }
  SECTION("wrong types: revisions is a string") {
    auto answer = push(R"({"revisions": "x"})", token);
    CHECK(answer.status == 400);
    check_error_body(answer.body);
    CHECK(error_of(answer).at("path") == "/revisions");
  }
  SECTION("wrong types: a revision is a number") {
    auto answer = push(R"({"revisions": [1]})", token);
    CHECK(answer.status == 400);
    check_error_body(answer.body);
    CHECK(error_of(answer).at("path") == "/revisions/0");
  }
  SECTION("a pull cursor in seen that is not a cursor: 400, nothing stored") {
    for (const char* seen : {"x.y", "12", "a.-3"}) {
      auto answer = push(sync::push_request_json({good("カーソルの誤り")}, seen).dump(), token);
      CHECK(answer.status == 400);
      check_error_body(answer.body);
      CHECK(error_of(answer).at("code") == "protocol.cursor");
      CHECK(error_of(answer).at("path") == "/seen");
    }
    CHECK(database().integer("SELECT count(*) FROM records") == 0);
  }
  SECTION("wrong types inside a record: only that item is rejected, with the field's path") {
    auto bad = good("型の誤り");
    bad.record["participant_count"] = "x";
    auto fine = good("正しい記録");
    auto answer = push(sync::push_request_json({bad, fine}).dump(), token);
    REQUIRE(answer.status == 200);
    auto results = json::parse(answer.body).at("results");
    REQUIRE(results.size() == 2);
    CHECK(results[0].at("status") == "rejected");
    CHECK(results[0].at("error").at("path") == "/record/participant_count");
    CHECK(results[1].at("status") == "stored");
    CHECK(database().integer("SELECT count(*) FROM records WHERE id = ?", {bad.id}) == 0);
    CHECK(database().integer("SELECT count(*) FROM records WHERE id = ?", {fine.id}) == 1);
  }
  SECTION("a content hash that does not match: that item is rejected") {
    auto damaged = good("破損した記録");
    damaged.record["title"] = "途中で書き換えられた件名";  // the hash was of the original
    auto answer = push(sync::push_request_json({damaged}).dump(), token);
    REQUIRE(answer.status == 200);
    auto result = json::parse(answer.body).at("results").at(0);
    CHECK(result.at("status") == "rejected");
    CHECK(result.at("error").at("code") == "protocol.hash");
    CHECK(result.at("error").at("path") == "/hash");
    CHECK(database().integer("SELECT count(*) FROM records") == 0);
  }
  SECTION("more revisions than a push may carry: 413") {
    json revisions = json::array();
    for (std::size_t i = 0; i <= sync::kMaxPushRevisions; ++i) revisions.push_back(json::object());
    auto answer = push(json{{"revisions", revisions}}.dump(), token);
    CHECK(answer.status == 413);
    check_error_body(answer.body);
  }
  SECTION("a body over 32 MiB, sent as it is: 413") {
    auto [status, body] = post_uncompressed(collector->url(), collector->pin(), oversized_push_body(), token);
    CHECK((status == 413 || status == 0));  // answered 413, or cut off while sending after the answer
    if (status == 413) check_error_body(body);
    CHECK(push(R"({"revisions":[]})", token).status == 200);  // and it goes on serving
  }
  SECTION("a body over 32 MiB once decompressed, sent gzip-compressed by the client's transport: 413") {
    // The limit is on the decompressed body (protocol.hpp, kMaxBodyBytes): a few kilobytes of gzip may not
    // unpack into more than 32 MiB on the collector.
    auto answer = push(oversized_push_body(), token);
    CHECK(answer.status == 413);
    check_error_body(answer.body);
  }
  SECTION("JSON nested 30,000 deep, in a record or around it: 400 json.depth, and the collector lives") {
    // The stack of a recursive reader would overflow before authorisation (issue [5]: SIGSEGV on one request).
    const std::string deep = std::string(30000, '[') + std::string(30000, ']');
    auto revision = good("深い入れ子");
    const std::string record_text = revision.record.dump();
    const std::string in_record = R"({"revisions":[{"id":")" + revision.id + R"(","hlc":")" + revision.hlc +
                                  R"(","hash":")" + revision.hash + R"(","record":)" +
                                  record_text.substr(0, record_text.size() - 1) + R"(,"extra":)" + deep + "}}]}";
    for (const std::string& body : {in_record, R"({"revisions":)" + deep + "}", deep}) {
      auto answer = push(body, token);
      CHECK(answer.status == 400);
      check_error_body(answer.body);
      CHECK(error_of(answer).at("code") == "json.depth");
    }
    auto without_token = push(deep, "");
    CHECK(without_token.status / 100 == 4);
  }
  SECTION("a number out of range (1e400): 400 json.range, on push and on enroll") {
    auto answer =
        push(R"({"revisions":[{"id":"a","hlc":"b","hash":"c","record":{"participant_count":1e400}}]})", token);
    CHECK(answer.status == 400);
    check_error_body(answer.body);
    CHECK(error_of(answer).at("code") == "json.range");
    auto enroll = transport->send({"POST", sync::kEnrollPath, R"({"code":"x","device_name":1e400})", ""});
    REQUIRE(enroll);
    CHECK(enroll->status == 400);
    check_error_body(enroll->body);
    CHECK(error_of(*enroll).at("code") == "json.range");
  }
  SECTION("a member the protocol does not know: 400 protocol.member, nothing stored") {
    json body = sync::push_request_json({good("未知の項目")});
    body["revisions"][0]["priority"] = "high";
    auto answer = push(body.dump(), token);
    CHECK(answer.status == 400);
    check_error_body(answer.body);
    CHECK(error_of(answer).at("code") == "protocol.member");
    CHECK(error_of(answer).at("path") == "/revisions/0/priority");
    CHECK(database().integer("SELECT count(*) FROM records") == 0);
  }
  SECTION("clocks that are not clocks: that item is rejected with protocol.clock") {
    auto with_clocks = [&](const std::string& title, const std::string& hlc, const std::string& field_clock) {
      auto revision = good(title);
      revision.hlc = hlc;
      revision.record["hlc"] = hlc;
      revision.record["field_hlc"] = json{{"*", hlc}};
      if (!field_clock.empty()) revision.record["field_hlc"]["title"] = field_clock;
      revision.hash = sync::content_hash(to_record(revision.record));
      return revision;
    };
    const std::string later = Hlc{now_unix_ms(), 5, "00000000"}.to_string();
    auto not_a_clock = with_clocks("時刻印が9", "9", "");
    auto upper_case =
        with_clocks("大文字の時刻印", Hlc{now_unix_ms(), 0, "abcdef01"}.to_string().substr(0, 19) + "ABCDEF01", "");
    auto field_later = with_clocks("項目の時刻印が後", Hlc{now_unix_ms() - 1000, 0, "00000000"}.to_string(), later);
    auto answer = push(sync::push_request_json({not_a_clock, upper_case, field_later}).dump(), token);
    REQUIRE(answer.status == 200);
    auto results = json::parse(answer.body).at("results");
    REQUIRE(results.size() == 3);
    for (const auto& result : results) {
      INFO(result.dump());
      CHECK(result.at("status") == "rejected");
      CHECK(result.at("error").at("code") == "protocol.clock");
    }
    CHECK(results[2].at("error").at("path") == "/record/field_hlc/title");
    CHECK(database().integer("SELECT count(*) FROM records") == 0);
  }
  SECTION("a clock more than an hour ahead of the collector's: 422 clock.future, nothing of the request stored") {
    auto fine = good("正しい時刻の記録");
    auto ahead = good("先の時刻の記録");
    ahead.hlc = Hlc{now_unix_ms() + kMaxClockAheadMs + 60 * 1000, 0, "00000000"}.to_string();
    ahead.record["hlc"] = ahead.hlc;
    ahead.record["field_hlc"] = json{{"*", ahead.hlc}};
    ahead.hash = sync::content_hash(to_record(ahead.record));
    auto answer = push(sync::push_request_json({fine, ahead}).dump(), token);
    CHECK(answer.status == 422);
    check_error_body(answer.body);
    CHECK(error_of(answer).at("code") == "clock.future");
    CHECK(database().integer("SELECT count(*) FROM records") == 0);
  }
  SECTION("no token: 401") {
    auto answer = push(R"({"revisions": []})", "");
    CHECK(answer.status == 401);
    check_error_body(answer.body);
  }
  SECTION("an unknown endpoint: 404") {
    auto answer = transport->send({"POST", "/v1/nothing", "{}", token});
    REQUIRE(answer);
    CHECK(answer->status == 404);
    check_error_body(answer->body);
  }

  // Afterwards the collector still serves, on a fresh connection and for a real sync.
  auto fresh = this->transport();
  auto status = fresh->send({"GET", sync::kStatusPath, "", ""});
  REQUIRE(status);
  CHECK(status->status == 200);
  CHECK(json::parse(status->body).at("protocol") == 1);
  device.import({to_record(case_review_json("その後の記録", "東区"))});
  auto outcome = device.sync();
  INFO(outcome.error.describe());
  CHECK(outcome.result == sync::SyncResult::Done);
}

}  // namespace tsunagi::sync_tests
