#include "common/command_line.hpp"

#include <map>
#include <optional>
#include <stdexcept>

namespace tsunagi {

namespace {

// One option as it stood on the command line.
struct OptionWord {
  std::string name;
  std::optional<std::string> value;
  std::string refused_value;  // the "--word" after a value option, not taken as its value; for the message
};

struct SplitWords {
  std::vector<std::string> positional;
  std::vector<OptionWord> options;
};

bool starts_with_dashes(const std::string& word) { return word.rfind("--", 0) == 0; }

// Splits argv[1..] into positional words and options. `takes_value(name)` is false for flags and for unknown names,
// so that a mistyped option cannot swallow the word after it (which may be the command). A value option takes the
// next word unless there is none or it starts with "--"; it is then left without a value, for the caller to refuse.
template <class TakesValue>
SplitWords split_words(int argc, char** argv, const TakesValue& takes_value) {
  SplitWords split;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    if (!starts_with_dashes(word)) {
      split.positional.push_back(std::move(word));
      continue;
    }
    OptionWord option;
    if (auto eq = word.find('='); eq != std::string::npos) {
      option.name = word.substr(0, eq);
      option.value = word.substr(eq + 1);
    } else {
      option.name = word;
      if (takes_value(option.name) && i + 1 < argc) {
        std::string next = argv[i + 1];
        if (starts_with_dashes(next))
          option.refused_value = next;
        else
          option.value = argv[++i];
      }
    }
    split.options.push_back(std::move(option));
  }
  return split;
}

// Throws UsageError if `option` lacks the value it needs, or has one it must not. `context` begins the message.
void check_value(const OptionWord& option, bool takes_value, const std::string& context) {
  if (takes_value && !option.value) {
    if (option.refused_value.empty())
      throw UsageError{context + option.name + " needs a value", context + option.name + " には値が必要です"};
    throw UsageError{context + option.name + " needs a value, not " + option.refused_value + " (write " + option.name +
                         "=" + option.refused_value + " if that is the value)",
                     context + option.name + " には値が必要です（" + option.refused_value + " が値なら " + option.name +
                         "=" + option.refused_value + " と書いてください）"};
  }
  if (!takes_value && option.value)
    throw UsageError{context + option.name + " takes no value", context + option.name + " は値をとりません"};
}

UsageError unknown_option(const std::string& context, const std::string& name) {
  return {context + "unknown option " + name, context + name + " というオプションはありません"};
}

// "record list: " for the first `count` words, or nothing for none: the start of a message about that command.
std::string context_of(const std::vector<std::string>& words, std::size_t count) {
  std::string context;
  for (std::size_t i = 0; i < count; ++i) context += (i ? " " : "") + words[i];
  return context.empty() ? context : context + ": ";
}

// "add, list or show".
std::string choices(const std::vector<std::string>& names) {
  if (names.empty()) return "a command";
  std::string text = names.front();
  for (std::size_t i = 1; i < names.size(); ++i) text += (i + 1 == names.size() ? " or " : ", ") + names[i];
  return text;
}

bool begins_with(const CommandSpec& command, const std::vector<std::string>& positional, std::size_t count) {
  return command.words.size() >= count && positional.size() >= count &&
         std::equal(positional.begin(), positional.begin() + static_cast<std::ptrdiff_t>(count), command.words.begin());
}

struct CommandMatch {
  const CommandSpec* command = nullptr;  // null when the positional words name no command
  std::size_t depth = 0;                 // how many positional words name the command, or the group they began
  UsageError problem;                    // why they name no command, when `command` is null
};

// The command the positional words name: the longest run of them that is, or begins, some command's words.
CommandMatch find_command(const CommandLineSpec& spec, const std::vector<std::string>& positional) {
  CommandMatch match;
  auto goes_deeper = [&](std::size_t depth) {
    return depth < positional.size() && std::any_of(spec.commands.begin(), spec.commands.end(), [&](const auto& c) {
             return begins_with(c, positional, depth + 1);
           });
  };
  while (goes_deeper(match.depth)) ++match.depth;

  const CommandSpec* exact = nullptr;
  std::vector<std::string> next_words;  // the words that could come next: "add", "list", ...
  for (const auto& command : spec.commands) {
    if (!begins_with(command, positional, match.depth)) continue;
    if (command.words.size() == match.depth)
      exact = &command;
    else if (std::find(next_words.begin(), next_words.end(), command.words[match.depth]) == next_words.end())
      next_words.push_back(command.words[match.depth]);
  }
  const bool more_words = positional.size() > match.depth;
  const bool takes_operands = exact && (!exact->operands.empty() || !exact->optional_operands.empty());
  // A word after a command that takes none, where longer commands exist, is read as a mistyped command.
  if (exact && (!more_words || takes_operands || next_words.empty())) {
    match.command = exact;
    return match;
  }
  const std::string context = context_of(positional, match.depth);
  if (more_words)
    match.problem = {
        context + "unknown command \"" + positional[match.depth] + "\" (expected " + choices(next_words) + ")",
        context + "「" + positional[match.depth] + "」というコマンドはありません（" + choices(next_words) +
            " のどれか）"};
  else
    match.problem = {context + "expected " + choices(next_words),
                     context + choices(next_words) + " のどれかが必要です"};
  return match;
}

void keep_words(SplitWords split, std::vector<std::string>& positional,
                std::vector<std::pair<std::string, std::string>>& options, std::vector<std::string>& flags) {
  positional = std::move(split.positional);
  for (auto& option : split.options) {
    if (option.value)
      options.emplace_back(std::move(option.name), std::move(*option.value));
    else
      flags.push_back(std::move(option.name));
  }
}

}  // namespace

Arguments::Arguments(const CommandLineSpec& spec, int argc, char** argv) {
  std::map<std::string, bool> known;  // every option the spec names, and whether it takes a value
  auto learn = [&known](const std::vector<OptionSpec>& options) {
    for (const auto& option : options) {
      auto [at, inserted] = known.emplace(option.name, option.takes_value);
      if (!inserted && at->second != option.takes_value)
        throw std::logic_error("command-line spec: " + option.name + " is both a flag and an option with a value");
    }
  };
  learn(spec.global_options);
  for (const auto& command : spec.commands) learn(command.options);

  SplitWords split = split_words(argc, argv, [&known](const std::string& name) {
    auto at = known.find(name);
    return at != known.end() && at->second;
  });
  const CommandMatch match = find_command(spec, split.positional);
  const std::string context = context_of(split.positional, match.depth);
  if (!match.command) {
    // An option no command knows is the likelier slip: the word after it, read as a command word, may be its value.
    for (const auto& option : split.options)
      if (known.count(option.name) == 0) throw unknown_option(context, option.name);
    throw match.problem;
  }

  const CommandSpec& command = *match.command;
  for (const auto& option : split.options) {
    auto named = [&option](const OptionSpec& accepted) { return accepted.name == option.name; };
    auto accepted = std::find_if(command.options.begin(), command.options.end(), named);
    if (accepted == command.options.end()) {
      accepted = std::find_if(spec.global_options.begin(), spec.global_options.end(), named);
      if (accepted == spec.global_options.end()) throw unknown_option(context, option.name);
    }
    check_value(option, accepted->takes_value, context);
  }
  const std::size_t given = split.positional.size() - command.words.size();
  const std::size_t most = command.operands.size() + command.optional_operands.size();
  if (given < command.operands.size())
    throw UsageError{context + "missing " + command.operands[given], context + command.operands[given] + " が必要です"};
  if (given > most && !command.more_operands) {
    const std::string& word = split.positional[command.words.size() + most];
    throw UsageError{context + "unexpected word \"" + word + "\"", context + "余分な語「" + word + "」があります"};
  }
  keep_words(std::move(split), positional_, options_, flags_);
}

Arguments::Arguments(int argc, char** argv, const std::vector<std::string>& flags) {
  auto takes_value = [&flags](const std::string& name) {
    return std::find(flags.begin(), flags.end(), name) == flags.end();
  };
  SplitWords split = split_words(argc, argv, takes_value);
  for (const auto& option : split.options) check_value(option, takes_value(option.name), "");
  keep_words(std::move(split), positional_, options_, flags_);
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
