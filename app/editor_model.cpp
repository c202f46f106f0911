#include "app/editor_model.hpp"

#include <algorithm>
#include <ctime>

#include "model/record_json.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

constexpr int kScratchVersion = 1;

// The top-level field of a path: "/agenda/1/title" -> "/agenda".
std::string top_level(std::string_view path) {
  const std::size_t next = path.find('/', 1);
  return std::string(path.substr(0, next));
}

std::optional<int>* number_field(Record& record, std::string_view path) {
  if (path == "/participant_count") return &record.participant_count;
  if (path == "/people_met") return &record.outreach.people_met;
  if (path == "/duration_minutes") return &record.outreach.duration_minutes;
  return nullptr;
}

template <class T>
void move_in(std::vector<T>& items, std::size_t index, int delta) {
  if (index >= items.size()) return;
  if (delta < 0 && index == 0) return;
  const std::size_t to = delta < 0 ? index - 1 : index + 1;
  if (to >= items.size()) return;
  std::swap(items[index], items[to]);
}

template <class T>
void remove_from(std::vector<T>& items, std::size_t index) {
  if (index < items.size()) items.erase(items.begin() + static_cast<std::ptrdiff_t>(index));
}

const char* list_path(EditorList list) {
  switch (list) {
    case EditorList::Agenda:
      return "/agenda";
    case EditorList::Roles:
      return "/roles";
    case EditorList::FollowUps:
      return "/follow_ups";
    case EditorList::Organizations:
      return "/organizations";
    case EditorList::Themes:
      return "/themes";
  }
  return "";
}

std::string fold_for_search(std::string_view text) {
  std::string folded = normalize_width(text);
  for (char& c : folded)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return folded;
}

}  // namespace

std::vector<const Organization*> find_organizations(const ReferenceData& reference, std::string_view query,
                                                    std::size_t limit) {
  std::vector<const Organization*> found;
  const std::string wanted = fold_for_search(trim(query));
  if (wanted.empty()) return found;
  for (const Organization& organization : reference.organizations) {
    if (found.size() >= limit) break;
    if (fold_for_search(organization.name).find(wanted) != std::string::npos ||
        fold_for_search(organization.service_type).find(wanted) != std::string::npos ||
        fold_for_search(organization.area).find(wanted) != std::string::npos)
      found.push_back(&organization);
  }
  return found;
}

EditorModel::EditorModel(Store& store, EditorOptions options) : store_(store), options_(std::move(options)) {
  if (auto loaded = store_.reference()) reference_ = std::move(*loaded);
}

std::chrono::steady_clock::time_point EditorModel::now() const {
  return options_.now ? options_.now() : std::chrono::steady_clock::now();
}

std::string EditorModel::today() {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &local);
  return text;
}

Status EditorModel::keep_unsaved() {
  if (open_ && dirty_) return save();
  return ok_status();
}

void EditorModel::reset_state() {
  ++revision_;
  open_ = true;
  touched_.clear();
  show_all_issues_ = false;
  dirty_ = false;
  scratch_pending_ = false;
  last_saved_.reset();
  last_autosaved_.reset();
  last_error_.reset();
}

void EditorModel::load_number_texts() {
  number_texts_.clear();
  for (std::string_view path : kNumberFields)
    if (auto* value = number_field(record_, path); value && *value)
      number_texts_[std::string(path)] = std::to_string(**value);
}

Status EditorModel::start_new(RecordKind kind, const std::string& today) {
  if (auto kept = keep_unsaved(); !kept) return kept;
  clear_scratch();
  reset_state();
  is_new_ = true;
  record_ = Record{};
  record_.kind = kind;
  record_.date = today;
  record_.author = store_.author();
  load_number_texts();
  revalidate();
  return ok_status();
}

Status EditorModel::open(const std::string& id) {
  if (auto kept = keep_unsaved(); !kept) return kept;
  auto found = store_.get(id);
  if (!found) return found.error();
  if (!*found || (*found)->deleted)
    return make_error("record.not_found", "/id", "no record " + id, "記録 " + id + " はありません");
  clear_scratch();
  reset_state();
  is_new_ = false;
  record_ = std::move(**found);
  show_all_issues_ = true;  // a stored record's problems (a returned one's above all) are shown at once
  load_number_texts();
  revalidate();
  return ok_status();
}

Status EditorModel::open_newest(const std::string& today) {
  RecordQuery query;
  query.sort = SortColumn::Updated;
  query.descending = true;
  query.limit = 1;
  auto newest = store_.list(query);
  if (!newest) return newest.error();
  if (newest->empty()) return start_new(RecordKind::Meeting, today);
  return open(newest->front().id);
}

bool EditorModel::reopen_scratch() {
  auto text = store_.setting(kScratchKey);
  if (!text || text->empty()) return false;
  auto parsed = parse_json_text(*text);
  if (!parsed || !parsed->is_object() || !parsed->contains("record")) {
    last_error_ = make_error("editor.scratch", kScratchKey, "the autosaved editor state cannot be read",
                             "自動保存された編集内容を読み込めません");
    return false;
  }
  auto record = record_from_json((*parsed)["record"], "/record");
  if (!record) {
    last_error_ = record.error().with_context(kScratchKey);
    return false;
  }
  reset_state();
  record_ = std::move(*record);
  is_new_ = parsed->value("new", false);
  show_all_issues_ = !is_new_;
  load_number_texts();
  if (auto numbers = parsed->find("numbers"); numbers != parsed->end() && numbers->is_object())
    for (const auto& [path, value] : numbers->items())
      if (value.is_string() && number_field(record_, path)) number_texts_[path] = value.get<std::string>();
  if (auto touched = parsed->find("touched"); touched != parsed->end() && touched->is_array())
    for (const auto& path : *touched)
      if (path.is_string()) touched_.insert(path.get<std::string>());
  dirty_ = true;  // what the scratch holds was never stored as the record
  parse_numbers();
  revalidate();
  return true;
}

void EditorModel::close() {
  clear_scratch();
  open_ = false;
  is_new_ = false;
  record_ = Record{};
  number_texts_.clear();
  issues_.clear();
  dirty_ = scratch_pending_ = false;
  last_error_.reset();
}

std::string& EditorModel::number_text(std::string_view path) {
  auto it = number_texts_.find(path);
  if (it == number_texts_.end()) it = number_texts_.emplace(std::string(path), std::string()).first;
  return it->second;
}

void EditorModel::parse_numbers() {
  for (std::string_view path : kNumberFields) {
    std::optional<int>* value = number_field(record_, path);
    auto it = number_texts_.find(path);
    const std::string typed = it == number_texts_.end() ? std::string() : trim(it->second);
    if (typed.empty()) {
      value->reset();
      continue;
    }
    auto parsed = parse_integer(typed);
    if (parsed && *parsed >= -1000000000LL && *parsed <= 1000000000LL)
      *value = static_cast<int>(*parsed);
    else
      value->reset();  // revalidate() reports it; the text stays as typed
  }
}

void EditorModel::revalidate() {
  // Validate what would be stored: typed dates and times in the seeds' forms ("R5.7.3", "9時30分") are fine.
  Record normalized = record_;
  normalize_record(normalized);
  issues_ = validate_record(normalized, &reference_);
  for (std::string_view path : kNumberFields) {
    auto it = number_texts_.find(path);
    if (it == number_texts_.end() || trim(it->second).empty()) continue;
    if (!number_field(normalized, path)->has_value())
      issues_.push_back({std::string(path), "number.invalid", Severity::Error, "", ""});  // worded by the screen
  }
}

void EditorModel::changed(const std::string& path) {
  if (!open_) return;
  touched_.insert(top_level(path));
  ++revision_;
  parse_numbers();
  revalidate();
  dirty_ = true;
  scratch_pending_ = true;
  last_edit_ = now();
}

void EditorModel::set_kind(RecordKind kind) {
  if (!is_new_ || record_.kind == kind) return;
  record_.kind = kind;
  changed("/kind");
}

void EditorModel::add_item(EditorList list) {
  switch (list) {
    case EditorList::Agenda:
      record_.meeting.agenda.emplace_back();
      break;
    case EditorList::Roles:
      record_.case_review.roles.emplace_back();
      break;
    case EditorList::FollowUps:
      record_.follow_ups.emplace_back();
      break;
    case EditorList::Organizations:
      record_.organizations.emplace_back();
      break;
    case EditorList::Themes:
      record_.themes.emplace_back();
      break;
  }
  changed(list_path(list));
}

void EditorModel::remove_item(EditorList list, std::size_t index) {
  switch (list) {
    case EditorList::Agenda:
      remove_from(record_.meeting.agenda, index);
      break;
    case EditorList::Roles:
      remove_from(record_.case_review.roles, index);
      break;
    case EditorList::FollowUps:
      remove_from(record_.follow_ups, index);
      break;
    case EditorList::Organizations:
      remove_from(record_.organizations, index);
      break;
    case EditorList::Themes:
      remove_from(record_.themes, index);
      break;
  }
  changed(list_path(list));
}

void EditorModel::move_item(EditorList list, std::size_t index, int delta) {
  switch (list) {
    case EditorList::Agenda:
      move_in(record_.meeting.agenda, index, delta);
      break;
    case EditorList::Roles:
      move_in(record_.case_review.roles, index, delta);
      break;
    case EditorList::FollowUps:
      move_in(record_.follow_ups, index, delta);
      break;
    case EditorList::Organizations:
      move_in(record_.organizations, index, delta);
      break;
    case EditorList::Themes:
      move_in(record_.themes, index, delta);
      break;
  }
  changed(list_path(list));
}

bool EditorModel::add_value(EditorList list, const std::string& value) {
  std::vector<std::string>* values = list == EditorList::Themes          ? &record_.themes
                                     : list == EditorList::Organizations ? &record_.organizations
                                                                         : nullptr;
  if (!values || trim(value).empty() || std::find(values->begin(), values->end(), value) != values->end())
    return false;
  values->push_back(value);
  changed(list_path(list));
  return true;
}

void EditorModel::field_left() {
  if (open_ && scratch_pending_) write_scratch();
}

void EditorModel::tick() {
  if (open_ && scratch_pending_ && now() - last_edit_ >= options_.autosave_delay) write_scratch();
}

void EditorModel::write_scratch() {
  nlohmann::json scratch = nlohmann::json::object();
  scratch["version"] = kScratchVersion;
  scratch["new"] = is_new_;
  scratch["record"] = record_to_json(record_);
  nlohmann::json numbers = nlohmann::json::object();
  for (const auto& [path, text] : number_texts_)
    if (!text.empty()) numbers[path] = text;
  scratch["numbers"] = std::move(numbers);
  scratch["touched"] = touched_;
  auto status = store_.set_setting(kScratchKey, scratch.dump());
  if (!status) {
    // Keep scratch_pending_: the next edit or focus change tries again.
    last_error_ = status.error().with_context("autosave");
    return;
  }
  scratch_pending_ = false;
  last_autosaved_ = now();
  last_error_.reset();
}

void EditorModel::clear_scratch() {
  if (auto current = store_.setting(kScratchKey); current && !current->empty()) {
    if (auto status = store_.set_setting(kScratchKey, ""); !status) last_error_ = status.error();
  }
  scratch_pending_ = false;
}

Status EditorModel::store_record(ReviewStatus status) {
  parse_numbers();
  Record content = record_;
  content.status = status;
  Result<Record> stored = content;
  if (is_new_) {
    stored = store_.create(content);
  } else {
    // Only the fields edited here: a change that reached the store meanwhile (a pull from the collector) to any
    // other field survives the save.
    const nlohmann::json document = record_to_json(content);
    nlohmann::json patch = nlohmann::json::object();
    for (const std::string& path : touched_) {
      const std::string field = path.substr(1);
      if (field != "kind" && field != "id" && document.contains(field)) patch[field] = document[field];
    }
    patch["status"] = document["status"];
    stored = store_.update(content.id, patch);
  }
  if (!stored) {
    last_error_ = stored.error();
    return stored.error();
  }
  record_ = std::move(*stored);  // normalised: "R5.7.3" is now "2023-07-03"
  ++revision_;
  is_new_ = false;
  load_number_texts();
  clear_scratch();
  dirty_ = false;
  last_saved_ = now();
  last_error_.reset();
  revalidate();
  return ok_status();
}

Status EditorModel::save() {
  if (!open_) return make_error("editor.closed", "", "no record is open", "記録が開かれていません");
  show_all_issues_ = true;
  if (!dirty_ && !is_new_) return ok_status();  // nothing to store (and a submitted record stays submitted)
  return store_record(ReviewStatus::Draft);
}

Status EditorModel::submit() {
  if (!open_) return make_error("editor.closed", "", "no record is open", "記録が開かれていません");
  show_all_issues_ = true;
  parse_numbers();
  revalidate();
  if (has_errors(issues_))
    return make_error("editor.invalid", "", "the record has errors; fix them before submitting",
                      "記録に誤りがあります。直してから提出してください");
  return store_record(ReviewStatus::Submitted);
}

std::vector<const ValidationIssue*> EditorModel::visible_issues(std::string_view path) const {
  std::vector<const ValidationIssue*> shown;
  if (!show_all_issues_ && !touched_.count(top_level(path))) return shown;
  for (const ValidationIssue& issue : issues_)
    if (issue.path == path) shown.push_back(&issue);
  return shown;
}

}  // namespace tsunagi
