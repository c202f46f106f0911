// A record under review: the record read-only on the left; its comment thread, the decision (承認, 差し戻し, 再開)
// with its reason, and its history (履歴) on the right. And the thread alone, which the staff editor shows too.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/review_model.hpp"
#include "app/screens/widgets.hpp"
#include "model/reference.hpp"

namespace tsunagi {

struct ReviewView {
  std::string comment;  // the reason or comment being typed
  const char* back_key = "review.back";  // the back button's words: to the queue, or to the reports
  ItemProbe* probe = nullptr;
};

struct ReviewActions {
  std::optional<ReviewDecision> decide;  // with view.comment as its reason
  bool add_comment = false;              // view.comment as a comment
  bool back = false;                     // to the queue
};

// Who is looking: a decision is offered to supervisors, and not an approval of their own record.
struct Reviewer {
  std::string name;
  std::string role;
  bool reviews() const { return role == "supervisor" || role == "admin"; }
};

ReviewActions draw_review(const ReviewModel& model, ReviewView& view, const Reviewer& reviewer,
                          const ReferenceData& reference, const FontSet& fonts, I18n& i18n);

// A field's label in the UI language (`parent`: the list an item's member belongs to, "agenda" for its "title");
// its name where the catalogue has none.
std::string review_label(const std::string& field, I18n& i18n, const std::string& parent = "");
// A value as the reader knows it: reference ids as names, codes in words, dates in 和暦 (Japanese).
std::string review_value(const std::string& field, const nlohmann::json& value, const ReferenceData& reference,
                         I18n& i18n);
// Whether a history entry's change is worth a line (a decision's status change and a date's bookkeeping are not).
bool shown_in_history(const HistoryEntry& entry, const FieldChange& change);

// The comments of a record, oldest first: who (role), on which device, when, and the text; a decision's reason
// is marked with the decision.
void draw_comment_thread(const std::vector<Comment>& comments, I18n& i18n);

// The history entries, newest first: when, who, which device, what; each changed field from → to, text as a word
// diff (removed struck through in red, added in green).
void draw_history(const HistoryView& history, const ReferenceData& reference, I18n& i18n);

}  // namespace tsunagi
