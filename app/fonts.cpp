#include "app/fonts.hpp"

#ifndef _WIN32
#include <fontconfig/fontconfig.h>
#endif
#include <stb_truetype.h>  // the implementation is in libstb

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <optional>

#include "model/files.hpp"
#include "model/platform.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

// [SECTION] Fonts in folders (Windows; any system, for tests)

// The family names (name IDs 1 and 16, Windows platform, Unicode) of face `index` of `data`, as UTF-8.
std::vector<std::string> family_names(const unsigned char* data, int index) {
  std::vector<std::string> names;
  stbtt_fontinfo info;
  const int offset = stbtt_GetFontOffsetForIndex(data, index);
  if (offset < 0 || !stbtt_InitFont(&info, data, offset)) return names;
  for (int name_id : {1, 16})
    for (int language : {0x409, 0x411}) {  // English (US), Japanese
      int length = 0;
      const char* utf16be = stbtt_GetFontNameString(&info, &length, STBTT_PLATFORM_ID_MICROSOFT,
                                                    STBTT_MS_EID_UNICODE_BMP, language, name_id);
      if (utf16be == nullptr) continue;
      std::string name;
      for (int i = 0; i + 1 < length; i += 2) {
        const auto unit = static_cast<char32_t>((static_cast<unsigned char>(utf16be[i]) << 8) |
                                                static_cast<unsigned char>(utf16be[i + 1]));
        if (unit >= 0xD800 && unit <= 0xDFFF) continue;  // family names are in the BMP
        name += encode_utf8(unit);
      }
      if (!name.empty()) names.push_back(std::move(name));
    }
  return names;
}

bool is_font_file(const std::filesystem::path& path) {
  std::string extension = platform::path_to_utf8(path.extension());
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == ".ttf" || extension == ".ttc" || extension == ".otf" || extension == ".otc";
}

// The best face of `file` by the rank of its family in `families` (lower is better); updates `best`.
void consider_file(const std::filesystem::path& file, const std::vector<std::string>& families,
                   std::optional<FontFace>& best, std::size_t& best_rank) {
  auto mapped = MappedFile::open(file);
  if (!mapped || mapped->size() < 12) return;
  const int faces = std::max(1, stbtt_GetNumberOfFonts(mapped->data()));
  for (int index = 0; index < faces && index < 64; ++index)
    for (const std::string& name : family_names(mapped->data(), index)) {
      auto it = std::find(families.begin(), families.end(), name);
      const auto rank = static_cast<std::size_t>(it - families.begin());
      if (it == families.end() || rank >= best_rank) continue;
      best = FontFace{file, index, *it};
      best_rank = rank;
    }
}

}  // namespace

std::optional<FontFace> find_font_in_folders(const std::vector<std::filesystem::path>& folders,
                                             const std::vector<std::string>& families,
                                             const std::vector<std::string>& preferred_files) {
  std::optional<FontFace> best;
  std::size_t best_rank = families.size();
  std::error_code ec;
  for (const auto& folder : folders)
    for (const std::string& name : preferred_files) {
      const std::filesystem::path file = folder / platform::path_from_utf8(name);
      if (std::filesystem::is_regular_file(file, ec)) consider_file(file, families, best, best_rank);
    }
  if (best) return best;
  for (const auto& folder : folders) {
    std::vector<std::filesystem::path> files;
    for (std::filesystem::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
      if (is_font_file(it->path())) files.push_back(it->path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) consider_file(file, families, best, best_rank);
  }
  return best;
}

namespace {

Error font_missing_error() {
#ifdef _WIN32
  return make_error("font.missing", "",
                    "no Japanese font found (Yu Gothic UI, Meiryo or MS Gothic) in the Fonts folder",
                    "日本語フォント（游ゴシック UI、メイリオ、ＭＳ ゴシック）がフォント フォルダーに見つかりません");
#else
  return make_error("font.missing", "",
                    "no Japanese font found; install fonts-noto-cjk, e.g. `sudo apt-get install fonts-noto-cjk`",
                    "日本語フォントが見つかりません。fonts-noto-cjk をインストールしてください"
                    "（例: `sudo apt-get install fonts-noto-cjk`）");
#endif
}

}  // namespace

#ifdef _WIN32

Result<FontFace> find_japanese_font() {
  auto face =
      find_font_in_folders(platform::font_folders(),
                           {"Yu Gothic UI", "Meiryo", "MS Gothic", "BIZ UDGothic", "Noto Sans CJK JP", "Noto Sans JP"},
                           {"YuGothR.ttc", "meiryo.ttc", "msgothic.ttc"});
  if (!face) return font_missing_error();
  return *face;
}

#else

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
  if (!face) return font_missing_error();
  return *face;
}

#endif

// [SECTION] Stand-ins for characters above U+FFFF

namespace {
constexpr char32_t kPrivateUseFirst = 0xE000, kPrivateUseLast = 0xF8FF;
}  // namespace

ImWchar GlyphAliases::alias_for(char32_t cp) {
  if (auto it = alias_.find(cp); it != alias_.end()) return it->second;
  const char32_t next = kPrivateUseFirst + static_cast<char32_t>(pairs_.size());
  if (next > kPrivateUseLast) return 0;
  const auto alias = static_cast<ImWchar>(next);
  alias_.emplace(cp, alias);
  original_.emplace(alias, cp);
  pairs_.emplace_back(cp, alias);
  return alias;
}

std::string GlyphAliases::to_display(std::string_view text) {
  // A character above U+FFFF is the only one whose UTF-8 starts with 0xF0..0xF4.
  const bool any = std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0xF0; });
  if (!any) return std::string(text);
  std::string shown;
  shown.reserve(text.size());
  for (char32_t cp : decode_utf8(text)) {
    const ImWchar alias = cp > 0xFFFF ? alias_for(cp) : 0;
    shown += encode_utf8(alias != 0 ? static_cast<char32_t>(alias) : cp);
  }
  return shown;
}

std::string GlyphAliases::from_display(std::string_view text) const {
  if (original_.empty()) return std::string(text);
  std::string stored;
  stored.reserve(text.size());
  for (char32_t cp : decode_utf8(text)) {
    auto it = cp >= kPrivateUseFirst && cp <= kPrivateUseLast ? original_.find(static_cast<ImWchar>(cp))
                                                                : original_.end();
    stored += encode_utf8(it != original_.end() ? it->second : cp);
  }
  return stored;
}

bool GlyphAliases::type(char32_t cp) {
  if (cp <= 0xFFFF && typed_.empty()) return false;
  const ImWchar alias = cp > 0xFFFF ? alias_for(cp) : 0;
  typed_ += encode_utf8(cp > 0xFFFF ? (alias != 0 ? static_cast<char32_t>(alias) : U'〓') : cp);
  return true;
}

std::string GlyphAliases::take_typed() {
  std::string typed;
  typed.swap(typed_);
  return typed;
}

GlyphAliases& glyph_aliases() {
  static GlyphAliases aliases;
  return aliases;
}

// [SECTION] Coverage

bool GlyphCoverage::add_text(std::string_view text, const ImFont* font) {
  bool rebuild = false;
  for (char32_t cp : decode_utf8(text)) {
    if (cp < 0x20) continue;  // control characters need no glyph
    if (!seen_.insert(cp).second) continue;
    if (cp > 0xFFFF) {  // drawn through its stand-in, which build_fonts() adds for every alias
      const ImWchar alias = glyph_aliases().alias_for(cp);
      if (alias != 0 && (font == nullptr || font->FindGlyphNoFallback(alias) == nullptr)) rebuild = true;
      continue;
    }
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
  auto mapped = MappedFile::open(face.path);
  if (!mapped)
    return make_error("font.read", platform::path_to_utf8(face.path), "cannot read the font: " + mapped.error().message,
                      "フォントを読み込めません: " + mapped.error().message_ja);
  if (mapped->size() == 0)
    return make_error("font.read", platform::path_to_utf8(face.path), "the font file is empty",
                      "フォントのファイルが空です");
  UiFont font;
  font.face_ = std::move(face);
  font.file_ = std::make_shared<const MappedFile>(std::move(*mapped));
  return font;
}

ImFont* UiFont::add_to(ImFontAtlas& atlas, float pixel_size, const ImVector<ImWchar>& ranges) {
  ImFontConfig config;
  config.FontNo = face_.index;
  config.FontDataOwnedByAtlas = false;  // the bytes belong to this object and survive atlas rebuilds; read only
  config.OversampleH = 1;  // ImGui's advice for CJK: thousands of glyphs, and horizontal oversampling doubles the atlas
  config.OversampleV = 1;
  config.PixelSnapH = true;
  ImFont* font =
      atlas.AddFontFromMemoryTTF(const_cast<unsigned char*>(bytes()), static_cast<int>(size()), pixel_size, &config,
                                 ranges.Data);
  return font;
}

std::optional<UiFont::Bitmap> UiFont::render(char32_t cp, float pixel_size) const {
  stbtt_fontinfo info;
  const int offset = stbtt_GetFontOffsetForIndex(bytes(), face_.index);
  if (offset < 0 || !stbtt_InitFont(&info, bytes(), offset)) return std::nullopt;
  const int glyph = stbtt_FindGlyphIndex(&info, static_cast<int>(cp));
  if (glyph == 0) return std::nullopt;
  // The same scale and ascent as ImGui's own build (ImFontAtlasBuildWithStbTruetype, ImFontAtlasBuildSetupFont).
  const float scale = stbtt_ScaleForPixelHeight(&info, pixel_size);
  int ascent = 0, descent = 0, gap = 0;
  stbtt_GetFontVMetrics(&info, &ascent, &descent, &gap);
  const float font_ascent = std::floor(static_cast<float>(ascent) * scale + (ascent > 0 ? 1.0f : -1.0f));
  int advance = 0, bearing = 0;
  stbtt_GetGlyphHMetrics(&info, glyph, &advance, &bearing);
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  stbtt_GetGlyphBitmapBox(&info, glyph, scale, scale, &x0, &y0, &x1, &y1);
  Bitmap bitmap;
  bitmap.width = std::max(0, x1 - x0);
  bitmap.height = std::max(0, y1 - y0);
  bitmap.offset = ImVec2(static_cast<float>(x0), std::round(font_ascent) + static_cast<float>(y0));
  bitmap.advance = std::round(static_cast<float>(advance) * scale);
  bitmap.pixels.assign(static_cast<std::size_t>(bitmap.width) * static_cast<std::size_t>(bitmap.height), 0);
  if (!bitmap.pixels.empty())
    stbtt_MakeGlyphBitmap(&info, bitmap.pixels.data(), bitmap.width, bitmap.height, bitmap.width, scale, scale, glyph);
  return bitmap;
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
  if (fonts.body == nullptr || fonts.heading == nullptr) return std::nullopt;

  // Characters above U+FFFF: a custom glyph per stand-in, painted into the atlas once it is built.
  struct Painted {
    int rect;
    UiFont::Bitmap bitmap;
  };
  std::vector<Painted> painted;
  std::vector<ImWchar> missing;
  for (const auto& [cp, alias] : glyph_aliases().all()) {
    auto bitmap = file.render(cp, body_pixels);
    if (!bitmap) {
      missing.push_back(alias);
      continue;
    }
    const int rect = atlas.AddCustomRectFontGlyph(fonts.body, alias, bitmap->width, bitmap->height, bitmap->advance,
                                                  bitmap->offset);
    painted.push_back({rect, std::move(*bitmap)});
  }
  if (!atlas.Build()) return std::nullopt;
  for (const Painted& glyph : painted) {
    const ImFontAtlasCustomRect* rect = atlas.GetCustomRectByIndex(glyph.rect);
    for (int y = 0; y < glyph.bitmap.height; ++y)
      std::copy_n(glyph.bitmap.pixels.data() + static_cast<std::size_t>(y * glyph.bitmap.width), glyph.bitmap.width,
                  atlas.TexPixelsAlpha8 + static_cast<std::size_t>((rect->Y + y) * atlas.TexWidth + rect->X));
  }

  // Text ImGui cannot decode (U+FFFD) and stand-ins the font has no glyph for: 〓, as Japanese print does.
  constexpr ImWchar kReplacement = 0xFFFD, kGeta = 0x3013;
  for (ImFont* font : {fonts.body, fonts.heading}) {
    if (font->FindGlyphNoFallback(kGeta) == nullptr) continue;
    font->AddRemapChar(kReplacement, kGeta);
    for (ImWchar alias : missing) font->AddRemapChar(alias, kGeta);
  }
  return fonts;
}

}  // namespace tsunagi
