// Folding for full-text search: the one function that both the index and the query go through, so that a search
// finds text whatever its width, script or kanji variant: ｻｲﾝﾚｽ finds サインレス, ひきこもり finds ヒキコモリ, 高田
// finds 髙田 and 髙田 finds 高田, ① finds 1, ＡＢＣ finds abc.
#pragma once

#include <string>
#include <string_view>

namespace tsunagi {

// Folds UTF-8 text for full-text search. Pure and thread-safe (its tables are compiled in and indexed once, on first
// use; no file is read). Each code point goes through, in order:
//   1. NFKC of that single code point (assets/search/nfkc.tsv): full-width ASCII to ASCII, U+3000 and the other
//      spaces to ' ', half-width katakana to katakana (ﾞﾟ to the combining marks U+3099/U+309A), ① to 1, ㍻ to 平成,
//      ㈱ to (株), compatibility ideographs to their unified form (隆 U+F9DC to 隆). One exception: the spacing marks
//      ゛゜ (U+309B/U+309C) become U+3099/U+309A without NFKC's leading space, so that カ゛ folds like ガ.
//   2. Katakana to hiragana: U+30A1..U+30F6 to U+3041..U+3096, ヽヾ to ゝゞ, ヷヸヹヺ to わ゙ゐ゙ゑ゙を゙ (with U+3099).
//      ー and ・ are kept.
//   3. Kanji variants to their common form (assets/search/variants.tsv): 髙→高, 𠮷→吉, 﨑→崎, 栁→柳, 德→徳, 邊→辺...
//   4. ASCII A-Z to a-z.
//   5. A hiragana followed by U+3099 or U+309A becomes the precomposed kana when there is one: ｶﾞ→が, ﾊﾟ→ぱ, ｳﾞ→ゔ.
// Invalid UTF-8 (stray or truncated bytes, overlongs, surrogates) is copied through byte for byte. The result is
// valid UTF-8 wherever the input was, and folding is idempotent: fold_for_search(fold_for_search(s)) equals
// fold_for_search(s). It covers what normalize_width (model/text.hpp) does, plus lower case: for text of ASCII,
// U+FF01..U+FF5E and U+3000, fold_for_search(s) is normalize_width(s) with A-Z lowered.
// This is not full NFKC: there is no canonical reordering and no composition across code points other than step 5.
// Lengths change (① becomes 1, ㍻ becomes 平成), so the result is for matching only, never for display or for
// offsets into the original text.
std::string fold_for_search(std::string_view utf8);

}  // namespace tsunagi
