#include "model/record.hpp"

namespace tsunagi {

int occurrence_count(const Record& record) { return record.occurrences.value_or(1); }

std::string searchable_text(const Record& r) {
  std::string text;
  auto add = [&text](const std::string& part) {
    if (part.empty()) return;
    if (!text.empty()) text += '\n';
    text += part;
  };
  // References are ids: the store indexes their names beside this text (reference_text).
  add(r.purpose);
  add(r.outcome);
  add(r.content);
  for (const auto& follow_up : r.follow_ups) {
    add(follow_up.action);
    add(follow_up.owner);
  }
  switch (r.kind) {
    case RecordKind::Meeting:
      add(r.meeting.venue);
      for (const auto& item : r.meeting.agenda) {
        add(item.title);
        add(item.summary);
        add(item.decision);
      }
      add(r.meeting.minutes);
      break;
    case RecordKind::CaseReview:
      add(r.case_review.case_code);
      add(r.case_review.presenting_agency);
      add(r.case_review.issues);
      add(r.case_review.policy);
      for (const auto& role : r.case_review.roles) {
        add(role.agency);
        add(role.role);
      }
      break;
    case RecordKind::Outreach:
      add(r.outreach.place);
      add(r.outreach.referral);
      break;
    case RecordKind::Initiative:
      break;
  }
  return text;
}

}  // namespace tsunagi
