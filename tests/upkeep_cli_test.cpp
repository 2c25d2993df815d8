// `superstore table status|optimize|vacuum` as people run them, and what kill -9 in the middle of OPTIMIZE
// and VACUUM leaves: every table readable at a committed version, with all its rows.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "process.h"
#include "storage/test_support.h"

namespace superstore::e2e {
namespace {

namespace fs = std::filesystem;

class UpkeepCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // Tiny files: each insert of a few hundred rows leaves several files per department, the last one small.
    ok({"table", "create", "people", "--columns", "id:Int64,name:String,dept:String", "--partition-by", "dept",
        "--sort-by", "id", "--target-file-size", "8192"});
    for (int i = 0; i < 4; ++i) {
      std::string rows;
      for (int k = 0; k < 400; ++k) {
        const int id = i * 1000 + (k * 37) % 400;
        rows += "{\"id\":" + std::to_string(id) + ",\"name\":\"person number " + std::to_string(id) + "\",\"dept\":\"" +
                (id % 2 ? "X" : "Y") + "\"}\n";
      }
      const fs::path file = dir_.path() / ("rows" + std::to_string(i) + ".jsonl");
      std::ofstream(file) << rows;
      ok({"insert", "people", file.string()});
    }
    expected_ = rows_now();
    ASSERT_EQ(expected_["n"], 1600);
  }
  ProcessResult cli(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    env["DATA_DIR"] = dir_.path().string();
    env.emplace("VACUUM_MIN_RETENTION", "0s");
    return run(SUPERSTORE_BINARY, args, env);
  }
  ProcessResult ok(const std::vector<std::string>& args) {
    ProcessResult r = cli(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << (args.size() > 1 ? args[1] : "") << ": " << r.err;
    return r;
  }
  // Count, sum and a hash of every row, as the CLI reads them now (or at `version`).
  nlohmann::json rows_now(std::optional<int64_t> version = {}) {
    std::vector<std::string> args{"sql", "--format", "json"};
    if (version) args.insert(args.end(), {"--version", std::to_string(*version)});
    args.push_back("SELECT count(*) AS n, sum(id) AS s, sum(hash(id, name, dept)) AS h FROM people");
    ProcessResult r = ok(args);
    return nlohmann::json::parse(r.out).at(0);
  }
  int64_t data_files() {
    int64_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir_.path() / "warehouse")) {
      n += e.path().extension() == ".parquet" && e.path().string().find("_delta_log") == std::string::npos;
    }
    return n;
  }

  TempFolder dir_;
  nlohmann::json expected_;
};

TEST_F(UpkeepCli, StatusOptimizeAndVacuumKeepEveryRow) {
  ProcessResult status = ok({"table", "status", "people"});
  EXPECT_NE(status.out.find("small_files"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("reclaimable_bytes"), std::string::npos) << status.out;

  ProcessResult optimized = ok({"table", "optimize", "people"});
  EXPECT_NE(optimized.out.find("compacted"), std::string::npos) << optimized.out;
  EXPECT_EQ(rows_now(), expected_);
  EXPECT_EQ(rows_now(4), expected_) << "the version before OPTIMIZE reads its own files";

  ProcessResult dry = ok({"table", "vacuum", "people", "--retain", "0s", "--dry-run"});
  EXPECT_NE(dry.out.find("would delete"), std::string::npos) << dry.out;
  const int64_t files_before = data_files();
  ProcessResult vacuumed = ok({"table", "vacuum", "people", "--retain", "0s"});
  EXPECT_NE(vacuumed.out.find("deleted"), std::string::npos) << vacuumed.out;
  EXPECT_LT(data_files(), files_before);
  EXPECT_EQ(rows_now(), expected_);
}

TEST_F(UpkeepCli, OptimizeKilledBeforeItsCommitLeavesTheTableAsItWasAndVacuumRemovesItsFiles) {
  ok({"table", "vacuum", "people", "--retain", "0s"});  // the files the inserts' merges replaced
  const int64_t files_before = data_files();
  ProcessResult killed = cli({"table", "optimize", "people"}, {{"SUPERSTORE_CRASH_BEFORE_COMMIT", "1"}});
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.err;
  EXPECT_GT(data_files(), files_before) << "its files were written, yet no version references them";
  EXPECT_EQ(rows_now(), expected_);
  EXPECT_NE(cli({"sql", "--version", "5", "SELECT 1 FROM people"}).exit_code, 0) << "it made no version";

  ProcessResult vacuumed = ok({"table", "vacuum", "people", "--retain", "0s"});
  EXPECT_NE(vacuumed.out.find("never committed"), std::string::npos) << vacuumed.out;
  EXPECT_EQ(data_files(), files_before) << "exactly the killed write's files went: the rest are live";
  EXPECT_EQ(rows_now(), expected_);
  ok({"table", "optimize", "people"});
  EXPECT_EQ(rows_now(), expected_);
}

TEST_F(UpkeepCli, VacuumKilledHalfWayLeavesTheTableReadable) {
  ok({"table", "optimize", "people"});
  ProcessResult killed =
      cli({"table", "vacuum", "people", "--retain", "0s"}, {{"SUPERSTORE_CRASH_DURING_VACUUM", "1"}});
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.err;
  EXPECT_EQ(rows_now(), expected_);
  ProcessResult again = ok({"table", "vacuum", "people", "--retain", "0s"});
  EXPECT_NE(again.out.find("deleted"), std::string::npos) << again.out;
  EXPECT_EQ(rows_now(), expected_);
  ok({"insert", "people", (dir_.path() / "rows0.jsonl").string()});
  EXPECT_EQ(rows_now()["n"], 2000) << "the table takes writes as before";
}

TEST_F(UpkeepCli, BadRetentionsAreRefusedWithAClearMessage) {
  ProcessResult short_one = cli({"table", "vacuum", "people", "--retain", "10m"}, {{"VACUUM_MIN_RETENTION", "1h"}});
  EXPECT_NE(short_one.exit_code, 0);
  EXPECT_NE(short_one.err.find("VACUUM_MIN_RETENTION"), std::string::npos) << short_one.err;
  ProcessResult bad = cli({"table", "vacuum", "people", "--retain", "ten minutes"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--retain must be a duration"), std::string::npos) << bad.err;
  ProcessResult bad_env = cli({"table", "status", "people"}, {{"VACUUM_RETENTION", "-1h"}});
  EXPECT_NE(bad_env.exit_code, 0);
  EXPECT_NE(bad_env.err.find("VACUUM_RETENTION must be a duration"), std::string::npos) << bad_env.err;
  EXPECT_EQ(rows_now(), expected_);
}

}  // namespace
}  // namespace superstore::e2e
