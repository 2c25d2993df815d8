// A small command-line parser: positional words plus `--name value` / `--name=value` options, each option
// declared by the command that reads it, so that a misspelt or unknown option is an error, not ignored.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace superstore::cli {

class Args {
 public:
  // `flags` are options that take no value (e.g. "all"); every other "--x" takes one.
  Args(const std::vector<std::string>& words, const std::set<std::string>& flags = {});

  const std::vector<std::string>& positional() const { return positional_; }
  // The positional word at `index`, or Error(InvalidArgument) saying `what` is missing.
  const std::string& need(size_t index, const std::string& what) const;
  std::optional<std::string> option(const std::string& name) const;
  std::string option_or(const std::string& name, const std::string& fallback) const;
  // The option as a whole number (common/parse_int.h); Error(InvalidArgument) when it is not one, or when
  // it lies outside [min, max].
  std::optional<int64_t> int_option(const std::string& name) const;
  std::optional<int64_t> int_option(const std::string& name, int64_t min, int64_t max) const;
  bool flag(const std::string& name) const;
  // Error(InvalidArgument) for any option not in `known`, or more positionals than `max_positional`.
  void check(const std::set<std::string>& known, size_t max_positional) const;

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> options_;
  std::set<std::string> flags_;
};

}  // namespace superstore::cli
