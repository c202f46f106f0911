#include "app/screens/record_list.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "app/editor_model.hpp"
#include "app/screens/widgets.hpp"
#include "model/calendar.hpp"

namespace tsunagi {

namespace {

// [SECTION] Table columns

enum class ColumnId { Kind, Date, Title, Area, Status, Sync, Author };

struct Column {
  ColumnId id;
  const char* label_key;
  std::optional<SortColumn> sort;  // nullopt: not sortable
  ImGuiTableColumnFlags flags;
  float weight;  // share of the table's width
};

const std::array<Column, 7> kColumns{{
    {ColumnId::Kind, "list.column.kind", SortColumn::Kind, ImGuiTableColumnFlags_WidthStretch, 1.0f},
    {ColumnId::Date, "list.column.date", SortColumn::Date,
     ImGuiTableColumnFlags_WidthStretch | ImGuiTableColumnFlags_DefaultSort |
         ImGuiTableColumnFlags_PreferSortDescending,
     1.5f},
    {ColumnId::Title, "list.column.title", SortColumn::Title, ImGuiTableColumnFlags_WidthStretch, 4.0f},
    {ColumnId::Area, "list.column.area", SortColumn::Area, ImGuiTableColumnFlags_WidthStretch, 1.4f},
    {ColumnId::Status, "list.column.status", SortColumn::Status, ImGuiTableColumnFlags_WidthStretch, 0.9f},
    {ColumnId::Sync, "list.column.sync", std::nullopt,
     ImGuiTableColumnFlags_WidthStretch | ImGuiTableColumnFlags_NoSort, 0.9f},
    {ColumnId::Author, "list.column.author", SortColumn::Author, ImGuiTableColumnFlags_WidthStretch, 1.1f},
}};

// Muted colours, one per review status, readable on the light background.
ImVec4 status_colour(ReviewStatus status) {
  switch (status) {
    case ReviewStatus::Draft:
      return kMutedText;
    case ReviewStatus::Submitted:
      return {0.16f, 0.38f, 0.62f, 1.0f};
    case ReviewStatus::Returned:
      return kWarningText;
    case ReviewStatus::Approved:
      return kGoodText;
  }
  return kMutedText;
}

// The sync column: where the record stands with the collector; a record the supervisor returned says so.
struct SyncLabel {
  const char* key;
  ImVec4 colour;
};

SyncLabel sync_label(const RecordSummary& row) {
  if (row.status == ReviewStatus::Returned && row.sync_state == SyncState::Sent)
    return {"sync_state.returned", kWarningText};
  switch (row.sync_state) {
    case SyncState::LocalOnly:
      return {"sync_state.local_only", kMutedText};
    case SyncState::Waiting:
      return {"sync_state.waiting", {0.16f, 0.38f, 0.62f, 1.0f}};
    case SyncState::Sent:  // a draft the collector holds is a backup, not something the office reviews
      return {row.status == ReviewStatus::Draft ? "sync_state.backed_up" : "sync_state.sent", kGoodText};
    case SyncState::Rejected:
      return {"sync_state.rejected", kErrorText};
  }
  return {"sync_state.local_only", kMutedText};
}

// The queue's own order when no header is chosen: the record waiting longest first, which no column shows.
constexpr SortColumn kQueueOrder = SortColumn::Updated;

// The query re-sorted as the table's header says, or nullopt when that is already its order. In the queue no
// header is sorted at first (and a third click on one unsorts it): then the queue's own order.
std::optional<RecordQuery> sort_request(const RecordQuery& requested, bool queue) {
  ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
  if (specs == nullptr || !specs->SpecsDirty) return std::nullopt;
  specs->SpecsDirty = false;
  std::optional<SortColumn> column;
  bool descending = false;
  if (specs->SpecsCount >= 1) {
    const ImGuiTableColumnSortSpecs& spec = specs->Specs[0];
    if (spec.ColumnIndex < 0 || static_cast<std::size_t>(spec.ColumnIndex) >= kColumns.size()) return std::nullopt;
    column = kColumns[static_cast<std::size_t>(spec.ColumnIndex)].sort;
    descending = spec.SortDirection == ImGuiSortDirection_Descending;
  } else if (queue) {
    column = kQueueOrder;
  }
  if (!column) return std::nullopt;
  if (*column == requested.sort && descending == requested.descending) return std::nullopt;
  RecordQuery query = requested;
  query.sort = *column;
  query.descending = descending;
  return query;
}

// [SECTION] Filters

// One choice of a filter: its label, how deep in a tree it sits, and whether it is the current one.
struct Choice {
  std::string label;
  int depth = 0;
};

// A filter combo showing "<name>: <current>"; returns the index chosen this frame (0 is "all").
std::optional<std::size_t> filter_combo(const char* id, const std::string& name, const std::vector<Choice>& choices,
                                        std::size_t current, float width) {
  std::optional<std::size_t> chosen;
  ImGui::SetNextItemWidth(width);
  const std::string preview = shown(name + ": " + choices[std::min(current, choices.size() - 1)].label);
  if (ImGui::BeginCombo(id, preview.c_str(), ImGuiComboFlags_HeightLarge)) {
    const float indent = ImGui::GetFontSize();
    for (std::size_t i = 0; i < choices.size(); ++i) {
      ImGui::PushID(static_cast<int>(i));
      if (choices[i].depth > 0) ImGui::Indent(indent * static_cast<float>(choices[i].depth));
      if (ImGui::Selectable(shown(choices[i].label).c_str(), i == current)) chosen = i;
      if (i == current) ImGui::SetItemDefaultFocus();
      if (choices[i].depth > 0) ImGui::Unindent(indent * static_cast<float>(choices[i].depth));
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  return chosen;
}

// A filter over names (area, theme, committee, author): the choices, which is current, and the new query when
// one is picked.
template <typename Names>
void name_filter(const char* id, const char* name_key, const Names& names, std::string RecordQuery::*field,
                 RecordQuery& query, bool& changed, float width, I18n& i18n) {
  std::vector<Choice> choices{{i18n.tr("filter.all"), 0}};
  std::vector<std::string> values{""};
  std::size_t current = 0;
  for (const auto& [value, label, depth] : names) {
    if (value == query.*field) current = choices.size();
    choices.push_back({label, depth});
    values.push_back(value);
  }
  if (auto chosen = filter_combo(id, i18n.tr(name_key), choices, current, width)) {
    query.*field = values[*chosen];
    changed = true;
  }
}

struct NamedChoice {
  std::string value, label;
  int depth = 0;
};

template <typename Item>
std::vector<NamedChoice> named_choices(const std::vector<Item>& items, bool japanese) {
  std::vector<NamedChoice> choices;
  for (const Item& item : items) choices.push_back({item.name, display_name(item, japanese), 0});
  return choices;
}

template <typename Item>
std::vector<NamedChoice> tree_choices(const std::vector<Item>& items, bool japanese) {
  std::vector<NamedChoice> choices;
  for (const TreeRow& row : tree_order(items))
    choices.push_back({items[row.index].name, display_name(items[row.index], japanese), row.depth});
  return choices;
}

// An enum filter: "all" and each value's catalogue text "<prefix>.<name>".
template <typename E>
void enum_filter(const char* id, const char* name_key, const char* prefix, std::optional<E>& value, bool& changed,
                 float width, I18n& i18n) {
  std::vector<Choice> choices{{i18n.tr("filter.all"), 0}};
  for (std::string_view name : EnumNames<E>::names)
    choices.push_back({i18n.tr(std::string(prefix) + "." + std::string(name)), 0});
  const std::size_t current = value ? static_cast<std::size_t>(*value) + 1 : 0;
  if (auto chosen = filter_combo(id, i18n.tr(name_key), choices, current, width)) {
    value = *chosen == 0 ? std::nullopt : std::optional<E>(static_cast<E>(*chosen - 1));
    changed = true;
  }
}

// Draws the search box and the filters; returns the new query when one of them changed.
std::optional<RecordQuery> draw_filters(const RecordListModel& model, RecordListView& view, I18n& i18n) {
  const bool japanese = i18n.language() == "ja";
  RecordQuery query = model.requested_query();
  bool changed = false;
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float width = (ImGui::GetContentRegionAvail().x - spacing * 4) / 5.0f;

  if (view.focus_search) {
    ImGui::SetKeyboardFocusHere();
    view.focus_search = false;
  }
  ImGui::SetNextItemWidth(width * 2 + spacing);
  if (input_text("##search", i18n.tr("list.search_hint"), view.search)) {
    query.search = view.search;
    changed = true;
  }
  ImGui::SameLine();
  enum_filter("##kind", "filter.kind", "kind", query.kind, changed, width, i18n);
  ImGui::SameLine();
  {
    std::vector<Choice> choices{{i18n.tr("filter.all"), 0}};
    std::vector<int> years{0};
    const int newest = view.today_fiscal_year > 0 ? view.today_fiscal_year : 2026;
    std::size_t current = 0;
    for (int fy = newest; fy >= 2019; --fy) {
      if (query.fiscal_year == fy) current = choices.size();
      choices.push_back({japanese ? format_fiscal_year(fy) : "FY" + std::to_string(fy), 0});
      years.push_back(fy);
    }
    if (auto chosen = filter_combo("##fy", i18n.tr("filter.fiscal_year"), choices, current, width)) {
      query.fiscal_year = *chosen == 0 ? std::nullopt : std::optional<int>(years[*chosen]);
      changed = true;
    }
  }
  ImGui::SameLine();
  {
    std::vector<Choice> choices{{i18n.tr("filter.all"), 0}};
    // Fiscal order: April first.
    constexpr std::array<int, 12> kMonths{4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3};
    std::size_t current = 0;
    for (int month : kMonths) {
      if (query.month == month) current = choices.size();
      choices.push_back({i18n.format("filter.month_value", {{"month", std::to_string(month)}}), 0});
    }
    if (auto chosen = filter_combo("##month", i18n.tr("filter.month"), choices, current, width)) {
      query.month = *chosen == 0 ? std::nullopt : std::optional<int>(kMonths[*chosen - 1]);
      changed = true;
    }
  }

  const ReferenceData empty;
  const ReferenceData& reference = model.state().reference ? *model.state().reference : empty;
  if (view.queue)  // every record here is submitted: the team whose staff wrote it instead
    name_filter("##team", "filter.team", tree_choices(reference.areas, japanese), &RecordQuery::team, query, changed,
                width, i18n);
  else
    enum_filter("##status", "filter.status", "status", query.status, changed, width, i18n);
  ImGui::SameLine();
  name_filter("##area", "filter.area", tree_choices(reference.areas, japanese), &RecordQuery::area, query, changed,
              width, i18n);
  ImGui::SameLine();
  name_filter("##theme", "filter.theme", named_choices(reference.themes, japanese), &RecordQuery::theme, query,
              changed, width, i18n);
  ImGui::SameLine();
  name_filter("##committee", "filter.committee", tree_choices(reference.committees, japanese),
              &RecordQuery::committee, query, changed, width, i18n);
  ImGui::SameLine();
  {
    std::vector<NamedChoice> staff;
    for (const StaffMember& member : reference.staff) staff.push_back({member.name, member.name, 0});
    name_filter("##author", "filter.author", staff, &RecordQuery::author, query, changed, width, i18n);
  }

  if (view.queue) {
    changed |= ImGui::Checkbox(i18n.tr("filter.conflicts"), &query.conflicts_only);
    ImGui::SameLine();
    changed |= ImGui::Checkbox(i18n.tr("filter.resubmitted"), &query.resubmitted_only);
    ImGui::SameLine();
  }
  const RecordQuery& requested = model.requested_query();
  const bool filtered = requested.kind || requested.fiscal_year || requested.month ||
                        (requested.status && !view.queue) || !requested.area.empty() || !requested.theme.empty() ||
                        !requested.committee.empty() || !requested.author.empty() || !requested.search.empty() ||
                        !requested.team.empty() || (view.queue && (requested.conflicts_only || requested.resubmitted_only));
  if (filtered) {
    if (ImGui::SmallButton(i18n.tr("filter.clear"))) {
      RecordQuery cleared;
      cleared.sort = requested.sort;
      cleared.descending = requested.descending;
      cleared.viewer = requested.viewer;
      cleared.not_author = requested.not_author;
      if (view.queue) cleared.status = requested.status;  // the queue stays the queue
      query = cleared;
      view.search.clear();
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  return query;
}

}  // namespace

RecordListActions draw_record_list(const RecordListModel& model, RecordListView& view, const FontSet& fonts,
                                   I18n& i18n) {
  RecordListActions actions;
  const RecordListState& state = model.state();
  const bool japanese = i18n.language() == "ja";

  draw_heading(i18n.tr(view.queue ? "queue.heading" : "list.heading"),
               !state.loaded ? i18n.tr("list.loading")
                             : i18n.format("list.count", {{"total", std::to_string(state.total)}}),
               fonts);
  if (state.loaded && state.loading) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", i18n.tr("list.refreshing"));
  }
  ImGui::Spacing();
  actions.query = draw_filters(model, view, i18n);
  if (view.queue) {
    ImGui::BeginDisabled(view.checked.empty());
    if (ImGui::Button(i18n.format("queue.approve_checked", {{"count", std::to_string(view.checked.size())}}).c_str()))
      actions.approve_ids.assign(view.checked.begin(), view.checked.end());
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::TextDisabled("%s", i18n.tr("queue.hint"));
  }
  if (state.error) {
    ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
    ImGui::TextWrapped("%s %s", i18n.tr("list.error"), state.error->describe(japanese).c_str());
    ImGui::PopStyleColor();
  }
  ImGui::Spacing();

  if (state.loaded && !state.error && state.total == 0) {
    ImGui::Spacing();
    const bool filtered = !model.requested_query().search.empty() || actions.query.has_value();
    ImGui::TextDisabled("%s", i18n.tr(filtered || state.query.kind || state.query.fiscal_year ? "list.no_match"
                                      : view.queue                                              ? "queue.empty"
                                                                                                : "list.empty"));
    return actions;
  }

  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_BordersOuterH |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingStretchProp |
                                ImGuiTableFlags_PadOuterX | (view.queue ? ImGuiTableFlags_SortTristate : 0);
  // As tall as its rows (so a short list does not draw empty columns down the screen), at most the space left.
  const float row_height = ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2.0f;
  const float rows_height = row_height * static_cast<float>(state.total + 1) + 2.0f;
  const ImVec2 outer_size(0.0f, std::min(rows_height, ImGui::GetContentRegionAvail().y));
  if (!ImGui::BeginTable(view.queue ? "queue" : "records", static_cast<int>(kColumns.size()), flags, outer_size))
    return actions;
  for (const Column& column : kColumns)
    ImGui::TableSetupColumn(i18n.tr(column.label_key),
                            view.queue ? column.flags & ~ImGuiTableColumnFlags_DefaultSort : column.flags,
                            column.weight);
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableHeadersRow();
  if (auto sorted = sort_request(actions.query ? *actions.query : model.requested_query(), view.queue))
    actions.query = sorted;

  const std::int64_t total = state.total;
  ImGuiListClipper clipper;
  // ImGui 1.86's clipper counts in int: 2^31 rows is far beyond any store.
  clipper.Begin(static_cast<int>(std::min<std::int64_t>(total, 1 << 30)), row_height);
  bool first_step = true;
  while (clipper.Step()) {
    if (first_step || clipper.DisplayStart < actions.first_row) actions.first_row = clipper.DisplayStart;
    actions.last_row = std::max<std::int64_t>(actions.last_row, clipper.DisplayEnd);
    first_step = false;
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      ImGui::PushID(i);
      ImGui::TableNextRow(0, row_height);
      const RecordSummary* row = model.row(i);
      if (row == nullptr) {  // its page is on its way
        ImGui::TableSetColumnIndex(0);
        ImGui::TextDisabled("…");
        ImGui::PopID();
        continue;
      }
      ImGui::TableSetColumnIndex(0);
      // A click opens the record (as a link would); the arrow keys move along the rows and Enter opens one.
      const bool selected = row->id == view.selected_id;
      const ImVec2 cell = ImGui::GetCursorPos();
      const std::string kind = i18n.tr("kind." + std::string(enum_name(row->kind)));
      // In the queue the row's box sits over it (drawn after, so that it takes its own clicks).
      if (ImGui::Selectable(view.queue ? "##row" : kind.c_str(), selected,
                            ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowItemOverlap)) {
        view.selected_id = row->id;
        actions.open_id = row->id;
      }
      if (ImGui::IsItemFocused() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false))
        actions.open_id = row->id;
      if (view.queue) {
        ImGui::SetCursorPos(cell);
        bool checked = view.checked.count(row->id) > 0;
        ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(0, 0));
        if (ImGui::Checkbox("##check", &checked)) {
          if (checked) view.checked.insert(row->id);
          else view.checked.erase(row->id);
        }
        ImGui::PopStyleVar();
        ImGui::SameLine();
        text_unformatted(kind);
      }

      ImGui::TableSetColumnIndex(1);
      text_unformatted(display_date(row->date, row->date_end, japanese));
      ImGui::TableSetColumnIndex(2);
      text_ellipsis(row->title, ImGui::GetContentRegionAvail().x);
      ImGui::TableSetColumnIndex(3);
      text_ellipsis(row->area, ImGui::GetContentRegionAvail().x);
      ImGui::TableSetColumnIndex(4);
      // Labels too may not fit a narrow column at a large text size: cut with "…", whole on hover.
      ImGui::PushStyleColor(ImGuiCol_Text, status_colour(row->status));
      text_ellipsis(i18n.tr("status." + std::string(enum_name(row->status))), ImGui::GetContentRegionAvail().x);
      ImGui::PopStyleColor();
      ImGui::TableSetColumnIndex(5);
      const SyncLabel sync = sync_label(*row);
      ImGui::PushStyleColor(ImGuiCol_Text, sync.colour);
      text_ellipsis(i18n.tr(sync.key), ImGui::GetContentRegionAvail().x);
      ImGui::PopStyleColor();
      ImGui::TableSetColumnIndex(6);
      text_ellipsis(row->author, ImGui::GetContentRegionAvail().x);
      ImGui::PopID();
    }
  }
  ImGui::EndTable();
  return actions;
}

}  // namespace tsunagi
