// Small drawing helpers and the palette the screens share.
#pragma once

#include <imgui.h>

#include <map>
#include <string>
#include <string_view>

#include "app/fonts.hpp"

namespace tsunagi {

// A calm light palette: dark grey text, one muted teal accent, soft signal colours.
inline const ImVec4 kAccent{0.145f, 0.420f, 0.431f, 1.0f};
inline const ImVec4 kMutedText{0.45f, 0.47f, 0.50f, 1.0f};
inline const ImVec4 kGoodText{0.18f, 0.50f, 0.30f, 1.0f};
inline const ImVec4 kWarningText{0.72f, 0.38f, 0.10f, 1.0f};
inline const ImVec4 kErrorText{0.70f, 0.18f, 0.15f, 1.0f};

// Where an item was drawn, in screen coordinates (for tests that click it).
struct ItemRect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};
using ItemProbe = std::map<std::string, ItemRect>;
// Records the last item's rect under `name` when `probe` is set.
void probe_item(ItemProbe* probe, const std::string& name);

// A reference item's name (theme, area, committee) in the UI language; the Japanese name when it has no English one.
template <typename Item>
const std::string& display_name(const Item& item, bool japanese) {
  return japanese || item.name_en.empty() ? item.name : item.name_en;
}

// Stored text on its way to ImGui: characters above U+FFFF become their stand-ins (see GlyphAliases in fonts.hpp).
inline std::string shown(std::string_view text) { return glyph_aliases().to_display(text); }

inline void text_unformatted(std::string_view text) {
  const std::string display = shown(text);
  ImGui::TextUnformatted(display.data(), display.data() + display.size());
}

// An InputText callback for ImGuiInputTextFlags_CallbackAlways: inserts at the cursor what glyph_aliases() holds
// typed (characters above U+FFFF). Returns 0.
int insert_typed(ImGuiInputTextCallbackData* data);

// InputText (with `hint` when not null) over stored text: ImGui edits a display copy, and what the user typed is
// stored back with the stand-ins turned into the characters they stand for. True when the value changed.
bool input_text(const char* id, const char* hint, std::string& value, ImGuiInputTextFlags flags = 0);

// A record's date as the reader knows it: 和暦 in Japanese ("令和6年7月3日", "令和6年1月", "令和5年度"); the ISO form
// in English ("2024-01", "FY2023"). A draft's half-typed date shows as typed.
std::string display_date(const std::string& iso, const std::string& end, bool japanese);

// A screen's title in the heading font, with `note` (may be empty) in grey on the same baseline.
void draw_heading(const char* title, const std::string& note, const FontSet& fonts);

// A section's title in the accent colour over a rule, with room above it.
void draw_section(const char* title);

// Wrapped text in `colour`.
void colored_wrapped(const ImVec4& colour, std::string_view text);

// `display` (text as ImGui shows it) cut short with "…" so that it is at most `width` wide; as it is when it fits.
std::string ellipsized(const std::string& display, float width);
// The whole of `display` in a tooltip, wrapped (for text shown cut short).
void text_tooltip(const std::string& display);
// `text` on one line at most `width` wide: cut short with "…" when it is longer, and then the whole of it in a
// tooltip while the pointer rests on it.
void text_ellipsis(std::string_view text, float width);

}  // namespace tsunagi
