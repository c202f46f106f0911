// The window: GLFW + OpenGL + Dear ImGui around the App (which draws the layout and owns the screens' models).
//
// [SECTION] Screenshot
// [SECTION] run_window: setup, loop, teardown
#include "app/window.hpp"

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <GLFW/glfw3.h>  // after the ImGui headers; also brings the system's <GL/gl.h> (glReadPixels)

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "app/drawn_text.hpp"
#include "app/host.hpp"
#include "model/files.hpp"
#include "model/platform.hpp"

namespace tsunagi {

namespace {

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
  return stbi_write_png(platform::path_to_utf8(path).c_str(), width, height, 3, pixels.data(),
                        static_cast<int>(stride)) != 0;
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

// A screen smaller than the window with its frame (a 1366x768 laptop, less the task bar): the window is made to fit
// the monitor's work area, its title bar in view.
void fit_to_work_area(GLFWwindow* window) {
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  if (monitor == nullptr) return;
  int area_x = 0, area_y = 0, area_width = 0, area_height = 0;
  glfwGetMonitorWorkarea(monitor, &area_x, &area_y, &area_width, &area_height);
  int left = 0, top = 0, right = 0, bottom = 0;
  glfwGetWindowFrameSize(window, &left, &top, &right, &bottom);
  int width = 0, height = 0;
  glfwGetWindowSize(window, &width, &height);
  const int fit_width = std::min(width, area_width - left - right);
  const int fit_height = std::min(height, area_height - top - bottom);
  if (area_width <= 0 || area_height <= 0 || fit_width < 640 || fit_height < 480) return;
  if (fit_width == width && fit_height == height) return;
  glfwSetWindowSize(window, fit_width, fit_height);
  glfwSetWindowPos(window, area_x + left, area_y + top);
}

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
    if (glfw.window) {
      fit_to_work_area(glfw.window);
      return attempt.glsl;
    }
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
  // "locked": the list behind the lock screen, locked at once (its screenshot).
  const bool start_locked = options.screen == "locked";
  const std::optional<Screen> first_screen = parse_screen(start_locked ? "list" : options.screen);
  if (!first_screen) {
    std::fprintf(stderr,
                 "tsunagi: unknown screen \"%s\" (expected list, queue, review, editor, reports, reports-progress, "
                 "reports-committee, reports-themes, sync, settings or locked)\n",
                 options.screen.c_str());
    return 2;
  }

  auto font = load_japanese_font();  // before anything opens: without a font, say which package to install
  if (!font) {  // in both languages: the catalogue's language is not known before the store is open
    std::fprintf(stderr, "tsunagi: %s\ntsunagi: %s\n", font.error().describe(true).c_str(),
                 font.error().describe(false).c_str());
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

  // Declared after the GLFW session so that it is destroyed (its workers joined) before GLFW ends: the workers
  // wake the loop with glfwPostEmptyEvent, which is thread-safe but needs GLFW alive.
  AppConfig config;
  config.data_dir = options.data_dir;
  config.author = options.author;
  config.screen = *first_screen;
  config.report_year = options.report_year;
  config.report_tab = parse_report_tab(options.screen);
  config.language = options.language;
  config.wake = [] { glfwPostEmptyEvent(); };
  config.resume_editor = options.screenshot.empty() || *first_screen == Screen::Editor;
  config.focus_search = options.focus == "search";
  config.start_locked = start_locked;
  auto opened = App::open(std::move(config));
  if (!opened) {
    std::fprintf(stderr, "tsunagi: cannot start: %s\n", opened.error().describe().c_str());
    return 1;
  }
  App& app = **opened;

  const char* glsl_version = create_window(glfw, app.i18n().tr("app.window_title"));
  if (!glsl_version) {
    std::fprintf(stderr, "tsunagi: cannot create a window with OpenGL 3.3 or 3.0: %s\n", last_glfw_error.c_str());
    return 1;
  }
  glfwMakeContextCurrent(glfw.window);
  const bool capturing = !options.screenshot.empty();
  glfwSwapInterval(capturing ? 0 : 1);

  ImGuiSession imgui;
  auto started_imgui = start_imgui(app, std::move(*font), content_scale(glfw.window));
  if (!started_imgui) {
    std::fprintf(stderr, "tsunagi: %s\n", started_imgui.error().describe().c_str());
    return 1;
  }
  FontState& fonts = **started_imgui;
  if (capturing) ImGui::GetIO().ConfigFlags |= ImGuiConfigFlags_NoMouse;  // no hover highlight where the pointer rests

  imgui.platform = ImGui_ImplGlfw_InitForOpenGL(glfw.window, true);
  // Characters above U+FFFF committed by the input method: ImGui's 16-bit ImWchar cannot hold them, so they wait
  // in glyph_aliases() for the focused field to insert as their stand-ins (see GlyphAliases).
  glfwSetCharCallback(glfw.window, [](GLFWwindow* window, unsigned int c) {
    if (!glyph_aliases().type(c)) ImGui_ImplGlfw_CharCallback(window, c);
  });
  imgui.renderer = imgui.platform && ImGui_ImplOpenGL3_Init(glsl_version);
  if (!imgui.renderer) {
    std::fprintf(stderr, "tsunagi: cannot start the ImGui renderer (%s)\n", glsl_version);
    return 1;
  }

  const auto started = std::chrono::steady_clock::now();
  int frame = 0;
  int frames_settled = 0;
  bool timed = false;
  int exit_code = 0;

  int eager_frames = 0;  // frames to draw without waiting: ImGui settles some interactions a frame or two late
  while (!glfwWindowShouldClose(glfw.window)) {
    if (capturing || options.frames > 0 || eager_frames > 0) {
      glfwPollEvents();
      eager_frames = std::max(0, eager_frames - 1);
    } else {
      // Asleep until input, a worker's result (it posts an empty event), or what the App must draw in time for
      // (the caret's next blink, the autosave, a sync's progress): a laptop at a site runs on its battery.
      const std::optional<double> timeout = app.idle_timeout();
      const double before = glfwGetTime();
      if (timeout)
        glfwWaitEventsTimeout(std::max(*timeout, 0.001));
      else
        glfwWaitEvents();
      // Woken by an event, not by the timeout (which may end a little early: the wait counts in milliseconds).
      if (!timeout || glfwGetTime() - before < *timeout - 0.002) eager_frames = 3;
    }

    auto prepared = prepare_frame(app, fonts, content_scale(glfw.window));
    if (!prepared) {
      std::fprintf(stderr, "tsunagi: %s\n", prepared.error().describe().c_str());
      return 1;
    }
    if (*prepared) {  // a new atlas: upload it
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    app.draw(fonts.set, fonts.scale);
    ImGui::Render();

    int width = 0, height = 0;
    glfwGetFramebufferSize(glfw.window, &width, &height);
    glViewport(0, 0, width, height);
    const ImVec4 clear = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(clear.x, clear.y, clear.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    ++frame;
    if (options.timing && !timed && app.ready() && app.list().row(0) != nullptr) {
      timed = true;
      glFinish();  // the frame is drawn, not just queued
      std::fprintf(stderr, "tsunagi: first frame with records %.1f ms after the program started (frame %d)\n",
                   platform::milliseconds_since_process_start(), frame);
    }

    if (capturing) {
      // Tables settle their column widths over a frame or two after the rows arrive: capture a few frames on.
      if (app.settled()) ++frames_settled;
      const bool timed_out = frame >= 120 || std::chrono::steady_clock::now() - started > std::chrono::seconds(5);
      if (frames_settled >= 3 || timed_out) {
        if (timed_out && !app.settled()) std::fprintf(stderr, "tsunagi: the screen did not load in time; capturing anyway\n");
        if (!write_screenshot(glfw.window, options.screenshot)) {
          std::fprintf(stderr, "tsunagi: cannot write the screenshot %s\n",
                       platform::path_to_utf8(options.screenshot).c_str());
          exit_code = 1;
        } else if (!options.drawn_text.empty() &&
                   !write_file_atomic(options.drawn_text, drawn_text(*ImGui::GetDrawData(), *ImGui::GetIO().Fonts) + "\n",
                                      0600)) {
          std::fprintf(stderr, "tsunagi: cannot write the drawn text %s\n",
                       platform::path_to_utf8(options.drawn_text).c_str());
          exit_code = 1;
        } else {
          std::printf("%s\n", platform::path_to_utf8(options.screenshot).c_str());
        }
        break;
      }
    }
    glfwSwapBuffers(glfw.window);
    if (options.frames > 0 && frame >= options.frames) break;
  }
  return exit_code;
}

}  // namespace tsunagi
