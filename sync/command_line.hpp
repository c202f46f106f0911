// Command-line words for tsunagi and tsunagi-collector: positional words, "--name value" (or --name=value)
// options, which may repeat, and flags that take no value.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace tsunagi {

struct UsageError {
  std::string message;
};

class Arguments {
 public:
  // Parses argv[1..]; `flags` are the options that take no value. Throws UsageError for an option without its value.
  Arguments(int argc, char** argv, const std::vector<std::string>& flags);
  Arguments() = default;

  const std::vector<std::string>& positional() const { return positional_; }
  bool flag(const std::string& name) const;
  bool has(const std::string& name) const;
  // The last value of option `name`, or `fallback`.
  std::string option(const std::string& name, const std::string& fallback = "") const;
  // Every value of a repeated option, in order.
  std::vector<std::string> options(const std::string& name) const;

 private:
  std::vector<std::string> positional_;
  std::vector<std::pair<std::string, std::string>> options_;
  std::vector<std::string> flags_;
};

}  // namespace tsunagi
