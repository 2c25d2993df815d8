// superstore: the single binary. `superstore help` lists the commands.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/allocator.h"
#include "common/error.h"
#include "common/log.h"

namespace {

// One line for the terminal: DuckDB's messages continue with hints and a caret diagram after a blank line.
std::string one_line(const std::string& message) {
  std::string first = message.substr(0, message.find("\n\n"));
  std::string out;
  for (char c : first) out += c == '\n' ? std::string("; ") : std::string(1, c);
  return out;
}

constexpr const char* kUsage = R"(usage: superstore COMMAND ...

  table create NAME --columns id:Int64,name:String,... [--partition-by a,..] [--sort-by b,..]
                    [--database D] [--schema S] [--target-file-size BYTES]
  table list [--all]              tables with rows, files and log version (--all: dropped ones too)
  table drop NAME                 mark a table dropped (its files stay)
  table status NAME               rows, files, small files, bytes a vacuum would reclaim, newest checkpoint
  table optimize NAME             compact each partition's small files into sorted files of the target size
  table vacuum NAME [--retain 168h] [--dry-run]
                                  delete files no version of the last 168h (VACUUM_RETENTION) needs, orphans
                                  of killed writes, and dropped tables of that name older than that
  insert NAME FILE                insert a .csv (with header), .jsonl or .parquet file in one commit
  delete NAME --where PREDICATE   delete matching rows in one commit
  sql [--format table|csv|json] [--version N | --as-of TIME] [--max-rows N] "QUERY"
  fake-data create|reset|status [--scale N] [--seed S] [--anchor DATE] [--specs PATH] [--table T (reset)]
                                  the fake tables: the four built-in ones and those of the spec
                                  files (FAKE_DATA_SPECS, default ./fake-data; APP_ENV=dev only)
  fake-data advance [--days N | --to DATE] [--every 10s]
                                  move the fake world's clock forward (default a day), one
                                  version per built-in table; --every: a day per tick until stopped
  fake-data validate FILE...      check spec files (docs/fake-data-specs.md); writes nothing
  fake-data preview FILE [--table T] [--rows 20] [--format table|csv|json]
                                  sample rows of spec tables; writes nothing
  serve                           the HTTP API on HOST:PORT (default 127.0.0.1:8000) until SIGINT/SIGTERM
  user add EMAIL [--password P]   add an API user (without --password: asked, or read from stdin)
  user list                       users and whether they may log in
  user disable|enable EMAIL       lock a user out (at once, tokens included) or let them back in

Environment: DATA_DIR (default ./data) holds the catalog and the warehouse. The server also reads
APP_ENV, HOST, PORT, USER_EMAIL, USER_PASSWORD, CORS_ORIGINS, FAKE_DATA_SCALE, FAKE_DATA_SEED,
FAKE_DATA_SPECS, QUERY_TIME_LIMIT (seconds, default 30), MAX_UPLOAD_BYTES, UPLOAD_PART_BYTES and
MAX_DOWNLOAD_BYTES; every command reads CHECKPOINT_INTERVAL, VACUUM_RETENTION and VACUUM_MIN_RETENTION; see README.md.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace superstore;
  tune_allocator_for_bulk_work();
  std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "help" || words[0] == "--help" || words[0] == "-h") {
    std::cout << kUsage;
    return words.empty() ? 2 : 0;
  }
  try {
    Config config = Config::from_environment();
    std::string command = words[0];
    cli::Words rest(words.begin() + 1, words.end());
    if (command == "table") return cli::table_command(config, rest);
    if (command == "insert") return cli::insert_command(config, rest);
    if (command == "delete") return cli::delete_command(config, rest);
    if (command == "sql") return cli::sql_command(config, rest);
    if (command == "fake-data") return cli::fakedata_command(config, rest);
    if (command == "serve") return cli::serve_command(config, rest);
    if (command == "user") return cli::user_command(config, rest);
    std::cerr << "superstore: unknown command '" << command << "'; run 'superstore help'\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "superstore: " << one_line(e.what()) << "\n";
    return e.code() == ErrorCode::InvalidArgument ? 2 : 1;
  } catch (const std::exception& e) {
    std::cerr << "superstore: internal error: " << one_line(e.what()) << "\n";
    return 1;
  }
}
