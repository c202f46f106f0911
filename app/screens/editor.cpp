// [SECTION] Form helpers: labels, messages, probes
// [SECTION] Fields: text, multi-line, date, time, number, choices
// [SECTION] Reference choices: committee tree, areas, themes, organisations
// [SECTION] Repeatable parts: agenda, roles, follow-ups
// [SECTION] Sections per kind
// [SECTION] draw_editor: heading, form, buttons, shortcuts
#include "app/screens/editor.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // whether the active item is a text field (keep_text_on_escape)
#include <imgui_stdlib.h>

#include <GLFW/glfw3.h>  // key codes only: the window's io.KeyMap and KeysDown use GLFW's codes

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "app/screens/review.hpp"
#include "app/screens/widgets.hpp"
#include "model/calendar.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

// [SECTION] Form helpers: labels, messages, probes --------------------------------------------------------------

// The shared palette (screens/widgets.hpp).
const ImVec4& kErrorColour = kErrorText;
const ImVec4& kWarningColour = kWarningText;

// The labels of the label column, measured to set its width.
constexpr std::array<const char*, 15> kWideLabels{
    "editor.field.date",          "editor.field.participant_count", "editor.field.organizations",
    "editor.field.case_code",     "editor.field.presenting_agency", "editor.field.next_review",
    "editor.field.duration",      "editor.field.people_met",        "editor.field.follow_up_needed",
    "editor.field.meeting_type",  "editor.field.review_type",       "editor.field.visit_type",
    "editor.field.referral",      "editor.field.author",            "editor.field.choose_organization"};

struct Form {
  EditorModel& model;
  EditorView& view;
  I18n& i18n;
  bool japanese = true;
  float label_width = 0;  // from the left edge of the content to the field column
  float field_width = 0;  // the width of a full-width field
  float em = 0;
};

// A label in the label column, vertically centred on the field that follows on the same line; a field that must
// be filled before submitting (`path`, when given) says so at the column's right edge from the start.
void label(Form& form, const char* key, float indent = 0.0f, std::string_view path = {}) {
  ImGui::AlignTextToFramePadding();
  if (indent > 0) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent);
  ImGui::TextUnformatted(form.i18n.tr(key));
  if (!path.empty() && form.model.required(path) && !form.model.read_only()) {
    const char* mark = form.i18n.tr("editor.required_mark");
    ImGui::SameLine(form.label_width - ImGui::CalcTextSize(mark).x - form.em * 0.7f);
    ImGui::PushStyleColor(ImGuiCol_Text, kErrorColour);
    ImGui::TextUnformatted(mark);
    ImGui::PopStyleColor();
    probe_item(form.view.probe, "required." + std::string(path));
  }
  ImGui::SameLine(form.label_width);
}

// A value kept from a change made elsewhere that collided with this one (a conflict the collector kept), under the
// field: what it was, who made it, and the two ways out. Either choice is stored at once.
// A list's conflicts are per member ("agenda/<id>": an item changed or removed on both sides); they show under the
// list, the item's texts joined, a removed one as "—".
void conflicts(Form& form, const std::string& path) {
  const std::string field = path.substr(1);
  for (const FieldConflict& conflict : form.model.conflicts()) {
    if (conflict.field != field && conflict.field.rfind(field + "/", 0) != 0) continue;
    ImGui::PushID(conflict.clock.c_str());
    ImGui::SetCursorPosX(form.label_width);
    ImGui::PushTextWrapPos(form.label_width + form.field_width);
    ImGui::PushStyleColor(ImGuiCol_Text, kWarningColour);
    std::string value = conflict.value.is_string() ? conflict.value.get<std::string>()
                        : conflict.value.is_null() ? "—"
                                                   : conflict.value.dump();
    if (conflict.value.is_object()) {
      value.clear();
      for (const auto& [key, member] : conflict.value.items())
        if (key != "id" && member.is_string() && !member.get<std::string>().empty())
          value += (value.empty() ? "" : "・") + member.get<std::string>();
    }
    text_unformatted(form.i18n.format("editor.conflict", {{"value", value}, {"by", conflict.by}}));
    ImGui::PopStyleColor();
    probe_item(form.view.probe, "conflict." + path);
    ImGui::PopTextWrapPos();
    ImGui::SetCursorPosX(form.label_width);
    if (ImGui::SmallButton(form.i18n.tr("editor.conflict.take")))
      (void)form.model.resolve_conflict(conflict.field, conflict.value);
    probe_item(form.view.probe, "conflict." + path + ".take");
    ImGui::SameLine();
    if (ImGui::SmallButton(form.i18n.tr("editor.conflict.keep")))
      (void)form.model.resolve_conflict(conflict.field, std::nullopt);  // the stored value, not unsaved typing
    probe_item(form.view.probe, "conflict." + path + ".keep");
    ImGui::PopID();
  }
}

// The validation messages for `path`, under its field, in the UI language.
void messages(Form& form, const std::string& path) {
  if (path.find('/', 1) == std::string::npos) conflicts(form, path);  // kept per top-level field
  for (const ValidationIssue* issue : form.model.visible_issues(path)) {
    ImGui::SetCursorPosX(form.label_width);
    ImGui::PushStyleColor(ImGuiCol_Text, issue->severity == Severity::Error ? kErrorColour : kWarningColour);
    ImGui::PushTextWrapPos(form.label_width + form.field_width);
    const std::string text = issue->message.empty() ? form.i18n.tr("editor.issue." + issue->code)
                             : form.japanese        ? issue->message_ja
                                                    : issue->message;
    text_unformatted(text);
    probe_item(form.view.probe, "issue." + path);
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }
}

bool key_pressed(int key) { return key >= 0 && ImGui::IsKeyPressed(key, false); }

// Inside an open popup (drop-down, month grid): Escape closes it.
void close_on_escape() {
  if (key_pressed(ImGui::GetIO().KeyMap[ImGuiKey_Escape])) ImGui::CloseCurrentPopup();
}

// After a field's widget: tells the model what happened and records where the field is.
void after_field(Form& form, const std::string& path, bool edited) {
  if (edited) form.model.changed(path);
  if (ImGui::IsItemDeactivated()) form.model.field_left();
  probe_item(form.view.probe, path);
  const auto& refusal = form.view.refusal;
  if (refusal && refusal->path == path && refusal->record_id == form.model.record().id) {
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    ImGui::GetWindowDrawList()->AddRect(ImVec2(min.x - 3, min.y - 3), ImVec2(max.x + 3, max.y + 3),
                                        ImGui::ColorConvertFloat4ToU32(kErrorColour), 4.0f, 0, 2.0f);
    if (form.view.scroll_to_refusal) {  // scrolled to, not focused: focusing would select its text for replacing
      ImGui::SetScrollHereY(0.3f);
      form.view.scroll_to_refusal = false;
    }
  }
}

void section(Form& form, const char* key) { draw_section(form.i18n.tr(key)); }

// [SECTION] Fields: text, multi-line, date, time, number, choices -----------------------------------------------

void text_field(Form& form, const std::string& path, const char* key, std::string& value, float indent = 0.0f,
                const char* hint_key = nullptr) {
  label(form, key, indent, path);
  ImGui::PushID(path.c_str());
  ImGui::SetNextItemWidth(form.field_width);
  const bool edited = input_text("##v", hint_key ? form.i18n.tr(hint_key) : nullptr, value);
  after_field(form, path, edited);
  ImGui::PopID();
  messages(form, path);
}

void multiline_field(Form& form, const std::string& path, const char* key, std::string& value, float lines,
                     float indent = 0.0f) {
  label(form, key, indent, path);
  ImGui::PushID(path.c_str());
  const float height = ImGui::GetTextLineHeight() * lines + ImGui::GetStyle().FramePadding.y * 2.0f;
  const bool edited = wrapped_text_field("##v", value, form.view.wrapped[path], ImVec2(form.field_width, height));
  after_field(form, path, edited);
  ImGui::PopID();
  messages(form, path);
}

// A typed date in any of the seeds' forms, a month grid to pick one, and the date in 和暦 beside the field.
// `span`: the record whose own date this is, shown at its precision (a month, a fiscal year, a period).
void date_field(Form& form, const std::string& path, const char* key, std::string& value, float indent = 0.0f,
                Record* span = nullptr) {
  label(form, key, indent, path);
  ImGui::PushID(path.c_str());
  ImGui::SetNextItemWidth(form.em * (span && span->date_precision == DatePrecision::Period ? 18.0f : 9.0f));
  // A stored date shows in 和暦 as the seeds write it ("R6.4.1", "令和6年1月"), as the list does; what the user types
  // stays as typed until it is stored (as ISO).
  std::string display = value;
  if (auto iso = parse_iso_date(value); iso && format_iso(*iso) == value) {
    auto end = span ? parse_iso_date(span->date_end) : std::nullopt;
    if (span && span->date_precision != DatePrecision::Day && end)
      display = format_date_span({*iso, *end, span->date_precision});
    else if (form.japanese)
      display = format_wareki_short(*iso);
  }
  const std::string before = display;
  const bool typed = ImGui::InputTextWithHint("##v", form.i18n.tr("editor.date_hint"), &display) && display != before;
  // A new value brings its own precision: what was typed is read again when it is stored, a picked day is a day.
  auto take = [&](std::string taken) {
    value = std::move(taken);
    if (span) {
      span->date_precision = DatePrecision::Day;
      span->date_end.clear();
    }
  };
  if (typed) take(display);
  after_field(form, path, typed);
  ImGui::SameLine();
  if (ImGui::Button(form.i18n.tr("editor.pick_date"))) {
    auto shown = parse_date(trim(value));
    if (!shown) shown = parse_iso_date(EditorModel::today());
    form.view.picker = {shown ? shown->year : 0, shown ? shown->month : 0};
    ImGui::OpenPopup("picker");
  }
  probe_item(form.view.probe, path + ".pick");
  const ImVec2 below_button(ImGui::GetItemRectMin().x, ImGui::GetItemRectMax().y + 4.0f);
  // The stored date at its precision (a month reads as the month, not its first day), else what is being typed.
  auto parsed = parse_date_span(trim(value));
  if (span && parse_iso_date(value))
    if (auto stored = stored_date_span(value, span->date_end)) parsed = stored;
  if (parsed) {
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s", format_date_span(*parsed).c_str());
    probe_item(form.view.probe, path + ".wareki");
  }
  ImGui::SetNextWindowPos(below_button, ImGuiCond_Appearing);
  if (ImGui::BeginPopup("picker")) {
    close_on_escape();
    const std::string picked =
        date_picker_grid(form.view.picker, parsed ? format_iso(parsed->from) : "", form.i18n, form.view.probe);
    if (!picked.empty()) {
      take(picked);
      form.model.changed(path);
      form.model.field_left();
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
  ImGui::PopID();
  messages(form, path);
}

// Start and end time on one line.
void time_fields(Form& form, Record& record) {
  label(form, "editor.field.start_time", 0.0f, "/start_time");
  ImGui::PushID("/start_time");
  ImGui::SetNextItemWidth(form.em * 6.0f);
  after_field(form, "/start_time", ImGui::InputTextWithHint("##v", form.i18n.tr("editor.time_hint"), &record.start_time));
  ImGui::PopID();
  ImGui::SameLine(0, form.em * 1.5f);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(form.i18n.tr("editor.field.end_time"));
  ImGui::SameLine();
  ImGui::PushID("/end_time");
  ImGui::SetNextItemWidth(form.em * 6.0f);
  after_field(form, "/end_time", ImGui::InputTextWithHint("##v", form.i18n.tr("editor.time_hint"), &record.end_time));
  ImGui::PopID();
  messages(form, "/start_time");
  messages(form, "/end_time");
}

void number_field(Form& form, const std::string& path, const char* key, const char* unit_key) {
  label(form, key, 0.0f, path);
  ImGui::PushID(path.c_str());
  ImGui::SetNextItemWidth(form.em * 6.0f);
  after_field(form, path, ImGui::InputText("##v", &form.model.number_text(path)));
  if (unit_key) {
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(form.i18n.tr(unit_key));
  }
  ImGui::PopID();
  messages(form, path);
}

// BeginCombo with its arrow box in the field's own colour, so that a column of drop-downs stays quiet.
bool begin_combo(const char* id, const char* preview, ImGuiComboFlags flags = 0) {
  ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_FrameBg));
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_Text));
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImGui::GetStyleColorVec4(ImGuiCol_FrameBgHovered));
  const bool open = ImGui::BeginCombo(id, preview, flags);
  ImGui::PopStyleColor(3);
  return open;
}

// A choice among an enum's values, worded by the catalogue ("<prefix>.<wire name>").
template <class E>
void enum_combo(Form& form, const std::string& path, const char* key, std::optional<E>& value, const char* prefix) {
  label(form, key, 0.0f, path);
  ImGui::PushID(path.c_str());
  ImGui::SetNextItemWidth(form.em * 18.0f);
  const std::string preview = value ? form.i18n.tr(std::string(prefix) + "." + std::string(enum_name(*value)))
                                    : form.i18n.tr("editor.choose");
  if (begin_combo("##v", preview.c_str())) {
    close_on_escape();
    for (std::size_t i = 0; i < enum_count<E>(); ++i) {
      const E option = static_cast<E>(i);
      const std::string text = form.i18n.tr(std::string(prefix) + "." + std::string(enum_name(option)));
      if (ImGui::Selectable(text.c_str(), value == option)) {
        value = option;
        form.model.changed(path);
        form.model.field_left();
      }
      probe_item(form.view.probe, path + "/choice/" + std::to_string(i));
    }
    ImGui::EndCombo();
  }
  probe_item(form.view.probe, path);
  ImGui::PopID();
  messages(form, path);
}

// [SECTION] Reference choices: committee tree, areas, themes, organisations --------------------------------------

template <class Item>
const std::string& display_name(const Form& form, const Item& item) {
  return display_name(item, form.japanese);
}

// The name to show for a stored reference (an id, or text that matched no entry).
template <class Item>
std::string name_for(const Form& form, const std::vector<Item>& items, const std::string& value) {
  for (const Item& item : items)
    if (item.id == value) return display_name(form, item);
  return value;
}

// A multi-select over reference items (areas, committees, themes): check boxes in a drop-down, indented by their
// depth in the tree, of the record's council and of every council; the chosen ones listed below, each removable.
// Stores ids. Returns the index of an item just checked, or -1.
template <class Item>
int multi_select(Form& form, const std::string& path, const char* key, EditorList list,
                 const std::vector<std::string>& values, const std::vector<Item>& items, const std::string& council) {
  int chosen = -1;
  label(form, key, 0.0f, path);
  ImGui::PushID(path.c_str());
  ImGui::SetNextItemWidth(form.em * 18.0f);
  std::string preview = values.empty() ? std::string(form.i18n.tr("editor.choose"))
                        : values.size() == 1
                            ? name_for(form, items, values.front())
                            : form.i18n.format("editor.themes_chosen", {{"count", std::to_string(values.size())}});
  ImGui::SetNextWindowSizeConstraints(ImVec2(form.field_width, 0), ImVec2(form.field_width, form.em * 30.0f));
  if (begin_combo("##v", shown(preview).c_str(), ImGuiComboFlags_HeightLarge)) {
    close_on_escape();
    for (const TreeRow& row : tree_order(items)) {
      const Item& item = items[row.index];
      if (!council.empty() && !item.council.empty() && item.council != council) continue;
      ImGui::PushID(static_cast<int>(row.index));
      const float indent = form.em * 1.2f * static_cast<float>(row.depth);
      if (indent > 0) ImGui::Indent(indent);
      auto at = std::find(values.begin(), values.end(), item.id);
      bool on = at != values.end();
      if (ImGui::Checkbox("##on", &on)) {
        if (on) {
          form.model.add_value(list, item.id);
          chosen = static_cast<int>(row.index);
        } else {
          form.model.remove_item(list, static_cast<std::size_t>(at - values.begin()));
        }
        form.model.field_left();
      }
      probe_item(form.view.probe, path + "/choice/" + std::to_string(row.index));
      ImGui::SameLine();
      ImGui::PushTextWrapPos(0.0f);
      // With no council chosen, entries of several councils share names: each says whose it is.
      std::string text = display_name(form, item);
      if (council.empty() && !item.council.empty() && form.model.reference().councils.size() > 1)
        text += "（" + form.model.reference().name_of(ReferenceKind::Council, item.council, !form.japanese) + "）";
      ImGui::TextUnformatted(shown(text).c_str());
      ImGui::PopTextWrapPos();
      if (indent > 0) ImGui::Unindent(indent);
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  probe_item(form.view.probe, path);
  if (values.size() > 1 || (values.size() == 1 && utf8_length(values.front()) > 24)) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      ImGui::PushID(static_cast<int>(i));
      ImGui::SetCursorPosX(form.label_width);
      if (ImGui::SmallButton(form.i18n.tr("editor.remove_mark"))) {
        form.model.remove_item(list, i);
        form.model.field_left();
        ImGui::PopID();
        break;
      }
      ImGui::SameLine();
      ImGui::PushTextWrapPos(form.label_width + form.field_width);
      text_unformatted(name_for(form, items, values[i]));
      ImGui::PopTextWrapPos();
      ImGui::PopID();
    }
  }
  ImGui::PopID();
  messages(form, path);
  for (std::size_t i = 0; i < values.size(); ++i) messages(form, path + "/" + std::to_string(i));
  conflicts(form, path);
  return chosen;
}

// A search box over the organisations of the reference data; returns the id of the organisation the user took (or
// the typed name, on Enter, when nothing matches: an organisation not registered), or an empty string.
std::string organization_search(Form& form, const std::string& path, float width) {
  std::string taken;
  std::string& search = form.view.searches[path];
  ImGui::SetNextItemWidth(width);
  const bool entered =
      input_text("##search", form.i18n.tr("editor.search_organizations"), search, ImGuiInputTextFlags_EnterReturnsTrue);
  probe_item(form.view.probe, path + ".search");
  if (trim(search).empty()) return taken;
  const auto found = find_organizations(form.model.reference(), search, 8);
  if (entered) taken = found.empty() ? trim(search) : found.front()->id;
  for (std::size_t i = 0; i < found.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    const std::string text = shown(found[i]->name + "  (" + found[i]->service_type + " / " +
                                   form.model.reference().name_of(ReferenceKind::Area, found[i]->area) + ")");
    const std::string cut = ellipsized(text, width - ImGui::GetStyle().ItemSpacing.x);
    ImGui::SetCursorPosX(form.label_width);
    if (ImGui::Selectable(cut.c_str(), false, 0, ImVec2(width, 0))) taken = found[i]->id;
    if (cut.size() != text.size() && ImGui::IsItemHovered()) text_tooltip(text);
    probe_item(form.view.probe, path + ".match." + std::to_string(i));
    ImGui::PopID();
  }
  if (found.empty()) {
    ImGui::SetCursorPosX(form.label_width);
    ImGui::TextDisabled("%s", form.i18n.tr("editor.no_match"));
  }
  if (!taken.empty()) search.clear();
  return taken;
}

void organizations_field(Form& form, Record& record) {
  label(form, "editor.field.organizations");
  ImGui::PushID("/organizations");
  const std::string taken = organization_search(form, "/organizations", form.em * 18.0f);
  if (!taken.empty()) {
    form.model.add_value(EditorList::Organizations, taken);
    form.model.field_left();
  }
  for (std::size_t i = 0; i < record.organizations.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    ImGui::SetCursorPosX(form.label_width);
    if (ImGui::SmallButton(form.i18n.tr("editor.remove_mark"))) {
      form.model.remove_item(EditorList::Organizations, i);
      form.model.field_left();
      ImGui::PopID();
      break;
    }
    ImGui::SameLine();
    const ReferenceData& reference = form.model.reference();
    const bool registered = reference.resolve(ReferenceKind::Organization, record.organizations[i]).has_value();
    text_ellipsis(registered ? reference.name_of(ReferenceKind::Organization, record.organizations[i])
                             : record.organizations[i] + "（" + form.i18n.tr("editor.unregistered") + "）",
                  form.field_width - (ImGui::GetCursorPosX() - form.label_width));
    ImGui::PopID();
  }
  ImGui::PopID();
  for (std::size_t i = 0; i < record.organizations.size(); ++i) messages(form, "/organizations/" + std::to_string(i));
  conflicts(form, "/organizations");
}

// One organisation (the presenting agency): typed freely, or taken from the search.
void agency_field(Form& form, const std::string& path, const char* key, std::string& value) {
  text_field(form, path, key, value);
  ImGui::PushID((path + ".search").c_str());
  label(form, "editor.field.choose_organization", form.em);
  const std::string taken = organization_search(form, path, form.em * 18.0f);
  if (!taken.empty()) {
    value = form.model.reference().name_of(ReferenceKind::Organization, taken);  // a text field: the name
    form.model.changed(path);
    form.model.field_left();
  }
  ImGui::PopID();
}

// [SECTION] Repeatable parts: agenda, roles, follow-ups ---------------------------------------------------------

// The heading line of item `index` of `list`: its number and the buttons to move it up or down or remove it.
// Returns false when the item was removed or moved (the caller stops drawing the list this frame).
bool item_heading(Form& form, EditorList list, const std::string& path, const char* key, std::size_t index,
                  std::size_t count) {
  ImGui::Spacing();
  ImGui::AlignTextToFramePadding();
  ImGui::TextDisabled("%s", form.i18n.format(key, {{"n", std::to_string(index + 1)}}).c_str());
  ImGui::SameLine(form.label_width);
  bool intact = true;
  ImGui::BeginDisabled(index == 0);
  if (ImGui::ArrowButton("##up", ImGuiDir_Up)) form.model.move_item(list, index, -1), intact = false;
  ImGui::EndDisabled();
  probe_item(form.view.probe, path + ".up");
  ImGui::SameLine();
  ImGui::BeginDisabled(index + 1 >= count);
  if (intact && ImGui::ArrowButton("##down", ImGuiDir_Down)) form.model.move_item(list, index, +1), intact = false;
  ImGui::EndDisabled();
  probe_item(form.view.probe, path + ".down");
  ImGui::SameLine();
  if (intact && ImGui::Button(form.i18n.tr("editor.remove"))) form.model.remove_item(list, index), intact = false;
  probe_item(form.view.probe, path + ".remove");
  if (!intact) form.model.field_left();
  return intact;
}

void add_button(Form& form, EditorList list, const std::string& path, const char* key) {
  ImGui::SetCursorPosX(form.label_width);
  if (ImGui::Button(form.i18n.tr(key))) {
    form.model.add_item(list);
    form.model.field_left();
  }
  probe_item(form.view.probe, path + ".add");
}

// A repeatable list (`path` = "/agenda"): each item under its heading (move, remove), its fields drawn by
// `fields(item, item_path, indent)`, and the add button after the last.
template <typename Item, typename Fields>
void repeated_items(Form& form, std::vector<Item>& items, EditorList list, const std::string& path,
                    const char* heading_key, const char* add_key, Fields&& fields) {
  const float indent = form.em;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string item_path = path + "/" + std::to_string(i);
    ImGui::PushID(static_cast<int>(i));
    if (!item_heading(form, list, item_path, heading_key, i, items.size())) {
      ImGui::PopID();
      break;
    }
    fields(items[i], item_path, indent);
    ImGui::PopID();
  }
  conflicts(form, path);  // an item changed or removed elsewhere, kept
  add_button(form, list, path, add_key);
}

void agenda_items(Form& form, std::vector<AgendaItem>& agenda) {
  repeated_items(form, agenda, EditorList::Agenda, "/agenda", "editor.agenda_item", "editor.add_agenda",
                 [&form](AgendaItem& item, const std::string& path, float indent) {
                   text_field(form, path + "/title", "editor.field.agenda_title", item.title, indent);
                   multiline_field(form, path + "/summary", "editor.field.agenda_summary", item.summary, 3, indent);
                   text_field(form, path + "/decision", "editor.field.agenda_decision", item.decision, indent,
                              "editor.decision_hint");
                 });
}

void role_items(Form& form, std::vector<RoleAssignment>& roles) {
  repeated_items(form, roles, EditorList::Roles, "/roles", "editor.role_item", "editor.add_role",
                 [&form](RoleAssignment& item, const std::string& path, float indent) {
                   text_field(form, path + "/agency", "editor.field.role_agency", item.agency, indent);
                   text_field(form, path + "/role", "editor.field.role", item.role, indent);
                 });
}

void follow_up_items(Form& form, std::vector<FollowUp>& follow_ups) {
  repeated_items(form, follow_ups, EditorList::FollowUps, "/follow_ups", "editor.follow_up_item",
                 "editor.add_follow_up", [&form](FollowUp& item, const std::string& path, float indent) {
                   text_field(form, path + "/action", "editor.field.follow_up_action", item.action, indent);
                   text_field(form, path + "/owner", "editor.field.follow_up_owner", item.owner, indent);
                   date_field(form, path + "/due", "editor.field.follow_up_due", item.due, indent);
                   label(form, "editor.field.follow_up_done", indent);
                   ImGui::PushID("done");
                   after_field(form, path + "/done", ImGui::Checkbox("##v", &item.done));
                   ImGui::PopID();
                 });
}

// [SECTION] Sections per kind -----------------------------------------------------------------------------------

// Which council the record belongs to, when the reference data has several: its committees and areas are chosen
// from that council's.
void council_field(Form& form, Record& record) {
  const ReferenceData& reference = form.model.reference();
  label(form, "editor.field.council", 0.0f, "/council");
  ImGui::PushID("/council");
  ImGui::SetNextItemWidth(form.em * 18.0f);
  const std::string preview = record.council.empty()
                                  ? std::string(form.i18n.tr("editor.choose"))
                                  : reference.name_of(ReferenceKind::Council, record.council, !form.japanese);
  if (begin_combo("##v", shown(preview).c_str(), ImGuiComboFlags_HeightLarge)) {
    close_on_escape();
    for (std::size_t i = 0; i < reference.councils.size(); ++i) {
      const Council& council = reference.councils[i];
      ImGui::PushID(static_cast<int>(i));
      if (ImGui::Selectable(shown(display_name(form, council)).c_str(), council.id == record.council)) {
        form.model.set_council(council.id);
        form.model.field_left();
      }
      probe_item(form.view.probe, "/council/choice/" + std::to_string(i));
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  probe_item(form.view.probe, "/council");
  ImGui::PopID();
  messages(form, "/council");
}

void common_fields(Form& form, Record& record) {
  const ReferenceData& reference = form.model.reference();
  section(form, "editor.section.basic");
  date_field(form, "/date", "editor.field.date", record.date, 0.0f, &record);
  time_fields(form, record);
  text_field(form, "/title", "editor.field.title", record.title);
  label(form, "editor.field.author");
  const std::string author = form.model.author();
  text_unformatted(author.empty() ? form.i18n.tr("editor.author_unknown") : author);
  probe_item(form.view.probe, "/author");
  if (reference.councils.size() > 1) council_field(form, record);
  multi_select(form, "/areas", "editor.field.area", EditorList::Areas, record.areas, reference.areas, record.council);
  const int chosen = multi_select(form, "/committees", "editor.field.body", EditorList::Committees, record.committees,
                                  reference.committees, record.council);
  if (chosen >= 0 && record.kind == RecordKind::Meeting && !record.meeting.meeting_type) {
    // The committee says what kind of meeting it holds.
    record.meeting.meeting_type =
        parse_enum<MeetingType>(reference.committees[static_cast<std::size_t>(chosen)].meeting_type);
    if (record.meeting.meeting_type) form.model.changed("/meeting_type");
  }
  multi_select(form, "/themes", "editor.field.themes", EditorList::Themes, record.themes, reference.themes,
               record.council);
  if (!reference.work_items.empty())
    multi_select(form, "/work_items", "editor.field.work_items", EditorList::WorkItems, record.work_items,
                 reference.work_items, record.council);
  organizations_field(form, record);
  number_field(form, "/participant_count", "editor.field.participant_count", "editor.unit.people");
}

// What it was for and what came of it (the theme report's 目的・ねらい and 成果): a section after each kind's own
// fields, except on a visit, where they follow the place visited.
void purpose_fields(Form& form, Record& record) {
  if (record.kind != RecordKind::Outreach) {
    section(form, "editor.section.purpose");
    enum_combo(form, "/participation", "editor.field.participation", record.participation, "participation");
  }
  // What was done comes first where it is the record's substance (a visit, an initiative).
  if (record.kind == RecordKind::Outreach || record.kind == RecordKind::Initiative)
    multiline_field(form, "/content", "editor.field.content", record.content, 5);
  multiline_field(form, "/purpose", "editor.field.purpose", record.purpose, 2);
  multiline_field(form, "/outcome", "editor.field.outcome", record.outcome, 3);
  number_field(form, "/occurrences", "editor.field.occurrences", "editor.unit.times");
}

void meeting_fields(Form& form, Record& record) {
  MeetingDetails& meeting = record.meeting;
  section(form, "editor.section.meeting");
  enum_combo(form, "/meeting_type", "editor.field.meeting_type", meeting.meeting_type, "meeting_type");
  enum_combo(form, "/format", "editor.field.format", meeting.format, "format");
  text_field(form, "/venue", "editor.field.venue", meeting.venue);
  section(form, "editor.section.agenda");
  agenda_items(form, meeting.agenda);
  section(form, "editor.section.minutes");
  multiline_field(form, "/minutes", "editor.field.minutes", meeting.minutes, 6);
  date_field(form, "/next_date", "editor.field.next_date", meeting.next_date);
}

void case_review_fields(Form& form, Record& record) {
  CaseReviewDetails& review = record.case_review;
  section(form, "editor.section.case_review");
  text_field(form, "/case_code", "editor.field.case_code", review.case_code, 0.0f, "editor.case_code_hint");
  enum_combo(form, "/review_type", "editor.field.review_type", review.review_type, "review_type");
  agency_field(form, "/presenting_agency", "editor.field.presenting_agency", review.presenting_agency);
  multiline_field(form, "/issues", "editor.field.issues", review.issues, 4);
  multiline_field(form, "/policy", "editor.field.policy", review.policy, 4);
  section(form, "editor.section.roles");
  role_items(form, review.roles);
  date_field(form, "/next_review", "editor.field.next_review", review.next_review);
  label(form, "editor.field.people_concerned_attended");
  ImGui::PushID("/people_concerned_attended");
  if (ImGui::Checkbox("##v", &review.people_concerned_attended)) form.model.changed("/people_concerned_attended");
  probe_item(form.view.probe, "/people_concerned_attended");
  ImGui::PopID();
}

void outreach_fields(Form& form, Record& record) {
  OutreachDetails& outreach = record.outreach;
  section(form, "editor.section.outreach");
  enum_combo(form, "/visit_type", "editor.field.visit_type", outreach.visit_type, "visit_type");
  agency_field(form, "/place", "editor.field.place", outreach.place);
  purpose_fields(form, record);
  number_field(form, "/people_met", "editor.field.people_met", "editor.unit.people");
  number_field(form, "/duration_minutes", "editor.field.duration", "editor.unit.minutes");
  text_field(form, "/referral", "editor.field.referral", outreach.referral);
  label(form, "editor.field.follow_up_needed");
  ImGui::PushID("/follow_up_needed");
  after_field(form, "/follow_up_needed", ImGui::Checkbox("##v", &outreach.follow_up_needed));
  ImGui::PopID();
}

// [SECTION] draw_editor: heading, form, buttons, shortcuts ------------------------------------------------------

// Escape in an active text field would make ImGui put back the text it had when the field was entered: typed
// text must never be lost that way, so the key is hidden from the field (popups still close with it).
void keep_text_on_escape() {
  ImGuiContext& context = *ImGui::GetCurrentContext();
  const bool editing_text = context.ActiveId != 0 && context.InputTextState.ID == context.ActiveId;
  ImGuiIO& io = ImGui::GetIO();
  const int escape = io.KeyMap[ImGuiKey_Escape];
  if (!editing_text || escape < 0 || escape >= IM_ARRAYSIZE(io.KeysDown)) return;
  // ImGui reads it both as a key and as the navigation's Cancel input.
  if (io.KeysDownDuration[escape] >= 0.0f) io.KeysDownDuration[escape] = 1000.0f;  // held long ago: no press
  float& cancel = io.NavInputsDownDuration[ImGuiNavInput_Cancel];
  if (cancel >= 0.0f) cancel = 1000.0f;
}

// The quiet note after the buttons: what became of the last save, submit or withdraw (and of sending it), and
// whether typing is kept.
struct Note {
  std::string text;
  const ImVec4* colour = nullptr;  // null: muted
};

Note editor_note(Form& form, const EditorModel& model, const EditorView& view) {
  if (model.last_error()) return {error_text(*model.last_error(), form.i18n), &kErrorColour};
  switch (model.notice()) {
    case EditorNotice::Saving:
      return {form.i18n.tr("editor.saving")};
    case EditorNotice::NotSubmitted:
      if (model.dirty() || model.issues().empty()) break;
      return {form.i18n.tr("editor.not_submitted"), &kErrorColour};
    case EditorNotice::Submitted:
      if (model.dirty()) break;
      if (!view.send_notice.empty()) {
        const bool trouble = view.send_notice != "editor.send.sent" && view.send_notice != "editor.send.sending";
        return {form.i18n.tr(view.send_notice), trouble ? &kWarningColour : nullptr};
      }
      return {form.i18n.tr("editor.submitted")};
    case EditorNotice::Saved:
    case EditorNotice::NothingToSave:
    case EditorNotice::Withdrawn:
      if (model.dirty()) break;
      return {form.i18n.tr(model.notice() == EditorNotice::Saved           ? "editor.saved"
                           : model.notice() == EditorNotice::Withdrawn ? "editor.withdrawn"
                                                                       : "editor.nothing_to_save")};
    case EditorNotice::Failed:
    case EditorNotice::None:
      break;
  }
  if (model.dirty()) return {form.i18n.tr(model.scratch_pending() ? "editor.unsaved" : "editor.autosaved")};
  return {};
}

void heading(Form& form, const FontSet& fonts, EditorModel& model) {
  const Record& record = model.record();
  draw_heading(form.i18n.tr(model.is_new() ? "editor.heading_new" : "editor.heading_edit"),
               std::string(form.i18n.tr("kind." + std::string(enum_name(record.kind)))) + "  ·  " +
                   form.i18n.tr("status." + std::string(enum_name(record.status))),
               fonts);
  if (model.is_new()) {
    label(form, "editor.field.kind");
    for (std::size_t i = 0; i < enum_count<RecordKind>(); ++i) {
      const RecordKind kind = static_cast<RecordKind>(i);
      if (i > 0) ImGui::SameLine(0, form.em * 1.2f);
      if (ImGui::RadioButton(form.i18n.tr("kind." + std::string(enum_name(kind))), record.kind == kind)) {
        model.set_kind(kind);
        model.field_left();
      }
      probe_item(form.view.probe, "kind." + std::string(enum_name(kind)));
    }
  }
  if (model.read_only() && !model.saving()) {
    const bool approved = record.status == ReviewStatus::Approved;
    colored_wrapped(kMutedText, form.i18n.tr(approved ? "editor.approved_note" : "editor.submitted_note"));
    probe_item(form.view.probe, "note.read_only");
  }
  if (record.status == ReviewStatus::Returned) {
    ImGui::PushStyleColor(ImGuiCol_Text, kWarningColour);
    ImGui::TextWrapped("%s", form.i18n.tr("editor.returned_note"));
    // The reason, as the supervisor wrote it: the whole exchange is in the comments below the form.
    const Comment* reason = form.view.review && form.view.review->id() == record.id ? form.view.review->latest_decision()
                                                                                   : nullptr;
    if (reason != nullptr) {
      ImGui::PushTextWrapPos(0.0f);
      text_unformatted(form.i18n.format("editor.returned_reason", {{"who", reason->author}, {"text", reason->text}}));
      ImGui::PopTextWrapPos();
      probe_item(form.view.probe, "note.returned_reason");
    }
    ImGui::PopStyleColor();
  }
  if (form.view.refusal && form.view.refusal->record_id == record.id) {
    ImGui::PushStyleColor(ImGuiCol_Text, kErrorColour);
    ImGui::PushTextWrapPos(0.0f);
    text_unformatted(form.i18n.format("editor.refused", {{"message", form.view.refusal->message}}));
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }
}

// The record's comment thread with a box to reply (open even when the record is read-only: a comment is not an
// edit), and its history folded away.
void review_sections(Form& form, const ReviewModel& review, EditorActions& actions) {
  draw_section(form.i18n.tr("review.thread"));
  draw_comment_thread(review.comments(), form.i18n);
  ImGui::SetNextItemWidth(form.field_width);
  input_text("##reply", form.i18n.tr("editor.reply_hint"), form.view.reply);
  probe_item(form.view.probe, "editor.reply_box");
  ImGui::SameLine();
  ImGui::BeginDisabled(form.view.reply.empty() || review.writing());
  if (ImGui::Button(form.i18n.tr("editor.reply"))) actions.reply = true;
  probe_item(form.view.probe, "button.reply");
  ImGui::EndDisabled();
  if (review.error()) colored_wrapped(kErrorColour, error_text(*review.error(), form.i18n));
  ImGui::Spacing();
  if (ImGui::CollapsingHeader(form.i18n.tr("review.history"))) draw_history(review.history(), form.model.reference(), form.i18n);
}

void button_bar(Form& form, EditorModel& model, EditorView& view, EditorActions& actions) {
  ImGui::Separator();
  ImGui::Spacing();
  if (model.read_only()) {
    // A submitted record goes back to its author only by withdrawing it (before the supervisor acts).
    if (model.record().status == ReviewStatus::Submitted && model.own()) {
      ImGui::BeginDisabled(model.saving());
      if (ImGui::Button(form.i18n.tr("editor.withdraw"))) (void)model.withdraw();
      probe_item(view.probe, "button.withdraw");
      ImGui::EndDisabled();
      ImGui::SameLine();
    }
  } else {
    if (ImGui::Button(form.i18n.tr("editor.save"))) (void)model.save();
    probe_item(view.probe, "button.save");
    ImGui::SameLine();
    if (ImGui::Button(form.i18n.tr("editor.submit"))) (void)model.submit();
    probe_item(view.probe, "button.submit");
    ImGui::SameLine();
  }
  if (ImGui::Button(form.i18n.tr("editor.close"))) {
    if (model.dirty())
      view.confirm_close = true;
    else
      model.close(), actions.closed = true;
  }
  probe_item(view.probe, "button.close");

  // What happened last, quietly, on the same line.
  ImGui::SameLine(0, form.em * 1.5f);
  ImGui::AlignTextToFramePadding();
  const Note note = editor_note(form, model, view);
  ImGui::PushStyleColor(ImGuiCol_Text, note.colour ? *note.colour : kMutedText);
  text_unformatted(note.text);
  ImGui::PopStyleColor();
  probe_item(view.probe, "note");
  if (!model.read_only()) {
    ImGui::SameLine();
    ImGui::TextDisabled("  %s", form.i18n.tr("editor.shortcuts"));
  }
}

void confirm_close_dialog(Form& form, EditorModel& model, EditorView& view, EditorActions& actions) {
  if (view.confirm_close) {
    ImGui::OpenPopup("confirm_close");
    view.confirm_close = false;
  }
  ImGui::SetNextWindowPos(ImGui::GetMainViewport()->GetCenter(), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal("confirm_close", nullptr,
                              ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoTitleBar))
    return;
  ImGui::TextUnformatted(form.i18n.tr("editor.confirm_close"));
  ImGui::Spacing();
  if (ImGui::Button(form.i18n.tr("editor.save_and_close"))) {
    if (model.save()) {  // queued: the writer stores it after the editor has closed
      model.close();
      actions.closed = true;
    }
    ImGui::CloseCurrentPopup();
  }
  probe_item(view.probe, "confirm.save");
  ImGui::SameLine();
  if (ImGui::Button(form.i18n.tr("editor.discard_and_close"))) {
    model.close();
    actions.closed = true;
    ImGui::CloseCurrentPopup();
  }
  probe_item(view.probe, "confirm.discard");
  ImGui::SameLine();
  if (ImGui::Button(form.i18n.tr("editor.cancel"))) ImGui::CloseCurrentPopup();
  close_on_escape();
  probe_item(view.probe, "confirm.cancel");
  ImGui::EndPopup();
}

}  // namespace

bool open_editor_at_start(EditorModel& model, bool want_editor) {
  if (model.reopen_scratch()) return true;
  if (!want_editor) return false;
  return model.open_newest(EditorModel::today()).ok();
}

EditorActions draw_editor(EditorModel& model, EditorView& view, const FontSet& fonts, I18n& i18n) {
  EditorActions actions;
  if (!model.is_open()) return actions;
  keep_text_on_escape();

  // Another record (or a new one): its own field state, from the top of the form.
  const bool opened_now = view.seen_serial != model.open_serial();
  if (opened_now) {
    view.seen_serial = model.open_serial();
    view.wrapped.clear();
    view.searches.clear();
    view.confirm_close = false;
  }

  Form form{model, view, i18n};
  form.japanese = i18n.language() == "ja";
  form.em = ImGui::GetFontSize();
  float widest = 0;
  for (const char* key : kWideLabels) widest = std::max(widest, ImGui::CalcTextSize(i18n.tr(key)).x);
  // Room after the widest label for the required mark.
  form.label_width = std::clamp(widest, form.em * 5.0f, form.em * 11.0f) + form.em * 1.5f +
                     ImGui::CalcTextSize(i18n.tr("editor.required_mark")).x + form.em * 0.7f;

  heading(form, fonts, model);

  const float bar_height = ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y * 2.0f;
  ImGui::BeginChild("form", ImVec2(0, -bar_height), false);
  if (opened_now) ImGui::SetScrollY(0.0f);
  ImGui::BeginDisabled(model.read_only());
  form.field_width =
      std::min(ImGui::GetContentRegionAvail().x - form.label_width - ImGui::GetStyle().ScrollbarSize, form.em * 44.0f);
  Record& record = model.record();
  common_fields(form, record);
  switch (record.kind) {
    case RecordKind::Meeting:
      meeting_fields(form, record);
      break;
    case RecordKind::CaseReview:
      case_review_fields(form, record);
      break;
    case RecordKind::Outreach:
      outreach_fields(form, record);
      break;
    case RecordKind::Initiative:
      break;  // the common fields are all it has
  }
  if (record.kind != RecordKind::Outreach) purpose_fields(form, record);
  section(form, "editor.section.follow_ups");
  follow_up_items(form, record.follow_ups);
  ImGui::Spacing();
  ImGui::EndDisabled();
  if (!model.is_new() && view.review && view.review->id() == record.id) review_sections(form, *view.review, actions);
  ImGui::EndChild();

  if (model.is_open()) button_bar(form, model, view, actions);
  if (model.is_open()) confirm_close_dialog(form, model, view, actions);

  // Shortcuts, after the fields so that the text typed this frame is in the record.
  const ImGuiIO& io = ImGui::GetIO();
  if (model.is_open() && io.KeyCtrl && !io.KeyAlt) {
    if (key_pressed(GLFW_KEY_S)) (void)model.save();
    if (key_pressed(io.KeyMap[ImGuiKey_Enter]) || key_pressed(io.KeyMap[ImGuiKey_KeyPadEnter])) (void)model.submit();
  }
  // Messages under the fields follow the record except while the user types in one (see EditorModel::settle).
  if (model.settle_due() || !io.WantTextInput) model.settle();
  model.tick();
  return actions;
}

}  // namespace tsunagi
