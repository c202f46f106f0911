// The record editor screen: every field of a meeting, case review or outreach record, required fields marked,
// validation messages next to the fields, Ctrl+S (save a draft), Ctrl+Enter (submit), autosave; a submitted
// record read-only with a way to withdraw it. Draws from an EditorModel and calls it back; what the window must do
// (leave the screen) comes back as EditorActions, what was stored through EditorModel::take_stored().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "app/editor_model.hpp"
#include "app/review_model.hpp"
#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/screens/editor_widgets.hpp"

namespace tsunagi {

// The screen's own state, kept by the window between frames.
struct EditorView {
  std::map<std::string, WrappedTextState> wrapped;  // by field path
  std::map<std::string, std::string> searches;      // type-ahead text, by field path
  DatePickerState picker;
  bool confirm_close = false;
  std::uint64_t seen_serial = 0;  // the model's open_serial() this state belongs to (else: reset, scroll to top)
  // Set by the window: what became of sending the open record (catalogue key "editor.send.*"), or empty.
  std::string send_notice;
  // The collector refused this record (opened from the sync screen): a note at the top, the field outlined, and
  // the form scrolled to it once.
  struct Refusal {
    std::string record_id;
    std::string path;  // the editor's path of the field ("/title", "/agenda/0/title"), or empty
    std::string message;
  };
  std::optional<Refusal> refusal;
  bool scroll_to_refusal = false;
  // Set by the window: the open record's comment thread and history (a returned record shows the latest reason at
  // the top), and the reply being typed.
  const ReviewModel* review = nullptr;
  std::string reply;
  // Tests: when set, the rect of each field (by path: "/title", "/agenda/0/title") and button ("button.save")
  // drawn this frame.
  ItemProbe* probe = nullptr;
};

struct EditorActions {
  bool closed = false;  // the editor was closed
  bool reply = false;   // add view.reply to the record's comment thread
};

// At the window's start: reopens the typing autosaved before a crash (returns true: show the editor), else, when
// `want_editor` (`--screen editor`), opens the newest record or a new one (returns true too).
bool open_editor_at_start(EditorModel& model, bool want_editor);

// Draws the editor for `model` (which must be open) in the current window.
EditorActions draw_editor(EditorModel& model, EditorView& view, const FontSet& fonts, I18n& i18n);

}  // namespace tsunagi
