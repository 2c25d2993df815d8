// The superstore subcommands. Each takes the words after its name, prints its results to stdout, and
// throws superstore::Error for anything the user must hear about; main() turns that into one line on
// stderr and a non-zero exit status.
#pragma once

#include <string>
#include <vector>

#include "common/config.h"

namespace superstore::cli {

using Words = std::vector<std::string>;

int table_command(const Config& config, const Words& words);     // table create|list|drop
int insert_command(const Config& config, const Words& words);    // insert NAME FILE
int delete_command(const Config& config, const Words& words);    // delete NAME --where PREDICATE
int sql_command(const Config& config, const Words& words);       // sql [--format F] [--version N] QUERY
int fakedata_command(const Config& config, const Words& words);  // fake-data create|reset|status
int serve_command(const Config& config, const Words& words);     // serve
int user_command(const Config& config, const Words& words);      // user add|list|disable|enable

}  // namespace superstore::cli
