// The Japanese UI font: found through fontconfig (Linux) or in the system's font folders (Windows), read once into
// memory, and added to ImGui's atlas with a glyph set that covers the catalogue, the reference data and every record
// the window has shown.
//
// ImGui 1.86 as Debian builds it uses 16-bit ImWchar (IMGUI_USE_WCHAR32 is not defined in imconfig.h), so it can
// only draw the Basic Multilingual Plane. Characters above U+FFFF (such as 𠮷 U+20BB7 in 𠮷田, common in names)
// are therefore given stand-ins in the BMP's Private Use Area (GlyphAliases): text passes through to_display()
// on its way to ImGui and from_display() on its way back from an input field, and the atlas holds each stand-in
// as a custom glyph rasterised from the real character. A character the font itself lacks is drawn as 〓 (geta,
// the customary mark for a character that cannot be shown) rather than a misleading '?'.
//
// Thread safety: none; used by the UI thread only.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <imgui.h>

#include "model/error.hpp"
#include "model/files.hpp"

namespace tsunagi {

struct FontFace {
  std::filesystem::path path;
  int index = 0;  // face in a collection (.ttc): Noto Sans CJK ships every region's face in one file
  std::string family;
};

// Finds a scalable font that supports Japanese: "Noto Sans CJK JP", then "IPAGothic", "IPAexGothic", then any
// font whose language set includes "ja". The error (code "font.missing") tells the user which package to install.
// On Windows: Yu Gothic UI, then Meiryo, then MS Gothic (then BIZ UDGothic and Noto Sans CJK JP, if installed)
// from the system's and the user's font folders (platform::font_folders), without fontconfig.
Result<FontFace> find_japanese_font();

// The face named one of `families` (the first in that order that any file has), from the .ttf, .ttc and .otf
// files in `folders`; `preferred_files` (file names in those folders, such as "meiryo.ttc") are read first, and
// the folders are searched whole only when they hold none of the families. A family is matched by its English or
// Japanese name in the font's name table. nullopt when no face of any of them is there.
std::optional<FontFace> find_font_in_folders(const std::vector<std::filesystem::path>& folders,
                                             const std::vector<std::string>& families,
                                             const std::vector<std::string>& preferred_files);

// Stand-ins in the Private Use Area (U+E000..U+F8FF) for characters above U+FFFF, assigned as they first appear.
// A Private Use character typed by the user that happens to equal a stand-in would be read back as the character
// it stands for; no Japanese input method produces them.
class GlyphAliases {
 public:
  // The stand-in for `cp` (> U+FFFF), assigned on first use; 0 when the Private Use Area is used up.
  ImWchar alias_for(char32_t cp);
  // `text` with each character above U+FFFF replaced by its stand-in (a copy only when there is one).
  std::string to_display(std::string_view text);
  // `text` with each stand-in replaced by the character it stands for.
  std::string from_display(std::string_view text) const;
  // Every (character, stand-in) pair so far.
  const std::vector<std::pair<char32_t, ImWchar>>& all() const { return pairs_; }

  // Typing that ImGui's character queue cannot carry (its text fields drop the Private Use Area): a character
  // above U+FFFF, and whatever is typed after it in the same frame, waits here; the focused field inserts it
  // (take_typed) in the order it was typed. The window's character callback calls type().
  // Returns true when `cp` was queued here; false when it can go to ImGui as it is.
  bool type(char32_t cp);
  bool has_typed() const { return !typed_.empty(); }
  std::string take_typed();

 private:
  std::string typed_;  // in display form
  std::unordered_map<char32_t, ImWchar> alias_;
  std::unordered_map<ImWchar, char32_t> original_;
  std::vector<std::pair<char32_t, ImWchar>> pairs_;
};

// The UI thread's stand-ins (draw code converts through it; the atlas draws them).
GlyphAliases& glyph_aliases();

// Code points the atlas must cover beyond the fixed ranges, collected from text as the window shows it.
class GlyphCoverage {
 public:
  // Adds the code points of UTF-8 `text`. Returns true when one of them is not yet in `font` (or `font` is null),
  // i.e. the atlas should be rebuilt. Code points the font file itself lacks are asked for once, then remembered.
  // A character above U+FFFF gets its stand-in from glyph_aliases().
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
  // Maps the file of `face` (read as it is used: a CJK font is large and few of its glyphs are drawn). Fails with
  // "font.read" when it cannot.
  static Result<UiFont> load(FontFace face);

  const FontFace& face() const { return face_; }

  // Adds this font at `pixel_size` with `ranges` to `atlas` (not built yet). The atlas keeps pointers into this
  // object and into `ranges`: both must outlive its use of them. Returns the font, or null on failure.
  ImFont* add_to(ImFontAtlas& atlas, float pixel_size, const ImVector<ImWchar>& ranges);

  // One character rasterised at `pixel_size` as ImGui's atlas would place it: an 8-bit coverage bitmap, its offset
  // from the top-left of the text cursor, and its advance. nullopt when the font has no glyph for `cp`.
  struct Bitmap {
    int width = 0, height = 0;
    ImVec2 offset;
    float advance = 0;
    std::vector<unsigned char> pixels;  // width * height
  };
  std::optional<Bitmap> render(char32_t cp, float pixel_size) const;

 private:
  const unsigned char* bytes() const { return file_ ? file_->data() : nullptr; }
  std::size_t size() const { return file_ ? file_->size() : 0; }

  FontFace face_;
  std::shared_ptr<const MappedFile> file_;
};

// The fonts the screens draw with.
struct FontSet {
  ImFont* body = nullptr;
  ImFont* heading = nullptr;  // larger; covers the catalogue's characters only
};

// Clears `atlas`, adds `file` as the body font (`body_ranges`, plus a glyph for each of glyph_aliases()) and the
// heading font (`heading_ranges`), and builds the atlas. Returns both fonts, or nullopt when it cannot be built.
std::optional<FontSet> build_fonts(ImFontAtlas& atlas, UiFont& file, float body_pixels, float heading_pixels,
                                   const ImVector<ImWchar>& body_ranges, const ImVector<ImWchar>& heading_ranges);

}  // namespace tsunagi
