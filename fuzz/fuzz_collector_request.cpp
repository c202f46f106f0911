// What the collector reads from a device, before it knows whether the device is honest: the body of an enrollment,
// a push (both readers: the plain one and the document one, then each revision's check) and a pull. Any input
// must give a value or an error, never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collector/rules.hpp"
#include "collector/server.hpp"
#include "model/record_json.hpp"
#include "sync/protocol.hpp"

using namespace tsunagi;
using namespace tsunagi::sync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  // POST /v1/push, with the pull cursor it carries (seen)
  constexpr const char* kCollector = "0193a000-0000-7000-8000-000000000001";
  std::string seen;
  if (auto plain = read_plain_push_request(body, &seen)) {
    for (Revision& revision : *plain) (void)check_revision(std::move(revision));
    (void)parse_cursor(seen, kCollector);
  }
  auto document = parse_json_text(body);
  if (!document) return 0;
  std::vector<Comment> comments;  // a push's comments, read as the collector reads them
  if (auto revisions = parse_push_request(*document, &seen, &comments)) {
    for (Revision& revision : *revisions) (void)check_revision(std::move(revision));
    (void)parse_cursor(seen, kCollector);
  }

  // POST /v1/enroll and /v1/pull read members of the same document.
  auto reparsed = parse_json_text(body);
  if (reparsed && reparsed->is_object()) {
    for (const char* key : {"code", "device_name", "cursor"}) {
      auto it = reparsed->find(key);
      if (it != reparsed->end() && it->is_string()) {
        (void)canonical_enrollment_code(it->get<std::string>());
        (void)parse_cursor(it->get<std::string>(), kCollector);
      }
    }
  }
  return 0;
}
