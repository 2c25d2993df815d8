// Helpers shared by the storage tests: a temporary DATA_DIR and quick ways to build rows.
#pragma once

#include <gtest/gtest.h>
#include <sys/time.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "common/clock.h"
#include "common/columns.h"
#include "query/database.h"
#include "storage/warehouse.h"
#include "support/moto_server.h"
#include "support/temp_folder.h"

namespace superstore::storage::testing {

// A warehouse in `dir` with every other option at its default.
inline WarehouseOptions options_for(const std::filesystem::path& dir) {
  WarehouseOptions o;
  o.data_dir = dir;
  return o;
}

// A warehouse in `dir` whose tables live in a fresh bucket of the shared moto S3 server (see
// tests/support/moto_server.h); nullopt, with `why` set, where moto cannot run.
inline std::optional<WarehouseOptions> s3_options_for(const std::filesystem::path& dir, std::string& why) {
  MotoServer* moto = MotoServer::shared(why);
  if (!moto) return std::nullopt;
  WarehouseOptions o = options_for(dir);
  o.warehouse_url = "s3://" + MotoServer::fresh_bucket() + "/warehouse";
  o.s3.endpoint = moto->endpoint();
  o.s3.path_style = true;
  o.s3.credentials = {"test-key", "test-secret", ""};
  o.s3.first_backoff = std::chrono::milliseconds(5);
  blob::S3Options bucket = o.s3;
  blob::parse_s3_url(o.warehouse_url, bucket);
  blob::S3BlobStore(bucket).create_bucket();
  return o;
}

// Which store a parameterised storage test runs against.
enum class StoreKind { Local, S3 };
inline std::string store_kind_name(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param == StoreKind::Local ? "Local" : "S3";
}

// The first column of the first row of `sql`'s answer, as an integer (counts, sums).
inline int64_t scalar(Warehouse& wh, const std::string& sql) {
  QueryOptions q;
  return wh.query(sql, q).page.rows.at(0).begin()->get<int64_t>();
}

// An engine without the sandbox, for tests that inspect files directly.
inline query::DatabaseOptions unsandboxed() {
  query::DatabaseOptions o;
  o.sandboxed = false;
  return o;
}

inline const std::vector<ColumnDef> kPeople = {
    {"id", ColumnType::Int64},         {"name", ColumnType::String},   {"dept", ColumnType::String},
    {"age", ColumnType::Int32},        {"score", ColumnType::Float64}, {"active", ColumnType::Boolean},
    {"joined", ColumnType::Timestamp}, {"born", ColumnType::Date},     {"level", ColumnType::Int16}};
inline const char* const kDepts[] = {"Sales", "R&D Lab", "HR", "Eng/Ops"};

// Row i of a deterministic people table; every 7th row has NULLs in the nullable columns.
inline ColumnBatch people(int64_t first, int64_t count) {
  ColumnBatch b(kPeople);
  for (int64_t i = first; i < first + count; ++i) {
    bool nulls = i % 7 == 3;
    b[0].push_int(i);
    if (nulls)
      b[1].push_null();
    else
      b[1].push_string("person " + std::to_string(i));
    b[2].push_string(kDepts[(i * 7919) % 4]);
    b[3].push_int(20 + i % 50);
    if (nulls)
      b[4].push_null();
    else
      b[4].push_double(static_cast<double>(i % 1000) / 8.0);
    b[5].push_bool(i % 3 == 0);
    if (nulls)
      b[6].push_null();
    else
      b[6].push_int(1'600'000'000'000'000 + i * 1'000'123 - 400'000'000'000'000 * (i % 5 == 0));
    b[7].push_int(-1000 + i % 20000);
    b[8].push_int(i % 100 - 50);
  }
  return b;
}

// Every data file (Parquet outside _delta_log) below the table folder `table_dir`, relative to it.
inline std::set<std::string> data_files_in(const std::filesystem::path& table_dir) {
  std::set<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(table_dir)) {
    if (e.path().extension() == ".parquet" && e.path().string().find("_delta_log") == std::string::npos) {
      out.insert(std::filesystem::relative(e.path(), table_dir).string());
    }
  }
  return out;
}

// Sets a file's modification time `age` into the past.
inline void age_file(const std::filesystem::path& file, std::chrono::milliseconds age) {
  const int64_t ms = now_ms() - age.count();
  struct timeval times[2];
  times[0].tv_sec = times[1].tv_sec = ms / 1000;
  times[0].tv_usec = times[1].tv_usec = (ms % 1000) * 1000;
  ASSERT_EQ(::utimes(file.c_str(), times), 0) << file;
}

// A store that counts how the log is read (listings, reads, reads of absent blobs that throw); everything
// else goes to `inner`.
class CountingStore final : public blob::BlobStore {
 public:
  explicit CountingStore(blob::BlobStore& inner) : inner_(inner) {}
  int lists = 0, gets = 0, failed_gets = 0;
  void put(const std::string& key, std::string_view bytes) override { inner_.put(key, bytes); }
  bool put_if_absent(const std::string& key, std::string_view bytes) override {
    return inner_.put_if_absent(key, bytes);
  }
  std::string get(const std::string& key) override {
    ++gets;
    if (!inner_.exists(key)) ++failed_gets;
    return inner_.get(key);
  }
  std::optional<std::string> get_if_exists(const std::string& key) override {
    ++gets;
    return inner_.get_if_exists(key);
  }
  bool exists(const std::string& key) override { return inner_.exists(key); }
  uint64_t size(const std::string& key) override { return inner_.size(key); }
  std::vector<std::string> list(const std::string& prefix) override {
    ++lists;
    return inner_.list(prefix);
  }
  std::vector<blob::BlobInfo> list_info(const std::string& prefix) override {
    ++lists;
    return inner_.list_info(prefix);
  }
  void remove(const std::string& key) override { inner_.remove(key); }
  std::optional<std::filesystem::path> local_path(const std::string& key) override { return inner_.local_path(key); }

 private:
  blob::BlobStore& inner_;
};

// A warehouse in a temporary DATA_DIR, and an unsandboxed DuckDB connection for reading its files.
class WarehouseFixture : public ::testing::Test {
 protected:
  std::filesystem::path table_dir(const catalog::TableInfo& t) const { return dir_.path() / "warehouse" / t.location; }

  TempFolder dir_;
  Warehouse wh_{[this] {
    WarehouseOptions o;
    o.data_dir = dir_.path();
    return o;
  }()};
  query::Database db_{unsandboxed()};
  query::Connection conn_{db_};
};

}  // namespace superstore::storage::testing
