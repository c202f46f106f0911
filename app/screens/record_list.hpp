// The record list screen: a sortable table of the rows the RecordListModel loaded (kind, date in 和暦, title,
// area, status, author). Draws only; what the user asked for comes back as RecordListActions.
#pragma once

#include <optional>
#include <string>

#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/list_model.hpp"
#include "model/store.hpp"

namespace tsunagi {

// The screen's own state, kept by the window between frames.
struct RecordListView {
  std::string selected_id;
};

// What the user asked for this frame; the window applies it after drawing.
struct RecordListActions {
  std::optional<RecordQuery> query;  // a new query to load (the sort changed)
  std::optional<std::string> open_id;  // a row was double-clicked or Enter pressed on it: open it in the editor
};

// Draws `state`. `requested` is the query last sent to the model: a header click answers with it re-sorted.
RecordListActions draw_record_list(const RecordListState& state, const RecordQuery& requested, RecordListView& view,
                                   const FontSet& fonts, I18n& i18n);

}  // namespace tsunagi
