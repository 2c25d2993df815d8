#include "storage/delta_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "common/error.h"
#include "storage/delta_paths.h"

namespace superstore::storage {
namespace {

namespace fs = std::filesystem;

Commit create_commit() {
  Commit c;
  c.info.operation = "CREATE TABLE";
  c.info.timestamp = 1700000000000;
  c.protocol = Protocol{};
  Metadata m;
  m.id = "5f1c0000-0000-4000-8000-000000000001";
  m.fields = {{"id", "long", true}, {"department", "string", true}};
  m.partition_columns = {"department"};
  m.created_time = 1700000000000;
  c.metadata = m;
  return c;
}

AddFile add_file(const std::string& path, std::optional<std::string> dept, int64_t rows) {
  AddFile a;
  a.path = path;
  a.partition_values["department"] = std::move(dept);
  a.size = 100 * rows;
  a.modification_time = 1700000000000;
  FileStats s;
  s.num_records = rows;
  s.min_values["id"] = 1;
  s.max_values["id"] = rows;
  s.null_count["id"] = 0;
  s.distinct_count["id"] = rows;
  a.stats = s;
  return a;
}

TEST(DeltaPaths, HiveEscapesAndUriEncodesLikeSpark) {
  EXPECT_EQ(hive_folder("ts", std::string("2021-09-08 11:11:11")), "ts=2021-09-08 11%3A11%3A11");
  EXPECT_EQ(uri_encode_path("ts=2021-09-08 11%3A11%3A11/part-1.parquet"),
            "ts=2021-09-08%2011%253A11%253A11/part-1.parquet");
  EXPECT_EQ(hive_folder("c2", std::string("+ =%0")), "c2=+ %3D%250");
  EXPECT_EQ(hive_folder("d", std::nullopt), "d=__HIVE_DEFAULT_PARTITION__");
  EXPECT_EQ(hive_folder("d", std::string("../../etc")), "d=..%2F..%2Fetc");
  for (std::string v : {"R&D Lab", "a/b", "100%", "x=y", "São Paulo", "tab\there", "+ =%0"}) {
    std::string path = hive_folder("c", v) + "/f.parquet";
    EXPECT_EQ(uri_decode(uri_encode_path(path)), path) << v;
  }
  EXPECT_EQ(uri_decode("a+b%20c"), "a+b c");
  EXPECT_THROW(uri_decode("bad%2"), Error);
  EXPECT_THROW(uri_decode("bad%zz"), Error);
}

TEST(DeltaLog, CommitsReplayToEveryVersion) {
  blob::MemoryBlobStore store;
  DeltaLog log(store, "main/public/t-1");
  EXPECT_EQ(log.latest_version(), -1);
  ASSERT_TRUE(log.try_commit(0, create_commit()));

  Commit c1;
  c1.info.operation = "WRITE";
  c1.adds = {add_file("department=Sales/1.parquet", "Sales", 10), add_file("department=HR/2.parquet", "HR", 5)};
  ASSERT_TRUE(log.try_commit(1, c1));

  Commit c2;
  c2.info.operation = "DELETE";
  RemoveFile r;
  r.path = "department=Sales/1.parquet";
  r.partition_values["department"] = "Sales";
  c2.removes = {r};
  c2.adds = {add_file("department=Sales/3.parquet", "Sales", 7)};
  ASSERT_TRUE(log.try_commit(2, c2));

  EXPECT_EQ(log.latest_version(), 2);
  EXPECT_EQ(log.snapshot(0).files.size(), 0u);
  EXPECT_EQ(log.snapshot(1).total_rows(), 15);
  Snapshot latest = log.snapshot();
  EXPECT_EQ(latest.version, 2);
  EXPECT_EQ(latest.total_rows(), 12);
  ASSERT_EQ(latest.files.size(), 2u);
  EXPECT_EQ(latest.files[0].path, "department=HR/2.parquet");
  EXPECT_EQ(latest.files[1].path, "department=Sales/3.parquet");
  ASSERT_EQ(latest.tombstones.size(), 1u);
  EXPECT_EQ(latest.metadata.partition_columns, std::vector<std::string>{"department"});
  EXPECT_EQ(latest.files[1].stats->distinct_count["id"], 7);

  // Advancing a cached snapshot gives the same answer as a full replay.
  Snapshot advanced = log.advance(log.snapshot(0), 2);
  ASSERT_EQ(advanced.files.size(), latest.files.size());
  for (size_t i = 0; i < advanced.files.size(); ++i) EXPECT_EQ(advanced.files[i].path, latest.files[i].path);

  EXPECT_THROW(log.snapshot(3), Error);
}

// Found by fuzz/delta_commit_fuzz.cpp: a field of the wrong type escaped as a JSON library exception
// (an "internal error" that named no file), and a float too large for int64 was cast, which is undefined.
TEST(DeltaLog, FieldsOfTheWrongTypeAreACorruptLogNamingFileAndLine) {
  auto message_of = [](const std::string& text) -> std::string {
    try {
      parse_commit(text, "t/_delta_log/00000000000000000001.json");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::Internal);
      return e.what();
    }
    ADD_FAILURE() << "parsed: " << text;
    return "";
  };
  const std::string ok = R"({"commitInfo":{"timestamp":1}})"
                         "\n";
  EXPECT_NE(message_of(ok + R"({"add":{"path":"a.parquet","size":"12"}})").find("00000000000000000001.json line 2"),
            std::string::npos);
  EXPECT_NE(message_of(R"({"add":{"path":"a.parquet","size":1e300}})").find("'size' must be a whole number"),
            std::string::npos);
  EXPECT_NE(message_of(R"({"add":[1,2]})").find("line 1"), std::string::npos);
  EXPECT_NE(message_of(R"({"commitInfo":{"timestamp":18446744073709551615}})").find("timestamp"), std::string::npos);
  EXPECT_NE(message_of(R"({"metaData":{"schemaString":"{\"fields\":[1]}"}})").find("line 1"), std::string::npos);

  // Replaying the same log fails the same way.
  blob::MemoryBlobStore store;
  DeltaLog log(store, "t");
  ASSERT_TRUE(log.try_commit(0, create_commit()));
  store.put(log.commit_key(1), R"({"remove":{"path":"a.parquet","deletionTimestamp":"yesterday"}})");
  try {
    log.snapshot();
    ADD_FAILURE() << "replayed";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Internal);
    EXPECT_NE(std::string(e.what()).find("00000000000000000001.json line 1"), std::string::npos) << e.what();
  }

  // Stats are optional: nonsense in them leaves them out, as stats that are not JSON do.
  const Commit c = parse_commit(R"({"add":{"path":"a.parquet","size":3,"stats":"{\"numRecords\":2.5}"}})", "x");
  ASSERT_EQ(c.adds.size(), 1u);
  EXPECT_EQ(c.adds[0].size, 3);
  EXPECT_FALSE(c.adds[0].stats);
  // A protocol version past int is still refused as one this reader cannot read.
  EXPECT_THROW(
      check_readable(parse_commit(R"({"protocol":{"minReaderVersion":4294967297}})", "x").protocol.value(), "x"),
      Error);
}

// Found by fuzz/paths_fuzz.cpp: twenty digits overflowed int64 while the log's versions were listed.
TEST(DeltaLog, ACommitFileNamePastInt64IsNoVersion) {
  blob::MemoryBlobStore store;
  DeltaLog log(store, "t");
  ASSERT_TRUE(log.try_commit(0, create_commit()));
  store.put("t/_delta_log/99999999999999999999.json", "");
  store.put("t/_delta_log/09223372036854775808.json", "");
  EXPECT_EQ(log.latest_version(), 0);
  store.put("t/_delta_log/09223372036854775807.json", "");
  EXPECT_EQ(log.latest_version(), INT64_MAX);
}

// Found by fuzz/paths_fuzz.cpp: listing reaches into subfolders, and a commit file name there counted as
// a version that snapshot() then could not find.
TEST(DeltaLog, CommitFilesInSubfoldersOfTheLogAreNoVersions) {
  blob::MemoryBlobStore store;
  DeltaLog log(store, "t");
  ASSERT_TRUE(log.try_commit(0, create_commit()));
  store.put("t/_delta_log/_commits/00000000000000000001.json", "{}");
  store.put("t/_delta_log/a/b/00000000000000000002.json", "{}");
  EXPECT_EQ(log.latest_version(), 0);
  EXPECT_FALSE(log.has_version(1));
  EXPECT_EQ(log.snapshot().version, 0);
}

TEST(DeltaLog, AVersionCanBeWonOnlyOnce) {
  blob::MemoryBlobStore store;
  DeltaLog log(store, "t");
  ASSERT_TRUE(log.try_commit(0, create_commit()));
  std::atomic<int> wins{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 8; ++i) {
    writers.emplace_back([&, i] {
      Commit c;
      c.adds = {add_file("department=Sales/w" + std::to_string(i) + ".parquet", "Sales", 1)};
      if (log.try_commit(1, c)) ++wins;
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(log.snapshot().files.size(), 1u);
}

TEST(DeltaLog, SerialisedCommitIsDeltaShaped) {
  Commit c = create_commit();
  c.adds = {add_file("department=R&D Lab/1.parquet", "R&D Lab", 2)};
  std::string text = serialize_commit(c);
  std::vector<nlohmann::json> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    lines.push_back(nlohmann::json::parse(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_TRUE(lines[0].contains("commitInfo"));
  EXPECT_EQ(lines[1]["protocol"]["minReaderVersion"], 1);
  EXPECT_EQ(lines[1]["protocol"]["minWriterVersion"], 2);
  auto schema = nlohmann::json::parse(lines[2]["metaData"]["schemaString"].get<std::string>());
  EXPECT_EQ(schema["type"], "struct");
  EXPECT_EQ(schema["fields"][0]["type"], "long");
  const auto& add = lines[3]["add"];
  EXPECT_EQ(add["path"], "department=R%26D%20Lab/1.parquet");
  EXPECT_EQ(add["partitionValues"]["department"], "R&D Lab");
  auto stats = nlohmann::json::parse(add["stats"].get<std::string>());
  EXPECT_EQ(stats["numRecords"], 2);
  Commit back = parse_commit(text, "test");
  ASSERT_EQ(back.adds.size(), 1u);
  EXPECT_EQ(back.adds[0].path, "department=R&D Lab/1.parquet");
  EXPECT_EQ(back.info.operation, "CREATE TABLE");
}

TEST(DeltaLog, CorruptCommitIsReported) {
  blob::MemoryBlobStore store;
  DeltaLog log(store, "t");
  ASSERT_TRUE(log.try_commit(0, create_commit()));
  store.put(log.commit_key(1), "{\"add\": not json\n");
  try {
    log.snapshot();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::Internal);
    EXPECT_NE(std::string(e.what()).find("00000000000000000001.json"), std::string::npos) << e.what();
  }
}

// The golden tables written by Spark (tests/data/delta-golden); their README gives what they hold.
class GoldenLog : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(root() / "README.md"))
        << root() << " is missing: the golden tables are part of the repository (tests/data/delta-golden)";
  }
  static fs::path root() { return fs::path(SUPERSTORE_TESTDATA_DIR) / "delta-golden"; }
  DeltaLog log(const std::string& table) { return DeltaLog(store_, table); }
  blob::LocalBlobStore store_{root()};
};

TEST_F(GoldenLog, RowCountsOfEveryVersionFromStats) {
  auto l = log("basic-with-inserts-deletes-checkpoint");
  const int64_t expected[] = {10, 20, 30, 40, 50, 45, 40, 35, 30, 25, 35, 45, 55, 41};
  EXPECT_EQ(l.latest_version(), 13);
  for (int64_t v = 0; v <= 13; ++v) EXPECT_EQ(l.snapshot(v).total_rows(), expected[v]) << "version " << v;
  Snapshot latest = l.snapshot();
  EXPECT_EQ(latest.files.size(), 7u);
  EXPECT_EQ(latest.tombstones.size(), 7u);
}

TEST_F(GoldenLog, LiveFilesPerVersionOfARepartitionedTable) {
  auto l = log("snapshot-repartitioned");
  const size_t expected[] = {2, 4, 2, 4, 3, 2};
  for (int64_t v = 0; v <= 5; ++v) EXPECT_EQ(l.snapshot(v).files.size(), expected[v]) << "version " << v;
}

TEST_F(GoldenLog, DecodedPathsNameTheFilesOnDisk) {
  for (const char* table : {"deltatbl-special-chars-in-partition-column", "data-reader-partition-values",
                            "data-reader-escaped-chars", "kernel-timestamp-partition-col-ISO8601"}) {
    Snapshot s = log(table).snapshot();
    ASSERT_FALSE(s.files.empty()) << table;
    for (const auto& f : s.files) EXPECT_TRUE(fs::exists(root() / table / f.path)) << table << ": " << f.path;
  }
}

TEST_F(GoldenLog, PartitionValuesAreKeptVerbatim) {
  std::set<std::string> values;
  for (const auto& f : log("data-reader-escaped-chars").snapshot().files) values.insert(*f.partition_values.at("_2"));
  EXPECT_EQ(values, (std::set<std::string>{"bar+%21", "bar+%22", "bar+%23"}));

  int nulls = 0;
  for (const auto& f : log("data-reader-partition-values").snapshot().files) {
    if (!f.partition_values.at("as_int")) ++nulls;
    EXPECT_EQ(f.partition_values.size(), 12u);
  }
  EXPECT_EQ(nulls, 1);
}

TEST_F(GoldenLog, TimestampNtzFeatureIsReadable) {
  auto l = log("data-reader-timestamp_ntz");
  EXPECT_TRUE(l.snapshot(0).files.empty());
  Snapshot s = l.snapshot(1);
  EXPECT_EQ(s.protocol.min_reader_version, 3);
  EXPECT_EQ(s.files.size(), 4u);
}

TEST_F(GoldenLog, GapsAndUnknownProtocolsAreRefused) {
  EXPECT_THROW(log("versions-not-contiguous").snapshot(), Error);
  try {
    log("deltalog-invalid-protocol-version").snapshot();
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("99"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace superstore::storage
