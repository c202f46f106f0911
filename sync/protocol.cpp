#include "sync/protocol.hpp"


#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <iomanip>
#include <sstream>

#include "model/json_text.hpp"
#include "model/platform.hpp"
#include "model/record_json.hpp"
#include "model/text.hpp"

namespace tsunagi::sync {

using nlohmann::json;

std::string sha256_hex(std::string_view data) {
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned char byte : platform::sha256(data)) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xF];
  }
  return hex;
}

std::string content_hash_of_text(std::string_view canonical_json) { return "sha256:" + sha256_hex(canonical_json); }

std::string content_hash(const Record& record) { return content_hash_of_text(record_text(record)); }

namespace {

// Appends `,"<member>":[...]` of `items` written by `to_json`, unless there are none (older collectors refuse a
// member they do not know, so a request holds only what it needs).
template <class Item, class ToJson>
void append_items(std::string& out, const char* member, const std::vector<Item>& items, ToJson to_json) {
  if (items.empty()) return;
  nlohmann::json list = nlohmann::json::array();
  for (const Item& item : items) list.push_back(to_json(item));
  out += ",\"";
  out += member;
  out += "\":";
  append_json_text(out, list);
}

}  // namespace

std::string push_request_text(const std::vector<RevisionText>& revisions, const std::string& seen,
                              const std::vector<Comment>& comments, const std::vector<ReportEntry>& report_entries) {
  std::string out = "{\"revisions\":[";
  for (std::size_t i = 0; i < revisions.size(); ++i) {
    const RevisionText& r = revisions[i];
    if (i) out += ',';
    out += "{\"base\":";
    append_json_text(out, json(r.base));
    out += ",\"hash\":";
    append_json_text(out, json(content_hash_of_text(r.document)));
    out += ",\"hlc\":";
    append_json_text(out, json(r.hlc));
    out += ",\"id\":";
    append_json_text(out, json(r.id));
    out += ",\"record\":";
    out += r.document;
    out += '}';
  }
  out += ']';
  if (!seen.empty()) {
    out += ",\"seen\":";
    append_json_text(out, json(seen));
  }
  append_items(out, "comments", comments, comment_to_json);
  append_items(out, "report_entries", report_entries, report_entry_to_json);
  return out + '}';
}

// Indexed by PushStatus, in declaration order.
constexpr std::array<std::string_view, 4> kPushStatusNames{"stored", "already_stored", "conflict", "rejected"};
constexpr std::array<int, 4> kPushStatusHttp{201, 200, 409, 422};

std::string_view push_status_name(PushStatus status) { return kPushStatusNames.at(static_cast<std::size_t>(status)); }
int push_status_http(PushStatus status) { return kPushStatusHttp.at(static_cast<std::size_t>(status)); }

namespace {

Error field_error(const std::string& path, const std::string& what_en, const std::string& what_ja) {
  return make_error("protocol.field", path, what_en, what_ja);
}

std::optional<Error> read_text(const json& object, const char* key, const std::string& path, bool required,
                               std::string& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    if (required) return field_error(path + "/" + key, "missing", "ありません");
    return std::nullopt;
  }
  if (!it->is_string()) return field_error(path + "/" + key, "expected a string", "文字列が必要です");
  out = it->get<std::string>();
  return std::nullopt;
}

// A member of `object` not among `known`, as an error at its path; protocol version 1 has no optional extras, so a
// member it does not define is a mistake (or a newer client talking to this collector), never quietly dropped.
std::optional<Error> unknown_member(const json& object, std::initializer_list<std::string_view> known,
                                    const std::string& path) {
  for (const auto& [key, value] : object.items())
    if (std::find(known.begin(), known.end(), key) == known.end())
      return make_error("protocol.member", path + "/" + key, "not a member of this message in protocol 1",
                        "この通信で使えない項目です");
  return std::nullopt;
}

// The Error described by an {"code", "message", "message_ja", "path"} object (missing members are empty).
Error error_from_object(const json& e) {
  return make_error(string_member(e, "code"), string_member(e, "path"), string_member(e, "message"),
                    string_member(e, "message_ja"));
}

// Reads the optional array `member` of a push request (absent or null: none), each item with `read_item(item,
// path)`, into `out` when not null; at most kMaxPushRevisions items (`what_ja` names them in the message).
template <class Item, class Reader>
std::optional<Error> read_push_items(const json& body, const std::string& member, const std::string& what_ja,
                                     Reader read_item, std::vector<Item>* out) {
  auto given = body.find(member);
  if (given == body.end() || given->is_null()) return std::nullopt;
  const std::string path = "/" + member;
  if (!given->is_array()) return field_error(path, "expected an array", member + " の配列が必要です");
  if (given->size() > kMaxPushRevisions)
    return make_error("protocol.too_many", path,
                      "at most " + std::to_string(kMaxPushRevisions) + " " + member + " per request",
                      "1回に送れる" + what_ja + "は" + std::to_string(kMaxPushRevisions) + "件までです");
  for (std::size_t i = 0; i < given->size(); ++i) {
    auto item = read_item((*given)[i], path + "/" + std::to_string(i));
    if (!item) return item.error();
    if (out) out->push_back(std::move(*item));
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<Revision>> parse_push_request(json& body, std::string* seen, std::vector<Comment>* comments,
                                                 std::vector<ReportEntry>* report_entries) {
  if (!body.is_object()) return field_error("/", "expected an object", "オブジェクトが必要です");
  auto list = body.find("revisions");
  if (list == body.end() || !list->is_array())
    return field_error("/revisions", "expected an array of revisions", "revisions の配列が必要です");
  if (auto error = unknown_member(body, {"revisions", "seen", "comments", "report_entries"}, "")) return *error;
  if (auto error = read_push_items(body, "comments", "コメント", comment_from_json, comments)) return *error;
  if (auto error = read_push_items(body, "report_entries", "報告", report_entry_from_json, report_entries))
    return *error;
  std::string cursor;
  if (auto error = read_text(body, "seen", "", false, cursor)) return *error;
  if (seen) *seen = std::move(cursor);
  if (list->size() > kMaxPushRevisions)
    return make_error("protocol.too_many", "/revisions",
                      "at most " + std::to_string(kMaxPushRevisions) + " revisions per request",
                      "1回の送信は" + std::to_string(kMaxPushRevisions) + "件までです");
  std::vector<Revision> revisions;
  revisions.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    json& item = (*list)[i];
    std::string path = "/revisions/" + std::to_string(i);
    if (!item.is_object()) return field_error(path, "expected an object", "オブジェクトが必要です");
    if (auto error = unknown_member(item, {"base", "hash", "hlc", "id", "record"}, path)) return *error;
    Revision revision;
    for (auto [key, out, required] :
         {std::tuple{"id", &revision.id, true}, std::tuple{"hlc", &revision.hlc, true},
          std::tuple{"base", &revision.base, false}, std::tuple{"hash", &revision.hash, true}})
      if (auto error = read_text(item, key, path, required, *out)) return *error;
    auto record = item.find("record");
    if (record == item.end() || !record->is_object())
      return field_error(path + "/record", "expected the record object", "record オブジェクトが必要です");
    revision.record = std::move(*record);
    revisions.push_back(std::move(revision));
  }
  return revisions;
}

namespace {

// A record inside a message: decoded without a document, and canonical as it stands.
bool read_plain_record_text(JsonReader& in, std::optional<Record>& record, std::string& canonical) {
  std::string_view text;
  if (!in.value_text(text) || text.empty() || text.front() != '{') return false;
  bool is_canonical = false;
  record = read_plain_record(text, &is_canonical);
  if (!record || !is_canonical) return false;
  canonical = text;
  return true;
}

}  // namespace

std::optional<std::vector<Revision>> read_plain_push_request(std::string_view body, std::string* seen) {
  if (!is_valid_utf8(body)) return std::nullopt;
  JsonReader in(body);
  std::optional<std::vector<Revision>> revisions;
  // Members not named here are refused, as by the document path.
  static constexpr std::array<std::string_view, 2> kRequest{"revisions", "seen"};
  std::string cursor;
  static constexpr std::array<std::string_view, 5> kRevision{"base", "hash", "hlc", "id", "record"};
  auto read_revision = [&] {
    if (revisions->size() == kMaxPushRevisions) return false;  // the document path refuses it
    Revision& revision = revisions->emplace_back();
    auto present = in.members(kRevision, [&](std::size_t index) {
      switch (index) {
        case 0:
          return in.null() ? (revision.base.clear(), true) : in.string(revision.base);
        case 1:
          return in.string(revision.hash);
        case 2:
          return in.string(revision.hlc);
        case 3:
          return in.string(revision.id);
        default:
          return read_plain_record_text(in, revision.decoded, revision.canonical);
      }
    });
    return present && (*present & 0b11110) == 0b11110;  // hash, hlc, id and record are required
  };
  const auto members = in.members(kRequest, [&](std::size_t index) {
    if (index == 1) return in.null() ? (cursor.clear(), true) : in.string(cursor);
    revisions.emplace();
    return in.array(read_revision);
  });
  if (!members || !in.at_end() || !revisions) return std::nullopt;
  if (seen) *seen = std::move(cursor);
  return revisions;
}

std::optional<PlainPullAnswer> read_plain_pull_answer(std::string_view body) {
  if (!is_valid_utf8(body)) return std::nullopt;
  JsonReader in(body);
  PlainPullAnswer answer;
  static constexpr std::array<std::string_view, 7> kAnswer{"comments", "conflicts",  "cursor",        "more",
                                                            "records",  "reference", "report_entries"};
  // An array member kept as its text (null: absent).
  auto array_text = [&in](std::string& out) {
    if (in.null()) return true;
    std::string_view text;
    if (!in.value_text(text) || text.empty() || text.front() != '[') return false;
    out = text;
    return true;
  };
  const auto seen = in.members(kAnswer, [&](std::size_t index) {
    switch (index) {
      case 0:
        return array_text(answer.comments);
      case 1:
        return array_text(answer.conflicts);
      case 6:
        return array_text(answer.report_entries);
      case 2:
        return in.string(answer.cursor);
      case 3:
        return in.boolean(answer.more);
      case 4:
        return in.array([&] {
          std::optional<Record> record;
          if (!read_plain_record_text(in, record, answer.documents.emplace_back())) return false;
          answer.records.push_back(std::move(*record));
          return true;
        });
      default: {
        if (in.null()) return true;
        std::string_view reference;
        if (!in.value_text(reference) || reference.empty() || reference.front() != '{') return false;
        answer.reference = reference;
        return true;
      }
    }
  });
  if (!seen || !in.at_end() || (*seen & 0b10100) != 0b10100) return std::nullopt;  // cursor and records are required
  return answer;
}

json conflict_json(const FieldConflict& c) {
  return {{"id", c.record_id},
          {"field", c.field},
          {"value", c.value},
          {"clock", c.clock},
          {"winner_clock", c.winner_clock},
          {"by", c.by},
          {"device", c.device},
          {"at", c.at}};
}

Result<FieldConflict> conflict_from_json(const json& object, const std::string& path) {
  if (!object.is_object()) return field_error(path, "expected an object", "オブジェクトが必要です");
  FieldConflict c;
  for (auto [key, out, required] :
       {std::tuple{"id", &c.record_id, true}, std::tuple{"field", &c.field, true}, std::tuple{"clock", &c.clock, true},
        std::tuple{"winner_clock", &c.winner_clock, true}, std::tuple{"by", &c.by, false},
        std::tuple{"device", &c.device, false}, std::tuple{"at", &c.at, false}})
    if (auto error = read_text(object, key, path, required, *out)) return *error;
  auto value = object.find("value");
  if (value == object.end()) return field_error(path + "/value", "missing", "ありません");
  c.value = *value;
  return c;
}

Result<std::vector<FieldConflict>> conflicts_from_json(const json& list) {
  std::vector<FieldConflict> conflicts;
  if (list.is_null()) return conflicts;
  if (!list.is_array()) return field_error("/conflicts", "expected an array", "配列が必要です");
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto conflict = conflict_from_json(list[i], "/conflicts/" + std::to_string(i));
    if (!conflict) return conflict.error();
    conflicts.push_back(std::move(*conflict));
  }
  return conflicts;
}

json push_request_json(const std::vector<Revision>& revisions, const std::string& seen) {
  json list = json::array();
  for (const auto& r : revisions)
    list.push_back({{"id", r.id}, {"hlc", r.hlc}, {"base", r.base}, {"hash", r.hash}, {"record", r.record}});
  json request{{"revisions", std::move(list)}};
  if (!seen.empty()) request["seen"] = seen;
  return request;
}

namespace {

json results_json(const std::vector<PushResult>& results) {
  json list = json::array();
  for (const auto& r : results) {
    json item = {{"id", r.id},
                 {"hlc", r.hlc},
                 {"status", std::string(push_status_name(r.status))},
                 {"code", push_status_http(r.status)}};
    if (r.status == PushStatus::Conflict) item["lost"] = r.lost;
    if (r.status == PushStatus::Rejected) item["error"] = error_json(r.error)["error"];
    list.push_back(std::move(item));
  }
  return list;
}

Result<std::vector<PushResult>> read_results(const json& body, const char* member) {
  const std::string where = std::string("/") + member;
  if (!body.is_object() || !body.contains(member) || !body[member].is_array())
    return field_error(where, "expected an array of results", std::string(member) + " の配列が必要です");
  std::vector<PushResult> results;
  for (std::size_t i = 0; i < body[member].size(); ++i) {
    const json& item = body[member][i];
    std::string path = where + "/" + std::to_string(i);
    PushResult result;
    std::string status;
    if (!item.is_object()) return field_error(path, "expected an object", "オブジェクトが必要です");
    for (auto [key, out, required] : {std::tuple{"id", &result.id, true}, std::tuple{"hlc", &result.hlc, false},
                                      std::tuple{"status", &status, true}})
      if (auto error = read_text(item, key, path, required, *out)) return *error;
    auto known = std::find(kPushStatusNames.begin(), kPushStatusNames.end(), status);
    if (known == kPushStatusNames.end())
      return field_error(path + "/status", "unknown status \"" + status + "\"", "不明な状態です");
    result.status = static_cast<PushStatus>(known - kPushStatusNames.begin());
    if (auto lost = item.find("lost"); lost != item.end() && lost->is_array())
      for (const auto& field : *lost)
        if (field.is_string()) result.lost.push_back(field.get<std::string>());
    if (result.status == PushStatus::Rejected) result.error = error_from_object(item.value("error", json::object()));
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace

json push_results_json(const std::vector<PushResult>& results, const std::vector<PushResult>& comment_results,
                       const std::vector<PushResult>& report_entry_results) {
  json out = {{"results", results_json(results)}};
  if (!comment_results.empty()) out["comment_results"] = results_json(comment_results);
  if (!report_entry_results.empty()) out["report_entry_results"] = results_json(report_entry_results);
  return out;
}

Result<std::vector<PushResult>> parse_push_results(const json& body, std::vector<PushResult>* comment_results,
                                                   std::vector<PushResult>* report_entry_results) {
  auto results = read_results(body, "results");
  if (!results) return results;
  for (auto [member, out] : {std::pair{"comment_results", comment_results},
                             std::pair{"report_entry_results", report_entry_results}}) {
    if (!out || !body.contains(member)) continue;
    auto read = read_results(body, member);
    if (!read) return read.error();
    *out = std::move(*read);
  }
  return results;
}

std::string format_cursor(const std::string& collector_id, std::int64_t sequence) {
  return collector_id + "." + std::to_string(sequence);
}

std::optional<std::int64_t> parse_cursor(const std::string& cursor, const std::string& collector_id) {
  if (cursor.empty()) return 0;
  auto dot = cursor.rfind('.');
  if (dot == std::string::npos) return std::nullopt;
  std::int64_t sequence = 0;
  auto [end, ec] = std::from_chars(cursor.data() + dot + 1, cursor.data() + cursor.size(), sequence);
  if (ec != std::errc() || end != cursor.data() + cursor.size() || sequence < 0) return std::nullopt;
  if (cursor.compare(0, dot, collector_id) != 0) return 0;  // another collector's cursor: start over
  return sequence;
}

std::string format_enrollment_line(const EnrollmentLine& line) {
  return "tsunagi-enroll " + line.server + " " + line.code + " " + line.pin;
}

Result<EnrollmentLine> parse_enrollment_line(std::string_view text) {
  std::istringstream words{std::string(trim(text))};
  std::string tag;
  EnrollmentLine line;
  words >> tag >> line.server >> line.code >> line.pin;
  std::string extra;
  if (tag != "tsunagi-enroll" || line.pin.empty() || (words >> extra))
    return make_error("enroll.line", "", "not an enrollment line (tsunagi-enroll URL CODE PIN)",
                      "登録用の行ではありません（tsunagi-enroll URL コード ピン）");
  if (line.server.rfind("https://", 0) != 0)
    return make_error("enroll.line", "", "the server URL must start with https://",
                      "サーバーのURLは https:// で始まる必要があります");
  if (auto checked = check_pin(line.pin); !checked) return checked.error();
  return line;
}

Status check_pin(std::string_view pin) {
  if (pin.rfind("sha256//", 0) != 0)
    return make_error("enroll.line", "", "the pin must start with sha256//", "ピンは sha256// で始まる必要があります");
  const std::string_view digest = pin.substr(8);
  const bool base64 =
      digest.size() == 44 && digest.back() == '=' && std::all_of(digest.begin(), digest.end() - 1, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
      });
  if (!base64)
    return make_error("enroll.line", "", "the pin is incomplete or damaged (copy the whole line again)",
                      "ピンが途中で切れているか壊れています（行全体をもう一度コピーしてください）");
  return ok_status();
}

namespace {

std::string member_text(const json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end()) return "";
  if (found->is_string()) return found->get<std::string>();
  return found->dump();
}

}  // namespace

std::string enrollment_code_text(const json& issued, const std::string& server) {
  const json& user = issued.at("user");
  const std::string code = member_text(issued, "code");
  const std::string pin = member_text(issued, "pin");
  std::ostringstream out;
  out << "user    " << member_text(user, "name") << " (" << member_text(user, "role") << ")\n"
      << "code    " << code << "  (single use, expires in " << issued.value("expires_hours", 0.0) << " hours, at "
      << member_text(issued, "expires_at") << ")\n"
      << "server  " << server << "\npin     " << pin << "\n\n"
      << format_enrollment_line({server, code, pin}) << "\n";
  return out.str();
}

std::string users_text(const json& answer) {
  std::ostringstream out;
  for (const json& user : answer.at("users")) {
    std::string committees;
    for (const json& committee : user.value("committees", json::array()))
      if (committee.is_string()) committees += (committees.empty() ? "" : ",") + committee.get<std::string>();
    out << member_text(user, "id") << "  " << std::left << std::setw(10) << member_text(user, "role") << "  "
        << member_text(user, "name") << "  team=" << member_text(user, "team") << "  committees=" << committees;
    if (const std::string council = member_text(user, "council"); !council.empty()) out << "  council=" << council;
    out << "\n";
  }
  return out.str();
}

std::string devices_text(const json& answer) {
  std::ostringstream out;
  for (const json& device : answer.at("devices")) {
    const std::string seen = member_text(device, "last_seen");
    const std::string revoked = member_text(device, "revoked_at");
    out << member_text(device, "id") << "  " << member_text(device, "user") << "  " << member_text(device, "name")
        << "  enrolled " << member_text(device, "enrolled_at") << "  last seen " << (seen.empty() ? "-" : seen)
        << (revoked.empty() ? "" : "  REVOKED " + revoked) << "\n";
  }
  return out.str();
}

std::string reference_import_text(const json& answer) {
  const json& added = answer.at("added");
  const json& now = answer.at("now");
  std::ostringstream out;
  out << "reference data imported: " << added.value("councils", 0) << " councils, " << added.value("themes", 0)
      << " themes, " << added.value("areas", 0) << " areas, " << added.value("committees", 0) << " committees, "
      << added.value("organizations", 0) << " organisations, " << added.value("staff", 0) << " staff, "
      << added.value("work_items", 0) << " work items, " << added.value("projects", 0) << " projects (now "
      << now.value("councils", 0) << " councils, " << now.value("committees", 0) << " committees in all)\n";
  return out.str();
}

json error_json(const Error& error) {
  return {{"error",
           {{"code", error.code}, {"message", error.message}, {"message_ja", error.message_ja}, {"path", error.path}}}};
}

Error error_from_response(int status, const std::string& body) {
  auto parsed = parse_json_text(body);
  if (parsed && parsed->is_object() && parsed->contains("error") && (*parsed)["error"].is_object())
    return error_from_object((*parsed)["error"]);
  return make_error("http." + std::to_string(status), "", "the collector answered HTTP " + std::to_string(status),
                    "集約サーバーが HTTP " + std::to_string(status) + " を返しました");
}

}  // namespace tsunagi::sync
