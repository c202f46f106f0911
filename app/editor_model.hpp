// The record editor's state without any drawing: the record being edited, its field-level validation issues,
// what has been typed but not stored, the autosave debounce, save (draft), submit and withdraw. The editor screen
// draws from it and calls it back; tests drive it without a window.
//
// Where typed text lives until it is saved: the whole editor state (record, number fields as typed, which fields
// were touched) is written as JSON to the store's setting "editor.scratch" a few seconds after the last edit and
// at once when focus leaves a field. Settings make no outbox entries, so autosave never floods sync; an explicit
// save or submit stores the record (Store::create/update, one outbox entry) and clears the scratch. After a crash
// the window reopens the editor from the scratch (reopen_scratch).
//
// Every write goes through a StoreWriter (its own thread and connection), so no frame waits for SQLite's write
// lock: save() and submit() return at once, the record stays editable while it is stored (what is typed meanwhile
// is kept over the stored version), and the outcome arrives with the writer's completion (notice(),
// take_stored()). Reads (opening a record, the scratch at start) use the UI thread's own connection: in WAL mode a
// reader never waits for a writer.
//
// Thread safety: none; the UI thread owns the model, the reading Store and the writer.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "app/store_writer.hpp"
#include "model/error.hpp"
#include "model/record.hpp"
#include "model/reference.hpp"
#include "model/store.hpp"
#include "model/validation.hpp"

namespace tsunagi {

// The repeatable parts of a record the editor can add to, remove from and reorder.
enum class EditorList { Agenda, Roles, FollowUps, Organizations, Themes, Areas, Committees, WorkItems };

// The number fields, kept as typed ("１２" is fine) until they parse; the record holds the parsed value.
inline constexpr std::string_view kNumberFields[] = {"/participant_count", "/occurrences", "/people_met",
                                                     "/duration_minutes"};

struct EditorOptions {
  std::chrono::milliseconds autosave_delay{2000};
  std::function<std::chrono::steady_clock::time_point()> now;  // tests inject a clock; default steady_clock
};

// The organisations whose name, service type or area contains `query` (either width, ASCII case-insensitive), in
// reference order, at most `limit`.
std::vector<const Organization*> find_organizations(const ReferenceData& reference, std::string_view query,
                                                    std::size_t limit);

// A reference tree (committees, areas: items with an id and a parent id) in display order: each item followed by
// its children, with its depth (0 at the top). Items whose parent is unknown, and items of a flat list (themes), are
// shown at the top.
struct TreeRow {
  std::size_t index = 0;
  int depth = 0;
};
template <class Item>
std::vector<TreeRow> tree_order(const std::vector<Item>& items) {
  if constexpr (!requires(const Item& item) { item.parent; }) {
    std::vector<TreeRow> flat;
    for (std::size_t i = 0; i < items.size(); ++i) flat.push_back({i, 0});
    return flat;
  } else {
  std::vector<TreeRow> rows;
  std::vector<bool> placed(items.size(), false);
  auto visit = [&](auto&& self, std::size_t index, int depth) -> void {
    if (placed[index] || depth > 16) return;
    placed[index] = true;
    rows.push_back({index, depth});
    for (std::size_t child = 0; child < items.size(); ++child)
      if (!placed[child] && items[child].parent == items[index].id) self(self, child, depth + 1);
  };
  auto known = [&](const std::string& id) {
    for (const Item& item : items)
      if (item.id == id) return true;
    return false;
  };
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].parent.empty() || !known(items[i].parent)) visit(visit, i, 0);
  for (std::size_t i = 0; i < items.size(); ++i) visit(visit, i, 0);  // cycles: still listed
  return rows;
  }
}

// What happened to the last save, submit or withdraw of the record open now (the editor's quiet note).
enum class EditorNotice { None, Saving, Saved, NothingToSave, Submitted, NotSubmitted, Withdrawn, Failed };

// A record the writer stored (the window reloads its list, and sends a submitted or withdrawn record at once).
struct StoredRecord {
  std::string id;
  ReviewStatus status = ReviewStatus::Draft;
  bool status_changed = false;  // submitted or withdrawn now, not only saved
};

class EditorModel {
 public:
  static constexpr const char* kScratchKey = "editor.scratch";
  static constexpr const char* kLastKindKey = "editor.last_kind";
  static constexpr const char* kLastCouncilKey = "editor.last_council";

  // `reader` and `writer` must outlive the model; both work on the same data folder. Reads the reference data
  // (for validation warnings) from `reader`; set_reference() gives it newer data.
  EditorModel(Store& reader, StoreWriter& writer, EditorOptions options = {});

  // --- Opening and closing ---
  // Opening another record never drops typing: unsaved changes of the record open now are first stored as a
  // draft (a submitted record edited here becomes a draft again). When that fails, nothing changes and the error
  // is returned.
  // A new, unsaved record of `kind` dated `today` (ISO). Its id is given now, so a save in flight and the next
  // one name the same record.
  Status start_new(RecordKind kind, const std::string& today);
  // The kind of the last new record the user chose (a meeting at first).
  RecordKind last_kind() const;
  // The stored record `id`.
  Status open(const std::string& id);
  // The most recently updated record that is not deleted, or a new meeting record dated `today` when there is
  // none (what `tsunagi --screen editor` shows).
  Status open_newest(const std::string& today);
  // Reopens the editor state that was autosaved and never stored (after a crash or power loss). Returns true when
  // there was one; a scratch that cannot be read is reported in last_error() and left in place.
  bool reopen_scratch();
  // Forgets the open record and its unsaved typing (the scratch too).
  void close();

  bool is_open() const { return open_; }
  bool is_new() const { return is_new_; }  // not stored yet
  // Grows each time another record (or a new one) is opened: the screen scrolls to the top and forgets its state.
  std::uint64_t open_serial() const { return open_serial_; }
  // Submitted (waiting for the supervisor) or approved: its author reads it and may withdraw a submission, but
  // does not edit it. A record being submitted is read-only too.
  bool read_only() const;
  // Who the record is written by: its author, or for a new record the store's author (the enrolled user).
  std::string author() const;
  // Whether the open record is this device's author's own (a new one is).
  bool own() const;
  const Record& record() const { return record_; }
  // The record for draw code to change in place; call changed() after each change.
  Record& record() { return record_; }
  // A number field as typed (one of kNumberFields); call changed() after changing it.
  std::string& number_text(std::string_view path);
  // Grows whenever the record's content may have changed (for the window's glyph coverage).
  std::uint64_t revision() const { return revision_; }
  // The reference lists the editor offers (themes, areas, committees, organisations).
  const ReferenceData& reference() const { return reference_; }
  // Newer reference data (a sync brought it): the choices change, the open record is checked again.
  void set_reference(ReferenceData reference);

  // --- Editing ---
  // Something at `path` ("/title", "/agenda/1/title") changed: revalidates, marks the record dirty, restarts the
  // autosave delay.
  void changed(const std::string& path);
  // Changes a new record's kind (common fields stay); ignored for a stored record, whose kind cannot change.
  void set_kind(RecordKind kind);
  // The council the record belongs to (an id); the next new record starts in it.
  void set_council(const std::string& council);
  void add_item(EditorList list);
  void remove_item(EditorList list, std::size_t index);
  // Moves item `index` one place up (delta -1) or down (+1); ignored at the ends.
  void move_item(EditorList list, std::size_t index, int delta);
  // Adds `value` to the organisations or themes unless it is there already (true when added).
  bool add_value(EditorList list, const std::string& value);

  // --- Autosave ---
  // Focus left a field: writes the scratch now when something was typed since the last write.
  void field_left();
  // Once a frame: writes the scratch when the autosave delay has passed since the last edit.
  void tick();
  // When tick() will write the scratch if nothing else happens first; nullopt when nothing waits for it.
  std::optional<std::chrono::steady_clock::time_point> autosave_due() const;
  bool dirty() const { return dirty_; }                      // changes not stored as a record
  bool scratch_pending() const { return scratch_pending_; }  // changes not in the scratch either

  // --- Saving (through the writer: each returns once the write is queued) ---
  // Stores the record as a draft; a draft may have errors. Clears the scratch. A stored record gets only the
  // fields edited here (Store::update), so changes pulled meanwhile to other fields are kept.
  Status save();
  // Validates and, when there is no error, stores the record as submitted; otherwise fails with code
  // "editor.invalid" and every issue is shown (not only those of touched fields).
  Status submit();
  // A submitted record goes back to being a draft its author can edit (before the supervisor acts on it).
  Status withdraw();
  // --- Conflicts (values that lost a merge with a change made elsewhere, kept until someone decides) ---
  const std::vector<FieldConflict>& conflicts() const { return conflicts_; }
  // Resolves the conflicts on `field` by storing `value` (one that lost), or the stored value (nullopt), with a new
  // clock for the field, through the writer; the next sync resolves it on every device. Typing in that field is
  // replaced.
  Status resolve_conflict(const std::string& field, const std::optional<nlohmann::json>& value);
  // Writes queued for this model and not finished yet.
  bool saving() const { return saving_ > 0; }
  EditorNotice notice() const { return notice_; }
  // The records stored since the last call, oldest first.
  std::vector<StoredRecord> take_stored();

  // --- What to show ---
  const std::vector<ValidationIssue>& issues() const { return issues_; }
  // The issues at exactly `path` that should be shown now: for a new record those of the fields touched, or all
  // after a save or submit was tried; for a stored record all of them. They are the issues as of the last
  // settle(): typing does not change them, so the form below a field does not jump while the user types in it
  // or aims the mouse at the next field. The pointers stay valid until the next settle().
  std::vector<const ValidationIssue*> visible_issues(std::string_view path) const;
  // Makes visible_issues() show the current issues. Done by every step that is not typing (open, save, submit);
  // the window calls it at the end of a frame where focus left a field (settle_due) or no text field is active,
  // never in the middle of one: a message appearing above a field being clicked would move it from under the click.
  void settle();
  bool settle_due() const { return settle_due_; }
  // Which fields a record of this kind must have before it is submitted ("/title", "/agenda/*/title").
  bool required(std::string_view path) const;
  // The error of the last failed store write (save, submit, scratch), if any.
  const std::optional<Error>& last_error() const { return last_error_; }
  // The last successful store write of the record (save or submit).
  std::optional<std::chrono::steady_clock::time_point> last_saved() const { return last_saved_; }
  std::optional<std::chrono::steady_clock::time_point> last_autosaved() const { return last_autosaved_; }

  // Today's date in local time, ISO.
  static std::string today();

 private:
  // The list of strings `list` names (organisations, themes, areas, committees, work items); null for the others.
  std::vector<std::string>* values_of(EditorList list);
  std::chrono::steady_clock::time_point now() const;
  // Checks the record again (validate) and shows the result at once (revalidate, which also settles).
  void validate();
  void revalidate();
  void parse_numbers();
  void write_scratch();
  void clear_scratch();
  Status store_record(ReviewStatus status);
  // The writer's answer to store_record: `sent` is the record as it was when the write was queued.
  void finish_store(std::uint64_t serial, const Record& sent, bool was_new, ReviewStatus status,
                    Result<Record> stored);
  void load_number_texts();
  void reset_state();
  Status keep_unsaved();

  Store& reader_;
  StoreWriter& writer_;
  EditorOptions options_;
  ReferenceData reference_;
  mutable std::set<std::string> required_paths_;  // of record_.kind, and of its meeting type when it has one
  mutable std::optional<MeetingType> required_for_type_;

  bool open_ = false;
  bool is_new_ = false;
  std::uint64_t open_serial_ = 0;
  Record record_;
  std::map<std::string, std::string, std::less<>> number_texts_;
  std::set<std::string> touched_;  // top-level field paths ("/agenda") the user has changed
  bool show_all_issues_ = false;
  std::vector<ValidationIssue> issues_;
  std::vector<FieldConflict> conflicts_;  // the open record's, as the store had them when it opened
  std::vector<ValidationIssue> settled_;  // what visible_issues() shows: issues_ as of the last settle()
  bool settle_due_ = false;               // focus left a field since the last settle()

  bool dirty_ = false;
  bool scratch_pending_ = false;
  bool scratch_written_ = false;  // the scratch may hold something (cleared only then)
  int saving_ = 0;                // record writes queued and not answered
  bool submitting_ = false;       // a submit or withdraw is queued
  EditorNotice notice_ = EditorNotice::None;
  std::vector<StoredRecord> stored_;
  std::chrono::steady_clock::time_point last_edit_{};
  std::optional<std::chrono::steady_clock::time_point> last_saved_;
  std::optional<std::chrono::steady_clock::time_point> last_autosaved_;
  std::optional<Error> last_error_;
  std::uint64_t revision_ = 0;
};

}  // namespace tsunagi
