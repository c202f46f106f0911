#include "sync/command_line.hpp"

namespace tsunagi {

Arguments::Arguments(int argc, char** argv, const std::vector<std::string>& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (word.rfind("--", 0) != 0 || word == "-") {
      positional_.push_back(word);
      continue;
    }
    if (auto eq = word.find('='); eq != std::string::npos) {
      options_.emplace_back(word.substr(0, eq), word.substr(eq + 1));
      continue;
    }
    if (std::find(flags.begin(), flags.end(), word) != flags.end()) {
      flags_.push_back(word);
      continue;
    }
    if (i + 1 >= argc) throw UsageError{word + " needs a value"};
    options_.emplace_back(word, argv[++i]);
  }
}

bool Arguments::flag(const std::string& name) const {
  return std::find(flags_.begin(), flags_.end(), name) != flags_.end();
}

bool Arguments::has(const std::string& name) const {
  return std::any_of(options_.begin(), options_.end(), [&](const auto& o) { return o.first == name; });
}

std::string Arguments::option(const std::string& name, const std::string& fallback) const {
  for (auto it = options_.rbegin(); it != options_.rend(); ++it)
    if (it->first == name) return it->second;
  return fallback;
}

std::vector<std::string> Arguments::options(const std::string& name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : options_)
    if (key == name) values.push_back(value);
  return values;
}

}  // namespace tsunagi
