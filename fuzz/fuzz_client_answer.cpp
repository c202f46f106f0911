// What a device reads from the collector (or from whatever answers at its address): pull pages by both readers,
// the records and reference data in them, push results and error bodies. Any input must give a value or an error,
// never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "model/record_json.hpp"
#include "model/reference.hpp"
#include "sync/protocol.hpp"

using namespace tsunagi;
using namespace tsunagi::sync;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);

  // POST /v1/pull: the plain reader, then the document reader's steps.
  if (auto plain = read_plain_pull_answer(text)) {
    if (!plain->reference.empty())
      if (auto reference = parse_json_text(plain->reference)) (void)reference_from_json(*reference);
    if (!plain->conflicts.empty())
      if (auto conflicts = parse_json_text(plain->conflicts)) (void)conflicts_from_json(*conflicts);
    if (!plain->comments.empty())
      if (auto comments = parse_json_text(plain->comments); comments && comments->is_array())
        for (const auto& comment : *comments) (void)comment_from_json(comment, "/comments");
  }
  (void)error_from_response(400, text);
  auto body = parse_json_text(text);
  if (!body || !body->is_object()) return 0;
  if (auto records = body->find("records"); records != body->end() && records->is_array())
    for (const auto& record : *records) (void)record_from_json(record, "/records");
  if (auto reference = body->find("reference"); reference != body->end() && reference->is_object())
    (void)reference_from_json(*reference);
  if (auto conflicts = body->find("conflicts"); conflicts != body->end()) (void)conflicts_from_json(*conflicts);
  if (auto comments = body->find("comments"); comments != body->end() && comments->is_array())
    for (const auto& comment : *comments) (void)comment_from_json(comment, "/comments");
  // POST /v1/history answers.
  if (auto entries = body->find("entries"); entries != body->end()) (void)history_from_json(*entries);
  // POST /v1/push answers, with their comments' results.
  std::vector<PushResult> comment_results;
  (void)parse_push_results(*body, &comment_results);
  return 0;
}
