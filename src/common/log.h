// Minimal structured logging to stderr: one line per event, with a UTC timestamp and a level.
// Never pass secrets (passwords, tokens, keys) to these functions.
#pragma once

#include <string_view>

namespace superstore::log {

void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);
// Silences info lines (tests and the CLI's quiet paths); warnings and errors always print.
void set_quiet(bool quiet);

}  // namespace superstore::log
