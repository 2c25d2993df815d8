// Fuzz target: the CSV and NDJSON loader (Warehouse::insert_file, storage/csv_file.cpp and
// file_diagnosis.cpp): the bytes an upload or `superstore insert` hands it, into a table with a column of
// every type, partitioned by a String column. First byte: 0 CSV, 1 NDJSON.
// Properties: a file is refused only by Error(InvalidArgument), and then the table is left as it was; a
// file that loads adds exactly the rows it reports, in one version (none without rows), and every row
// reads back through SQL.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/log.h"
#include "fuzz/fuzz_support.h"
#include "storage/warehouse.h"
#include "support/temp_folder.h"

namespace {

using namespace superstore;
using namespace superstore::storage;

// A fresh table after this many loads, so that the log and the file count stay small.
constexpr int kLoadsPerTable = 32;

struct Setup {
  TempFolder folder;
  std::unique_ptr<Warehouse> warehouse;
  catalog::TableInfo table;
  int tables = 0;
  int loads = 0;

  Setup() {
    log::set_quiet(true);
    WarehouseOptions options;
    options.data_dir = folder.path() / "data";
    options.threads = 1;
    warehouse = std::make_unique<Warehouse>(options);
    std::filesystem::create_directories(folder.path() / "in");
    next_table();
  }

  void next_table() {
    catalog::NewTable t;
    t.name = "t" + std::to_string(++tables);
    t.columns = parse_column_list(
        "id:Int64,name:String,dept:String,age:Int32,score:Float64,active:Boolean,joined:Timestamp,born:Date,level:"
        "Int16");
    t.partition_keys = {"dept"};
    t.sort_keys = {"id"};
    table = warehouse->create_table(t);
    loads = 0;
  }

  int64_t count_rows() {
    QueryOptions options;
    options.per_page = 1000;
    // Every value goes through the JSON conversion of a page, not only the count.
    const QueryAnswer all = warehouse->query("SELECT * FROM " + table.name, options);
    return all.page.total;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Setup setup;
  const auto [mode, rest] = fuzz::split_mode(data, size, 2);
  const std::filesystem::path file = setup.folder.path() / "in" / "rows.data";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(rest.data(), static_cast<std::streamsize>(rest.size()));
  }
  InsertFileOptions options;
  options.format = mode == 0 ? FileFormat::Csv : FileFormat::JsonLines;
  options.display_name = "the request body";

  const int64_t version_before = setup.warehouse->snapshot(setup.table)->version;
  const int64_t rows_before = setup.count_rows();
  WriteResult result;
  const bool loaded = fuzz::rejects_only_with(
      {ErrorCode::InvalidArgument}, [&] { result = setup.warehouse->insert_file(setup.table, file, options); });
  const int64_t version_after = setup.warehouse->snapshot(setup.table)->version;
  const int64_t rows_after = setup.count_rows();
  if (!loaded) {
    FUZZ_CHECK(version_after == version_before && rows_after == rows_before, "a refused file changed the table");
    return 0;
  }
  // A file without rows writes no version (and reports the current one, or -1); any other adds one.
  const int64_t expected = result.rows == 0 ? version_before : version_before + 1;
  FUZZ_CHECK(version_after == expected && (result.version == expected || (result.rows == 0 && result.version == -1)),
             "a load of " + std::to_string(result.rows) + " rows made version " + std::to_string(result.version) +
                 " after " + std::to_string(version_before));
  FUZZ_CHECK(rows_after == rows_before + result.rows, "a load reported " + std::to_string(result.rows) +
                                                          " rows, the table grew by " +
                                                          std::to_string(rows_after - rows_before));
  if (++setup.loads == kLoadsPerTable) setup.next_table();
  return 0;
}
