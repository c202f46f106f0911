// [SECTION] Screens
// [SECTION] Opening
// [SECTION] Polling the workers
// [SECTION] Layout: navigation column, status bar
// [SECTION] Intents and shortcuts
#include "app/app.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // the caret of the active text field (idle_timeout)

#include <GLFW/glfw3.h>  // key codes only: io.KeysDown is indexed by GLFW's keys (the backend's choice)

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <iterator>

#include "app/report_xlsx.hpp"
#include "app/screens/sync_screen.hpp"
#include "app/screens/widgets.hpp"
#include "model/calendar.hpp"
#include "model/encryption.hpp"
#include "model/files.hpp"
#include "model/platform.hpp"
#include "model/record_json.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

// [SECTION] Screens ---------------------------------------------------------------------------------------------

struct ScreenInfo {
  Screen screen;
  const char* key;     // catalogue keys "nav.<key>"
  const char* option;  // the --screen value
};

constexpr std::array<ScreenInfo, 6> kScreens{{
    {Screen::List, "list", "list"},
    {Screen::Queue, "queue", "queue"},  // supervisors only
    {Screen::Editor, "new", "editor"},
    {Screen::Reports, "reports", "reports"},
    {Screen::Sync, "sync", "sync"},
    {Screen::Settings, "settings", "settings"},
}};

const ImVec4 kNavBackground{0.925f, 0.937f, 0.941f, 1.0f};
const ImVec4 kStatusBackground{0.898f, 0.914f, 0.918f, 1.0f};
constexpr float kNavWidth = 200.0f;  // unscaled

int current_fiscal_year() {
  const std::tm local = platform::local_time(std::time(nullptr)).value_or(std::tm{});
  return fiscal_year(Date{local.tm_year + 1900, local.tm_mon + 1, local.tm_mday});
}

float parse_font_scale(const std::string& text) {
  char* end = nullptr;
  const float value = std::strtof(text.c_str(), &end);
  for (float offered : kFontScales)
    if (end != text.c_str() && std::fabs(value - offered) < 0.01f) return offered;
  return 1.0f;
}

}  // namespace

std::optional<Screen> parse_screen(const std::string& name) {
  for (const ScreenInfo& info : kScreens)
    if (name == info.option) return info.screen;
  if (name == "review") return Screen::Review;
  if (parse_report_tab(name)) return Screen::Reports;
  return std::nullopt;
}

std::optional<ReportTab> parse_report_tab(const std::string& name) {
  if (name == "reports-indicators") return ReportTab::Indicators;
  if (name == "reports-committee") return ReportTab::Committee;
  if (name == "reports-progress") return ReportTab::Progress;
  if (name == "reports-themes") return ReportTab::Themes;
  return std::nullopt;
}

// [SECTION] Opening ---------------------------------------------------------------------------------------------

App::App(AppConfig config) : config_(std::move(config)), screen_(config_.screen) {}

App::~App() {
  if (editor_) editor_->field_left();
}

Result<std::unique_ptr<App>> App::open(AppConfig config) {
  std::unique_ptr<App> app(new App(std::move(config)));
  if (!encryption::key_for(app->config_.data_dir) &&
      (app->config_.require_encryption || encryption::has_key_file(app->config_.data_dir))) {
    // Locked: the catalogue of the language asked (the store's setting is behind the lock), the lock screen.
    if (auto loaded = app->i18n_.load(app->config_.language.empty() ? "ja" : app->config_.language); !loaded)
      return loaded.error();
    app->lock_ = std::make_unique<LockModel>(app->config_.data_dir, app->config_.wake);
    app->lock_->open_with_keyring();
    return app;
  }
  if (auto started = app->start(); !started) return started.error();
  if (app->config_.start_locked) app->lock();
  return app;
}

Status App::start() {
  StoreOptions author;
  author.author = config_.author;
  auto store = Store::open(config_.data_dir, author);
  if (!store) return store.error().with_context("open " + platform::path_to_utf8(config_.data_dir));
  store_ = std::move(*store);

  std::string language = config_.language;
  if (language.empty()) {
    auto setting = store_->setting("language");
    language = setting && !setting->empty() ? *setting : "ja";
  }
  if (auto loaded = i18n_.load(language); !loaded) return loaded.error();
  if (auto scale = store_->setting("ui.font_scale"); scale && !scale->empty()) font_scale_ = parse_font_scale(*scale);
  font_change_ = lock_ != nullptr;  // opened behind the lock screen: the language and size may differ from its own
  lock_after_minutes_ = config_.lock_after_minutes;
  if (lock_after_minutes_ < 0) {
    auto setting = store_->setting("lock.idle_minutes");
    auto minutes = setting && !setting->empty() ? parse_integer(*setting) : std::nullopt;
    lock_after_minutes_ = minutes && *minutes >= 0 ? static_cast<int>(*minutes) : kDefaultLockMinutes;
  }
  list_view_.today_fiscal_year = current_fiscal_year();
  for (int year = list_view_.today_fiscal_year; year > list_view_.today_fiscal_year - 6; --year)
    reports_view_.years.push_back(year);
  if (config_.report_year != 0 && std::find(reports_view_.years.begin(), reports_view_.years.end(),
                                            config_.report_year) == reports_view_.years.end())
    reports_view_.years.push_back(config_.report_year);
  std::sort(reports_view_.years.rbegin(), reports_view_.years.rend());
  reports_view_.select_tab = config_.report_tab;
  list_view_.focus_search = config_.focus_search;
  list_ = std::make_unique<RecordListModel>(config_.data_dir, config_.wake);
  RecordQuery everything;
  everything.viewer = store_->author();  // other people's drafts are theirs until submitted
  list_->request(everything);
  queue_view_.queue = true;
  queue_ = std::make_unique<RecordListModel>(config_.data_dir, config_.wake);
  queue_->request(queue_query());
  sync_ = std::make_unique<SyncController>(config_.data_dir, config_.wake, config_.sync);
  writer_ = std::make_unique<StoreWriter>(config_.data_dir, author, config_.wake);
  editor_ = std::make_unique<EditorModel>(*store_, *writer_);
  review_ = std::make_unique<ReviewModel>(config_.data_dir, *store_, *writer_, config_.wake);
  editor_view_.review = review_.get();
  reports_ = std::make_unique<ReportModel>(config_.data_dir, config_.wake);
  keyring_ = std::make_unique<KeyringModel>(config_.data_dir, config_.wake);
  keyring_->refresh();
  ReportScope scope;
  scope.fiscal_year = config_.report_year != 0 ? config_.report_year : list_view_.today_fiscal_year;
  reports_->set_scope(scope);
  count_returned();
  const bool want_editor = screen_ == Screen::Editor;
  if (config_.resume_editor || want_editor) {
    if (open_editor_at_start(*editor_, want_editor)) screen_ = Screen::Editor;
  }
  return ok_status();
}

std::string App::known_text() const {
  std::string text = i18n_.all_text() + platform::path_to_utf8(config_.data_dir);
  if (store_)
    if (auto reference = store_->reference()) text += reference->all_text();
  return text;
}

// [SECTION] The lock ---------------------------------------------------------------------------------------------

void App::lock() {
  if (!store_) return;
  if (!lock_) lock_ = std::make_unique<LockModel>(config_.data_dir, config_.wake);
  lock_->lock();
  lock_view_ = LockView{};
}

void App::draw_lock(const FontSet& fonts) {
  if (draw_lock_screen(*lock_, lock_view_, platform::path_to_utf8(config_.data_dir), fonts, i18n_, probe_).submit) {
    lock_->submit(lock_view_.passphrase, lock_view_.confirmation);
    // The typed text goes: a wrong passphrase is typed again from the start, as everywhere else.
    std::fill(lock_view_.passphrase.begin(), lock_view_.passphrase.end(), '\0');
    std::fill(lock_view_.confirmation.begin(), lock_view_.confirmation.end(), '\0');
    lock_view_ = LockView{};
  }
}

// [SECTION] Polling the workers ---------------------------------------------------------------------------------

bool App::poll(GlyphCoverage& coverage, const ImFont* body) {
  if (lock_ && lock_->poll()) {
    last_input_ = std::chrono::steady_clock::now();
    last_input_seconds_ = ImGui::GetTime();
    if (!store_) {  // unlocked for the first time: everything else starts now
      if (auto started = start(); !started) {
        store_.reset();
        lock_->lock();
        note_ = error_text(started.error(), i18n_);
      } else {
        coverage.add_text(known_text(), body);
        return true;  // the store's text (its language, the reference data) for the atlas
      }
    }
  }
  if (!store_) return false;
  bool missing = false;
  if (writer_->poll()) take_stored();
  keyring_->poll();
  if (list_->poll()) {
    for (const RecordSummary* row : list_->arrived()) {
      missing |= coverage.add_text(row->title, body);
      missing |= coverage.add_text(row->area, body);
      missing |= coverage.add_text(row->author, body);
      missing |= coverage.add_text(row->date, body);
    }
    const RecordListState& state = list_->state();
    if (state.error) missing |= coverage.add_text(state.error->message_ja + state.error->message, body);
    if (state.reference && state.reference != seen_reference_) {  // new choices for the filters (after a sync)
      seen_reference_ = state.reference;
      missing |= coverage.add_text(state.reference->all_text(), body);
    }
    // The editor offers what the office changed (new areas, themes, organisations) without a restart. The first
    // read is the one the editor already has.
    if (state.reference && state.reference != editor_reference_) {
      if (editor_reference_) editor_->set_reference(*state.reference);
      editor_reference_ = state.reference;
    }
  }
  if (queue_->poll())
    for (const RecordSummary* row : queue_->arrived()) {
      missing |= coverage.add_text(row->title, body);
      missing |= coverage.add_text(row->area, body);
      missing |= coverage.add_text(row->author, body);
    }
  const std::uint64_t review_revision = review_->revision();
  review_->poll();
  if (review_->revision() != review_revision) {
    std::string text;
    for (const Comment& comment : review_->comments()) text += comment.text + comment.author + comment.device_name;
    for (const HistoryEntry& entry : review_->history().entries) {
      text += entry.who + entry.device_name + entry.comment;
      for (const FieldChange& change : entry.changes) text += change.from.dump() + change.to.dump();
    }
    if (review_->record()) text += searchable_text(*review_->record());
    if (review_->history().error) text += review_->history().error->message_ja;
    missing |= coverage.add_text(text, body);
  }
  if (reports_->poll() && reports_->results()) {
    const ReportResults& results = *reports_->results();
    std::string text;
    for (const Record& record : results.records) text += searchable_text(record) + '\n';
    for (const CommitteeSection& section : results.committee.committees)
      for (const CommitteeWorkItem& item : section.work_items)
        for (const CommitteeActivity& activity : item.activities) text += activity_line(activity);
    missing |= coverage.add_text(text, body);
  }
  if (reports_->error()) missing |= coverage.add_text(reports_->error()->message_ja + reports_->error()->message, body);
  if (sync_->poll()) {
    const SyncView& view = sync_->view();
    const DeviceState& device = view.device;
    missing |= coverage.add_text(device.user_name + device.server + device.device_id, body);
    for (const std::optional<Error>* error : {&view.error, &view.enroll_error, &device.store_error})
      if (*error) missing |= coverage.add_text((*error)->message_ja + (*error)->message, body);
    for (const SyncRejection& rejection : device.rejections)
      missing |= coverage.add_text(rejection.error.message_ja + rejection.error.path, body);
    // A sync (records, sync states, reference data) or an enrollment (records become the enrolled user's) ended:
    // show what it changed.
    const bool busy = view.running || view.enrolling;
    if (was_busy_ && !busy) {
      list_->reload();
      list_->reload_reference();
      queue_->reload();
      review_->reload(true);
      reports_stale_ = true;
      count_returned();
      follow_sending();
    }
    was_busy_ = busy;
  }
  if (editor_->revision() != seen_editor_revision_) {  // typed or opened text may bring characters the atlas lacks
    seen_editor_revision_ = editor_->revision();
    std::string typed = searchable_text(editor_->record());
    for (const auto* values : {&editor_->record().areas, &editor_->record().committees, &editor_->record().organizations})
      for (const auto& value : *values) typed += '\n' + value;  // a value that matched no entry shows as typed
    missing |= coverage.add_text(typed, body);
  }
  return missing;
}

bool App::take_font_change() {
  const bool changed = font_change_;
  font_change_ = false;
  return changed;
}

std::optional<double> App::idle_timeout() const {
  std::optional<double> wait;
  auto sooner = [&wait](double seconds) {
    if (!wait || seconds < *wait) wait = std::max(0.0, seconds);
  };
  if (store_ && !locked() && lock_after_minutes_ > 0)  // the idle lock
    sooner(lock_after_minutes_ * 60.0 - (ImGui::GetTime() - last_input_seconds_));
  // The caret of the text field with the keyboard blinks: ImGui shows it while CursorAnim <= 0 (just typed) or
  // its phase in a 1.2 s period is at most 0.8 s. Draw again when it appears or disappears, and not before.
  // After config_.caret_blink_seconds without input it stays lit: one frame to light it, then nothing.
  const ImGuiContext& context = *ImGui::GetCurrentContext();
  if (context.ActiveId != 0 && context.InputTextState.ID == context.ActiveId && context.IO.ConfigInputTextCursorBlink) {
    const float anim = context.InputTextState.CursorAnim;
    const float phase = std::fmod(anim, 1.2f);
    sooner(anim <= 0.0f ? 0.8 - anim : phase <= 0.8f ? 0.8 - phase : 1.2 - phase);
    sooner(config_.caret_blink_seconds -
           std::chrono::duration<double>(std::chrono::steady_clock::now() - last_input_).count());
  }
  if (!store_) return wait;
  if (auto due = editor_->autosave_due())
    sooner(std::chrono::duration<double>(*due - std::chrono::steady_clock::now()).count());
  if (sync_->view().running) sooner(0.1);  // the progress bar sweeps while receiving
  return wait;
}

bool App::settled() const {
  if (locked()) return !lock_->checking() && !lock_->trying_keyring();  // the lock screen is all there is to show
  switch (screen_) {
    case Screen::List:
      return list_->state().loaded && !list_->state().loading;
    case Screen::Queue:
      return queue_->state().loaded && !queue_->state().loading && sync_->view().loaded;
    case Screen::Review:
      return review_->record().has_value() && !review_->history().loading && sync_->view().loaded;
    case Screen::Sync:  // an enrolled device has asked the collector once (and sent what waited)
      return sync_->view().loaded && !sync_->view().running &&
             (!sync_->view().device.enrolled || sync_->view().connection != Connection::Unknown);
    case Screen::Settings:
      return sync_->view().loaded && keyring_->state().known && !keyring_->state().busy;
    case Screen::Reports:
      return reports_->results().has_value() && !reports_->loading() && !reports_stale_;
    case Screen::Editor:  // a stored record with its thread and history
      return !editor_->is_open() || editor_->is_new() ||
             (review_->id() == editor_->record().id && !review_->history().loading);
  }
  return true;
}

// [SECTION] Layout: navigation column, status bar ---------------------------------------------------------------

namespace {

// `editing_new`: the editor holds a record not stored yet (新規記録 is then the current item; editing a stored
// record belongs to no item).
// `review_parent`: the item a record under review belongs to (the queue, or the reports it was opened from).
void draw_navigation(Screen& screen, bool& new_record, bool editing_new, std::optional<std::int64_t> queue_count,
                     Screen review_parent, const FontSet& fonts, I18n& i18n, float scale, ItemProbe* probe) {
  ImGui::PushFont(fonts.heading);
  ImGui::PushStyleColor(ImGuiCol_Text, kAccent);
  ImGui::TextUnformatted(i18n.tr("app.name"));
  ImGui::PopStyleColor();
  ImGui::PopFont();
  ImGui::TextDisabled("%s", i18n.tr("app.tagline"));
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::Spacing();
  const float item_height = ImGui::GetFrameHeight() + 8.0f * scale;
  for (const ScreenInfo& info : kScreens) {
    if (info.screen == Screen::Queue && !queue_count) continue;  // staff have no queue
    ImGui::PushID(info.key);
    const bool current = (screen == info.screen && (screen != Screen::Editor || editing_new)) ||
                         (info.screen == review_parent && screen == Screen::Review);
    const std::string label = info.screen == Screen::Queue
                                  ? i18n.format("nav.queue", {{"count", std::to_string(queue_count.value_or(0))}})
                                  : std::string(i18n.tr("nav." + std::string(info.key)));
    if (ImGui::Selectable(label.c_str(), current, 0, ImVec2(0, item_height))) {
      screen = info.screen;
      new_record |= info.screen == Screen::Editor;
    }
    probe_item(probe, "nav." + std::string(info.key));
    ImGui::PopID();
  }
  // The shortcuts, quietly at the bottom of the column.
  const float hint_lines = 3.0f;
  const float bottom = ImGui::GetWindowHeight() - ImGui::GetStyle().WindowPadding.y -
                       hint_lines * ImGui::GetTextLineHeightWithSpacing();
  if (ImGui::GetCursorPosY() < bottom) ImGui::SetCursorPosY(bottom);
  ImGui::PushStyleColor(ImGuiCol_Text, kMutedText);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(i18n.tr("nav.shortcuts"));
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

}  // namespace

void App::draw(const FontSet& fonts, float scale) {
  // Any input this frame (typed, pointed, pressed) keeps the caret blinking for a while.
  ImGuiIO& io = ImGui::GetIO();
  bool input = io.InputQueueCharacters.Size > 0 || io.MouseWheel != 0.0f || io.MouseWheelH != 0.0f ||
               io.MouseDelta.x != 0.0f || io.MouseDelta.y != 0.0f;
  for (bool down : io.MouseDown) input = input || down;
  for (bool down : io.KeysDown) input = input || down;
  const auto now = std::chrono::steady_clock::now();
  if (input) {
    last_input_ = now;
    last_input_seconds_ = ImGui::GetTime();
  }
  io.ConfigInputTextCursorBlink = now - last_input_ < std::chrono::duration<double>(config_.caret_blink_seconds);

  // Left alone (and asleep: idle_timeout wakes the window for it), or Ctrl+L: the lock screen hides every record.
  if (store_ && !locked() && lock_after_minutes_ > 0 &&
      ImGui::GetTime() - last_input_seconds_ >= lock_after_minutes_ * 60.0)
    lock();
  if (store_ && !locked() && io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_L, false)) lock();
  if (locked()) {
    draw_lock(fonts);
    return;
  }
  handle_shortcuts();
  if (new_record_asked_) {
    new_record_asked_ = false;
    if (!editor_->is_open() || (!editor_->is_new() && !editor_->dirty())) {
      if (auto started = editor_->start_new(editor_->last_kind(), EditorModel::today()); !started)
        note_ = error_text(started.error(), i18n_);
    }
    screen_ = Screen::Editor;
  }
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  const ImGuiWindowFlags host_flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::Begin("##tsunagi", nullptr, host_flags);
  ImGui::PopStyleVar();

  const float status_height = ImGui::GetFrameHeight() + 10.0f * scale;
  const float body_height = std::max(1.0f, ImGui::GetContentRegionAvail().y - status_height);

  ImGui::PushStyleColor(ImGuiCol_ChildBg, kNavBackground);
  ImGui::BeginChild("navigation", ImVec2(kNavWidth * scale * font_scale_, body_height), false,
                    ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
  std::optional<std::int64_t> queue_count;  // staff have no queue
  if (reviewer().reviews()) queue_count.emplace(queue_->state().total);
  draw_navigation(screen_, new_record_asked_, editor_->is_open() && editor_->is_new(), queue_count, review_return_,
                  fonts, i18n_, scale, probe_);
  ImGui::EndChild();
  ImGui::PopStyleColor();

  ImGui::SameLine(0, 0);
  // The list scrolls inside its table; the other screens scroll as a whole.
  ImGui::BeginChild("screen", ImVec2(0, body_height), false,
                    ImGuiWindowFlags_AlwaysUseWindowPadding |
                        (screen_ == Screen::List ? ImGuiWindowFlags_NoScrollbar : 0));
  switch (screen_) {
    case Screen::List: {
      RecordListActions actions = draw_record_list(*list_, list_view_, fonts, i18n_);
      if (actions.query) list_->request(*actions.query);
      list_->want_rows(actions.first_row, actions.last_row);
      if (actions.open_id) open_from_list(*actions.open_id);
      break;
    }
    case Screen::Queue: {
      RecordListActions actions = draw_record_list(*queue_, queue_view_, fonts, i18n_);
      if (actions.query) queue_->request(*actions.query);
      queue_->want_rows(actions.first_row, actions.last_row);
      if (actions.open_id) open_for_review(*actions.open_id);
      if (!actions.approve_ids.empty())
        review_->decide(actions.approve_ids, ReviewDecision::Approve, "", reviewer().role, [this] {
          queue_view_.checked.clear();
          records_changed();
          sync_->sync_now();
        });
      if (review_->error() && !review_->writing()) note_ = error_text(*review_->error(), i18n_);
      break;
    }
    case Screen::Review:
      draw_review_screen(fonts);
      break;
    case Screen::Editor: {
      if (!editor_->is_open()) {
        new_record_asked_ = true;  // reached with nothing open (--screen editor on an empty folder): a new record
        break;
      }
      editor_view_.send_notice = sending_.record_id == editor_->record().id ? sending_.notice : std::string();
      if (!editor_->is_new() && review_->id() != editor_->record().id) review_->open(editor_->record().id);
      const EditorActions actions = draw_editor(*editor_, editor_view_, fonts, i18n_);
      if (actions.closed) screen_ = editor_return_;
      if (actions.reply)
        review_->add_comment(editor_view_.reply, reviewer().role, [this] {
          editor_view_.reply.clear();
          sync_->sync_now();
        });
      break;
    }
    case Screen::Reports: {
      if (reports_stale_) {  // first shown, or the records changed since
        reports_stale_ = false;
        reports_->request(reports_->scope());
      }
      reports_view_.can_edit = reviewer().reviews();
      const ReportsActions actions = draw_reports(*reports_, reports_view_, fonts, i18n_);
      if (actions.scope) reports_->request(*actions.scope);
      if (actions.open_id) open_from_list(*actions.open_id);
      if (actions.save) save_report_entry(*actions.save);
      if (actions.export_workbook) export_reports();
      break;
    }
    case Screen::Sync: {
      SyncActions actions = draw_sync_screen(sync_->view(), fonts, i18n_, probe_);
      if (actions.sync_now) sync_->sync_now();
      if (actions.open_id) {
        open_record(*actions.open_id);
        // "/record/title" in the collector's words is "/title" in the editor's.
        std::string path = actions.open_field;
        if (path.rfind("/record/", 0) == 0) path.erase(0, 7);
        editor_view_.refusal = EditorView::Refusal{*actions.open_id, path, actions.open_message};
        editor_view_.scroll_to_refusal = true;
      }
      if (actions.open_settings) {
        screen_ = Screen::Settings;
        settings_view_.focus_line = true;
      }
      break;
    }
    case Screen::Settings: {
      SettingsActions actions =
          draw_settings(sync_->view(), settings_view_, font_scale_, lock_after_minutes_, keyring_->state(),
                        platform::path_to_utf8(config_.data_dir), fonts, i18n_, probe_);
      if (actions.lock_minutes) {
        lock_after_minutes_ = *actions.lock_minutes;
        set_setting("lock.idle_minutes", std::to_string(lock_after_minutes_));
      }
      if (actions.lock_now) lock();
      if (actions.keyring) keyring_->set(*actions.keyring);
      if (actions.enroll_line) sync_->enroll(*actions.enroll_line);
      if (actions.language) {
        if (auto loaded = i18n_.load(*actions.language); loaded) {
          set_setting("language", *actions.language);
          font_change_ = true;  // the heading font covers the catalogue's characters
        }
      }
      if (actions.font_scale) {
        font_scale_ = *actions.font_scale;
        set_setting("ui.font_scale", std::to_string(font_scale_));
        font_change_ = true;
      }
      break;
    }
  }
  ImGui::EndChild();

  ImGui::PushStyleColor(ImGuiCol_ChildBg, kStatusBackground);
  ImGui::BeginChild("status", ImVec2(0, 0), false, ImGuiWindowFlags_NoScrollbar);
  ImGui::SetCursorPos(ImVec2(ImGui::GetStyle().WindowPadding.x,
                             (ImGui::GetWindowHeight() - ImGui::GetTextLineHeight()) * 0.5f));
  draw_sync_status(sync_->view(), i18n_, scale);
  ImGui::SameLine(0, 28.0f * scale);
  if (returned_count_ > 0) {
    ImGui::PushStyleColor(ImGuiCol_Text, kWarningText);
    text_unformatted(i18n_.format("statusbar.returned", {{"count", std::to_string(returned_count_)}}));
    ImGui::PopStyleColor();
    ImGui::SameLine(0, 28.0f * scale);
  }
  const RecordListState& list = list_->state();
  if (list.loaded)
    ImGui::TextDisabled("%s", i18n_.format(list.query.narrows() ? "statusbar.records_found" : "statusbar.records",
                                           {{"count", std::to_string(list.total)}})
                                  .c_str());
  if (!note_.empty() || !notice_.empty()) {
    ImGui::SameLine(0, 28.0f * scale);
    ImGui::PushStyleColor(ImGuiCol_Text, note_.empty() ? kGoodText : kErrorText);
    text_unformatted(note_.empty() ? notice_ : note_);
    ImGui::PopStyleColor();
  }
  ImGui::EndChild();
  ImGui::PopStyleColor();

  ImGui::End();
  // Typing that no text field took (none had the keyboard) goes nowhere, as ImGui's own queue would.
  if (!ImGui::IsAnyItemActive()) glyph_aliases().take_typed();
}

// [SECTION] Intents and shortcuts -------------------------------------------------------------------------------

void App::set_setting(const char* key, const std::string& value) {
  writer_->post([this, key = std::string(key), value](Store* store, const Error* open_error) -> StoreWriter::Completion {
    Status saved = store ? store->set_setting(key, value) : Status(*open_error);
    if (saved) return {};
    return [this, error = saved.error()] { note_ = error_text(error, i18n_); };
  });
}

void App::open_record(const std::string& id) {
  if (auto opened = editor_->open(id); opened) {
    editor_return_ = screen_ == Screen::Reports ? Screen::Reports : Screen::List;
    screen_ = Screen::Editor;
  } else {
    note_ = error_text(opened.error(), i18n_);
  }
}

void App::open_from_list(const std::string& id) {
  const Reviewer me = reviewer();
  auto record = me.reviews() ? store_->get(id) : Result<std::optional<Record>>(std::nullopt);
  // A supervisor reads someone else's submitted or approved record to decide on it, not to edit it.
  if (record && *record && (*record)->author != me.name &&
      ((*record)->status == ReviewStatus::Submitted || (*record)->status == ReviewStatus::Approved))
    open_for_review(id);
  else
    open_record(id);
}

void App::save_report_entry(const ReportEntryDraft& draft) {
  const std::string role = reviewer().role;
  writer_->post([this, draft, role](Store* store, const Error* open_error) -> StoreWriter::Completion {
    auto saved = store ? store->add_report_entry(draft.council, draft.fiscal_year, draft.kind, draft.key, draft.fields, role)
                       : Result<ReportEntry>(*open_error);
    if (!saved) return [this, error = saved.error()] { note_ = error_text(error, i18n_); };
    return [this] {
      reports_view_.editing.reset();
      reports_view_.actual_text.clear();
      note_.clear();
      reports_stale_ = true;
      sync_->sync_now();  // the office should have it now
    };
  });
}

void App::export_reports() {
  if (!reports_->results()) return;
  const ReportResults& results = *reports_->results();
  const bool english = i18n_.language() != "ja";
  std::vector<XlsxSheet> sheets;
  for (const std::string& name : kReportNames) sheets.push_back(report_sheet(results, name, english));
  const std::string council =
      results.scope.council.empty() ? "" : results.reference.name_of(ReferenceKind::Council, results.scope.council, english);
  const std::filesystem::path path = report_workbook_path(results.scope.fiscal_year, council, english, config_.data_dir);
  writer_->post([this, sheets = std::move(sheets), path](Store*, const Error*) -> StoreWriter::Completion {
    Status written = write_report_xlsx(path, sheets);
    // And each report as CSV (UTF-8 with BOM) beside it: 報告書_令和6年度_活動指標.csv.
    for (std::size_t i = 0; written && i < sheets.size(); ++i)
      written = write_file_atomic(path.parent_path() / platform::path_from_utf8(platform::path_to_utf8(path.stem()) +
                                                                                "_" + sheets[i].name + ".csv"),
                                  sheet_csv(sheets[i].sheet), 0600);
    return [this, written, path] {
      if (written) {
        note_.clear();
        notice_ = i18n_.format("report.exported", {{"path", platform::path_to_utf8(path)}});
      } else {
        note_ = error_text(written.error(), i18n_);
      }
    };
  });
}

void App::records_changed() {
  reports_stale_ = true;
  list_->reload();
  queue_->reload();
  review_->reload(false);
  count_returned();
  sync_->refresh();
}

void App::open_for_review(const std::string& id) {
  review_view_.comment.clear();
  // Back to where it was opened from: the reports, else the queue.
  if (screen_ != Screen::Review) review_return_ = screen_ == Screen::Reports ? Screen::Reports : Screen::Queue;
  review_view_.back_key = review_return_ == Screen::Reports ? "review.back_reports" : "review.back";
  review_->open(id);
  screen_ = Screen::Review;
}

Reviewer App::reviewer() const {
  const DeviceState& device = sync_->view().device;
  if (device.enrolled) return {device.user_name, device.role};
  return {store_->author(), "staff"};
}

RecordQuery App::queue_query() const {
  RecordQuery query;
  query.status = ReviewStatus::Submitted;
  query.viewer = store_->author();
  query.not_author = store_->author();  // another supervisor approves these
  query.sort = SortColumn::Updated;
  query.descending = false;
  return query;
}

void App::count_returned() {
  writer_->post([this](Store* store, const Error*) -> StoreWriter::Completion {
    auto count = store ? store->returned_count() : Result<std::int64_t>(std::int64_t{0});
    return [this, count = count ? *count : 0] { returned_count_ = count; };
  });
}

void App::draw_review_screen(const FontSet& fonts) {
  // --screen review: the record waiting longest, once the queue has it.
  if (review_->id().empty()) {
    if (const RecordSummary* first = queue_->row(0)) review_->open(first->id);
    if (review_->id().empty()) {
      queue_->want_rows(0, 1);
      return;
    }
  }
  const ReferenceData none;
  const ReferenceData& reference = list_->state().reference ? *list_->state().reference : none;
  const Reviewer me = reviewer();
  const ReviewActions actions = draw_review(*review_, review_view_, me, reference, fonts, i18n_);
  if (actions.back) screen_ = review_return_;
  auto done = [this] {
    review_view_.comment.clear();
    records_changed();
    sync_->sync_now();
  };
  if (actions.decide) review_->decide({review_->id()}, *actions.decide, review_view_.comment, me.role, done);
  if (actions.add_comment) review_->add_comment(review_view_.comment, me.role, done);
}

void App::take_stored() {
  const std::vector<StoredRecord> stored = editor_->take_stored();
  if (stored.empty()) return;
  records_changed();
  for (const StoredRecord& record : stored) {
    if (!record.status_changed) continue;
    // Submitted (or withdrawn): the office should have it now, not at the next press of 同期.
    sending_ = Sending{record.id, 0, "editor.send.sending"};
    if (!sync_->view().device.enrolled) {
      sending_.notice = "editor.send.not_enrolled";
      continue;
    }
    sending_.ticket = sync_->sync_now();
  }
}

void App::follow_sending() {
  const SyncView& view = sync_->view();
  // Until its outcome is known: the sync it asked for, or a later one (sent when the collector could be reached).
  const bool open = sending_.notice == "editor.send.sending" || sending_.notice == "editor.send.later";
  if (sending_.record_id.empty() || !open || view.finished_ticket < sending_.ticket) return;
  const bool refused = std::any_of(view.device.rejections.begin(), view.device.rejections.end(),
                                   [this](const SyncRejection& r) { return r.record_id == sending_.record_id; });
  if (refused) {
    sending_.notice = "editor.send.refused";
    return;
  }
  switch (view.result.value_or(sync::SyncResult::Failed)) {
    case sync::SyncResult::Done:
    case sync::SyncResult::Rejected:  // another record was refused; this one went
      sending_.notice = "editor.send.sent";
      break;
    case sync::SyncResult::NotEnrolled:
      sending_.notice = "editor.send.not_enrolled";
      break;
    case sync::SyncResult::Offline:
    case sync::SyncResult::PinMismatch:
    case sync::SyncResult::Failed:
      sending_.notice = "editor.send.later";
      break;
  }
}

void App::handle_shortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.KeyCtrl) return;
  if (ImGui::IsKeyPressed(GLFW_KEY_F, false)) {
    screen_ = Screen::List;
    list_view_.focus_search = true;
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_N, false)) new_record_asked_ = true;
  // Ctrl + and Ctrl -: the next text size up or down.
  const bool larger = ImGui::IsKeyPressed(GLFW_KEY_EQUAL, false) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD, false);
  const bool smaller = ImGui::IsKeyPressed(GLFW_KEY_MINUS, false) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT, false);
  if (larger || smaller) {
    const auto* current = std::find_if(std::begin(kFontScales), std::end(kFontScales),
                                       [this](float s) { return std::fabs(s - font_scale_) < 0.01f; });
    std::ptrdiff_t index = current == std::end(kFontScales) ? 1 : current - std::begin(kFontScales);
    index = std::clamp<std::ptrdiff_t>(index + (larger ? 1 : -1), 0, std::ssize(kFontScales) - 1);
    if (kFontScales[index] != font_scale_) {
      font_scale_ = kFontScales[index];
      set_setting("ui.font_scale", std::to_string(font_scale_));
      font_change_ = true;
    }
  }
}

}  // namespace tsunagi
