// The desktop window: GLFW + OpenGL + Dear ImGui, a navigation column, the current screen and a status bar.
#pragma once

#include <filesystem>
#include <string>

namespace tsunagi {

struct WindowOptions {
  std::filesystem::path data_dir;
  std::filesystem::path screenshot;  // when set: render until the list has loaded, write this PNG, return
  std::string screen = "list";       // a parse_screen() name
  std::string language;              // "ja" (default, or the store's "language" setting) or "en"
  std::string author;                // --author: who writes; empty: the store's setting, else the login name
  int frames = 0;                    // > 0: return after this many frames (smoke tests)
  bool timing = false;               // print to stderr when the first frame with records was drawn (bench/ui)
  std::filesystem::path drawn_text;  // with a screenshot: also write the text on it here, a line per drawn line
  std::string focus;                 // "search": the list's search box has the keyboard from the start (bench/ui)
  int report_year = 0;               // the reports' fiscal year (--fy); 0: the current one
};

// Opens the store in options.data_dir and runs the window until it is closed. Returns 0 on success; non-zero with
// a message on stderr when the store cannot be opened, no window can be created (no DISPLAY, no OpenGL 3) or no
// Japanese font is installed. With options.screenshot set, prints the PNG's path on stdout once written.
// Call from the main thread only (GLFW's rule).
int run_window(const WindowOptions& options);

}  // namespace tsunagi
