// Fuzz target: the command line (cli/args.cpp) and the parsers of option values behind it: whole numbers
// (common/parse_int.cpp), column lists (`--columns id:Int64,...`, common/types.cpp), instants (`--as-of`,
// common/instant.cpp) and output formats. The input is the words of one command line, separated by NUL
// bytes.
// Properties: everything is refused only by Error(InvalidArgument); no positional word looks like an
// option; a bounded number lies within its bounds; each value parser's result, written out again the way
// the rest of superstore writes it, parses to the same value.
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/output.h"
#include "common/instant.h"
#include "common/parse_int.h"
#include "common/types.h"
#include "fuzz/fuzz_support.h"

namespace {

using namespace superstore;

void check_value(const std::string& value) {
  if (std::optional<int64_t> n = parse_int64(value)) {
    FUZZ_CHECK(parse_int64(std::to_string(*n)) == n, "whole number " + value);
  }
  std::vector<ColumnDef> columns;
  if (fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] { columns = parse_column_list(value); })) {
    std::string written;
    for (const auto& c : columns)
      written += (written.empty() ? "" : ",") + c.name + ":" + std::string(type_name(c.type));
    FUZZ_CHECK(parse_column_list(written) == columns, "column list " + value + " written as " + written);
  }
  if (std::optional<int64_t> us = parse_instant_us(value)) {
    const std::string written = format_timestamp_us(*us);
    // The parser reads four-digit years only; an offset can carry an instant just outside them.
    if (written.size() > 4 && written[4] == '-' && written[0] != '-') {
      FUZZ_CHECK(parse_instant_us(written) == us, "instant " + value + " written as " + written);
    }
  }
  fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] { cli::parse_output_format(value); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  std::vector<std::string> words;
  for (size_t start = 0; start <= text.size() && words.size() < 64;) {
    const size_t end = std::min(text.find('\0', start), text.size());
    words.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  std::optional<cli::Args> args;
  if (!fuzz::rejects_only_with({ErrorCode::InvalidArgument},
                               [&] { args.emplace(words, std::set<std::string>{"all"}); })) {
    return 0;
  }
  FUZZ_CHECK(args->positional().size() <= words.size(), "more positionals than words");
  for (const auto& p : args->positional()) {
    FUZZ_CHECK(!p.starts_with("--") || p == "--", "positional word " + p + " looks like an option");
    check_value(p);
  }
  for (const auto& w : words) {
    if (!w.starts_with("--") || w.size() == 2) continue;
    const std::string name = w.substr(2, w.find('=') == std::string::npos ? std::string::npos : w.find('=') - 2);
    if (std::optional<std::string> value = args->option(name)) {
      check_value(*value);
      std::optional<int64_t> bounded;
      if (fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] { bounded = args->int_option(name, -5, 1000); })) {
        FUZZ_CHECK(bounded && *bounded >= -5 && *bounded <= 1000, "--" + name + " out of its bounds");
      }
    }
    fuzz::rejects_only_with({ErrorCode::InvalidArgument}, [&] { args->check({"all", "format", "columns"}, 2); });
  }
  return 0;
}
