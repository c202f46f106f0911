// The UI string catalogue: assets/i18n/<language>.json, a flat {"key": "text"} object in UTF-8.
// Every text the window shows comes from here; draw code never holds a literal UI string.
//
// Thread safety: none; the UI thread owns its I18n.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/error.hpp"

namespace tsunagi {

class I18n {
 public:
  // Loads assets_dir()/i18n/<language>.json, replacing what was loaded. On failure the catalogue is left empty
  // (tr() then shows keys) and the error says which file and why.
  Status load(const std::string& language);

  const std::string& language() const { return language_; }

  // The text for `key`, or the key itself when the catalogue has no such entry (so a gap shows, not a blank).
  // The pointer stays valid until the next load().
  const char* tr(std::string_view key);

  // Whether the catalogue has a text for `key`.
  bool has(std::string_view key) const { return texts_.find(key) != texts_.end(); }

  // tr(key) with each "{name}" replaced by its value: format("status.records", {{"count", "12"}}).
  std::string format(std::string_view key, std::initializer_list<std::pair<std::string_view, std::string_view>> args);

  // Every text of the catalogue, joined by newlines (for the font's glyph set).
  std::string all_text() const;
  // The keys asked for that the catalogue lacks (tests: none may be missing).
  std::vector<std::string> missing_keys() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, std::string, Hash, std::equal_to<>>;

  std::string language_;
  Map texts_;
  // Keys asked for but missing, kept so that tr() can hand out a stable NUL-terminated pointer (and warn once).
  Map missing_;
};

// What the user reads about `error`: the catalogue's plain words for its code ("error.store.full", ...), never the
// developer's text it carries (a field path, a library's message). Codes the catalogue does not know read as
// "error.unknown"; the details stay available to copy for the office (Error::describe).
std::string error_text(const Error& error, I18n& i18n);

}  // namespace tsunagi
