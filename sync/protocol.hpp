// The sync protocol, version 1 (docs/PROTOCOL.md): message shapes, limits, the content hash, the enrollment line,
// and JSON error bodies. Shared by the collector and the client engine.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/error.hpp"
#include "model/merge.hpp"
#include "model/record.hpp"
#include "model/report_entry.hpp"
#include "model/review.hpp"

namespace tsunagi::sync {

constexpr const char* kEnrollPath = "/v1/enroll";
constexpr const char* kPushPath = "/v1/push";
constexpr const char* kPullPath = "/v1/pull";
constexpr const char* kStatusPath = "/v1/status";
constexpr const char* kHistoryPath = "/v1/history";
// An admin's requests (403 auth.admin for anyone else; collector/admin.hpp has their answers).
constexpr const char* kAdminUsersPath = "/v1/admin/users";                  // {} -> {"users"}
constexpr const char* kAdminUserAddPath = "/v1/admin/users/add";            // the user -> their enrollment code
constexpr const char* kAdminUserCodePath = "/v1/admin/users/code";          // {"name"} -> a new enrollment code
constexpr const char* kAdminDevicesPath = "/v1/admin/devices";              // {} -> {"devices"}
constexpr const char* kAdminDeviceRevokePath = "/v1/admin/devices/revoke";  // {"device_id"} -> {"revoked"}
constexpr const char* kAdminReferencePath = "/v1/admin/reference";          // {"reference", "replace"} -> counts
constexpr std::array<const char*, 6> kAdminPaths = {kAdminUsersPath,   kAdminUserAddPath,      kAdminUserCodePath,
                                                    kAdminDevicesPath, kAdminDeviceRevokePath, kAdminReferencePath};

constexpr std::size_t kMaxBodyBytes = 32 * 1024 * 1024;  // after decompression; 413 beyond
constexpr std::size_t kMaxPushRevisions = 1000;          // per push request; 413 beyond
constexpr std::size_t kMaxPullPage = 5000;               // records per pull page (the client may ask fewer)

// "sha256:<hex>" of the record's canonical JSON text: keys sorted, no white space, as to_json_text writes it (and
// as the local store keeps each record). Lets the collector detect a revision damaged on the way.
std::string content_hash(const Record& record);
std::string content_hash_of_text(std::string_view canonical_json);
std::string sha256_hex(std::string_view data);

// One record revision as pushed: the record at clock `hlc`, edited from the version at `base` (empty: new here).
struct Revision {
  std::string id;
  std::string hlc;
  std::string base;
  std::string hash;
  nlohmann::json record;
  // Set instead of `record` by read_plain_push_request: the record, decoded, and its canonical JSON text.
  std::optional<Record> decoded = std::nullopt;
  std::string canonical = {};
};

enum class PushStatus { Stored, AlreadyStored, Conflict, Rejected };
std::string_view push_status_name(PushStatus status);  // "stored", "already_stored", "conflict", "rejected"
int push_status_http(PushStatus status);               // 201, 200, 409, 422: what each means in HTTP terms

struct PushResult {
  std::string id;
  std::string hlc;
  PushStatus status = PushStatus::Stored;
  std::vector<std::string> lost;  // conflict: the fields where a later edit won
  Error error;                    // rejected: why, and the field's path
};

// Reads a push request body ({"seen": "<cursor>", "revisions": [...]}), moving the records out of `body`; errors
// name the path ("/revisions/3/hlc"). `seen` is the pushing device's pull cursor, by which the collector knows which
// stored changes the device had received (absent or null: empty).
// `comments` receives the request's comments ("comments": [...], each as comment_from_json reads it; at most
// kMaxPushRevisions), which the collector applies before its revisions (a return's reason must be there first);
// `report_entries` its report entries ("report_entries": [...], as report_entry_from_json reads each; as many).
Result<std::vector<Revision>> parse_push_request(nlohmann::json& body, std::string* seen = nullptr,
                                                 std::vector<Comment>* comments = nullptr,
                                                 std::vector<ReportEntry>* report_entries = nullptr);
// The same request read straight from its text, without building a document: each revision with `decoded` and
// `canonical` set. nullopt when the text is anything but a plain request of canonical records (a syntax error, a
// wrong type, a record with fields this version does not know...): parse_push_request then reads it as a document,
// which handles the unusual case or names the error.
std::optional<std::vector<Revision>> read_plain_push_request(std::string_view body, std::string* seen = nullptr);
nlohmann::json push_request_json(const std::vector<Revision>& revisions, const std::string& seen = "");
// The same request, written around records that are already canonical JSON text (no parsing, no re-printing).
struct RevisionText {
  std::string id;
  std::string hlc;
  std::string base;
  std::string document;  // canonical JSON of the record
};
std::string push_request_text(const std::vector<RevisionText>& revisions, const std::string& seen = "",
                              const std::vector<Comment>& comments = {},
                              const std::vector<ReportEntry>& report_entries = {});
// {"results": [...], "comment_results": [...], "report_entry_results": [...]}: one result per revision, per comment
// and per report entry, in order (a comment's or an entry's has no "hlc"; its status is stored, already_stored or
// rejected). The last two are left out when empty.
nlohmann::json push_results_json(const std::vector<PushResult>& results,
                                 const std::vector<PushResult>& comment_results = {},
                                 const std::vector<PushResult>& report_entry_results = {});
Result<std::vector<PushResult>> parse_push_results(const nlohmann::json& body,
                                                   std::vector<PushResult>* comment_results = nullptr,
                                                   std::vector<PushResult>* report_entry_results = nullptr);

// A pull answer ({"records": [...], "reference": {...} | null, "cursor": "...", "more": bool}) read without building
// a document: each record decoded, with its canonical JSON text. nullopt when the text is anything but a plain
// answer of canonical records; the client then reads it as a document, which names any error.
struct PlainPullAnswer {
  std::vector<Record> records;
  std::vector<std::string> documents;  // each record's canonical JSON text
  std::string reference;               // the reference data's JSON text; empty when null
  std::string conflicts;               // the kept conflicts' JSON text (an array); empty when absent
  std::string comments;                // the comments' JSON text (an array); empty when absent
  std::string report_entries;          // the report entries' JSON text (an array); empty when absent
  std::string cursor;
  bool more = false;
};
std::optional<PlainPullAnswer> read_plain_pull_answer(std::string_view body);

// A kept conflict in a pull answer: {"id", "field", "value", "clock", "winner_clock", "by", "device", "at"}.
nlohmann::json conflict_json(const FieldConflict& conflict);
Result<FieldConflict> conflict_from_json(const nlohmann::json& object, const std::string& path);
// The "conflicts" member of a pull answer (absent or null: none).
Result<std::vector<FieldConflict>> conflicts_from_json(const nlohmann::json& list);

// The pull cursor is opaque to clients: "<collector id>.<sequence>". A cursor from another collector (or another
// database) is not ours: the client starts over from the beginning, which is safe because pulls merge.
std::string format_cursor(const std::string& collector_id, std::int64_t sequence);
// The sequence of `cursor` when it belongs to `collector_id`; 0 for an empty or foreign cursor; nullopt when it is
// malformed.
std::optional<std::int64_t> parse_cursor(const std::string& cursor, const std::string& collector_id);

// The pasteable enrollment line that `tsunagi-collector user add` prints:
//   tsunagi-enroll <server URL> <code> <pin>
struct EnrollmentLine {
  std::string server;
  std::string code;
  std::string pin;
};
std::string format_enrollment_line(const EnrollmentLine& line);
Result<EnrollmentLine> parse_enrollment_line(std::string_view text);
// A pin as the collector prints it: "sha256//" and the 44 base64 characters of a SHA-256. A pin cut short when
// copied is refused here, as a damaged line, before it could be taken for a collector with another key.
Status check_pin(std::string_view pin);

// How both programs' admin commands print the admin answers (collector/admin.hpp): an enrollment code with its
// line for devices reaching the collector at `server`; the users; the devices; a reference import's counts.
std::string enrollment_code_text(const nlohmann::json& issued, const std::string& server);
std::string users_text(const nlohmann::json& answer);
std::string devices_text(const nlohmann::json& answer);
std::string reference_import_text(const nlohmann::json& answer);

// {"error": {"code", "message", "message_ja", "path"}}: every rejection the collector sends.
nlohmann::json error_json(const Error& error);
// The Error inside an error body, or one describing an unreadable body with `status`.
Error error_from_response(int status, const std::string& body);

}  // namespace tsunagi::sync
