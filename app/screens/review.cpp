#include "app/screens/review.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <map>
#include <vector>

#include "model/calendar.hpp"
#include "model/record_json.hpp"

namespace tsunagi {

namespace {

const ImVec4 kRemoved{0.70f, 0.18f, 0.15f, 1.0f};
const ImVec4 kAdded{0.12f, 0.48f, 0.25f, 1.0f};

void muted(const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, kMutedText);
  ImGui::PushTextWrapPos(0.0f);
  text_unformatted(text);
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

std::string role_text(const std::string& role, I18n& i18n) {
  const std::string key = "role." + role;
  return role.empty() ? "" : i18n.has(key) ? i18n.tr(key) : role;
}

// The record, read-only: each field that holds something, label and value.
void record_fields(const Record& record, const ReferenceData& reference, I18n& i18n) {
  const nlohmann::json fields = record_to_json(record);
  static const std::vector<std::string> hidden{"id",     "kind",       "status",     "date_end", "date_precision",
                                               "author", "updated_by", "device",     "created_at", "updated_at",
                                               "hlc",    "field_hlc",  "deleted"};
  if (!ImGui::BeginTable("fields", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerH)) return;
  ImGui::TableSetupColumn("label", ImGuiTableColumnFlags_WidthStretch, 1.0f);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch, 3.2f);
  for (const std::string& field : all_record_fields()) {  // the form's order
    if (!fields.contains(field) || std::find(hidden.begin(), hidden.end(), field) != hidden.end()) continue;
    std::string text = review_value(field, fields[field], reference, i18n);
    if (field == "date" && !record.date_end.empty())
      if (auto span = stored_date_span(record.date, record.date_end))
        text = i18n.language() == "ja" ? format_date_span(*span) : format_date_span_iso(*span);
    if (text.empty()) continue;
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    muted(review_label(field, i18n));
    ImGui::TableSetColumnIndex(1);
    ImGui::PushTextWrapPos(0.0f);
    text_unformatted(text);
    ImGui::PopTextWrapPos();
  }
  ImGui::EndTable();
}

// A word diff drawn inline: the kept words plain, the removed in red, the added in green, wrapping as text does.
void draw_diff(const std::vector<DiffPiece>& diff) {
  const float right = ImGui::GetContentRegionMax().x;
  bool first = true;
  for (const DiffPiece& piece : diff) {
    const ImVec4 colour = piece.op == DiffOp::Removed ? kRemoved : piece.op == DiffOp::Added ? kAdded : ImGui::GetStyleColorVec4(ImGuiCol_Text);
    const std::string text = shown(piece.op == DiffOp::Removed ? "[-" + piece.text + "-]"
                                   : piece.op == DiffOp::Added ? "{+" + piece.text + "+}"
                                                               : piece.text);
    if (!first) {
      ImGui::SameLine(0, 0);
      if (ImGui::GetCursorPosX() + ImGui::CalcTextSize(text.c_str()).x > right) ImGui::NewLine();
    }
    first = false;
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }
}

}  // namespace

// A field's label in the UI language (`parent`: the list an item's member belongs to, "agenda" for its "title");
// its name where the catalogue has none.
std::string review_label(const std::string& field, I18n& i18n, const std::string& parent) {
  static const std::map<std::string, std::string> singular{
      {"areas", "area"}, {"committees", "body"}, {"roles", "role"}, {"follow_ups", "follow_up"}};
  auto found = singular.find(field);
  const std::string name = found != singular.end() ? found->second : field;
  std::vector<std::string> keys{"list.column." + name, "editor.field." + name, "editor.section." + field};
  if (!parent.empty()) {
    auto one = singular.find(parent);
    keys.insert(keys.begin(), "editor.field." + (one != singular.end() ? one->second : parent) + "_" + name);
  }
  for (const std::string& key : keys)
    if (i18n.has(key)) return i18n.tr(key);
  return field;
}

// A value as the reader knows it: reference ids as names, codes in words ("meeting_type.liaison" → 連絡会).
std::string review_value(const std::string& field, const nlohmann::json& value, const ReferenceData& reference,
                       I18n& i18n) {
  static const std::map<std::string, ReferenceKind> references{
      {"council", ReferenceKind::Council},     {"areas", ReferenceKind::Area},
      {"themes", ReferenceKind::Theme},        {"committees", ReferenceKind::Committee},
      {"organizations", ReferenceKind::Organization}, {"work_items", ReferenceKind::WorkItem}};
  const bool english = i18n.language() != "ja";
  if (value.is_null()) return "";
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    if (auto kind = references.find(field); kind != references.end()) return reference.name_of(kind->second, text, english);
    if (field == "date" || field == "next_date" || field == "next_review")
      if (auto date = parse_iso_date(text)) return english ? format_iso(*date) : format_wareki(*date);
    const std::string key = field + "." + text;
    return i18n.has(key) ? i18n.tr(key) : text;
  }
  if (value.is_boolean()) return i18n.tr(value.get<bool>() ? "csv.true" : "csv.false");
  if (value.is_number()) return value.dump();
  std::string out;
  if (value.is_array()) {
    for (const auto& item : value) {
      std::string text = review_value(field, item, reference, i18n);
      if (!text.empty()) out += (out.empty() ? "" : "、") + text;
    }
    return out;
  }
  for (const auto& [key, item] : value.items()) {
    if (key == "id" || key == "pos") continue;  // an item's identity and place, not what it says
    std::string text = review_value(key, item, reference, i18n);
    if (!text.empty()) out += (out.empty() ? "" : " / ") + review_label(key, i18n, field) + ": " + text;
  }
  return out;
}

bool shown_in_history(const HistoryEntry& entry, const FieldChange& change) {
  if (entry.kind == "decision" && change.field == "status") return false;  // the decision says it
  return change.field != "date_precision" && change.field != "date_end";   // the date shows it
}

void draw_comment_thread(const std::vector<Comment>& comments, I18n& i18n) {
  const bool japanese = i18n.language() == "ja";
  if (comments.empty()) {
    muted(i18n.tr("review.no_comments"));
    return;
  }
  for (const Comment& comment : comments) {
    ImGui::PushID(comment.id.c_str());
    std::string who = comment.author;
    if (!comment.role.empty()) who += japanese ? "（" + role_text(comment.role, i18n) + "）" : " (" + role_text(comment.role, i18n) + ")";
    std::string where = format_local_timestamp(comment.time, japanese);
    if (!comment.device_name.empty()) where += "  ·  " + comment.device_name;
    if (comment.device.empty() && comment.device_name.empty()) where += "  ·  " + std::string(i18n.tr("review.not_sent"));
    ImGui::PushStyleColor(ImGuiCol_Text, kAccent);
    text_unformatted(who);
    ImGui::PopStyleColor();
    ImGui::SameLine();
    muted(where);
    if (!comment.decision.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, comment.decision == "approved" ? kGoodText : kWarningText);
      text_unformatted("[" + std::string(i18n.tr("decision." + comment.decision)) + "]");
      ImGui::PopStyleColor();
      ImGui::SameLine();
    }
    ImGui::PushTextWrapPos(0.0f);
    text_unformatted(comment.text);
    ImGui::PopTextWrapPos();
    ImGui::Spacing();
    ImGui::PopID();
  }
}

void draw_history(const HistoryView& history, const ReferenceData& reference, I18n& i18n) {
  const bool japanese = i18n.language() == "ja";
  if (history.loading && history.entries.empty()) muted(i18n.tr("review.history_loading"));
  if (history.error) colored_wrapped(kErrorText, i18n.format("review.history_error", {{"message", history.error->describe(japanese)}}));
  if (!history.kept_at.empty())
    muted(i18n.format("review.history_kept", {{"when", format_local_timestamp(history.kept_at, japanese)}}));
  if (history.local_only) muted(i18n.tr("review.history_local"));
  for (auto it = history.entries.rbegin(); it != history.entries.rend(); ++it) {
    const HistoryEntry& entry = *it;
    ImGui::PushID(static_cast<int>(it - history.entries.rbegin()));
    const std::string what = i18n.tr(entry.kind == "decision" ? "decision." + entry.decision : "history." + entry.kind);
    ImGui::PushStyleColor(ImGuiCol_Text, entry.kind == "conflict" ? kWarningText : kAccent);
    text_unformatted(what);
    ImGui::PopStyleColor();
    ImGui::SameLine();
    std::string who = entry.who + (entry.device_name.empty() ? "" : "  ·  " + entry.device_name) + "  ·  " +
                      format_local_timestamp(entry.time, japanese);
    muted(who);
    if (entry.edited_by_other) colored_wrapped(kWarningText, i18n.tr("review.edited_by_other"));
    if (!entry.comment.empty()) {
      ImGui::Indent();
      ImGui::PushTextWrapPos(0.0f);
      text_unformatted("「" + entry.comment + "」");
      ImGui::PopTextWrapPos();
      ImGui::Unindent();
    }
    ImGui::Indent();
    for (const FieldChange& change : entry.changes) {
      if (!shown_in_history(entry, change)) continue;
      muted(review_label(change.field, i18n));
      ImGui::SameLine();
      if (!change.diff.empty()) {
        draw_diff(change.diff);
      } else {
        const std::string from = review_value(change.field, change.from, reference, i18n);
        const std::string to = review_value(change.field, change.to, reference, i18n);
        ImGui::PushTextWrapPos(0.0f);
        text_unformatted(from.empty() ? to : from + " → " + to);
        ImGui::PopTextWrapPos();
      }
    }
    ImGui::Unindent();
    ImGui::Spacing();
    ImGui::PopID();
  }
}

ReviewActions draw_review(const ReviewModel& model, ReviewView& view, const Reviewer& reviewer,
                          const ReferenceData& reference, const FontSet& fonts, I18n& i18n) {
  ReviewActions actions;
  if (!model.record()) {
    draw_heading(i18n.tr("review.heading"), "", fonts);
    muted(i18n.tr("review.not_found"));
    if (ImGui::Button(i18n.tr(view.back_key))) actions.back = true;
    return actions;
  }
  const Record& record = *model.record();
  draw_heading(i18n.tr("review.heading"),
               std::string(i18n.tr("kind." + std::string(enum_name(record.kind)))) + "  ·  " +
                   i18n.tr("status." + std::string(enum_name(record.status))) + "  ·  " + record.author,
               fonts);
  if (ImGui::SmallButton(i18n.tr(view.back_key))) actions.back = true;
  ImGui::SameLine();
  ImGui::PushStyleColor(ImGuiCol_Text, kAccent);
  text_unformatted(record.title.empty() ? i18n.tr("review.untitled") : record.title);
  ImGui::PopStyleColor();
  probe_item(view.probe, "review.title");
  ImGui::Spacing();

  const float width = ImGui::GetContentRegionAvail().x;
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  ImGui::BeginChild("record", ImVec2(width * 0.55f - spacing, 0), false);
  record_fields(record, reference, i18n);
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("review", ImVec2(0, 0), false);

  draw_section(i18n.tr("review.thread"));
  draw_comment_thread(model.comments(), i18n);

  ImGui::Spacing();
  ImGui::InputTextMultiline("##comment", &view.comment, ImVec2(-1.0f, ImGui::GetTextLineHeight() * 4.0f));
  probe_item(view.probe, "review.comment");
  if (view.comment.empty() && !ImGui::IsItemActive()) {
    const ImVec2 at = ImGui::GetItemRectMin();
    ImGui::GetWindowDrawList()->AddText(ImVec2(at.x + ImGui::GetStyle().FramePadding.x, at.y + ImGui::GetStyle().FramePadding.y),
                                        ImGui::GetColorU32(ImGuiCol_TextDisabled), i18n.tr("review.comment_hint"));
  }
  const bool has_text = !view.comment.empty();
  ImGui::BeginDisabled(model.writing());
  if (reviewer.reviews() && !record.deleted) {
    if (record.status == ReviewStatus::Submitted) {
      const bool own = record.author == reviewer.name;
      ImGui::BeginDisabled(own);
      if (ImGui::Button(i18n.tr("review.approve"))) actions.decide = ReviewDecision::Approve;
      probe_item(view.probe, "review.approve");
      ImGui::EndDisabled();
      ImGui::SameLine();
      ImGui::BeginDisabled(!has_text);
      if (ImGui::Button(i18n.tr("review.return"))) actions.decide = ReviewDecision::Return;
      probe_item(view.probe, "review.return");
      ImGui::EndDisabled();
      ImGui::SameLine();
      if (own) muted(i18n.tr("review.own_record"));
      else if (!has_text) muted(i18n.tr("review.return_needs_comment"));
    } else if (record.status == ReviewStatus::Approved) {
      ImGui::BeginDisabled(!has_text);
      if (ImGui::Button(i18n.tr("review.reopen"))) actions.decide = ReviewDecision::Reopen;
      probe_item(view.probe, "review.reopen");
      ImGui::EndDisabled();
      ImGui::SameLine();
    }
  }
  ImGui::BeginDisabled(!has_text);
  if (ImGui::Button(i18n.tr("review.add_comment"))) actions.add_comment = true;
  probe_item(view.probe, "review.add_comment");
  ImGui::EndDisabled();
  ImGui::EndDisabled();
  if (model.error()) colored_wrapped(kErrorText, error_text(*model.error(), i18n));

  draw_section(i18n.tr("review.history"));
  draw_history(model.history(), reference, i18n);
  ImGui::EndChild();
  return actions;
}

}  // namespace tsunagi
