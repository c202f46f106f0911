#include "app/headless.hpp"

#include <GLFW/glfw3.h>  // key codes: the indices io.KeysDown uses, as the GLFW backend sets them

#include <chrono>
#include <thread>
#include <utility>

#include "model/text.hpp"

namespace tsunagi {

void map_glfw_keys(ImGuiIO& io) {
  io.KeyMap[ImGuiKey_Tab] = GLFW_KEY_TAB;
  io.KeyMap[ImGuiKey_LeftArrow] = GLFW_KEY_LEFT;
  io.KeyMap[ImGuiKey_RightArrow] = GLFW_KEY_RIGHT;
  io.KeyMap[ImGuiKey_UpArrow] = GLFW_KEY_UP;
  io.KeyMap[ImGuiKey_DownArrow] = GLFW_KEY_DOWN;
  io.KeyMap[ImGuiKey_PageUp] = GLFW_KEY_PAGE_UP;
  io.KeyMap[ImGuiKey_PageDown] = GLFW_KEY_PAGE_DOWN;
  io.KeyMap[ImGuiKey_Home] = GLFW_KEY_HOME;
  io.KeyMap[ImGuiKey_End] = GLFW_KEY_END;
  io.KeyMap[ImGuiKey_Insert] = GLFW_KEY_INSERT;
  io.KeyMap[ImGuiKey_Delete] = GLFW_KEY_DELETE;
  io.KeyMap[ImGuiKey_Backspace] = GLFW_KEY_BACKSPACE;
  io.KeyMap[ImGuiKey_Space] = GLFW_KEY_SPACE;
  io.KeyMap[ImGuiKey_Enter] = GLFW_KEY_ENTER;
  io.KeyMap[ImGuiKey_Escape] = GLFW_KEY_ESCAPE;
  io.KeyMap[ImGuiKey_KeyPadEnter] = GLFW_KEY_KP_ENTER;
  io.KeyMap[ImGuiKey_A] = GLFW_KEY_A;
  io.KeyMap[ImGuiKey_C] = GLFW_KEY_C;
  io.KeyMap[ImGuiKey_V] = GLFW_KEY_V;
  io.KeyMap[ImGuiKey_X] = GLFW_KEY_X;
  io.KeyMap[ImGuiKey_Y] = GLFW_KEY_Y;
  io.KeyMap[ImGuiKey_Z] = GLFW_KEY_Z;
}

Result<std::unique_ptr<HeadlessHost>> HeadlessHost::open(AppConfig config, ImVec2 size) {
  auto font = load_japanese_font();
  if (!font) return font.error();
  std::unique_ptr<HeadlessHost> host(new HeadlessHost());
  host->size_ = size;
  auto app = App::open(std::move(config));
  if (!app) return app.error();
  host->app_ = std::move(*app);
  auto fonts = start_imgui(*host->app_, std::move(*font), 1.0f);
  if (!fonts) {
    if (ImGui::GetCurrentContext()) ImGui::DestroyContext();
    return fonts.error();
  }
  host->fonts_ = std::move(*fonts);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = size;
  io.BackendFlags |= ImGuiBackendFlags_HasMouseCursors;
  map_glfw_keys(io);
  // No renderer: the atlas is built and kept in memory (ImGui requires it to be built before NewFrame).
  unsigned char* pixels = nullptr;
  int width = 0, height = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
  return host;
}

HeadlessHost::~HeadlessHost() {
  app_.reset();  // joins the workers first
  if (ImGui::GetCurrentContext()) ImGui::DestroyContext();
}

void HeadlessHost::pause() { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }

Status HeadlessHost::frame(float seconds) {
  ImGuiIO& io = ImGui::GetIO();
  auto prepared = prepare_frame(*app_, *fonts_, 1.0f);
  if (!prepared) return prepared.error();
  if (*prepared) {
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);
  }
  io.DisplaySize = size_;
  io.DeltaTime = seconds;

  // Release what was held last frame; press what was queued.
  if (held_key_ >= 0) io.KeysDown[held_key_] = false;
  io.KeyCtrl = false;
  held_key_ = -1;
  if (pending_key_ >= 0) {
    io.KeysDown[pending_key_] = true;
    io.KeyCtrl = pending_ctrl_;
    held_key_ = pending_key_;
    pending_key_ = -1;
  }
  if (mouse_held_) {
    io.MouseDown[0] = false;
    mouse_held_ = false;
  }
  if (mouse_press_) {
    io.MouseDown[0] = true;
    mouse_held_ = true;
    mouse_press_ = false;
  }

  ImGui::NewFrame();
  app_->draw(fonts_->set, fonts_->scale);
  ImGui::Render();
  io.MouseWheel = 0.0f;
  return ok_status();
}

void HeadlessHost::type(std::string_view utf8) {
  // As the window's character callback does: characters above U+FFFF (and what follows them) wait for the field.
  for (char32_t c : decode_utf8(utf8))
    if (!glyph_aliases().type(c)) ImGui::GetIO().AddInputCharacter(c);
}

void HeadlessHost::key(int glfw_key, bool ctrl) {
  pending_key_ = glfw_key;
  pending_ctrl_ = ctrl;
}

void HeadlessHost::move_mouse(ImVec2 position) { ImGui::GetIO().MousePos = position; }

void HeadlessHost::click(ImVec2 position) {
  move_mouse(position);
  mouse_press_ = true;
}

bool HeadlessHost::click(const ItemProbe& probe, const std::string& name) {
  auto found = probe.find(name);
  if (found == probe.end()) return false;
  click({(found->second.x0 + found->second.x1) / 2, (found->second.y0 + found->second.y1) / 2});
  return true;
}

void HeadlessHost::wheel(float lines) { ImGui::GetIO().MouseWheel += lines; }

std::vector<DrawnLine> HeadlessHost::drawn_lines() const {
  const ImDrawData* frame = ImGui::GetDrawData();  // null until Render() and again after NewFrame()
  if (frame == nullptr) return {};
  return tsunagi::drawn_lines(*frame, *ImGui::GetIO().Fonts);
}

std::string HeadlessHost::drawn_text() const {
  const ImDrawData* frame = ImGui::GetDrawData();
  if (frame == nullptr) return {};
  return tsunagi::drawn_text(*frame, *ImGui::GetIO().Fonts);
}

}  // namespace tsunagi
