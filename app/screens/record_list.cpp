#include "app/screens/record_list.hpp"

#include <imgui.h>

#include <algorithm>
#include <array>

#include "model/calendar.hpp"

namespace tsunagi {

namespace {

struct Column {
  const char* label_key;
  SortColumn sort;
  ImGuiTableColumnFlags flags;
  float weight;  // share of the table's width
};

constexpr std::array<Column, 6> kColumns{{
    {"list.column.kind", SortColumn::Kind, ImGuiTableColumnFlags_WidthStretch, 1.1f},
    {"list.column.date", SortColumn::Date,
     ImGuiTableColumnFlags_WidthStretch | ImGuiTableColumnFlags_DefaultSort |
         ImGuiTableColumnFlags_PreferSortDescending,
     1.4f},
    {"list.column.title", SortColumn::Title, ImGuiTableColumnFlags_WidthStretch, 4.0f},
    {"list.column.area", SortColumn::Area, ImGuiTableColumnFlags_WidthStretch, 1.6f},
    {"list.column.status", SortColumn::Status, ImGuiTableColumnFlags_WidthStretch, 0.9f},
    {"list.column.author", SortColumn::Author, ImGuiTableColumnFlags_WidthStretch, 1.1f},
}};

// Muted colours, one per review status, readable on the light background.
ImVec4 status_colour(ReviewStatus status) {
  switch (status) {
    case ReviewStatus::Draft:
      return {0.45f, 0.47f, 0.50f, 1.0f};
    case ReviewStatus::Submitted:
      return {0.16f, 0.38f, 0.62f, 1.0f};
    case ReviewStatus::Returned:
      return {0.72f, 0.38f, 0.10f, 1.0f};
    case ReviewStatus::Approved:
      return {0.18f, 0.50f, 0.30f, 1.0f};
  }
  return {0.2f, 0.2f, 0.2f, 1.0f};
}

std::string wareki(const std::string& iso) {
  if (auto date = parse_iso_date(iso)) return format_wareki(*date);
  return iso;  // a draft may hold a half-typed date: show it as typed
}

void text_unformatted(const std::string& text) { ImGui::TextUnformatted(text.data(), text.data() + text.size()); }

// The query `requested` re-sorted as the table's header says, or nullopt when that is already its order.
std::optional<RecordQuery> sort_request(const RecordQuery& requested) {
  ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
  if (specs == nullptr || !specs->SpecsDirty) return std::nullopt;
  specs->SpecsDirty = false;
  if (specs->SpecsCount < 1) return std::nullopt;
  const ImGuiTableColumnSortSpecs& spec = specs->Specs[0];
  if (spec.ColumnIndex < 0 || static_cast<std::size_t>(spec.ColumnIndex) >= kColumns.size()) return std::nullopt;
  const SortColumn column = kColumns[static_cast<std::size_t>(spec.ColumnIndex)].sort;
  const bool descending = spec.SortDirection == ImGuiSortDirection_Descending;
  if (column == requested.sort && descending == requested.descending) return std::nullopt;
  RecordQuery query = requested;
  query.sort = column;
  query.descending = descending;
  return query;
}

}  // namespace

RecordListActions draw_record_list(const RecordListState& state, const RecordQuery& requested, RecordListView& view,
                                   const FontSet& fonts, I18n& i18n) {
  RecordListActions actions;
  const bool japanese = i18n.language() == "ja";

  const float heading_y = ImGui::GetCursorPosY();
  ImGui::PushFont(fonts.heading);
  ImGui::TextUnformatted(i18n.tr("list.heading"));
  ImGui::PopFont();
  ImGui::SameLine(0, ImGui::GetStyle().ItemSpacing.x * 2);
  ImGui::SetCursorPosY(heading_y + fonts.heading->Ascent - ImGui::GetFont()->Ascent);  // share the baseline
  ImGui::TextDisabled("%s", !state.loaded
                                ? i18n.tr("list.loading")
                                : i18n.format("list.shown_of_total", {{"shown", std::to_string(state.rows.size())},
                                                                      {"total", std::to_string(state.total)}})
                                      .c_str());
  if (state.loaded && state.loading) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", i18n.tr("list.refreshing"));
  }
  if (state.error) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.70f, 0.18f, 0.15f, 1.0f));
    ImGui::TextWrapped("%s %s", i18n.tr("list.error"), state.error->describe(japanese).c_str());
    ImGui::PopStyleColor();
  }
  ImGui::Spacing();

  if (state.loaded && !state.error && state.rows.empty()) {
    ImGui::Spacing();
    ImGui::TextDisabled("%s", i18n.tr("list.empty"));
    return actions;
  }

  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_BordersOuterH |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingStretchProp |
                                ImGuiTableFlags_PadOuterX;
  // As tall as its rows (so a short list does not draw empty columns down the screen), at most the space left.
  const float row_height = ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2.0f;
  const float rows_height = row_height * static_cast<float>(state.rows.size() + 1) + 2.0f;
  const ImVec2 outer_size(0.0f, std::min(rows_height, ImGui::GetContentRegionAvail().y));
  if (!ImGui::BeginTable("records", static_cast<int>(kColumns.size()), flags, outer_size)) return actions;
  for (const Column& column : kColumns) ImGui::TableSetupColumn(i18n.tr(column.label_key), column.flags, column.weight);
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableHeadersRow();
  actions.query = sort_request(requested);

  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(state.rows.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const RecordSummary& row = state.rows[static_cast<std::size_t>(i)];
      ImGui::PushID(i);
      ImGui::TableNextRow();

      ImGui::TableSetColumnIndex(0);
      const std::string kind_key = "kind." + std::string(enum_name(row.kind));
      const bool selected = row.id == view.selected_id;
      if (ImGui::Selectable(i18n.tr(kind_key), selected,
                            ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick)) {
        view.selected_id = row.id;
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) actions.open_id = row.id;
      }
      if (ImGui::IsItemFocused() && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false))
        actions.open_id = row.id;

      ImGui::TableSetColumnIndex(1);
      text_unformatted(wareki(row.date));
      ImGui::TableSetColumnIndex(2);
      text_unformatted(row.title);
      ImGui::TableSetColumnIndex(3);
      text_unformatted(row.area);
      ImGui::TableSetColumnIndex(4);
      ImGui::PushStyleColor(ImGuiCol_Text, status_colour(row.status));
      ImGui::TextUnformatted(i18n.tr("status." + std::string(enum_name(row.status))));
      ImGui::PopStyleColor();
      ImGui::TableSetColumnIndex(5);
      text_unformatted(row.author);
      ImGui::PopID();
    }
  }
  ImGui::EndTable();
  return actions;
}

}  // namespace tsunagi
