// Merging two versions of one record, field by field, by hybrid logical clock: for each field the value set by the
// later change wins. The merge is commutative, associative and idempotent, so devices and the collector converge
// whatever order revisions arrive in, and a revision applied twice changes nothing.
#pragma once

#include <string>
#include <vector>

#include "model/error.hpp"
#include "model/record.hpp"

namespace tsunagi {

struct MergeResult {
  Record merged;
  std::vector<std::string> taken;  // fields whose value came from `incoming`
  std::vector<std::string> lost;   // fields `incoming` edited after its base but an edit with a later clock won
};

// The clock of the change that last set `field` ("deleted" included) in `record`.
std::string field_clock(const Record& record, const std::string& field);

// Merges `incoming` into `current` (two versions of the record with the same id and kind; a different kind is an
// error, "merge.kind"). Ties (equal clocks) keep `current`: one change has one value. `incoming_base` is the clock
// of the version `incoming` was edited from (empty: unknown); it only decides what counts as lost. Pure;
// thread-safe.
Result<MergeResult> merge_records(const Record& current, const Record& incoming, const std::string& incoming_base = "");

}  // namespace tsunagi
