#include "model/search_fold.hpp"

#include "model/text.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

namespace tsunagi {

// Defined in search_fold_tables.cpp, which model/search_fold.cmake generates from assets/search/*.tsv at build time.
namespace search_fold_tables {
// For each mapping: the code point, the code points of its NFKC, then 0. A lone 0 (code point U+0000) ends the table.
extern const char32_t kNfkc[];
// {variant, standard} pairs; {0, 0} ends the table.
extern const char32_t kVariants[][2];
}  // namespace search_fold_tables

namespace {

constexpr char32_t kVoiced = 0x3099;      // combining katakana-hiragana voiced sound mark (dakuten)
constexpr char32_t kSemiVoiced = 0x309A;  // combining semi-voiced sound mark (handakuten)

// The precomposed hiragana for base followed by mark (kVoiced or kSemiVoiced), or 0 if there is none. These are all
// the canonical compositions of a hiragana with U+3099/U+309A in Unicode (katakana are already hiragana by then).
char32_t compose_kana(char32_t base, char32_t mark) {
  if (mark == kVoiced) {
    if ((base >= 0x304B && base <= 0x3061 && (base & 1)) ||                // か..ち (odd code points) → が..ぢ
        base == 0x3064 || base == 0x3066 || base == 0x3068 ||              // つてと → づでど
        (base >= 0x306F && base <= 0x307B && (base - 0x306F) % 3 == 0) ||  // はひふへほ → ばびぶべぼ
        base == 0x309D)                                                    // ゝ → ゞ
      return base + 1;
    if (base == 0x3046) return 0x3094;  // う → ゔ
  } else if (mark == kSemiVoiced) {
    if (base >= 0x306F && base <= 0x307B && (base - 0x306F) % 3 == 0) return base + 2;  // はひふへほ → ぱぴぷぺぽ
  }
  return 0;
}

// What one code point folds to, when that differs from itself: its UTF-8 bytes, and its first and last code points
// (step 5 composes across code points, so the folder needs to know whether the result starts with a voiced mark and
// whether it ends with a hiragana that could take one).
struct Fold {
  std::uint32_t offset = 0;  // into Tables::bytes
  std::uint32_t length = 0;
  char32_t first = 0;
  char32_t last = 0;
};

// Steps 1 to 5 precomputed for every code point that they change, indexed for lookup: a direct index over the BMP
// (where nearly all text is) and a sorted array above it. Built once from the generated tables.
class Tables {
 public:
  Tables() {
    using search_fold_tables::kNfkc;
    using search_fold_tables::kVariants;

    // NFKC mappings: code point → [begin, end) in kNfkc.
    std::vector<std::pair<char32_t, std::pair<std::size_t, std::size_t>>> nfkc;
    for (std::size_t i = 0; kNfkc[i] != 0;) {
      const char32_t from = kNfkc[i++];
      const std::size_t begin = i;
      while (kNfkc[i] != 0) ++i;
      nfkc.push_back({from, {begin, i}});
      ++i;
    }
    std::sort(nfkc.begin(), nfkc.end());

    std::vector<std::pair<char32_t, char32_t>> variants;
    for (std::size_t i = 0; kVariants[i][0] != 0; ++i) variants.push_back({kVariants[i][0], kVariants[i][1]});
    std::sort(variants.begin(), variants.end());

    // Every code point the steps may change: NFKC and variant keys, katakana, the spacing voiced marks, A-Z.
    std::vector<char32_t> keys;
    for (const auto& entry : nfkc) keys.push_back(entry.first);
    for (const auto& entry : variants) keys.push_back(entry.first);
    for (char32_t cp = 0x30A1; cp <= 0x30FA; ++cp) keys.push_back(cp);
    keys.insert(keys.end(), {0x30FD, 0x30FE, 0x309B, 0x309C});
    for (char32_t cp = 'A'; cp <= 'Z'; ++cp) keys.push_back(cp);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());

    const auto variant_of = [&variants](char32_t cp) {
      // A standard is never itself a variant (variants.tsv), but follow chains anyway, a few steps at most.
      for (int step = 0; step < 4; ++step) {
        auto it = std::lower_bound(variants.begin(), variants.end(), std::pair<char32_t, char32_t>{cp, 0});
        if (it == variants.end() || it->first != cp) break;
        cp = it->second;
      }
      return cp;
    };
    // Steps 2 to 5 for one code point of step 1's result, appended to out.
    const auto fold_one = [&variant_of](char32_t cp, std::u32string& out) {
      char32_t mark = 0;
      if (cp >= 0x30A1 && cp <= 0x30F6) {
        cp -= 0x60;  // katakana → hiragana
      } else if (cp == 0x30FD || cp == 0x30FE) {
        cp -= 0x60;  // ヽヾ → ゝゞ
      } else if (cp >= 0x30F7 && cp <= 0x30FA) {
        cp = cp - 0x30F7 + 0x308F, mark = kVoiced;  // ヷヸヹヺ → わゐゑを + U+3099 (no precomposed hiragana)
      }
      cp = variant_of(cp);
      if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
      for (const char32_t c : {cp, mark}) {
        if (c == 0) continue;
        const char32_t composed = out.empty() ? 0 : compose_kana(out.back(), c);
        if (composed) {
          out.back() = composed;
        } else {
          out.push_back(c);
        }
      }
    };

    std::u32string folded;
    for (const char32_t key : keys) {
      folded.clear();
      if (key == 0x309B || key == 0x309C) {
        fold_one(key - 0x309B + kVoiced, folded);  // ゛゜ without NFKC's leading space
      } else if (auto it = std::lower_bound(nfkc.begin(), nfkc.end(), key,
                                            [](const auto& entry, char32_t cp) { return entry.first < cp; });
                 it != nfkc.end() && it->first == key) {
        for (std::size_t i = it->second.first; i < it->second.second; ++i) fold_one(kNfkc[i], folded);
      } else {
        fold_one(key, folded);
      }
      if (folded.size() == 1 && folded[0] == key) continue;
      Fold fold;
      fold.offset = static_cast<std::uint32_t>(bytes_.size());
      for (const char32_t c : folded) append_utf8(bytes_, c);
      fold.length = static_cast<std::uint32_t>(bytes_.size() - fold.offset);
      fold.first = folded.empty() ? 0 : folded.front();
      fold.last = folded.empty() ? 0 : folded.back();
      if (folds_.size() > 0xFFFF) throw std::length_error("fold_for_search: more than 65535 folded code points");
      const auto index = static_cast<std::uint16_t>(folds_.size());
      folds_.push_back(fold);
      if (key < 0x10000) {
        bmp_[key] = index;
      } else {
        astral_.push_back({key, index});
      }
    }
  }

  // What cp folds to, or nullptr if it folds to itself.
  const Fold* find(char32_t cp) const {
    if (cp < 0x10000) {
      const std::uint16_t index = bmp_[cp];
      return index ? &folds_[index] : nullptr;
    }
    auto it = std::lower_bound(astral_.begin(), astral_.end(), std::pair<char32_t, std::uint16_t>{cp, 0});
    return it != astral_.end() && it->first == cp ? &folds_[it->second] : nullptr;
  }

  std::string_view bytes(const Fold& fold) const { return std::string_view(bytes_).substr(fold.offset, fold.length); }

 private:
  std::string bytes_;
  std::vector<Fold> folds_ = std::vector<Fold>(1);  // index 0 means "folds to itself"
  std::vector<std::uint16_t> bmp_ = std::vector<std::uint16_t>(0x10000);
  std::vector<std::pair<char32_t, std::uint16_t>> astral_;  // sorted, as keys are
};

const Tables& tables() {
  static const Tables instance;  // initialised once, thread-safely
  return instance;
}

// Appends the length bytes at s (all ASCII) with A-Z lowered, eight bytes at a time where it can.
void append_ascii_lower(std::string& out, const char* s, std::size_t length) {
  const std::size_t start = out.size();
  out.resize(start + length);
  char* dest = out.data() + start;
  std::size_t i = 0;
  for (; i + 8 <= length; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s + i, 8);
    // Each byte is below 0x80, so these sums never carry into the next byte: the high bit of each byte of ge_a says
    // byte >= 'A', of gt_z says byte > 'Z'.
    const std::uint64_t ge_a = word + 0x3F3F3F3F3F3F3F3FULL;  // 0x80 - 'A'
    const std::uint64_t gt_z = word + 0x2525252525252525ULL;  // 0x80 - 'Z' - 1
    const std::uint64_t upper = ge_a & ~gt_z & 0x8080808080808080ULL;
    word |= upper >> 2;  // 0x80 >> 2 == 0x20, the case bit
    std::memcpy(dest + i, &word, 8);
  }
  for (; i < length; ++i) {
    const char c = s[i];
    dest[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
  }
}

}  // namespace

std::string fold_for_search(std::string_view s) {
  const Tables& table = tables();
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  // The last code point written, if it is a hiragana that a following voiced mark could compose with (0 otherwise),
  // and where its three bytes start in out.
  char32_t last = 0;
  std::size_t last_at = 0;
  // Replaces the hiragana at last_at with its composition with mark; false if they do not compose.
  const auto compose_with_last = [&](char32_t mark) {
    const char32_t composed = last ? compose_kana(last, mark) : 0;
    if (!composed) return false;
    // A hiragana is three bytes, like the one it replaces.
    out[last_at] = static_cast<char>(0xE0 | (composed >> 12));
    out[last_at + 1] = static_cast<char>(0x80 | ((composed >> 6) & 0x3F));
    out[last_at + 2] = static_cast<char>(0x80 | (composed & 0x3F));
    last = composed;
    return true;
  };
  // Notes the code point just written at the end of out.
  const auto remember = [&](char32_t cp) {
    last = (cp >= 0x3041 && cp <= 0x309F) ? cp : 0;  // hiragana, three bytes in UTF-8
    if (last) last_at = out.size() - 3;
  };

  std::size_t pos = 0;
  while (pos < s.size()) {
    if (static_cast<unsigned char>(s[pos]) < 0x80) {
      std::size_t end = pos + 1;
      while (end < s.size() && static_cast<unsigned char>(s[end]) < 0x80) ++end;
      append_ascii_lower(out, s.data() + pos, end - pos);
      pos = end;
      last = 0;
      continue;
    }
    char32_t cp = 0;
    const std::size_t length = decode_utf8_at(s, pos, cp);
    if (length == 0) {
      out.push_back(s[pos++]);  // invalid byte: copied through
      last = 0;
      continue;
    }
    pos += length;
    const Fold* fold = table.find(cp);
    if (!fold) {
      if ((cp == kVoiced || cp == kSemiVoiced) && compose_with_last(cp)) continue;
      out.append(s.data() + pos - length, length);
      remember(cp);
      continue;
    }
    std::string_view bytes = table.bytes(*fold);
    if ((fold->first == kVoiced || fold->first == kSemiVoiced) && compose_with_last(fold->first)) {
      bytes.remove_prefix(3);  // the mark, now part of the kana before it
      if (bytes.empty()) continue;
    }
    out.append(bytes);
    remember(fold->last);
  }
  return out;
}

}  // namespace tsunagi
