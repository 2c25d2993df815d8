#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/error.h"
#include "common/instant.h"
#include "common/parse_int.h"
#include "common/strings.h"
#include "common/types.h"
#include "storage/warehouse.h"

namespace superstore::cli {
namespace {

storage::Warehouse open_warehouse(const Config& config) {
  return storage::Warehouse(storage::warehouse_options_from(config));
}

catalog::TableInfo find(storage::Warehouse& wh, const Args& args, const std::string& name) {
  return wh.table(name, args.option_or("database", "main"), args.option_or("schema", "public"));
}

int create(const Config& config, const Args& args) {
  args.check({"columns", "partition-by", "sort-by", "database", "schema", "target-file-size"}, 1);
  catalog::NewTable t;
  t.name = args.need(0, "table name: superstore table create NAME --columns id:Int64,...");
  auto columns = args.option("columns");
  if (!columns) fail(ErrorCode::InvalidArgument, "missing --columns, e.g. --columns id:Int64,name:String");
  t.columns = parse_column_list(*columns);
  t.partition_keys = split_list(args.option_or("partition-by", ""));
  t.sort_keys = split_list(args.option_or("sort-by", ""));
  t.database = args.option_or("database", "main");
  t.schema = args.option_or("schema", "public");
  t.target_file_bytes = args.int_option("target-file-size").value_or(0);
  if (t.target_file_bytes < 0) fail(ErrorCode::InvalidArgument, "--target-file-size must be positive");
  auto wh = open_warehouse(config);
  auto info = wh.create_table(t);
  std::cout << "created table " << info.database << "." << info.schema << "." << info.name << " (id " << info.id
            << ")\n";
  return 0;
}

int list(const Config& config, const Args& args) {
  args.check({"all"}, 0);
  auto wh = open_warehouse(config);
  query::QueryPage page;
  page.columns = {{"id", "BIGINT"},      {"database", "VARCHAR"},     {"schema", "VARCHAR"},  {"name", "VARCHAR"},
                  {"status", "VARCHAR"}, {"partition_by", "VARCHAR"}, {"sort_by", "VARCHAR"}, {"rows", "BIGINT"},
                  {"files", "BIGINT"},   {"version", "BIGINT"}};
  for (const auto& t : wh.catalog().list_tables(args.flag("all"))) {
    auto snap = wh.snapshot(t);
    page.rows.push_back({{"id", t.id},
                         {"database", t.database},
                         {"schema", t.schema},
                         {"name", t.name},
                         {"status", t.status == catalog::TableStatus::Active ? "active" : "dropped"},
                         {"partition_by", join(t.partition_keys, ",")},
                         {"sort_by", join(t.sort_keys, ",")},
                         {"rows", snap->total_rows()},
                         {"files", snap->files.size()},
                         {"version", snap->version}});
  }
  page.total = static_cast<int64_t>(page.rows.size());
  print_result(std::cout, page, OutputFormat::Table);
  return 0;
}

int drop(const Config& config, const Args& args) {
  args.check({"database", "schema"}, 1);
  auto wh = open_warehouse(config);
  auto t = find(wh, args, args.need(0, "table name: superstore table drop NAME"));
  wh.drop_table(t.id);
  std::cout << "dropped table " << t.name << " (id " << t.id << "); its files stay until vacuumed\n";
  return 0;
}

// OPTIMIZE: compacts the table's small files.
int optimize(const Config& config, const Args& args) {
  args.check({"database", "schema"}, 1);
  auto wh = open_warehouse(config);
  auto t = find(wh, args, args.need(0, "table name: superstore table optimize NAME"));
  const storage::WriteResult r = wh.optimize(t);
  if (r.version < 0) {
    std::cout << "nothing to compact in " << t.name << ": no partition has two files below half the target size\n";
    return 0;
  }
  std::cout << "compacted " << r.files_removed << " small files (" << r.rows << " rows) of " << t.name << " into "
            << r.files_added << " (version " << r.version << ")\n";
  return 0;
}

int vacuum(const Config& config, const Args& args) {
  args.check({"database", "schema", "retain", "dry-run"}, 1);
  storage::VacuumOptions options;
  if (auto retain = args.option("retain")) options.retention_ms = parse_duration_ms(*retain, "--retain");
  options.dry_run = args.flag("dry-run");
  auto wh = open_warehouse(config);
  auto t = find(wh, args, args.need(0, "table name: superstore table vacuum NAME [--retain 168h] [--dry-run]"));
  const storage::VacuumResult r = wh.vacuum(t, options);
  const char* verb = options.dry_run ? "would delete" : "deleted";
  for (const auto& f : r.files.files) {
    std::cout << (options.dry_run ? "would delete " : "deleted ") << f.path << " (" << f.bytes << " bytes"
              << (f.orphan ? ", never committed" : "") << ")\n";
  }
  for (int64_t id : r.dropped_tables) {
    std::cout << (options.dry_run ? "would remove" : "removed") << " dropped table id " << id << "\n";
  }
  std::cout << t.name << ": " << verb << " " << r.files.files.size() << " files (" << r.files.bytes << " bytes) and "
            << r.dropped_tables.size() << " dropped tables (" << r.dropped_bytes << " bytes) older than "
            << format_timestamp_us(r.cutoff_ms * 1000) << "\n";
  if (r.files.orphans_of_unknown_age > 0) {
    std::cout << "kept " << r.files.orphans_of_unknown_age << " uncommitted files whose age the store cannot tell\n";
  }
  return 0;
}

// One table's state and upkeep: what OPTIMIZE and VACUUM would find.
int status(const Config& config, const Args& args) {
  args.check({"database", "schema"}, 1);
  auto wh = open_warehouse(config);
  auto t = find(wh, args, args.need(0, "table name: superstore table status NAME"));
  auto snap = wh.snapshot(t);
  const storage::TableUpkeep u = wh.upkeep(t);
  query::QueryPage page;
  page.columns = {{"name", "VARCHAR"},
                  {"version", "BIGINT"},
                  {"rows", "BIGINT"},
                  {"files", "BIGINT"},
                  {"bytes", "BIGINT"},
                  {"small_files", "BIGINT"},
                  {"small_bytes", "BIGINT"},
                  {"reclaimable_files", "BIGINT"},
                  {"reclaimable_bytes", "BIGINT"},
                  {"checkpoint", "BIGINT"}};
  page.rows.push_back({{"name", t.name},
                       {"version", snap->version},
                       {"rows", snap->total_rows()},
                       {"files", snap->files.size()},
                       {"bytes", snap->total_bytes()},
                       {"small_files", u.small_files},
                       {"small_bytes", u.small_file_bytes},
                       {"reclaimable_files", u.reclaimable_files},
                       {"reclaimable_bytes", u.reclaimable_bytes},
                       {"checkpoint", u.checkpoint_version < 0 ? nlohmann::ordered_json()
                                                               : nlohmann::ordered_json(u.checkpoint_version)}});
  page.total = 1;
  print_result(std::cout, page, OutputFormat::Table);
  return 0;
}

}  // namespace

int table_command(const Config& config, const Words& words) {
  if (words.empty()) {
    fail(ErrorCode::InvalidArgument, "usage: superstore table create|list|drop|status|optimize|vacuum ...");
  }
  Args args(Words(words.begin() + 1, words.end()), {"all", "dry-run"});
  if (words[0] == "create") return create(config, args);
  if (words[0] == "list") return list(config, args);
  if (words[0] == "drop") return drop(config, args);
  if (words[0] == "status") return status(config, args);
  if (words[0] == "optimize") return optimize(config, args);
  if (words[0] == "vacuum") return vacuum(config, args);
  fail(ErrorCode::InvalidArgument,
       "unknown table command '" + words[0] + "'; use create, list, drop, status, optimize or vacuum");
}

int insert_command(const Config& config, const Words& words) {
  Args args(words);
  args.check({"database", "schema"}, 2);
  auto wh = open_warehouse(config);
  auto t = find(wh, args, args.need(0, "table name: superstore insert NAME FILE"));
  auto r = wh.insert_file(t, args.need(1, "file: superstore insert NAME FILE"));
  std::cout << "inserted " << r.rows << " rows into " << t.name << " (version " << r.version << ", " << r.files_added
            << " files added, " << r.files_removed << " replaced)\n";
  return 0;
}

int delete_command(const Config& config, const Words& words) {
  Args args(words);
  args.check({"where", "database", "schema"}, 1);
  auto where = args.option("where");
  if (!where) fail(ErrorCode::InvalidArgument, "missing --where PREDICATE, e.g. --where \"id < 10\"");
  auto wh = open_warehouse(config);
  auto t = find(wh, args, args.need(0, "table name: superstore delete NAME --where PREDICATE"));
  auto r = wh.delete_where(t, *where);
  std::cout << "deleted " << r.rows << " rows from " << t.name;
  if (r.version >= 0) std::cout << " (version " << r.version << ")";
  std::cout << "\n";
  return 0;
}

int sql_command(const Config& config, const Words& words) {
  Args args(words);
  args.check({"format", "version", "as-of", "max-rows"}, 1);
  OutputFormat format = parse_output_format(args.option_or("format", "table"));
  storage::QueryOptions options;
  options.version = args.int_option("version");
  if (auto as_of = args.option("as-of")) {
    const std::optional<int64_t> us = parse_instant_us(*as_of);
    if (!us)
      fail(ErrorCode::InvalidArgument, "--as-of must be a time such as 2025-06-01T00:00:00Z, not '" + *as_of + "'");
    options.as_of_ms = *us / 1000 - (*us % 1000 < 0);  // as POST /execute's "as_of"
  }
  options.per_page = args.int_option("max-rows").value_or(10'000);
  if (options.per_page < 1) fail(ErrorCode::InvalidArgument, "--max-rows must be at least 1");
  options.time_limit = std::chrono::seconds(config.query_time_limit_seconds);
  auto wh = open_warehouse(config);
  auto answer = wh.query(args.need(0, "query: superstore sql \"SELECT ...\""), options);
  print_result(std::cout, answer.page, format);
  if (answer.page.total > options.per_page) {
    std::cerr << "showing the first " << options.per_page << " of " << answer.page.total
              << " rows; raise --max-rows to see more\n";
  }
  return 0;
}

}  // namespace superstore::cli
