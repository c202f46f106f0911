// Small drawing helpers and the palette the screens share.
#pragma once

#include <imgui.h>

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

inline void text_unformatted(std::string_view text) { ImGui::TextUnformatted(text.data(), text.data() + text.size()); }

// A screen's title in the heading font, with `note` (may be empty) in grey on the same baseline.
void draw_heading(const char* title, const std::string& note, const FontSet& fonts);

// Wrapped text in `colour`.
void colored_wrapped(const ImVec4& colour, std::string_view text);

}  // namespace tsunagi
