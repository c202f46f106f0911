// What every host of the App shares (the GLFW window, and the headless host that tests and bench/ui use): the
// style, the font atlas with the glyphs the App's text needs, and the ImGui context set up for the App.
#pragma once

#include <imgui.h>

#include <filesystem>
#include <memory>
#include <string>

#include "app/app.hpp"
#include "app/fonts.hpp"
#include "model/error.hpp"

namespace tsunagi {

// The calm light theme, with sizes multiplied by `scale`.
ImGuiStyle make_style(float scale);

// The atlas's inputs, kept so that it can be rebuilt when rows bring characters it lacks (rare kanji such as 髙).
// Rebuilding rasterises the glyph set again on the UI thread (no disk I/O: the file is in memory); it happens
// only when text with new characters arrives, or the text size or language changes.
struct FontState {
  UiFont file;
  GlyphCoverage coverage;
  ImVector<ImWchar> body_ranges;  // the atlas points into these
  ImVector<ImWchar> heading_ranges;
  FontSet set;
  float scale = 1.0f;  // the screen's scale times the user's text size
};

// The Japanese font that fontconfig finds, read into memory. Errors: "font.missing" (naming the package to
// install), "font.read". Hosts call it before opening anything, so that a missing font is said at once.
Result<UiFont> load_japanese_font();

// Creates the ImGui context for `app` (no imgui.ini, keyboard navigation, the style) and builds its first atlas
// from `font`, covering app.known_text(). Error: "font.atlas".
Result<std::unique_ptr<FontState>> start_imgui(App& app, UiFont font, float screen_scale);

// Before each frame: takes the App's worker results, and follows a new screen scale, text size or language.
// Returns true when the atlas was rebuilt (a renderer must upload its texture again); "font.atlas" on failure.
Result<bool> prepare_frame(App& app, FontState& fonts, float screen_scale);

}  // namespace tsunagi
