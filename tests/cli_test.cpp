// The superstore binary as people and scripts use it: a fresh DATA_DIR, real files, real processes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "process.h"
#include "storage/test_support.h"

namespace superstore::e2e {
namespace {

namespace fs = std::filesystem;

class Cli : public ::testing::Test {
 protected:
  ProcessResult cli(const std::vector<std::string>& args, std::map<std::string, std::string> env = {}) {
    env["DATA_DIR"] = dir_.path().string();
    return run(SUPERSTORE_BINARY, args, env);
  }
  ProcessResult ok(const std::vector<std::string>& args) {
    ProcessResult r = cli(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    return r;
  }
  std::string file(const std::string& name, const std::string& text) {
    fs::path p = dir_.path() / "in" / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  nlohmann::json json_rows(const std::string& query, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"sql", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(query);
    ProcessResult r = ok(args);
    return nlohmann::json::parse(r.out);
  }
  void create_people() {
    ok({"table", "create", "people", "--columns", "id:Int64,name:String,dept:String,joined:Timestamp,born:Date",
        "--partition-by", "dept", "--sort-by", "id"});
  }

  TempFolder dir_;
};

TEST_F(Cli, CreateInsertQueryFromAFreshDataDir) {
  create_people();
  std::string csv = file("people.csv",
                         "id,name,dept,joined,born\n"
                         "3,Ann,Sales,2024-01-02 10:00:00,1990-05-01\n"
                         "1,\"Bob, Jr.\",R&D,2023-05-01T08:00:00+02:00,1985-12-24\n"
                         "2,Cy,Sales,,\n"
                         "4,Di,,,\n");
  ProcessResult ins = ok({"insert", "people", csv});
  EXPECT_NE(ins.out.find("inserted 4 rows"), std::string::npos) << ins.out;

  auto rows = json_rows("SELECT * FROM people ORDER BY id");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_TRUE(rows[3]["dept"].is_null()) << "an empty CSV field is NULL, a partition of its own";
  EXPECT_EQ(rows[0]["name"], "Bob, Jr.");
  EXPECT_EQ(rows[0]["joined"], "2023-05-01T06:00:00Z");
  EXPECT_EQ(rows[0]["born"], "1985-12-24");
  EXPECT_TRUE(rows[1]["joined"].is_null());
  EXPECT_EQ(rows[2]["dept"], "Sales");

  ProcessResult csv_out = ok({"sql", "--format", "csv", "SELECT id, name FROM people WHERE id < 4 ORDER BY id"});
  EXPECT_EQ(csv_out.out, "id,name\n1,\"Bob, Jr.\"\n2,Cy\n3,Ann\n");
  ProcessResult table_out = ok({"sql", "SELECT id, name FROM people WHERE id < 4 ORDER BY id"});
  EXPECT_NE(table_out.out.find("id | name"), std::string::npos) << table_out.out;
  EXPECT_NE(table_out.out.find("(3 rows)"), std::string::npos) << table_out.out;

  // The folder is a Delta table with Hive partitions: files under dept=..., a log with versions 0 and 1.
  fs::path table = dir_.path() / "warehouse" / "main" / "public" / "people-1";
  EXPECT_TRUE(fs::exists(table / "_delta_log" / "00000000000000000000.json"));
  EXPECT_TRUE(fs::exists(table / "_delta_log" / "00000000000000000001.json"));
  EXPECT_TRUE(fs::is_directory(table / "dept=Sales"));
  EXPECT_TRUE(fs::is_directory(table / "dept=R&D"));
  EXPECT_TRUE(fs::is_directory(table / "dept=__HIVE_DEFAULT_PARTITION__"));
}

TEST_F(Cli, TimeTravelAndDelete) {
  create_people();
  ok({"insert", "people", file("a.jsonl", "{\"id\":1,\"name\":\"a\",\"dept\":\"X\"}\n{\"id\":2,\"name\":\"b\",\"dept\":\"Y\"}\n")});
  ok({"insert", "people", file("b.jsonl", "{\"id\":3,\"name\":\"c\",\"dept\":\"X\"}\n")});
  ProcessResult del = ok({"delete", "people", "--where", "id = 1"});
  EXPECT_NE(del.out.find("deleted 1 rows"), std::string::npos) << del.out;
  EXPECT_EQ(json_rows("SELECT count(*) AS n FROM people", {"--version", "1"})[0]["n"], 2);
  EXPECT_EQ(json_rows("SELECT count(*) AS n FROM people", {"--version", "2"})[0]["n"], 3);
  EXPECT_EQ(json_rows("SELECT count(*) AS n FROM people")[0]["n"], 2);
  ProcessResult empty = ok({"insert", "people", file("empty.csv", "id,name,dept,joined,born\n")});
  EXPECT_NE(empty.out.find("inserted 0 rows"), std::string::npos) << empty.out;
  EXPECT_NE(cli({"sql", "--version", "4", "SELECT 1 FROM people"}).exit_code, 0) << "an empty insert makes no version";
  ProcessResult missing = cli({"sql", "--version", "7", "SELECT * FROM people"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("version 7"), std::string::npos) << missing.err;
}

TEST_F(Cli, AWriteKilledBeforeItsCommitLeavesThePreviousVersion) {
  create_people();
  ok({"insert", "people", file("a.csv", "id,name,dept,joined,born\n1,a,X,,\n")});
  ProcessResult killed = cli({"insert", "people", file("b.csv", "id,name,dept,joined,born\n2,b,X,,\n3,c,Y,,\n")},
                   {{"SUPERSTORE_CRASH_BEFORE_COMMIT", "1"}});
  EXPECT_EQ(killed.exit_code, 128 + 9);
  // Its files were written, yet no version references them.
  int parquet = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_.path() / "warehouse")) parquet += e.path().extension() == ".parquet";
  EXPECT_GE(parquet, 2);
  EXPECT_EQ(json_rows("SELECT count(*) AS n, max(id) AS m FROM people")[0]["n"], 1);
  ProcessResult list = ok({"table", "list"});
  EXPECT_NE(list.out.find("people"), std::string::npos);
  ok({"insert", "people", file("c.csv", "id,name,dept,joined,born\n4,d,X,,\n")});
  EXPECT_EQ(json_rows("SELECT count(*) AS n FROM people")[0]["n"], 2);
}

TEST_F(Cli, BadInputExitsNonZeroWithOneLine) {
  create_people();
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  std::vector<Case> cases = {
      {{"table", "create", "people", "--columns", "id:Int64"}, "already exists"},
      {{"table", "create", "t", "--columns", "id:Int64,x:Decimal"}, "unknown column type 'Decimal'"},
      {{"table", "create", "t", "--columns", "id:Int64,x:Float64", "--partition-by", "x"}, "partition key 'x'"},
      {{"table", "create", "t", "--columns", "id:Int64", "--sort-by", "nope"}, "nope"},
      {{"table", "create", "../x", "--columns", "id:Int64"}, "table name"},
      {{"table", "drop", "nope"}, "does not exist"},
      {{"insert", "people", file("bad.csv", "id,name,dept,joined,born\n1,a,X,,\nzz,b,X,,\n")}, "Line: 3"},
      {{"insert", "people", file("bad2.csv", "id,name,dept,joined,born\n1,a,X,soon,\n")}, "line 2"},
      {{"insert", "people", file("x.txt", "hello")}, ".csv"},
      {{"insert", "people", "/nonexistent.csv"}, "does not exist"},
      {{"sql", "SELEC 1"}, "syntax error"},
      {{"sql", "SELECT * FROM read_csv('/etc/passwd')"}, "/etc/passwd"},
      {{"sql", "DELETE FROM people"}, "only read statements"},
      {{"sql", "--format", "xml", "SELECT 1"}, "--format"},
      {{"delete", "people"}, "--where"},
      {{"table", "frobnicate"}, "unknown table command"},
      {{"sql", "--bogus", "1", "SELECT 1"}, "unknown option --bogus"},
  };
  for (const auto& c : cases) {
    ProcessResult r = cli(c.args);
    EXPECT_NE(r.exit_code, 0) << c.args[0] << " " << c.args[1];
    EXPECT_NE(r.err.find(c.says), std::string::npos) << "wanted '" << c.says << "' in: " << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  }
  // None of the bad inserts committed anything.
  EXPECT_EQ(json_rows("SELECT count(*) AS n FROM people")[0]["n"], 0);
}

// Numbers are checked once, by one parser: no sign wraps around, no digits are cut off.
TEST_F(Cli, NumbersOutOfRangeAreRefusedNotWrapped) {
  struct Case {
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    std::string says;
  };
  const std::map<std::string, std::string> dev = {{"APP_ENV", "dev"}};
  std::vector<Case> cases = {
      {{"fake-data", "create", "--seed", "-1"}, dev, "--seed must be a whole number from 0 to 9223372036854775807, not '-1'"},
      {{"fake-data", "create", "--seed", "18446744073709551615"}, dev, "--seed must be a whole number"},
      {{"fake-data", "create", "--scale", "0"}, dev, "--scale must be a whole number from 1 to 1000000, not '0'"},
      {{"fake-data", "create", "--scale", "1000001"}, dev, "--scale must be a whole number from 1 to 1000000"},
      {{"fake-data", "create"}, {{"APP_ENV", "dev"}, {"FAKE_DATA_SEED", "-1"}}, "FAKE_DATA_SEED must be a whole number"},
      {{"fake-data", "create"}, {{"APP_ENV", "dev"}, {"FAKE_DATA_SCALE", "2000000"}}, "FAKE_DATA_SCALE must be"},
      {{"sql", "--max-rows", "10x", "SELECT 1"}, {}, "--max-rows needs a whole number, not '10x'"},
      {{"sql", "--version", "99999999999999999999", "SELECT 1"}, {}, "--version needs a whole number"},
  };
  for (const auto& c : cases) {
    ProcessResult r = cli(c.args, c.env);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << " " << c.args[1] << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << "wanted '" << c.says << "' in: " << r.err;
  }
}

}  // namespace
}  // namespace superstore::e2e
