// The sync screen (同期): connection, waiting changes, the last successful sync, a sync button, progress while
// syncing, and errors in plain language with what to do next. Also the status bar's sync summary. Draws only.
#pragma once

#include <optional>
#include <string>

#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/screens/widgets.hpp"
#include "app/sync_controller.hpp"

namespace tsunagi {

struct SyncActions {
  bool sync_now = false;
  bool open_settings = false;             // to enroll
  std::optional<std::string> open_id;     // a rejected record to fix
  std::string open_field;                 // the JSON path of the field the collector refused
  std::string open_message;               // why, in the UI language
};

// With `probe` (tests), the sync button is recorded as "sync.button" and each refused record's as "sync.open.<i>".
SyncActions draw_sync_screen(const SyncView& sync, const FontSet& fonts, I18n& i18n, ItemProbe* probe = nullptr);

// The status bar's part: "● オンライン · 未送信 3 件 · 最終同期 …" (or the running sync's counts).
void draw_sync_status(const SyncView& sync, I18n& i18n, float scale);

// The field a collector's error path names ("/record/status"), as the editor labels it; "the whole record" when
// the catalogue has no label for it (never the path itself).
std::string field_label(const std::string& path, I18n& i18n);
// Why the collector refused a record, in the catalogue's words (the validation's own for an invalid record).
std::string rejection_reason(const Error& error, I18n& i18n);

}  // namespace tsunagi
