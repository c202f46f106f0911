// Reading the text of a frame back from its draw data (see drawn_text.hpp).
//
// [SECTION] The atlas's glyphs by UV rect
// [SECTION] Glyph quads in the draw data
// [SECTION] Lines
#include "app/drawn_text.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "app/fonts.hpp"
#include "model/text.hpp"

namespace tsunagi {

namespace {

// [SECTION] The atlas's glyphs by UV rect

struct UvRect {
  float u0 = 0, v0 = 0, u1 = 0, v1 = 0;
};

struct AtlasGlyph {
  const ImFont* font = nullptr;
  const ImFontGlyph* glyph = nullptr;
};

// A UV rect compared bit for bit: RenderText copies a glyph's U0..V1 into its vertices unchanged.
struct UvKey {
  std::uint32_t bits[4];
  bool operator==(const UvKey&) const = default;
};

struct UvKeyHash {
  std::size_t operator()(const UvKey& key) const {
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (std::uint32_t part : key.bits) hash = (hash ^ part) * 0x100000001b3ull;
    return static_cast<std::size_t>(hash);
  }
};

UvKey key_of(const UvRect& uv) {
  return {{std::bit_cast<std::uint32_t>(uv.u0), std::bit_cast<std::uint32_t>(uv.v0),
           std::bit_cast<std::uint32_t>(uv.u1), std::bit_cast<std::uint32_t>(uv.v1)}};
}

// Every visible glyph of every font in an atlas, found by the UV rect it is drawn with. Glyph rects do not overlap
// in the atlas (nor do they overlap its white pixel, line textures or mouse cursors), so a UV point lies in at most
// one of them.
class GlyphIndex {
 public:
  explicit GlyphIndex(const ImFontAtlas& atlas) {
    for (const ImFont* font : atlas.Fonts) {
      if (font == nullptr) continue;
      for (const ImFontGlyph& glyph : font->Glyphs) {
        if (!glyph.Visible || glyph.U1 <= glyph.U0 || glyph.V1 <= glyph.V0 || glyph.X1 <= glyph.X0 ||
            glyph.Y1 <= glyph.Y0)
          continue;
        glyphs_.push_back({font, &glyph});
        exact_.try_emplace(key_of({glyph.U0, glyph.V0, glyph.U1, glyph.V1}), glyphs_.size() - 1);
      }
    }
  }

  // The glyph drawn with exactly `uv`, else the one whose rect holds the centre of `uv` (a glyph InputText clipped
  // finely); null for none.
  const AtlasGlyph* find(const UvRect& uv) const {
    if (auto found = exact_.find(key_of(uv)); found != exact_.end()) return &glyphs_[found->second];
    if (grid_.empty()) build_grid();
    const float u = (uv.u0 + uv.u1) * 0.5f, v = (uv.v0 + uv.v1) * 0.5f;
    for (std::uint32_t i : grid_[cell(u) * kCells + cell(v)]) {
      const ImFontGlyph& glyph = *glyphs_[i].glyph;
      if (glyph.U0 <= u && u <= glyph.U1 && glyph.V0 <= v && v <= glyph.V1) return &glyphs_[i];
    }
    return nullptr;
  }

 private:
  static constexpr int kCells = 64;  // per side of the UV square

  static int cell(float uv) { return std::clamp(static_cast<int>(uv * kCells), 0, kCells - 1); }

  // Built on the first quad with no exact match: most frames never need it.
  void build_grid() const {
    grid_.resize(kCells * kCells);
    for (std::size_t i = 0; i < glyphs_.size(); ++i) {
      const ImFontGlyph& glyph = *glyphs_[i].glyph;
      for (int cu = cell(glyph.U0); cu <= cell(glyph.U1); ++cu)
        for (int cv = cell(glyph.V0); cv <= cell(glyph.V1); ++cv)
          grid_[cu * kCells + cv].push_back(static_cast<std::uint32_t>(i));
    }
  }

  std::vector<AtlasGlyph> glyphs_;
  std::unordered_map<UvKey, std::size_t, UvKeyHash> exact_;
  mutable std::vector<std::vector<std::uint32_t>> grid_;  // glyphs_ indices by the cells their rects touch
};

// [SECTION] Glyph quads in the draw data

struct Rect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool empty() const { return x1 <= x0 || y1 <= y0; }
};

Rect intersect(const Rect& a, const Rect& b) {
  return {std::max(a.x0, b.x0), std::max(a.y0, b.y0), std::min(a.x1, b.x1), std::min(a.y1, b.y1)};
}

struct Quad {
  Rect pos;
  UvRect uv;
};

// The axis-aligned textured quad whose six indices start at `idx`, in the layout ImFont::RenderText and
// ImDrawList::PrimRectUV write: indices a, a+1, a+2, a, a+2, a+3 over the corners (x1,y1) (x2,y1) (x2,y2) (x1,y2)
// with UVs (u1,v1) (u2,v1) (u2,v2) (u1,v2). nullopt for anything else, for a quad of one UV point (the white pixel
// that rectangles and shapes are drawn with), and for a fully transparent one.
std::optional<Quad> quad_at(const ImDrawIdx* idx, const ImDrawVert* vtx, std::size_t vtx_count) {
  const std::size_t a = idx[0];
  if (idx[1] != a + 1 || idx[2] != a + 2 || idx[3] != a || idx[4] != a + 2 || idx[5] != a + 3) return std::nullopt;
  if (a + 3 >= vtx_count) return std::nullopt;
  const ImDrawVert* v = vtx + a;
  if (v[0].pos.y != v[1].pos.y || v[1].pos.x != v[2].pos.x || v[2].pos.y != v[3].pos.y || v[3].pos.x != v[0].pos.x)
    return std::nullopt;
  if (v[0].uv.y != v[1].uv.y || v[1].uv.x != v[2].uv.x || v[2].uv.y != v[3].uv.y || v[3].uv.x != v[0].uv.x)
    return std::nullopt;
  if ((v[0].col & IM_COL32_A_MASK) == 0) return std::nullopt;
  Quad quad{{v[0].pos.x, v[0].pos.y, v[2].pos.x, v[2].pos.y}, {v[0].uv.x, v[0].uv.y, v[2].uv.x, v[2].uv.y}};
  if (quad.pos.empty() || quad.uv.u1 <= quad.uv.u0 || quad.uv.v1 <= quad.uv.v0) return std::nullopt;
  return quad;
}

// A glyph on screen, measured as ImGui laid it out.
struct PlacedGlyph {
  char32_t codepoint = 0;  // as drawn: a stand-in for a character above U+FFFF
  float pen_left = 0;      // the pen before the glyph
  float pen_right = 0;     // and after it (its advance)
  float top = 0;           // the top of its line (the text cursor's y)
  float baseline = 0;
  float size = 0;          // font size in pixels
  float visible_left = 0;  // left edge of its visible part
  bool cut_left = false;   // a clip cut part of its ink off on that side
  bool cut_right = false;
};

constexpr float kCutTolerance = 0.5f;  // pixels

// `quad`, drawn with `found` and clipped to `clip`, as a placed glyph; nullopt when no part of it is visible.
// A finely clipped quad keeps the glyph's UV-to-pixel mapping, so its whole ink box is recovered from the UVs.
std::optional<PlacedGlyph> place(const Quad& quad, const AtlasGlyph& found, const Rect& clip) {
  const Rect visible = intersect(quad.pos, clip);
  if (visible.empty()) return std::nullopt;
  const ImFontGlyph& glyph = *found.glyph;
  const float per_u = (quad.pos.x1 - quad.pos.x0) / (quad.uv.u1 - quad.uv.u0);
  const float per_v = (quad.pos.y1 - quad.pos.y0) / (quad.uv.v1 - quad.uv.v0);
  const Rect ink{quad.pos.x0 - (quad.uv.u0 - glyph.U0) * per_u, quad.pos.y0 - (quad.uv.v0 - glyph.V0) * per_v,
                 quad.pos.x1 + (glyph.U1 - quad.uv.u1) * per_u, quad.pos.y1 + (glyph.V1 - quad.uv.v1) * per_v};
  // RenderText places the glyph at pen + (X0, Y0) * scale: the scale from the glyph's longer side is the most exact.
  const float scale = glyph.X1 - glyph.X0 >= glyph.Y1 - glyph.Y0 ? (ink.x1 - ink.x0) / (glyph.X1 - glyph.X0)
                                                                 : (ink.y1 - ink.y0) / (glyph.Y1 - glyph.Y0);
  PlacedGlyph placed;
  placed.codepoint = glyph.Codepoint;
  placed.pen_left = ink.x0 - glyph.X0 * scale;
  placed.pen_right = placed.pen_left + glyph.AdvanceX * scale;
  placed.top = ink.y0 - glyph.Y0 * scale;
  placed.baseline = placed.top + found.font->Ascent * scale;
  placed.size = found.font->FontSize * scale;
  placed.visible_left = visible.x0;
  placed.cut_left = visible.x0 > ink.x0 + kCutTolerance;
  placed.cut_right = visible.x1 < ink.x1 - kCutTolerance;
  return placed;
}

// Every visible glyph of `data`, in draw order.
std::vector<PlacedGlyph> placed_glyphs(const ImDrawData& data, const ImFontAtlas& atlas) {
  std::vector<PlacedGlyph> glyphs;
  if (data.CmdLists == nullptr || data.CmdListsCount <= 0) return glyphs;
  const GlyphIndex index(atlas);
  const Rect display{data.DisplayPos.x, data.DisplayPos.y, data.DisplayPos.x + data.DisplaySize.x,
                     data.DisplayPos.y + data.DisplaySize.y};
  for (int n = 0; n < data.CmdListsCount; ++n) {
    const ImDrawList* list = data.CmdLists[n];
    if (list == nullptr) continue;
    for (const ImDrawCmd& cmd : list->CmdBuffer) {
      if (cmd.UserCallback != nullptr || cmd.GetTexID() != atlas.TexID) continue;
      const Rect clip = intersect({cmd.ClipRect.x, cmd.ClipRect.y, cmd.ClipRect.z, cmd.ClipRect.w}, display);
      if (clip.empty()) continue;
      if (cmd.IdxOffset + static_cast<std::size_t>(cmd.ElemCount) > static_cast<std::size_t>(list->IdxBuffer.Size) ||
          cmd.VtxOffset > static_cast<unsigned>(list->VtxBuffer.Size))
        continue;
      const ImDrawIdx* idx = list->IdxBuffer.Data + cmd.IdxOffset;
      const ImDrawVert* vtx = list->VtxBuffer.Data + cmd.VtxOffset;
      const std::size_t vtx_count = static_cast<std::size_t>(list->VtxBuffer.Size) - cmd.VtxOffset;
      // Every primitive is whole triangles: step a triangle at a time until a glyph's two line up.
      for (unsigned i = 0; i + 6 <= cmd.ElemCount;) {
        const std::optional<Quad> quad = quad_at(idx + i, vtx, vtx_count);
        if (!quad) {
          i += 3;
          continue;
        }
        i += 6;
        const AtlasGlyph* found = index.find(quad->uv);
        if (found == nullptr) continue;
        if (auto placed = place(*quad, *found, clip)) glyphs.push_back(*placed);
      }
    }
  }
  return glyphs;
}

// [SECTION] Lines

// The pen gap read as a space, as a share of the font size. A space in the UI fonts is about a quarter of it
// (Noto Sans CJK: 0.224, snapped to whole pixels); glyphs of one run follow each other with no gap at all.
constexpr float kSpaceGap = 1.0f / 6.0f;
// How far from a line's baseline a glyph may sit and still belong to it, as a share of the font size.
constexpr float kBaselineTolerance = 0.5f;

bool same_glyph(const PlacedGlyph& a, const PlacedGlyph& b) {
  return a.codepoint == b.codepoint && std::abs(a.pen_left - b.pen_left) < kCutTolerance &&
         std::abs(a.baseline - b.baseline) < kCutTolerance;
}

DrawnLine make_line(const std::vector<PlacedGlyph>& glyphs) {
  DrawnLine line;
  line.x = glyphs.front().cut_left ? glyphs.front().visible_left : glyphs.front().pen_left;
  line.y = glyphs.front().top;
  std::string display;
  const PlacedGlyph* previous = nullptr;
  for (const PlacedGlyph& glyph : glyphs) {
    line.y = std::min(line.y, glyph.top);
    line.size = std::max(line.size, glyph.size);
    if (previous != nullptr) {
      if (same_glyph(*previous, glyph)) continue;  // drawn twice in one place: seen once
      const float gap = glyph.pen_left - previous->pen_right;
      if (gap > kSpaceGap * std::min(previous->size, glyph.size) || previous->cut_right || glyph.cut_left)
        display += ' ';
    }
    display += encode_utf8(glyph.codepoint);
    previous = &glyph;
  }
  line.text = glyph_aliases().from_display(display);
  return line;
}

}  // namespace

std::vector<DrawnLine> drawn_lines(const ImDrawData& data, const ImFontAtlas& atlas) {
  std::vector<PlacedGlyph> glyphs = placed_glyphs(data, atlas);
  std::stable_sort(glyphs.begin(), glyphs.end(),
                   [](const PlacedGlyph& a, const PlacedGlyph& b) { return a.baseline < b.baseline; });
  std::vector<DrawnLine> lines;
  std::vector<PlacedGlyph> row;
  auto finish_row = [&] {
    if (row.empty()) return;
    std::stable_sort(row.begin(), row.end(),
                     [](const PlacedGlyph& a, const PlacedGlyph& b) { return a.pen_left < b.pen_left; });
    lines.push_back(make_line(row));
    row.clear();
  };
  for (const PlacedGlyph& glyph : glyphs) {
    // Sorted by baseline, a line's first glyph has its lowest baseline: the line's anchor.
    if (!row.empty() &&
        glyph.baseline - row.front().baseline > kBaselineTolerance * std::min(row.front().size, glyph.size))
      finish_row();
    row.push_back(glyph);
  }
  finish_row();
  return lines;
}

std::string drawn_text(const ImDrawData& data, const ImFontAtlas& atlas) {
  std::string text;
  for (const DrawnLine& line : drawn_lines(data, atlas)) {
    if (!text.empty()) text += '\n';
    text += line.text;
  }
  return text;
}

}  // namespace tsunagi
