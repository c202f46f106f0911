// Command-line words for tsunagi and tsunagi-collector: positional words, "--name value" (or --name=value)
// options, which may repeat, and flags that take no value.
//
// Each program declares what it accepts once, as a CommandLineSpec: the options allowed everywhere, and for each
// command the words that name it, the positional words after them and the options it takes. Arguments checks a
// command line against it, so a mistyped option is a usage error instead of being ignored (a misspelt filter would
// otherwise give a silently wider answer).
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace tsunagi {

// A command line the program cannot run, with what is wrong in English and (where the program speaks it) Japanese.
struct UsageError {
  std::string message;
  std::string message_ja = {};  // empty: the English message serves both
  const std::string& text(bool japanese) const { return japanese && !message_ja.empty() ? message_ja : message; }
};

// One option: "--name VALUE" (or --name=VALUE) when it takes a value, else a bare flag.
struct OptionSpec {
  std::string name;  // with its dashes: "--kind"
  bool takes_value = true;
};

inline OptionSpec value_option(std::string name) { return {std::move(name), true}; }
inline OptionSpec flag_option(std::string name) { return {std::move(name), false}; }

// One command. Its words come first among the positional words; its operands follow them.
struct CommandSpec {
  // Every field has a default so that a spec names only what it needs ({.words = {"sync"}}) without warnings.
  std::vector<std::string> words = {};              // {"record", "show"}; empty for the program with no command
  std::vector<std::string> operands = {};           // required positional words, named for messages: {"ID"}
  std::vector<std::string> optional_operands = {};  // positional words that may follow those: {"LINE"}
  bool more_operands = false;                       // the last operand may repeat: review approve ID...
  std::vector<OptionSpec> options = {};             // besides the global ones
};

// What a program accepts. An option name must mean the same thing (value or flag) wherever it appears.
struct CommandLineSpec {
  std::vector<OptionSpec> global_options = {};  // allowed with every command
  std::vector<CommandSpec> commands = {};
};

class Arguments {
 public:
  // Parses argv[1..] against `spec`; options and positional words may come in any order. Throws UsageError, with a
  // one-line message naming the command ("record list: unknown option --conflicts"), when the positional words
  // name no command, an option is not the command's or a global one, an option lacks its value (a value may not
  // start with "--" unless written --name=--value), a flag is given a value, or there are too few or too many
  // operands. Throws std::logic_error if `spec` gives one name both as a flag and as an option with a value.
  Arguments(const CommandLineSpec& spec, int argc, char** argv);
  // Parses argv[1..] without a spec: any --name is accepted, taking a value unless it is one of `flags`. Throws
  // UsageError for an option without its value or a flag given one.
  Arguments(int argc, char** argv, const std::vector<std::string>& flags);
  Arguments() = default;

  // Every positional word, the command's own words first.
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
