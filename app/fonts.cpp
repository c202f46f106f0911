#include "app/fonts.hpp"

#include <fontconfig/fontconfig.h>

#include <array>
#include <memory>
#include <optional>

#include "model/files.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

struct PatternDeleter {
  void operator()(FcPattern* pattern) const { FcPatternDestroy(pattern); }
};
using PatternPtr = std::unique_ptr<FcPattern, PatternDeleter>;

std::string pattern_string(const FcPattern* pattern, const char* object) {
  FcChar8* value = nullptr;
  if (FcPatternGetString(pattern, object, 0, &value) != FcResultMatch || value == nullptr) return {};
  return reinterpret_cast<const char*>(value);
}

// True when the matched font can be used: an outline font (stb_truetype cannot read bitmap fonts) whose language
// set includes Japanese proper, not just the same script.
bool usable_for_japanese(const FcPattern* match) {
  FcBool outline = FcFalse;
  if (FcPatternGetBool(match, FC_OUTLINE, 0, &outline) != FcResultMatch || !outline) return false;
  FcLangSet* langs = nullptr;
  if (FcPatternGetLangSet(match, FC_LANG, 0, &langs) != FcResultMatch || langs == nullptr) return false;
  if (FcLangSetHasLang(langs, reinterpret_cast<const FcChar8*>("ja")) != FcLangEqual) return false;
  const std::string file = pattern_string(match, FC_FILE);
  for (const char* extension : {".ttf", ".otf", ".ttc", ".otc", ".TTF", ".OTF", ".TTC"})
    if (file.size() > 4 && file.ends_with(extension)) return true;
  return false;
}

// The best match for lang=ja (and `family`, if given); nullopt unless it is usable and, when a family was asked
// for, of that family (fontconfig always returns *some* font).
std::optional<FontFace> match_font(FcConfig* config, const char* family) {
  PatternPtr pattern(FcPatternCreate());
  FcLangSet* langs = FcLangSetCreate();
  FcLangSetAdd(langs, reinterpret_cast<const FcChar8*>("ja"));
  FcPatternAddLangSet(pattern.get(), FC_LANG, langs);
  FcLangSetDestroy(langs);  // the pattern holds its own copy
  if (family != nullptr) FcPatternAddString(pattern.get(), FC_FAMILY, reinterpret_cast<const FcChar8*>(family));
  FcPatternAddInteger(pattern.get(), FC_WEIGHT, FC_WEIGHT_REGULAR);
  FcPatternAddInteger(pattern.get(), FC_SLANT, FC_SLANT_ROMAN);
  FcPatternAddBool(pattern.get(), FC_OUTLINE, FcTrue);
  FcConfigSubstitute(config, pattern.get(), FcMatchPattern);
  FcDefaultSubstitute(pattern.get());

  FcResult result = FcResultNoMatch;
  PatternPtr match(FcFontMatch(config, pattern.get(), &result));
  if (!match || result != FcResultMatch || !usable_for_japanese(match.get())) return std::nullopt;
  FontFace face;
  face.path = pattern_string(match.get(), FC_FILE);
  face.family = pattern_string(match.get(), FC_FAMILY);
  // A collection's faces share a file; FC_INDEX names the one that matched (the JP face of Noto Sans CJK).
  if (FcPatternGetInteger(match.get(), FC_INDEX, 0, &face.index) != FcResultMatch) face.index = 0;
  if (family != nullptr) {
    // The match may list several family names (localised ones too); the asked-for one must be among them.
    bool found = false;
    FcChar8* name = nullptr;
    for (int i = 0; FcPatternGetString(match.get(), FC_FAMILY, i, &name) == FcResultMatch; ++i)
      if (FcStrCmpIgnoreCase(name, reinterpret_cast<const FcChar8*>(family)) == 0) found = true;
    if (!found) return std::nullopt;
    face.family = family;
  }
  return face;
}

}  // namespace

Result<FontFace> find_japanese_font() {
  FcConfig* config = FcInitLoadConfigAndFonts();
  if (config == nullptr)
    return make_error("font.missing", "", "fontconfig could not be initialised", "fontconfig を初期化できません");
  std::optional<FontFace> face;
  for (const char* family : {"Noto Sans CJK JP", "IPAGothic", "IPAexGothic"}) {
    face = match_font(config, family);
    if (face) break;
  }
  if (!face) face = match_font(config, nullptr);
  FcConfigDestroy(config);
  if (!face)
    return make_error("font.missing", "",
                      "no Japanese font found; install fonts-noto-cjk, e.g. `sudo apt-get install fonts-noto-cjk`",
                      "日本語フォントが見つかりません。fonts-noto-cjk をインストールしてください"
                      "（例: `sudo apt-get install fonts-noto-cjk`）");
  return *face;
}

bool GlyphCoverage::add_text(std::string_view text, const ImFont* font) {
  bool rebuild = false;
  for (char32_t cp : decode_utf8(text)) {
    // 16-bit ImWchar: nothing above the BMP can be in the atlas (see fonts.hpp). Control characters need no glyph.
    if (cp > 0xFFFF || cp < 0x20) continue;
    if (!seen_.insert(cp).second) continue;
    const auto wide = static_cast<ImWchar>(cp);
    if (font != nullptr && font->FindGlyphNoFallback(wide) != nullptr) continue;
    extra_.push_back(wide);
    rebuild = true;
  }
  return rebuild;
}

void build_glyph_ranges(const std::vector<ImWchar>& extra, ImVector<ImWchar>& ranges) {
  ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
  ImFontGlyphRangesBuilder builder;
  builder.AddRanges(atlas.GetGlyphRangesDefault());
  builder.AddRanges(atlas.GetGlyphRangesJapanese());
  static const ImWchar kPunctuation[] = {
      0x2000, 0x206F,  // general punctuation: ‥ … ※ ‐ “ ”
      0x2100, 0x218F,  // letterlike symbols and number forms: № ℡ Ⅰ Ⅱ
      0x2190, 0x21FF,  // arrows
      0x2460, 0x24FF,  // enclosed alphanumerics: ① ②
      0x25A0, 0x25FF,  // geometric shapes: ■ □ ◆ ○ ●
      0x2600, 0x26FF,  // miscellaneous symbols: ★ ☆
      0x3000, 0x30FF,  // CJK punctuation, hiragana, katakana
      0x31F0, 0x31FF,  // katakana phonetic extensions
      0x3200, 0x33FF,  // enclosed CJK and CJK compatibility: ㈱ ㍻
      0xFF00, 0xFFEF,  // half-width and full-width forms
      0,
  };
  builder.AddRanges(kPunctuation);
  for (ImWchar c : extra) builder.AddChar(c);
  ranges.clear();
  builder.BuildRanges(&ranges);
}

Result<UiFont> UiFont::load(FontFace face) {
  auto content = read_file(face.path);
  if (!content)
    return make_error("font.read", face.path.string(), "cannot read the font: " + content.error().message,
                      "フォントを読み込めません: " + content.error().message_ja);
  UiFont font;
  font.face_ = std::move(face);
  font.bytes_.assign(content->begin(), content->end());
  return font;
}

ImFont* UiFont::add_to(ImFontAtlas& atlas, float pixel_size, const ImVector<ImWchar>& ranges) {
  ImFontConfig config;
  config.FontNo = face_.index;
  config.FontDataOwnedByAtlas = false;  // the bytes belong to this object and survive atlas rebuilds
  config.OversampleH = 1;  // ImGui's advice for CJK: thousands of glyphs, and horizontal oversampling doubles the atlas
  config.OversampleV = 1;
  config.PixelSnapH = true;
  ImFont* font =
      atlas.AddFontFromMemoryTTF(bytes_.data(), static_cast<int>(bytes_.size()), pixel_size, &config, ranges.Data);
  return font;
}

void build_heading_ranges(std::string_view text, ImVector<ImWchar>& ranges) {
  ImFontGlyphRangesBuilder builder;
  builder.AddRanges(ImGui::GetIO().Fonts->GetGlyphRangesDefault());
  builder.AddText(text.data(), text.data() + text.size());  // drops what is above U+FFFF (16-bit ImWchar)
  ranges.clear();
  builder.BuildRanges(&ranges);
}

std::optional<FontSet> build_fonts(ImFontAtlas& atlas, UiFont& file, float body_pixels, float heading_pixels,
                                   const ImVector<ImWchar>& body_ranges, const ImVector<ImWchar>& heading_ranges) {
  atlas.Clear();
  FontSet fonts;
  fonts.body = file.add_to(atlas, body_pixels, body_ranges);  // first: ImGui's default font
  fonts.heading = file.add_to(atlas, heading_pixels, heading_ranges);
  if (fonts.body == nullptr || fonts.heading == nullptr || !atlas.Build()) return std::nullopt;
  // Characters above U+FFFF reach the font as U+FFFD (see fonts.hpp): show them as 〓, as Japanese print does.
  constexpr ImWchar kReplacement = 0xFFFD, kGeta = 0x3013;
  for (ImFont* font : {fonts.body, fonts.heading})
    if (font->FindGlyphNoFallback(kGeta) != nullptr) font->AddRemapChar(kReplacement, kGeta);
  return fonts;
}

}  // namespace tsunagi
