#include "app/i18n.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "model/files.hpp"
#include "model/platform.hpp"

namespace tsunagi {

Status I18n::load(const std::string& language) {
  language_ = language;
  texts_.clear();
  missing_.clear();
  const std::filesystem::path path = assets_dir() / "i18n" / (language + ".json");
  auto content = read_file(path);
  if (!content) return content.error().with_context("i18n");
  nlohmann::json object = nlohmann::json::parse(*content, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object())
    return make_error("i18n.format", platform::path_to_utf8(path), "expected a JSON object of strings",
                      "文字列の JSON オブジェクトが必要です");
  for (const auto& [key, value] : object.items()) {
    if (!value.is_string())
      return make_error("i18n.format", platform::path_to_utf8(path) + "/" + key, "expected a string",
                        "文字列が必要です");
    texts_.emplace(key, value.get<std::string>());
  }
  return ok_status();
}

const char* I18n::tr(std::string_view key) {
  if (auto it = texts_.find(key); it != texts_.end()) return it->second.c_str();
  auto it = missing_.find(key);
  if (it == missing_.end()) {
    std::fprintf(stderr, "tsunagi: i18n: no text for key \"%.*s\" in \"%s\"\n", static_cast<int>(key.size()),
                 key.data(), language_.c_str());
    // Node-based map: the string (and its c_str) stays put when the map rehashes.
    it = missing_.emplace(std::string(key), std::string(key)).first;
  }
  return it->second.c_str();
}

std::string I18n::format(std::string_view key,
                         std::initializer_list<std::pair<std::string_view, std::string_view>> args) {
  std::string text = tr(key);
  for (const auto& [name, value] : args) {
    const std::string placeholder = "{" + std::string(name) + "}";
    for (std::size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size()))
      text.replace(at, placeholder.size(), value);
  }
  return text;
}

std::string I18n::all_text() const {
  std::string text;
  for (const auto& [key, value] : texts_) text += value + '\n';
  return text;
}

std::vector<std::string> I18n::missing_keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, text] : missing_) keys.push_back(key);
  return keys;
}

std::string error_text(const Error& error, I18n& i18n) {
  const std::string key = "error." + error.code;
  return i18n.tr(i18n.has(key) ? std::string_view(key) : std::string_view("error.unknown"));
}

}  // namespace tsunagi
