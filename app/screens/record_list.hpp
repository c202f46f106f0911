// The record list screen: a search box and filters over a sortable table of every matching record (kind, date in
// 和暦, title, area, status, sync state, author). Rows come from the RecordListModel page by page; the table
// draws only the rows on screen (ImGuiListClipper) and tells the model which those are. Draws only; what the
// user asked for comes back as RecordListActions.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/list_model.hpp"
#include "model/store.hpp"

namespace tsunagi {

// The screen's own state, kept by the window between frames.
struct RecordListView {
  std::string selected_id;
  std::string search;          // the search box's text
  bool focus_search = false;   // set by Ctrl+F: the box takes the keyboard next frame
  int today_fiscal_year = 0;   // the newest fiscal year offered by the filter
  // The review queue (確認待ち): submitted records only, with a box per row to approve several at once, and the
  // queue's own filters (team, in conflict, returned and resubmitted) in place of the status.
  bool queue = false;
  std::set<std::string> checked;
};

// What the user asked for this frame; the window applies it after drawing.
struct RecordListActions {
  std::optional<RecordQuery> query;      // a new query to load (a filter, the search text or the sort changed)
  std::optional<std::string> open_id;    // open this record in the editor (double-click or Enter)
  std::vector<std::string> approve_ids;  // the queue's checked records, to approve
  std::int64_t first_row = 0, last_row = 0;  // rows on screen: [first_row, last_row)
};

// Draws the list of `model`. The filters and header clicks answer with model.requested_query() changed.
RecordListActions draw_record_list(const RecordListModel& model, RecordListView& view, const FontSet& fonts,
                                   I18n& i18n);

}  // namespace tsunagi
