// The App in an ImGui context with no window and no renderer: ImGui lays out and tessellates every frame as it
// would on screen, and input is simulated (keys by GLFW's codes, as the GLFW backend maps them; text; the mouse).
// UI logic tests drive the screens through it; bench/ui measures frames with it.
//
// One at a time per thread (ImGui's context is global); destroys its context with it.
#pragma once

#include <imgui.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "app/app.hpp"
#include "app/drawn_text.hpp"
#include "app/host.hpp"
#include "app/screens/widgets.hpp"  // ItemProbe
#include "model/error.hpp"

namespace tsunagi {

// io.KeyMap as the GLFW backend (1.86) fills it: io.KeysDown is indexed by GLFW's key codes.
void map_glfw_keys(ImGuiIO& io);

class HeadlessHost {
 public:
  // Opens `config`'s data folder in an App and a 1280x800 (by default) ImGui context with the Japanese font.
  static Result<std::unique_ptr<HeadlessHost>> open(AppConfig config, ImVec2 size = {1280, 800});
  ~HeadlessHost();
  HeadlessHost(const HeadlessHost&) = delete;
  HeadlessHost& operator=(const HeadlessHost&) = delete;

  App& app() { return *app_; }

  // One frame: the App's prepare (workers' results, atlas), NewFrame, draw, Render; `seconds` of time pass.
  // Input queued since the last frame arrives in this one.
  Status frame(float seconds = 1.0f / 60.0f);
  // Frames until `done()` holds (or `max_frames` pass, returning false). Sleeps 1 ms between frames so that
  // background workers get the CPU.
  template <typename Predicate>
  bool frames_until(Predicate done, int max_frames = 3000) {
    for (int i = 0; i < max_frames; ++i) {
      if (!frame()) return false;
      if (done()) return true;
      pause();
    }
    return false;
  }

  // Input for the next frame.
  void type(std::string_view utf8);               // characters, as an IME commits them
  void key(int glfw_key, bool ctrl = false);      // pressed in the next frame, released in the one after
  void move_mouse(ImVec2 position);
  void click(ImVec2 position);                    // moves, presses in the next frame, releases in the one after
  bool click(const ItemProbe& probe, const std::string& name);  // the centre of a probed item; false if not drawn
  void wheel(float lines);                        // positive: up

  // What the last frame rendered in this context says on screen (see drawn_text.hpp): its lines joined by '\n',
  // or its lines with their positions. Empty before the first frame. Reads the frame's draw data and the atlas,
  // which stay as they were until the next frame() begins; costs a pass over the frame's vertices and the atlas's
  // glyphs, so call it when a test asks, not every frame.
  std::string drawn_text() const;
  std::vector<DrawnLine> drawn_lines() const;

 private:
  HeadlessHost() = default;
  static void pause();

  std::unique_ptr<App> app_;
  std::unique_ptr<FontState> fonts_;
  ImVec2 size_;
  // Keys and buttons pressed last frame, to release in this one.
  int held_key_ = -1;
  bool mouse_held_ = false;
  bool mouse_press_ = false;
  int pending_key_ = -1;
  bool pending_ctrl_ = false;
};

}  // namespace tsunagi
