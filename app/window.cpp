// The window loop and the layout around the screens.
//
// [SECTION] Screens and layout state
// [SECTION] Style
// [SECTION] Fonts
// [SECTION] Layout: navigation column, status bar
// [SECTION] Screenshot
// [SECTION] run_window: setup, loop, teardown
#include "app/window.hpp"

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <GLFW/glfw3.h>  // after the ImGui headers; also brings the system's <GL/gl.h> (glReadPixels)

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/editor_model.hpp"
#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/list_model.hpp"
#include "app/screens/editor.hpp"
#include "app/screens/placeholder.hpp"
#include "app/screens/record_list.hpp"
#include "model/store.hpp"

namespace tsunagi {

namespace {

// [SECTION] Screens and layout state ---------------------------------------------------------------------------

enum class Screen { List, NewRecord, Sync, Settings };

struct ScreenInfo {
  Screen screen;
  const char* key;     // catalogue keys "nav.<key>" and "placeholder.<key>"
  const char* option;  // the --screen value
};

constexpr std::array<ScreenInfo, 4> kScreens{{
    {Screen::List, "list", "list"},
    {Screen::NewRecord, "new", "editor"},
    {Screen::Sync, "sync", "sync"},
    {Screen::Settings, "settings", "settings"},
}};

std::optional<Screen> parse_screen(const std::string& option) {
  for (const ScreenInfo& info : kScreens)
    if (option == info.option) return info.screen;
  return std::nullopt;
}

const ScreenInfo& screen_info(Screen screen) {
  for (const ScreenInfo& info : kScreens)
    if (info.screen == screen) return info;
  return kScreens[0];
}

// Everything the layout draws from, kept across frames.
struct AppState {
  Screen screen = Screen::List;
  RecordListView list_view;
  std::string data_folder;  // shown in the status bar
  EditorModel* editor = nullptr;  // the record editor (Screen::NewRecord), owned by run_window
  EditorView editor_view;
  bool new_record_asked = false;  // the navigation's 新規記録 was clicked
};

// [SECTION] Style ---------------------------------------------------------------------------------------------

constexpr float kBaseFontPixels = 17.0f;
constexpr float kHeadingFontPixels = 23.0f;
constexpr float kNavWidth = 200.0f;  // unscaled

const ImVec4 kNavBackground{0.925f, 0.937f, 0.941f, 1.0f};
const ImVec4 kStatusBackground{0.898f, 0.914f, 0.918f, 1.0f};
const ImVec4 kAccent{0.145f, 0.420f, 0.431f, 1.0f};

// A calm light theme: warm off-white ground, dark grey text, one muted teal accent, soft rounding.
ImGuiStyle make_style(float scale) {
  ImGuiStyle style;
  ImGui::StyleColorsLight(&style);
  style.WindowPadding = {16, 14};
  style.FramePadding = {10, 6};
  style.ItemSpacing = {10, 8};
  style.ItemInnerSpacing = {8, 6};
  style.CellPadding = {10, 7};
  style.ScrollbarSize = 14;
  style.WindowRounding = 0;
  style.ChildRounding = 0;
  style.FrameRounding = 5;
  style.GrabRounding = 5;
  style.ScrollbarRounding = 7;
  style.TabRounding = 5;
  style.WindowBorderSize = 0;
  style.ChildBorderSize = 0;
  style.FrameBorderSize = 0;
  style.SelectableTextAlign = {0.0f, 0.5f};

  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = {0.16f, 0.18f, 0.20f, 1.0f};
  c[ImGuiCol_TextDisabled] = {0.44f, 0.47f, 0.50f, 1.0f};
  c[ImGuiCol_WindowBg] = {0.980f, 0.978f, 0.970f, 1.0f};
  c[ImGuiCol_ChildBg] = {0, 0, 0, 0};
  c[ImGuiCol_PopupBg] = {1, 1, 1, 0.98f};
  c[ImGuiCol_Border] = {0.82f, 0.84f, 0.85f, 1.0f};
  c[ImGuiCol_FrameBg] = {0.93f, 0.94f, 0.94f, 1.0f};
  c[ImGuiCol_FrameBgHovered] = {0.89f, 0.92f, 0.92f, 1.0f};
  c[ImGuiCol_FrameBgActive] = {0.85f, 0.90f, 0.90f, 1.0f};
  c[ImGuiCol_Header] = {0.80f, 0.890f, 0.886f, 1.0f};
  c[ImGuiCol_HeaderHovered] = {0.87f, 0.929f, 0.925f, 1.0f};
  c[ImGuiCol_HeaderActive] = {0.75f, 0.860f, 0.855f, 1.0f};
  c[ImGuiCol_Button] = {0.86f, 0.91f, 0.91f, 1.0f};
  c[ImGuiCol_ButtonHovered] = {0.80f, 0.88f, 0.88f, 1.0f};
  c[ImGuiCol_ButtonActive] = {0.74f, 0.85f, 0.85f, 1.0f};
  c[ImGuiCol_CheckMark] = kAccent;
  c[ImGuiCol_SliderGrab] = kAccent;
  c[ImGuiCol_Separator] = {0.84f, 0.86f, 0.86f, 1.0f};
  c[ImGuiCol_TableHeaderBg] = {0.925f, 0.937f, 0.937f, 1.0f};
  c[ImGuiCol_TableBorderStrong] = {0.84f, 0.86f, 0.86f, 1.0f};
  c[ImGuiCol_TableBorderLight] = {0.90f, 0.91f, 0.91f, 1.0f};
  c[ImGuiCol_TableRowBg] = {0, 0, 0, 0};
  c[ImGuiCol_TableRowBgAlt] = {0.20f, 0.30f, 0.30f, 0.035f};
  c[ImGuiCol_ScrollbarBg] = {0, 0, 0, 0};
  c[ImGuiCol_ScrollbarGrab] = {0.78f, 0.80f, 0.81f, 1.0f};
  c[ImGuiCol_ScrollbarGrabHovered] = {0.70f, 0.73f, 0.74f, 1.0f};
  c[ImGuiCol_ScrollbarGrabActive] = {0.62f, 0.66f, 0.67f, 1.0f};
  c[ImGuiCol_NavHighlight] = kAccent;

  style.ScaleAllSizes(scale);
  return style;
}

// [SECTION] Fonts -----------------------------------------------------------------------------------------------

// The atlas's inputs, kept so that it can be rebuilt when rows bring characters it lacks (rare kanji such as 髙).
// Rebuilding rasterises the glyph set again on the UI thread (no disk I/O: the file is in memory); it happens
// only when text with new characters arrives.
struct FontState {
  UiFont file;
  GlyphCoverage coverage;
  ImVector<ImWchar> body_ranges;  // the atlas points into these
  ImVector<ImWchar> heading_ranges;
  FontSet set;
  float scale = 1.0f;
};

// Rebuilds the atlas from `fonts`; when the renderer already runs, uploads the new texture too.
bool build_font_atlas(FontState& fonts, bool renderer_ready) {
  ImVector<ImWchar> ranges;
  build_glyph_ranges(fonts.coverage.extra(), ranges);
  const float body = std::round(kBaseFontPixels * fonts.scale), heading = std::round(kHeadingFontPixels * fonts.scale);
  auto set = build_fonts(*ImGui::GetIO().Fonts, fonts.file, body, heading, ranges, fonts.heading_ranges);
  fonts.body_ranges.swap(ranges);  // the atlas holds the new buffer, which now lives in fonts.body_ranges
  if (!set) return false;
  fonts.set = *set;
  if (renderer_ready) {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
  }
  return true;
}

// Adds the visible rows' text to the coverage; true when the atlas lacks some of it.
bool rows_need_glyphs(FontState& fonts, const RecordListState& state) {
  bool missing = false;
  for (const RecordSummary& row : state.rows) {
    missing |= fonts.coverage.add_text(row.title, fonts.set.body);
    missing |= fonts.coverage.add_text(row.area, fonts.set.body);
    missing |= fonts.coverage.add_text(row.author, fonts.set.body);
    missing |= fonts.coverage.add_text(row.date, fonts.set.body);
  }
  if (state.error) missing |= fonts.coverage.add_text(state.error->message_ja + state.error->message, fonts.set.body);
  return missing;
}

// [SECTION] Layout: navigation column, status bar ---------------------------------------------------------------

void draw_navigation(AppState& app, const FontSet& fonts, I18n& i18n, float scale) {
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
    const std::string key = "nav." + std::string(info.key);
    ImGui::PushID(info.key);
    if (ImGui::Selectable(i18n.tr(key), app.screen == info.screen, 0, ImVec2(0, item_height))) {
      app.screen = info.screen;
      app.new_record_asked |= info.screen == Screen::NewRecord;
    }
    ImGui::PopID();
  }
}

void draw_status_bar(const AppState& app, const RecordListState& list, I18n& i18n, float scale) {
  const float text_y = (ImGui::GetWindowHeight() - ImGui::GetTextLineHeight()) * 0.5f;
  ImGui::SetCursorPos(ImVec2(ImGui::GetStyle().WindowPadding.x, text_y));
  if (list.loaded)
    ImGui::TextUnformatted(i18n.format("statusbar.records", {{"count", std::to_string(list.total)}}).c_str());
  else
    ImGui::TextUnformatted(i18n.tr("statusbar.records_unknown"));
  ImGui::SameLine(0, 28.0f * scale);
  ImGui::TextDisabled("%s", i18n.format("statusbar.data_folder", {{"path", app.data_folder}}).c_str());
}

// What the screens asked for this frame.
struct LayoutActions {
  RecordListActions list;
  EditorActions editor;
};

// Draws the whole window; returns what the screens asked for.
LayoutActions draw_layout(AppState& app, const RecordListModel& list_model, const FontSet& fonts, I18n& i18n,
                          float scale) {
  LayoutActions actions;
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
  ImGui::BeginChild("navigation", ImVec2(kNavWidth * scale, body_height), false,
                    ImGuiWindowFlags_AlwaysUseWindowPadding);
  draw_navigation(app, fonts, i18n, scale);
  ImGui::EndChild();
  ImGui::PopStyleColor();

  ImGui::SameLine(0, 0);
  ImGui::BeginChild("screen", ImVec2(0, body_height), false,
                    ImGuiWindowFlags_AlwaysUseWindowPadding | ImGuiWindowFlags_NoScrollbar);
  if (app.screen == Screen::List)
    actions.list = draw_record_list(list_model.state(), list_model.requested_query(), app.list_view, fonts, i18n);
  else if (app.screen == Screen::NewRecord && app.editor && app.editor->is_open())
    actions.editor = draw_editor(*app.editor, app.editor_view, fonts, i18n);
  else
    draw_placeholder(screen_info(app.screen).key, fonts, i18n);
  ImGui::EndChild();

  ImGui::PushStyleColor(ImGuiCol_ChildBg, kStatusBackground);
  ImGui::BeginChild("status", ImVec2(0, 0), false, ImGuiWindowFlags_NoScrollbar);
  draw_status_bar(app, list_model.state(), i18n, scale);
  ImGui::EndChild();
  ImGui::PopStyleColor();

  ImGui::End();
  return actions;
}

// [SECTION] Screenshot ------------------------------------------------------------------------------------------

// Reads the back buffer just rendered (before the swap) and writes it as an RGB PNG, top row first.
bool write_screenshot(GLFWwindow* window, const std::filesystem::path& path) {
  int width = 0, height = 0;
  glfwGetFramebufferSize(window, &width, &height);
  if (width <= 0 || height <= 0) return false;
  const std::size_t stride = static_cast<std::size_t>(width) * 3;
  std::vector<unsigned char> pixels(stride * static_cast<std::size_t>(height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  if (glGetError() != GL_NO_ERROR) return false;
  // OpenGL's first row is the bottom one; PNG's is the top one.
  std::vector<unsigned char> row(stride);
  for (int top = 0, bottom = height - 1; top < bottom; ++top, --bottom) {
    unsigned char* a = pixels.data() + stride * static_cast<std::size_t>(top);
    unsigned char* b = pixels.data() + stride * static_cast<std::size_t>(bottom);
    std::copy(a, a + stride, row.data());
    std::copy(b, b + stride, a);
    std::copy(row.data(), row.data() + stride, b);
  }
  return stbi_write_png(path.c_str(), width, height, 3, pixels.data(), static_cast<int>(stride)) != 0;
}

// [SECTION] run_window: setup, loop, teardown -------------------------------------------------------------------

std::string last_glfw_error;

void record_glfw_error(int code, const char* description) {
  last_glfw_error = std::string(description ? description : "unknown error") + " (" + std::to_string(code) + ")";
}

// Owns GLFW from glfwInit to glfwTerminate, and the window.
struct GlfwSession {
  GLFWwindow* window = nullptr;
  bool initialised = false;
  ~GlfwSession() {
    if (window) glfwDestroyWindow(window);
    if (initialised) glfwTerminate();
  }
};

// Creates the window with an OpenGL 3.3 core context, or 3.0 when the driver has no 3.3. Returns the GLSL
// version line the ImGui renderer should use, or nullptr.
const char* create_window(GlfwSession& glfw, const char* title) {
  struct Attempt {
    int major, minor;
    bool core;
    const char* glsl;
  };
  for (const Attempt& attempt : {Attempt{3, 3, true, "#version 330 core"}, Attempt{3, 0, false, "#version 130"}}) {
    glfwDefaultWindowHints();
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, attempt.major);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, attempt.minor);
    if (attempt.core) {
      glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
      glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    }
    glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);  // 1280x800 at 100 %, larger on HiDPI screens
    glfw.window = glfwCreateWindow(1280, 800, title, nullptr, nullptr);
    if (glfw.window) return attempt.glsl;
  }
  return nullptr;
}

float content_scale(GLFWwindow* window) {
  float x = 1.0f, y = 1.0f;
  glfwGetWindowContentScale(window, &x, &y);
  const float scale = std::max(x, y);
  return std::isfinite(scale) && scale >= 0.5f ? scale : 1.0f;
}

struct ImGuiSession {
  bool platform = false, renderer = false;
  ~ImGuiSession() {
    if (renderer) ImGui_ImplOpenGL3_Shutdown();
    if (platform) ImGui_ImplGlfw_Shutdown();
    if (ImGui::GetCurrentContext()) ImGui::DestroyContext();
  }
};

}  // namespace

int run_window(const WindowOptions& options) {
  const std::optional<Screen> first_screen = parse_screen(options.screen);
  if (!first_screen) {
    std::fprintf(stderr, "tsunagi: unknown screen \"%s\" (expected list, editor, sync or settings)\n",
                 options.screen.c_str());
    return 2;
  }

  auto store = Store::open(options.data_dir);
  if (!store) {
    std::fprintf(stderr, "tsunagi: cannot open the data folder %s: %s\n", options.data_dir.c_str(),
                 store.error().describe().c_str());
    return 1;
  }

  std::string language = options.language;
  if (language.empty()) {
    auto setting = (*store)->setting("language");
    language = setting && !setting->empty() ? *setting : "ja";
  }
  I18n i18n;
  if (auto loaded = i18n.load(language); !loaded) {
    std::fprintf(stderr, "tsunagi: cannot load the UI texts for \"%s\": %s\n", language.c_str(),
                 loaded.error().describe().c_str());
    return 1;
  }

  auto face = find_japanese_font();
  if (!face) {
    std::fprintf(stderr, "tsunagi: %s\n", face.error().message.c_str());
    return 1;
  }
  auto font_file = UiFont::load(*face);
  if (!font_file) {
    std::fprintf(stderr, "tsunagi: %s\n", font_file.error().describe().c_str());
    return 1;
  }

  glfwSetErrorCallback(record_glfw_error);
  GlfwSession glfw;
  glfw.initialised = glfwInit() == GLFW_TRUE;
  if (!glfw.initialised) {
    std::fprintf(stderr,
                 "tsunagi: cannot open a window: %s\n"
                 "  Is a display available (DISPLAY or WAYLAND_DISPLAY)? For a headless run use xvfb-run.\n",
                 last_glfw_error.c_str());
    return 1;
  }
  const char* glsl_version = create_window(glfw, i18n.tr("app.window_title"));
  if (!glsl_version) {
    std::fprintf(stderr, "tsunagi: cannot create a window with OpenGL 3.3 or 3.0: %s\n", last_glfw_error.c_str());
    return 1;
  }
  glfwMakeContextCurrent(glfw.window);
  const bool capturing = !options.screenshot.empty();
  glfwSwapInterval(capturing ? 0 : 1);

  IMGUI_CHECKVERSION();
  ImGuiSession imgui;
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini in the working folder: the layout is fixed
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  if (capturing) io.ConfigFlags |= ImGuiConfigFlags_NoMouse;  // no hover highlight wherever the pointer rests

  float scale = content_scale(glfw.window);
  ImGui::GetStyle() = make_style(scale);

  FontState fonts{std::move(*font_file), {}, {}, {}, {}, scale};
  const std::string catalogue_text = i18n.all_text();
  build_heading_ranges(catalogue_text, fonts.heading_ranges);
  std::string known_text = catalogue_text + options.data_dir.string();
  if (auto reference = (*store)->reference()) known_text += reference->all_text();
  fonts.coverage.add_text(known_text, nullptr);
  if (!build_font_atlas(fonts, false)) {
    std::fprintf(stderr, "tsunagi: cannot build the font atlas from %s (face %d)\n", fonts.file.face().path.c_str(),
                 fonts.file.face().index);
    return 1;
  }

  imgui.platform = ImGui_ImplGlfw_InitForOpenGL(glfw.window, true);
  imgui.renderer = imgui.platform && ImGui_ImplOpenGL3_Init(glsl_version);
  if (!imgui.renderer) {
    std::fprintf(stderr, "tsunagi: cannot start the ImGui renderer (%s)\n", glsl_version);
    return 1;
  }

  AppState app;
  app.screen = *first_screen;
  app.data_folder = options.data_dir.string();
  // The editor writes to the window's store on the UI thread: one record or one setting per save, never a query
  // that can take longer than a frame.
  EditorModel editor(**store);
  app.editor = &editor;
  if (open_editor_at_start(editor, *first_screen == Screen::NewRecord) && !capturing) app.screen = Screen::NewRecord;

  // Declared after the GLFW and ImGui sessions so that it is destroyed (its worker joined) before they end: the
  // worker wakes the loop with glfwPostEmptyEvent, which is thread-safe but needs GLFW alive.
  RecordListModel list_model(options.data_dir, [] { glfwPostEmptyEvent(); });
  list_model.request(RecordQuery{});

  const auto started = std::chrono::steady_clock::now();
  int frame = 0;
  int frames_since_loaded = 0;
  bool atlas_stale = false;
  int exit_code = 0;

  std::uint64_t editor_revision = 0;
  int eager_frames = 0;  // frames to draw without waiting: ImGui settles some interactions a frame or two late
  while (!glfwWindowShouldClose(glfw.window)) {
    if (capturing || options.frames > 0 || io.WantTextInput || eager_frames > 0) {
      glfwPollEvents();
      eager_frames = std::max(0, eager_frames - 1);
    } else {
      // Idle: sleep until input, a loaded result (the worker posts an empty event) or a slow tick.
      constexpr double kIdleSeconds = 0.25;
      const double before = glfwGetTime();
      glfwWaitEventsTimeout(kIdleSeconds);
      if (glfwGetTime() - before < kIdleSeconds) eager_frames = 3;  // woken by an event, not the tick
    }

    if (list_model.poll()) atlas_stale |= rows_need_glyphs(fonts, list_model.state());
    if (editor.revision() != editor_revision) {  // typed or opened text may bring characters the atlas lacks
      editor_revision = editor.revision();
      atlas_stale |= fonts.coverage.add_text(searchable_text(editor.record()) + editor.record().area, fonts.set.body);
    }

    const float new_scale = content_scale(glfw.window);
    if (new_scale != scale) {  // moved to a screen with another scale
      scale = new_scale;
      ImGui::GetStyle() = make_style(scale);
      fonts.scale = scale;
      atlas_stale = true;
    }
    if (atlas_stale) {
      if (!build_font_atlas(fonts, true)) {
        std::fprintf(stderr, "tsunagi: cannot rebuild the font atlas\n");
        return 1;
      }
      atlas_stale = false;
    }

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    if (app.new_record_asked) {  // a fresh record unless one is being written
      app.new_record_asked = false;
      if (!editor.is_open() || (!editor.is_new() && !editor.dirty())) {
        auto started_new = editor.start_new(RecordKind::Meeting, EditorModel::today());
        if (!started_new) std::fprintf(stderr, "tsunagi: %s\n", started_new.error().describe().c_str());
      }
    }
    const LayoutActions actions = draw_layout(app, list_model, fonts.set, i18n, scale);
    ImGui::Render();

    int width = 0, height = 0;
    glfwGetFramebufferSize(glfw.window, &width, &height);
    glViewport(0, 0, width, height);
    const ImVec4 clear = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(clear.x, clear.y, clear.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    ++frame;

    if (capturing) {
      // The table settles its column widths over a frame or two after the rows arrive: capture a few frames on.
      if (list_model.state().loaded && !list_model.state().loading) ++frames_since_loaded;
      const bool timed_out = frame >= 120 || std::chrono::steady_clock::now() - started > std::chrono::seconds(5);
      if (frames_since_loaded >= 3 || timed_out) {
        if (timed_out && !list_model.state().loaded)
          std::fprintf(stderr, "tsunagi: the list did not load in time; capturing anyway\n");
        if (!write_screenshot(glfw.window, options.screenshot)) {
          std::fprintf(stderr, "tsunagi: cannot write the screenshot %s\n", options.screenshot.c_str());
          exit_code = 1;
        } else {
          std::printf("%s\n", options.screenshot.c_str());
        }
        break;
      }
    }
    glfwSwapBuffers(glfw.window);
    if (options.frames > 0 && frame >= options.frames) break;

    if (actions.list.query) list_model.request(*actions.list.query);
    if (actions.list.open_id && editor.open(*actions.list.open_id)) app.screen = Screen::NewRecord;
    if (actions.editor.stored) list_model.request(list_model.requested_query());
    if (actions.editor.closed) app.screen = Screen::List;
  }
  editor.field_left();  // typing not autosaved yet is kept for the next start
  return exit_code;
}

}  // namespace tsunagi
