// Records, revisions and report entries the protocol and collector tests share.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "model/json_text.hpp"
#include "model/record_json.hpp"
#include "model/report_entry.hpp"
#include "sync/protocol.hpp"

namespace protocol_fixture {

using namespace tsunagi;
using namespace tsunagi::sync;

inline Record meeting(const std::string& author, ReviewStatus status = ReviewStatus::Submitted) {
  auto record = parse_record(R"({"id":"r1","kind":"meeting","date":"2024-05-01","title":"運営会議","body":"運営会議",
    "meeting_type":"steering","format":"in_person","area":"東区",
    "hlc":"0000000000100.0000.aaaaaaaa","field_hlc":{"*":"0000000000100.0000.aaaaaaaa"}})");
  REQUIRE(record.ok());
  record->author = author;
  record->status = status;
  return *record;
}

inline Revision revision_of(const Record& record, const std::string& base = "") {
  std::string text = to_json_text(record_to_json(record));
  return {record.id, record.clock, base, content_hash_of_text(text), nlohmann::json::parse(text)};
}
inline ReportEntry entry_for(const std::string& council, const std::string& key) {
  ReportEntry entry;
  entry.id = "0193a5f2-c3d4-7abc-8def-0123456789a" + std::to_string(key.size() % 10);
  entry.council = council;
  entry.fiscal_year = 2024;
  entry.kind = "progress";
  entry.key = key;
  entry.fields = {{"status", "a"}, {"analysis", "順調に進んだ。"}};
  entry.time = "2025-03-10T09:00:00.000Z";
  return entry;
}

}  // namespace protocol_fixture
