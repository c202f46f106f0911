// The desktop client without its window: the screens, their models and the layout around them (navigation
// column, current screen, status bar), drawn into whatever ImGui context is current. run_window() gives it a
// GLFW window and an OpenGL renderer; tests and bench/ui drive it with no renderer at all.
//
// Each frame: poll() takes what the background workers finished, draw() draws the layout and applies what the
// user asked for (intents from the screens) to the models. Nothing here waits on the network, and nothing reads
// more than one record from SQLite on the UI thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/editor_model.hpp"
#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/keyring_model.hpp"
#include "app/list_model.hpp"
#include "app/lock_model.hpp"
#include "app/report_model.hpp"
#include "app/review_model.hpp"
#include "app/screens/editor.hpp"
#include "app/screens/lock.hpp"
#include "app/screens/record_list.hpp"
#include "app/screens/reports.hpp"
#include "app/screens/review.hpp"
#include "app/screens/settings.hpp"
#include "app/store_writer.hpp"
#include "app/sync_controller.hpp"
#include "model/error.hpp"
#include "model/store.hpp"

namespace tsunagi {

enum class Screen { List, Queue, Review, Editor, Reports, Sync, Settings };
// "list" | "queue" | "review" | "editor" | "reports" | "sync" | "settings" (the --screen option; "review" opens the
// record waiting longest in the queue; "reports-progress", "reports-committee" and "reports-themes" the reports on
// that tab).
std::optional<Screen> parse_screen(const std::string& name);
// The report tab a --screen value names ("reports-committee"), or nullopt.
std::optional<ReportTab> parse_report_tab(const std::string& name);

struct AppConfig {
  std::filesystem::path data_dir;
  Screen screen = Screen::List;
  std::string language;          // empty: the store's "language" setting, else "ja"
  std::string author;            // who writes (tsunagi --author); empty: the store's setting, else the login name
  std::function<void()> wake;    // called from worker threads when a result is ready (thread-safe, quick)
  bool resume_editor = true;     // typing autosaved before a crash reopens the editor (not for a list screenshot)
  bool focus_search = false;     // the list's search box has the keyboard from the first frame
  // The caret blinks while the user is at work and stays lit after this long without any input, as GNOME's does:
  // a window left with a field focused then sleeps until the next key.
  double caret_blink_seconds = 10.0;
  SyncControllerOptions sync;
  int report_year = 0;                  // the reports' fiscal year at start; 0: the current one
  std::optional<ReportTab> report_tab;  // the reports' tab at start
  // The window locks after this many minutes without input; 0: never; -1: the store's "lock.idle_minutes"
  // setting, else kDefaultLockMinutes.
  int lock_after_minutes = -1;
  bool start_locked = false;  // lock at once after opening (the locked window's screenshot)
  // A data folder without a key file opens on the lock screen, asking for a new passphrase. false: it opens plain
  // (bench/ui, to measure what encryption costs; the window and the CLI never do).
  bool require_encryption = true;
};
inline constexpr int kDefaultLockMinutes = 10;

class App {
 public:
  // Opens the store and the catalogue, and starts the list and sync workers. A data folder this process has not
  // unlocked (no passphrase given on the command line) opens locked: the lock screen asks for its passphrase (or,
  // the first time, for a new one) and the rest starts once it is given.
  static Result<std::unique_ptr<App>> open(AppConfig config);
  // Keeps typing not yet autosaved for the next start, and joins the workers.
  ~App();

  I18n& i18n() { return i18n_; }
  // The user's text size (a factor of the standard size); the window multiplies it by the screen's scale.
  float font_scale() const { return font_scale_; }
  // The text the atlas must cover from the start: the catalogue, the reference data and the data folder's path.
  std::string known_text() const;

  // Takes what the workers finished. Returns true when text arrived with characters `body` lacks (so the window
  // should rebuild its atlas from `coverage`).
  bool poll(GlyphCoverage& coverage, const ImFont* body);
  // Draws one frame of the whole window (between ImGui::NewFrame and ImGui::Render) and applies its intents.
  void draw(const FontSet& fonts, float scale);
  // True once after the language or the text size changed: the window rebuilds its fonts and style.
  bool take_font_change();
  // True when the current screen shows loaded data (the screenshot waits for it).
  bool settled() const;
  // How long the window may sleep from now, waiting for input, before it must draw again even without any: the
  // caret's next blink while a text field has the keyboard, the autosave's delay, a sync's progress. nullopt: no
  // need at all (workers wake the window when they finish).
  std::optional<double> idle_timeout() const;

  Screen screen() const { return screen_; }
  // The store and the screens' models are open (the data folder was unlocked).
  bool ready() const { return store_ != nullptr; }
  // The lock screen is shown instead of everything else.
  bool locked() const { return !store_ || (lock_ && lock_->locked()); }
  // Locks the window (Ctrl+L): what is typed in the editor stays, but nothing is shown until the passphrase.
  void lock();

  const RecordListModel& list() const { return *list_; }
  const RecordListModel& queue() const { return *queue_; }
  const ReviewModel& review() const { return *review_; }
  const SyncController& sync() const { return *sync_; }
  const EditorModel& editor() const { return *editor_; }
  const StoreWriter& writer() const { return *writer_; }
  const RecordListView& list_view() const { return list_view_; }
  const ReportModel& reports() const { return *reports_; }
  // Tests: the screens record where they drew named fields and buttons (see EditorView::probe).
  void set_probe(ItemProbe* probe) {
    probe_ = probe;
    editor_view_.probe = probe;
    review_view_.probe = probe;
    reports_view_.probe = probe;
  }

 private:
  explicit App(AppConfig config);
  // The rest of open() once the data folder is unlocked: the store, the settings, the models and their workers.
  Status start();
  // The lock screen, and a submitted passphrase to the lock's worker.
  void draw_lock(const FontSet& fonts);
  void handle_shortcuts();
  void set_setting(const char* key, const std::string& value);
  void open_record(const std::string& id);
  // A record chosen in a list or behind a report's figure: for review (a supervisor and someone else's submitted
  // or approved record), else in the editor.
  void open_from_list(const std::string& id);
  // A supervisor's evaluation or actual, stored as a new version of its entry on the writer's thread, then sent.
  void save_report_entry(const ReportEntryDraft& draft);
  // Every report shown, as one XLSX workbook in the user's Documents folder and a CSV per report beside it (written
  // off the UI thread); the status bar says where.
  void export_reports();
  // A supervisor reviews a submitted or approved record of someone else's; everything else opens in the editor.
  void open_for_review(const std::string& id);
  // Who is looking, as the enrollment says (a device never enrolled: its author, as staff).
  Reviewer reviewer() const;
  // The queue's query: submitted records, other people's drafts never, the one waiting longest first.
  RecordQuery queue_query() const;
  // Counts the author's returned records on the writer's thread (the status bar's 差し戻し N 件).
  void count_returned();
  void draw_review_screen(const FontSet& fonts);
  void records_changed();
  // What the writer stored: the list reloads, and a submitted (or withdrawn) record is sent at once.
  void take_stored();
  // Follows the sync that sends the record submitted last, and words its outcome for the editor.
  void follow_sending();

  AppConfig config_;
  std::unique_ptr<Store> store_;     // the UI thread's connection: settings and single records; null until unlocked
  std::unique_ptr<KeyringModel> keyring_;  // 設定's "open with this login"
  std::unique_ptr<LockModel> lock_;  // the passphrase check (null: the folder was unlocked before the window)
  LockView lock_view_;
  int lock_after_minutes_ = kDefaultLockMinutes;
  double last_input_seconds_ = 0;  // ImGui's clock at the last input: the idle lock counts from it
  I18n i18n_;
  float font_scale_ = 1.0f;
  bool font_change_ = false;
  Screen screen_ = Screen::List;

  RecordListView list_view_;
  RecordListView queue_view_;
  ReviewView review_view_;
  std::int64_t returned_count_ = 0;
  SettingsView settings_view_;
  ReportsView reports_view_;
  Screen review_return_ = Screen::Queue;  // where the review screen's back button leads
  Screen editor_return_ = Screen::List;   // where closing the editor leads
  EditorView editor_view_;
  bool new_record_asked_ = false;  // 新規記録 or Ctrl+N: a fresh record unless one is being written
  std::string note_;    // an error for the status bar (a failed setting write)
  std::string notice_;  // news for the status bar that is not an error (where an export went)
  ItemProbe* probe_ = nullptr;

  std::unique_ptr<RecordListModel> list_;
  std::unique_ptr<RecordListModel> queue_;
  std::unique_ptr<SyncController> sync_;
  bool was_busy_ = false;  // a sync or an enrollment was under way at the last poll
  std::chrono::steady_clock::time_point last_input_ = std::chrono::steady_clock::now();
  std::shared_ptr<const ReferenceData> seen_reference_;  // the reference data whose text the atlas covers
  std::shared_ptr<const ReferenceData> editor_reference_;  // the reference data the editor was last given
  // The record submitted last and the sync that sends it (ticket 0: none asked), until its outcome is known.
  struct Sending {
    std::string record_id;
    std::uint64_t ticket = 0;
    std::string notice;  // catalogue key "editor.send.*"
  };
  Sending sending_;
  // Every store write of the UI (the editor's saves and autosave, settings) goes through the writer's thread and
  // connection: no frame waits for SQLite's write lock. Declared before the editor, which posts to it.
  std::unique_ptr<StoreWriter> writer_;
  std::unique_ptr<EditorModel> editor_;
  std::unique_ptr<ReviewModel> review_;
  std::unique_ptr<ReportModel> reports_;  // computed when the reports are first shown, again after changes
  bool reports_stale_ = true;             // records changed since the reports were computed  // the thread and history of the record under review or in the editor
  std::uint64_t seen_editor_revision_ = 0;
};

}  // namespace tsunagi
