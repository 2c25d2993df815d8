#include "cli/args.h"

#include "common/error.h"
#include "common/parse_int.h"

namespace superstore::cli {

Args::Args(const std::vector<std::string>& words, const std::set<std::string>& flags) {
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.rfind("--", 0) != 0 || w.size() == 2) {
      positional_.push_back(w);
      continue;
    }
    std::string name = w.substr(2);
    if (size_t eq = name.find('='); eq != std::string::npos) {
      options_[name.substr(0, eq)] = name.substr(eq + 1);
    } else if (flags.count(name)) {
      flags_.insert(name);
    } else if (i + 1 < words.size()) {
      options_[name] = words[++i];
    } else {
      fail(ErrorCode::InvalidArgument, "option --" + name + " needs a value");
    }
  }
}

const std::string& Args::need(size_t index, const std::string& what) const {
  if (index >= positional_.size()) fail(ErrorCode::InvalidArgument, "missing " + what);
  return positional_[index];
}

std::optional<std::string> Args::option(const std::string& name) const {
  auto it = options_.find(name);
  if (it == options_.end()) return std::nullopt;
  return it->second;
}

std::string Args::option_or(const std::string& name, const std::string& fallback) const {
  return option(name).value_or(fallback);
}

std::optional<int64_t> Args::int_option(const std::string& name) const {
  auto v = option(name);
  if (!v) return std::nullopt;
  std::optional<int64_t> n = parse_int64(*v);
  if (!n) fail(ErrorCode::InvalidArgument, "--" + name + " needs a whole number, not '" + *v + "'");
  return n;
}

std::optional<int64_t> Args::int_option(const std::string& name, int64_t min, int64_t max) const {
  auto v = option(name);
  if (!v) return std::nullopt;
  return parse_int64_in(*v, min, max, "--" + name);
}

bool Args::flag(const std::string& name) const { return flags_.count(name) > 0; }

void Args::check(const std::set<std::string>& known, size_t max_positional) const {
  for (const auto& [name, _] : options_) {
    if (!known.count(name)) fail(ErrorCode::InvalidArgument, "unknown option --" + name);
  }
  for (const auto& name : flags_) {
    if (!known.count(name)) fail(ErrorCode::InvalidArgument, "unknown option --" + name);
  }
  if (positional_.size() > max_positional) {
    fail(ErrorCode::InvalidArgument,
         "unexpected argument '" + positional_[max_positional] + "' (quote a query or predicate that holds spaces)");
  }
}

}  // namespace superstore::cli
