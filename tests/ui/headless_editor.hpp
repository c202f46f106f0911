// The editor screen in Dear ImGui without a window or renderer: a context with ImGui's default font, frames built
// and "rendered" to draw lists nobody draws, and input given the way the GLFW backend gives it (mouse position and
// buttons, io.KeysDown with io.KeyMap set to GLFW's key codes, typed text through io.AddInputCharactersUTF8, which
// is also where an IME's committed text arrives). Tests click fields by the rects the screen's probe records.
#pragma once

#include <imgui.h>

#include <GLFW/glfw3.h>  // key codes only

#include <stdexcept>
#include <string>

#include "app/editor_model.hpp"
#include "app/headless.hpp"
#include "app/i18n.hpp"
#include "app/screens/editor.hpp"

namespace tsunagi::testing {

// A Dear ImGui context with no window and no renderer: ImGui's default font, the display size of the window, and
// io.KeyMap set to GLFW's key codes as the GLFW backend sets it.
class HeadlessImGui {
 public:
  HeadlessImGui() {
    context_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1280, 800);
    io.DeltaTime = 1.0f / 60.0f;
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    map_glfw_keys(io);
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);  // adds and builds ImGui's default font
    fonts_.body = fonts_.heading = io.Fonts->Fonts[0];
  }
  ~HeadlessImGui() { ImGui::DestroyContext(context_); }
  HeadlessImGui(const HeadlessImGui&) = delete;
  HeadlessImGui& operator=(const HeadlessImGui&) = delete;

  const FontSet& fonts() const { return fonts_; }

  // One frame: `draw` inside a host window filling the display, as the window lays out a screen.
  template <class Draw>
  void frame(Draw&& draw) {
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
    ImGui::Begin("host", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings);
    draw();
    ImGui::End();
    ImGui::Render();
  }

 private:
  ImGuiContext* context_ = nullptr;
  FontSet fonts_;
};

class HeadlessEditor {
 public:
  // `writer` is the one the model stores through: each frame hands its finished writes to the model, as the
  // window's App does.
  HeadlessEditor(EditorModel& model, StoreWriter& writer, const std::string& language = "ja")
      : model_(model), writer_(writer) {
    if (auto loaded = i18n_.load(language); !loaded) throw std::runtime_error(loaded.error().describe());
    view_.probe = &probe_;
  }

  // One frame of the editor filling the display, as the window draws it.
  void frame() {
    probe_.clear();
    writer_.poll();
    stored_ |= !model_.take_stored().empty();
    imgui_.frame([&] {
      const EditorActions actions = draw_editor(model_, view_, imgui_.fonts(), i18n_);
      closed_ |= actions.closed;
    });
  }
  void frames(int count) {
    for (int i = 0; i < count; ++i) frame();
  }

  bool has(const std::string& name) const { return probe_.count(name) > 0; }
  ItemRect rect(const std::string& name) const {
    auto found = probe_.find(name);
    if (found == probe_.end()) throw std::runtime_error("not drawn: " + name);
    return found->second;
  }

  // Moves the mouse onto the item drawn as `name` and clicks it (a few pixels in from its left edge, so that a
  // text field places its cursor at the end of a short text).
  void click(const std::string& name, bool twice = false) {
    frame();
    click_at(rect(name), twice);
  }
  // Clicks where `r` was, as a user aims at what the screen showed a moment ago.
  void click_at(const ItemRect& r, bool twice = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(std::min(r.x0 + (r.x1 - r.x0) * 0.5f, r.x0 + 400.0f), (r.y0 + r.y1) * 0.5f);
    frame();
    for (int i = 0; i < (twice ? 2 : 1); ++i) {
      io.MouseDown[0] = true;
      frame();
      io.MouseDown[0] = false;
      frame();
    }
  }

  // Types UTF-8 text, a few characters a frame, as the GLFW char callback delivers it.
  void type(const std::string& text) {
    ImGuiIO& io = ImGui::GetIO();
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t end = at;
      for (int n = 0; n < 4 && end < text.size(); ++n) {
        ++end;
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
      }
      io.AddInputCharactersUTF8(text.substr(at, end - at).c_str());
      frame();
      at = end;
    }
    frame();
  }

  // Presses and releases a key (a GLFW key code), optionally with Ctrl held.
  void press(int glfw_key, bool ctrl = false) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeyCtrl = ctrl;
    io.KeysDown[glfw_key] = true;
    frame();
    io.KeysDown[glfw_key] = false;
    frame();
    io.KeyCtrl = false;
    frame();
  }

  EditorView& view() { return view_; }
  // Waits for the writes queued so far, then draws a frame with their answers.
  void settle() {
    writer_.wait_idle();
    frame();
  }
  // A record was stored (saved, submitted) since the editor was made.
  bool stored() const { return stored_; }
  bool closed() const { return closed_; }

 private:
  HeadlessImGui imgui_;
  EditorModel& model_;
  StoreWriter& writer_;
  EditorView view_;
  ItemProbe probe_;
  I18n i18n_;
  bool stored_ = false, closed_ = false;
};

}  // namespace tsunagi::testing
