// The Japanese UI font: found through fontconfig, read once into memory, and added to ImGui's atlas with a glyph
// set that covers the catalogue, the reference data and every record the window has shown.
//
// ImGui 1.86 as Debian builds it uses 16-bit ImWchar (IMGUI_USE_WCHAR32 is not defined in imconfig.h), so only
// the Basic Multilingual Plane can be drawn: ImGui decodes characters above U+FFFF (such as 𠮷 U+20BB7 in 𠮷田)
// to U+FFFD, which build_fonts() draws as 〓 (geta, the customary mark for a character that cannot be shown)
// rather than a misleading '?'. 髙 (U+9AD9) and 﨑 (U+FA11) are in the BMP and are covered.
//
// Thread safety: none; used by the UI thread only.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <imgui.h>

#include "model/error.hpp"

namespace tsunagi {

struct FontFace {
  std::filesystem::path path;
  int index = 0;  // face in a collection (.ttc): Noto Sans CJK ships every region's face in one file
  std::string family;
};

// Finds a scalable font that supports Japanese: "Noto Sans CJK JP", then "IPAGothic", "IPAexGothic", then any
// font whose language set includes "ja". The error (code "font.missing") tells the user which package to install.
Result<FontFace> find_japanese_font();

// Code points the atlas must cover beyond the fixed ranges, collected from text as the window shows it.
class GlyphCoverage {
 public:
  // Adds the code points of UTF-8 `text`. Returns true when one of them is not yet in `font` (or `font` is null),
  // i.e. the atlas should be rebuilt. Code points the font file itself lacks are asked for once, then remembered.
  bool add_text(std::string_view text, const ImFont* font);
  // The code points collected so far that the atlas had to be given beyond its fixed ranges.
  const std::vector<ImWchar>& extra() const { return extra_; }

 private:
  std::unordered_set<char32_t> seen_;
  std::vector<ImWchar> extra_;
};

// Glyph ranges for the atlas: ImGui's default and Japanese ranges, general and CJK punctuation, full-width forms,
// enclosed and compatibility characters (①, ㈱, ㍻), plus `extra`. The result must outlive the atlas's use of it.
// Needs a current ImGui context.
void build_glyph_ranges(const std::vector<ImWchar>& extra, ImVector<ImWchar>& ranges);

// Glyph ranges for headings: ImGui's default ranges plus the characters of `text` (the catalogue), so that the
// larger heading font stays small in the atlas. Needs a current ImGui context.
void build_heading_ranges(std::string_view text, ImVector<ImWchar>& ranges);

// The font file in memory, so that the atlas can be rebuilt (new rare kanji) without reading the disk again.
class UiFont {
 public:
  // Reads the file of `face`. Fails with "font.read" when it cannot.
  static Result<UiFont> load(FontFace face);

  const FontFace& face() const { return face_; }

  // Adds this font at `pixel_size` with `ranges` to `atlas` (not built yet). The atlas keeps pointers into this
  // object and into `ranges`: both must outlive its use of them. Returns the font, or null on failure.
  ImFont* add_to(ImFontAtlas& atlas, float pixel_size, const ImVector<ImWchar>& ranges);

 private:
  FontFace face_;
  std::vector<unsigned char> bytes_;
};

// The fonts the screens draw with.
struct FontSet {
  ImFont* body = nullptr;
  ImFont* heading = nullptr;  // larger; covers the catalogue's characters only
};

// Clears `atlas`, adds `file` as the body font (`body_ranges`) and the heading font (`heading_ranges`), and builds
// the atlas. Returns both fonts, or nullopt when the atlas cannot be built.
std::optional<FontSet> build_fonts(ImFontAtlas& atlas, UiFont& file, float body_pixels, float heading_pixels,
                                   const ImVector<ImWchar>& body_ranges, const ImVector<ImWchar>& heading_ranges);

}  // namespace tsunagi
