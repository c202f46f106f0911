// What the collector does with one pushed revision, whatever stores it: check it, authorise it, merge it with the
// stored version. Pure functions; a store calls them inside its write transaction.
#pragma once

#include <optional>
#include <string>

#include "model/reference.hpp"
#include "model/record.hpp"
#include "sync/collector_store.hpp"
#include "sync/protocol.hpp"

namespace tsunagi::sync {

struct RevisionDecision {
  PushResult result;
  std::optional<Record> to_store;  // the merged record to write, when anything changed
  bool exactly_as_sent = false;    // to_store is the pushed version itself: the pushing device need not pull it
};

// Decides a revision that the store has not seen before (same id and clock), given the stored version of the
// record, if any. Rejects a revision whose record does not parse, does not match its id, clock or hash, that the
// user may not write (staff write only their own records, and only supervisors approve or return), or whose merged
// result is invalid while not a draft.
RevisionDecision decide_revision(const Principal& who, const Revision& revision, const std::optional<Record>& stored);

// Whether `who` may see `record` (the SQL of a store's pull must agree): supervisors and admins see everything;
// staff see what they wrote and the meetings of their team's areas and of their committees.
bool may_see(const Principal& who, const Record& record, const ReferenceData& reference);

}  // namespace tsunagi::sync
