// What the screen says: the text of a rendered ImGui frame, read back from its draw data.
//
// Screenshot and UI tests check the words a user would read (a title, a field's value, that a stale message or a
// developer's "/record/author" is gone), not only that something was drawn. ImGui draws each glyph as a textured
// quad whose UVs are the glyph's rect in the font atlas, so the quads of an ImDrawData, matched against the
// atlas's glyphs, give back the characters and where they stand.
//
// Thread safety: none; call it on the UI thread, between ImGui::Render() and the next NewFrame (the draw data is
// ImGui's until then), with the atlas the frame was drawn with (not rebuilt since).
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

namespace tsunagi {

// One line of text as drawn: glyphs sharing a baseline, left to right.
struct DrawnLine {
  float x = 0, y = 0;  // screen position of its first glyph: the pen (text cursor) x, the line's top
  float size = 0;      // its largest font size, in pixels
  std::string text;    // UTF-8, with the real characters for the Private Use stand-ins of glyph_aliases()
};

// The text of `data`'s visible glyphs, in reading order: lines top to bottom by baseline (glyphs within about half
// a font size of a line's baseline belong to it, whatever item or window drew them), glyphs left to right, one
// space where the pen moved on by more than a sixth of the font size between two glyphs (ImGui draws nothing for a
// space, so spaces are inferred: several spaces, a tab, or the gap between two items on one row all become one
// space) or where a glyph is cut off by a clip at that side.
//
// A glyph is a quad drawn with `atlas`'s texture whose UV rect is a visible glyph of one of `atlas`'s fonts, or lies
// inside one (InputText clips glyphs finely, shrinking their UVs). It counts when some part of it lies inside its
// draw command's clip rect and the display, and its colour is not fully transparent; a glyph partly visible
// counts whole.
//
// What it cannot see: text drawn into other textures (images, a renderer's own text); glyphs hidden under a
// window or shape drawn later (nothing is drawn over: text behind a popup is read with the popup's, merged by
// position); glyphs a colour hard to tell from the background. A character the font lacks reads as the glyph drawn
// for it (〓, or the atlas's fallback). Needs glyph_aliases() (the UI thread's) for characters above U+FFFF.
std::vector<DrawnLine> drawn_lines(const ImDrawData& data, const ImFontAtlas& atlas);

// drawn_lines() joined by '\n' (no newline after the last line); empty when nothing is drawn.
std::string drawn_text(const ImDrawData& data, const ImFontAtlas& atlas);

}  // namespace tsunagi
