// The screens not built yet (new record, sync, settings): their name and a short "coming soon" note.
#pragma once

#include <string_view>

#include "app/fonts.hpp"
#include "app/i18n.hpp"

namespace tsunagi {

// Draws the placeholder for the screen whose catalogue keys are "nav.<screen_key>" (its name) and
// "placeholder.<screen_key>" (what it will do).
void draw_placeholder(std::string_view screen_key, const FontSet& fonts, I18n& i18n);

}  // namespace tsunagi
