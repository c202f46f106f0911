#include "app/editor_model.hpp"

#include "model/search_fold.hpp"

#include <algorithm>
#include <ctime>

#include "model/ids.hpp"
#include "model/record_json.hpp"
#include "model/text.hpp"
#include "model/platform.hpp"

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
  if (path == "/occurrences") return &record.occurrences;
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
    case EditorList::Areas:
      return "/areas";
    case EditorList::Committees:
      return "/committees";
    case EditorList::WorkItems:
      return "/work_items";
  }
  return "";
}

// A save that submits the record, or withdraws a submission: the window sends it at once, and the editor holds
// it read-only until the writer answers.
bool status_moves(ReviewStatus from, ReviewStatus to, bool was_new) {
  return to == ReviewStatus::Submitted || (!was_new && from == ReviewStatus::Submitted && to == ReviewStatus::Draft);
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
        fold_for_search(reference.name_of(ReferenceKind::Area, organization.area)).find(wanted) != std::string::npos)
      found.push_back(&organization);
  }
  return found;
}

EditorModel::EditorModel(Store& reader, StoreWriter& writer, EditorOptions options)
    : reader_(reader), writer_(writer), options_(std::move(options)) {
  if (auto loaded = reader_.reference()) reference_ = std::move(*loaded);
}

void EditorModel::set_reference(ReferenceData reference) {
  reference_ = std::move(reference);
  ++revision_;
  if (open_) revalidate();
}

bool EditorModel::read_only() const {
  if (submitting_) return true;
  return !is_new_ && (record_.status == ReviewStatus::Submitted || record_.status == ReviewStatus::Approved);
}

bool EditorModel::own() const { return record_.author.empty() || record_.author == reader_.author(); }

std::string EditorModel::author() const { return record_.author.empty() ? reader_.author() : record_.author; }

bool EditorModel::required(std::string_view path) const {
  std::string general;  // "/agenda/1/title" -> "/agenda/*/title"
  for (std::size_t at = 0; at < path.size();) {
    const std::size_t next = std::min(path.find('/', at + 1), path.size());
    const std::string_view part = path.substr(at, next - at);
    const bool index = part.size() > 1 && part.find_first_not_of("0123456789", 1) == std::string_view::npos;
    general += index ? std::string("/*") : std::string(part);
    at = next;
  }
  // Which kind of meeting it is decides whether the committee is required: asked again when it changes.
  const std::optional<MeetingType> type = record_.kind == RecordKind::Meeting ? record_.meeting.meeting_type : std::nullopt;
  if (type != required_for_type_) {
    required_paths_ = required_paths(record_.kind, type);
    required_for_type_ = type;
  }
  return required_paths_.count(general) > 0;
}

RecordKind EditorModel::last_kind() const {
  auto stored = reader_.setting(kLastKindKey);
  if (!stored) return RecordKind::Meeting;
  return parse_enum<RecordKind>(*stored).value_or(RecordKind::Meeting);
}

std::vector<StoredRecord> EditorModel::take_stored() {
  std::vector<StoredRecord> taken;
  taken.swap(stored_);
  return taken;
}

std::chrono::steady_clock::time_point EditorModel::now() const {
  return options_.now ? options_.now() : std::chrono::steady_clock::now();
}

std::string EditorModel::today() {
  const std::tm local = platform::local_time(std::time(nullptr)).value_or(std::tm{});
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
  ++open_serial_;
  open_ = true;
  notice_ = EditorNotice::None;
  submitting_ = false;
  touched_.clear();
  settled_.clear();
  conflicts_.clear();
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
  record_.id = new_uuid_v7();
  record_.kind = kind;
  record_.date = today;
  // In the council chosen last, else the author's (their staff entry's, or the only one there is).
  if (auto last = reader_.setting(kLastCouncilKey); last && reference_.resolve(ReferenceKind::Council, *last))
    record_.council = *last;
  else
    record_.council = reference_.council_of(author());
  required_paths_ = required_paths(kind);
  required_for_type_.reset();
  load_number_texts();
  revalidate();
  return ok_status();
}

Status EditorModel::open(const std::string& id) {
  if (auto kept = keep_unsaved(); !kept) return kept;
  auto found = reader_.get(id);
  if (!found) return found.error();
  if (!*found || (*found)->deleted)
    return make_error("record.not_found", "/id", "no record " + id, "記録 " + id + " はありません");
  clear_scratch();
  reset_state();
  is_new_ = false;
  record_ = std::move(**found);
  if (auto conflicts = reader_.conflicts(id)) conflicts_ = std::move(*conflicts);
  required_paths_ = required_paths(record_.kind);
  required_for_type_.reset();
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
  auto newest = reader_.list(query);
  if (!newest) return newest.error();
  if (newest->empty()) return start_new(RecordKind::Meeting, today);
  return open(newest->front().id);
}

bool EditorModel::reopen_scratch() {
  auto text = reader_.setting(kScratchKey);
  if (!text || text->empty()) return false;
  scratch_written_ = true;
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
  if (record_.id.empty()) record_.id = new_uuid_v7();  // a scratch from before new records had their id at once
  required_paths_ = required_paths(record_.kind);
  required_for_type_.reset();
  is_new_ = parsed->value("new", false);
  // Stored already, and cut off before the scratch was cleared: it is saved as a change, not created twice.
  if (auto stored = reader_.get(record_.id); is_new_ && stored && *stored) is_new_ = false;
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
  validate();
  settle();
}

void EditorModel::settle() {
  settle_due_ = false;
  settled_.clear();
  for (const ValidationIssue& issue : issues_)
    if (show_all_issues_ || touched_.count(top_level(issue.path))) settled_.push_back(issue);
}

void EditorModel::validate() {
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
  if (!open_ || read_only()) return;
  touched_.insert(top_level(path));
  ++revision_;
  parse_numbers();
  validate();  // shown when the user leaves the field (settle), not while typing
  dirty_ = true;
  scratch_pending_ = true;
  last_edit_ = now();
}

void EditorModel::set_kind(RecordKind kind) {
  if (!is_new_ || record_.kind == kind) return;
  record_.kind = kind;
  required_paths_ = required_paths(kind);
  required_for_type_.reset();
  changed("/kind");
  // The next new record starts as this kind.
  writer_.post([kind](Store* store, const Error*) -> StoreWriter::Completion {
    if (store) (void)store->set_setting(kLastKindKey, std::string(enum_name(kind)));
    return {};
  });
}

void EditorModel::set_council(const std::string& council) {
  if (record_.council == council) return;
  record_.council = council;
  changed("/council");
  writer_.post([council](Store* store, const Error*) -> StoreWriter::Completion {
    if (store) (void)store->set_setting(kLastCouncilKey, council);
    return {};
  });
}

std::vector<std::string>* EditorModel::values_of(EditorList list) {
  switch (list) {
    case EditorList::Organizations:
      return &record_.organizations;
    case EditorList::Themes:
      return &record_.themes;
    case EditorList::Areas:
      return &record_.areas;
    case EditorList::Committees:
      return &record_.committees;
    case EditorList::WorkItems:
      return &record_.work_items;
    default:
      return nullptr;
  }
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
    default:
      values_of(list)->emplace_back();
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
    default:
      remove_from(*values_of(list), index);
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
    default:
      move_in(*values_of(list), index, delta);
  }
  changed(list_path(list));
}

bool EditorModel::add_value(EditorList list, const std::string& value) {
  std::vector<std::string>* values = values_of(list);
  if (!values || trim(value).empty() || std::find(values->begin(), values->end(), value) != values->end())
    return false;
  values->push_back(value);
  changed(list_path(list));
  return true;
}

void EditorModel::field_left() {
  settle_due_ = true;
  if (open_ && scratch_pending_) write_scratch();
}

std::optional<std::chrono::steady_clock::time_point> EditorModel::autosave_due() const {
  if (!open_ || !scratch_pending_) return std::nullopt;
  return last_edit_ + options_.autosave_delay;
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
  scratch_pending_ = false;
  scratch_written_ = true;
  writer_.post([this, text = scratch.dump()](Store* store, const Error* open_error) -> StoreWriter::Completion {
    Status status = store ? store->set_setting(kScratchKey, text) : Status(*open_error);
    return [this, status] {
      if (!status) {
        // The next edit or focus change tries again.
        scratch_pending_ = true;
        last_error_ = status.error().with_context("autosave");
        return;
      }
      last_autosaved_ = now();
      last_error_.reset();
    };
  });
}

void EditorModel::clear_scratch() {
  scratch_pending_ = false;
  if (!scratch_written_) return;
  scratch_written_ = false;
  writer_.post([this](Store* store, const Error* open_error) -> StoreWriter::Completion {
    Status status = store ? store->set_setting(kScratchKey, "") : Status(*open_error);
    return [this, status] {
      if (!status) last_error_ = status.error();
    };
  });
}

Status EditorModel::store_record(ReviewStatus status) {
  parse_numbers();
  Record content = record_;
  content.status = status;
  const bool was_new = is_new_;
  nlohmann::json patch = nlohmann::json::object();
  if (!was_new) {
    // Only the fields edited here: a change that reached the store meanwhile (a pull from the collector) to any
    // other field survives the save.
    const nlohmann::json document = record_to_json(content);
    for (const std::string& path : touched_) {
      const std::string field = path.substr(1);
      if (field != "kind" && field != "id" && document.contains(field)) patch[field] = document[field];
    }
    patch["status"] = document["status"];
  }
  // Optimistic: the record counts as stored (a second save updates it rather than creating it twice); the
  // writer's answer puts this back if the write fails.
  ++saving_;
  is_new_ = false;
  dirty_ = false;
  scratch_written_ = false;  // the job clears it after storing the record
  notice_ = EditorNotice::Saving;
  submitting_ = status_moves(record_.status, status, was_new);  // read-only until the answer
  writer_.post([this, serial = open_serial_, sent = record_, content = std::move(content), patch = std::move(patch),
                was_new, status](Store* store, const Error* open_error) -> StoreWriter::Completion {
    Result<Record> stored = open_error ? Result<Record>(*open_error) : Result<Record>(content);
    if (store) {
      stored = was_new ? store->create(content) : store->update(content.id, patch);
      // The record holds the typing now; a scratch that cannot be cleared would only reopen it again.
      if (stored) (void)store->set_setting(kScratchKey, "");
    }
    return [this, serial, sent, was_new, status, stored = std::move(stored)]() mutable {
      finish_store(serial, sent, was_new, status, std::move(stored));
    };
  });
  return ok_status();
}

void EditorModel::finish_store(std::uint64_t serial, const Record& sent, bool was_new, ReviewStatus status,
                               Result<Record> stored) {
  --saving_;
  const bool same_opening = serial == open_serial_ && open_;
  if (same_opening) submitting_ = false;
  if (!stored) {
    last_error_ = stored.error();
    if (same_opening) {
      notice_ = EditorNotice::Failed;
      dirty_ = true;  // what failed to be stored is still only here (and in the scratch)
      scratch_pending_ = true;
      if (was_new) is_new_ = true;
    }
    return;
  }
  Record& saved = *stored;
  stored_.push_back({saved.id, saved.status, status_moves(sent.status, status, was_new)});
  if (!same_opening) {
    // Another opening of the same record, with nothing typed yet, shows what was stored.
    if (open_ && record_.id == saved.id && !dirty_ && !is_new_) {
      record_ = std::move(saved);
      ++revision_;
      load_number_texts();
      revalidate();
    }
    return;
  }
  // Fields typed while the write was on its way stay as typed; the rest (and the bookkeeping) come from the
  // stored version, normalised ("R5.7.3" is now "2023-07-03").
  const nlohmann::json now_json = record_to_json(record_);
  const nlohmann::json sent_json = record_to_json(sent);
  nlohmann::json merged = record_to_json(saved);
  std::set<std::string> keys;
  for (const auto* side : {&now_json, &sent_json})
    for (const auto& item : side->items()) keys.insert(item.key());
  bool typed_meanwhile = false;
  for (const std::string& key : keys) {
    const auto in_now = now_json.find(key);
    const auto in_sent = sent_json.find(key);
    const bool in_both = in_now != now_json.end() && in_sent != sent_json.end();
    if (key == "status" || (in_both && *in_now == *in_sent)) continue;
    typed_meanwhile = true;
    if (in_now == now_json.end())
      merged.erase(key);
    else
      merged[key] = *in_now;
  }
  if (auto merged_record = record_from_json(merged, ""); merged_record) {
    record_ = std::move(*merged_record);
  } else {
    record_ = std::move(saved);
  }
  ++revision_;
  if (!typed_meanwhile) load_number_texts();
  dirty_ = typed_meanwhile || dirty_;
  last_saved_ = now();
  last_error_.reset();
  notice_ = status == ReviewStatus::Submitted                   ? EditorNotice::Submitted
            : sent.status == ReviewStatus::Submitted && !was_new ? EditorNotice::Withdrawn
                                                                 : EditorNotice::Saved;
  revalidate();
}

Status EditorModel::save() {
  if (!open_) return make_error("editor.closed", "", "no record is open", "記録が開かれていません");
  show_all_issues_ = true;
  settle();
  if (read_only()) return ok_status();  // a submitted record is not edited here (withdraw it first)
  if (!dirty_ && !is_new_) {            // nothing to store (and a submitted record stays submitted)
    notice_ = saving_ ? notice_ : EditorNotice::NothingToSave;
    return ok_status();
  }
  return store_record(ReviewStatus::Draft);
}

Status EditorModel::submit() {
  if (!open_) return make_error("editor.closed", "", "no record is open", "記録が開かれていません");
  show_all_issues_ = true;
  if (read_only()) return ok_status();
  parse_numbers();
  revalidate();
  if (has_errors(issues_)) {
    notice_ = EditorNotice::NotSubmitted;
    return make_error("editor.invalid", "", "the record has errors; fix them before submitting",
                      "記録に誤りがあります。直してから提出してください");
  }
  return store_record(ReviewStatus::Submitted);
}

Status EditorModel::withdraw() {
  if (!open_) return make_error("editor.closed", "", "no record is open", "記録が開かれていません");
  if (is_new_ || record_.status != ReviewStatus::Submitted || submitting_)
    return make_error("editor.not_submitted", "/status", "only a submitted record can be withdrawn",
                      "取り下げられるのは提出済みの記録だけです");
  return store_record(ReviewStatus::Draft);
}

Status EditorModel::resolve_conflict(const std::string& field, const std::optional<nlohmann::json>& value) {
  if (!open_ || is_new_) return make_error("editor.closed", "", "no record is open", "記録が開かれていません");
  ++saving_;
  writer_.post([this, serial = open_serial_, id = record_.id, field, value](
                   Store* store, const Error* open_error) -> StoreWriter::Completion {
    Result<Record> stored = open_error ? Result<Record>(*open_error)
                            : store    ? store->resolve_conflict(id, field, value)
                                       : Result<Record>(make_error("editor.closed", "", "no store", "保存先がありません"));
    return [this, serial, field, stored = std::move(stored)]() mutable {
      --saving_;
      if (!stored) {
        last_error_ = stored.error();
        return;
      }
      stored_.push_back({stored->id, stored->status, false});
      if (serial != open_serial_ || !open_) return;
      std::erase_if(conflicts_, [&field](const FieldConflict& c) { return c.field == field; });
      // The field as stored, with its new clock; other typing stays.
      auto patched = apply_patch(record_, nlohmann::json{{field, merge_value(*stored, field)}}, nullptr);
      if (patched) record_ = std::move(*patched);
      record_.field_clocks[field] = field_clock(*stored, field);
      record_.clock = stored->clock;
      ++revision_;
      load_number_texts();
      revalidate();
    };
  });
  return ok_status();
}

std::vector<const ValidationIssue*> EditorModel::visible_issues(std::string_view path) const {
  std::vector<const ValidationIssue*> shown;
  for (const ValidationIssue& issue : settled_)
    if (issue.path == path) shown.push_back(&issue);
  return shown;
}

}  // namespace tsunagi
