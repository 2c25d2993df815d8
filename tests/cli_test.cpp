// The superstore binary as people and scripts use it: a fresh DATA_DIR, real files, real processes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "blob/s3_blob_store.h"
#include "process.h"
#include "storage/test_support.h"
#include "support/moto_server.h"

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
  ok({"insert", "people",
      file("a.jsonl", "{\"id\":1,\"name\":\"a\",\"dept\":\"X\"}\n{\"id\":2,\"name\":\"b\",\"dept\":\"Y\"}\n")});
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
  for (const auto& e : fs::recursive_directory_iterator(dir_.path() / "warehouse"))
    parquet += e.path().extension() == ".parquet";
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
      {{"insert", "people", file("bad.csv", "id,name,dept,joined,born\n1,a,X,,\nzz,b,X,,\n")}, "line 3"},
      {{"insert", "people", file("bad2.csv", "id,name,dept,joined,born\n1,a,X,soon,\n")}, "line 2"},
      {{"insert", "people", file("x.txt", "hello")}, ".csv"},
      {{"insert", "people", "/nonexistent.csv"}, "does not exist"},
      {{"sql", "SELEC 1"}, "syntax error"},
      {{"sql", "SELECT * FROM read_csv('/etc/passwd')"}, "table function read_csv() cannot run here"},
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

// ---- CSV as real tools write it ----

TEST_F(Cli, CsvColumnsGoByHeaderNameAndQuotesFollowRfc4180) {
  ok({"table", "create", "names", "--columns", "id:Int64,first:String,last:String,joined:Timestamp"});
  // Written as Python's csv module, pandas or Excel do: another column order, a doubled quote, a quoted
  // comma and newline, "" for an empty string beside an empty field for NULL, CRLF and a byte-order mark.
  ok({"insert", "names",
      file("names.csv",
           "\xEF\xBB\xBFid,last,joined,first\r\n"
           "1,Smith,2024-01-02 10:00:00,Ann\r\n"
           "2,\"say \"\"hi\"\", ok\",,Bob\r\n"
           "3,\"two\r\nlines\",,\"\"\r\n"
           "4,,,Cy\r\n")});
  const auto rows = json_rows("SELECT id, first, last FROM names ORDER BY id");
  EXPECT_EQ(rows, nlohmann::json::parse(R"([{"id":1,"first":"Ann","last":"Smith"},
    {"id":2,"first":"Bob","last":"say \"hi\", ok"},{"id":3,"first":"","last":"two\r\nlines"},
    {"id":4,"first":"Cy","last":null}])"));

  // Headers that do not match are named, and nothing is inserted.
  const auto refused = [&](const std::string& name, const std::string& text, const std::string& expected) {
    ProcessResult r = cli({"insert", "names", file(name, text)});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_LT(r.err.size(), 400u) << r.err;
  };
  refused("unknown.csv", "id,first,surname,joined\n9,a,b,\n",
          "line 1: the header names 'surname', not columns of the table");
  refused("missing.csv", "id,first,joined\n9,a,\n", "the header lacks column 'last'");
  refused("twice.csv", "id,first,last,last,joined\n9,a,b,c,\n", "the header repeats 'last'");
  // Errors give the physical line, past a field that spans lines, with the record cut short.
  refused("late.csv", "id,first,last,joined\n1,\"a\nb\",c,\n" + std::string("zz,") + std::string(500, 'x') + ",c,\n",
          "line 4");
  refused("when.csv", "id,first,last,joined\n1,\"a\nb\",c,\n2,a,b,soon\n", "line 4: column 'joined' holds 'soon'");
  EXPECT_EQ(json_rows("SELECT count(*) AS n FROM names")[0]["n"], 4);
}

// ---- fake-data specs ----

const char* kTeamsSpec = R"(tables:
  - name: teams
    rows: 30
    partition_by: [tier]
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: tier, type: String, gen: {choice: [gold, silver]}}
      - {name: lead, type: Int64, gen: {ref: fake_users.id}}
      - {name: lead_name, type: String, gen: {template: "{lead.first_name} {lead.last_name}"}}
)";

TEST_F(Cli, ValidateAndPreviewASpecWithoutWritingAnything) {
  const std::string spec = file("teams.yaml", kTeamsSpec);
  ProcessResult v = ok({"fake-data", "validate", spec});
  EXPECT_NE(v.out.find("ok: development.dev_schema.teams (4 columns, 30 rows at scale 1)"), std::string::npos) << v.out;

  ProcessResult p = ok({"fake-data", "preview", spec, "--rows", "3", "--format", "json"});
  const auto preview = nlohmann::json::parse(p.out);
  ASSERT_EQ(preview["tables"][0]["rows"].size(), 3u);
  EXPECT_EQ(preview["tables"][0]["rows"][2]["id"], 3);
  ProcessResult table = ok({"fake-data", "preview", spec, "--rows", "2"});
  EXPECT_NE(table.out.find("teams (30 rows at scale 1):"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("lead_name"), std::string::npos) << table.out;
  // Same seed, same rows; another seed, other rows.
  EXPECT_EQ(ok({"fake-data", "preview", spec, "--rows", "3", "--format", "json"}).out, p.out);
  EXPECT_NE(ok({"fake-data", "preview", spec, "--rows", "3", "--format", "json", "--seed", "7"}).out, p.out);
  EXPECT_FALSE(fs::exists(dir_.path() / "catalog.db"));  // nothing written

  const std::string bad =
      file("bad.yaml", std::string(kTeamsSpec).replace(std::string(kTeamsSpec).find("sequence"), 8, "sequenze"));
  ProcessResult b = cli({"fake-data", "validate", bad});
  EXPECT_EQ(b.exit_code, 1);
  EXPECT_NE(b.err.find(bad + ":6:38: table teams, column id: unknown generator 'sequenze'"), std::string::npos)
      << b.err;
  EXPECT_NE(cli({"fake-data", "preview", spec, "--table", "nope"}).exit_code, 0);
  EXPECT_NE(cli({"fake-data", "validate", file("missing/x.yaml", "")}).exit_code, 0);
}

TEST_F(Cli, FakeDataCommandsCoverSpecTables) {
  const std::string spec = file("teams.yaml", kTeamsSpec);
  const std::map<std::string, std::string> dev = {{"APP_ENV", "dev"}};
  ProcessResult created = cli({"fake-data", "create", "--specs", spec}, dev);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("created: fake_users, fake_products, fake_orders, fake_analytics, teams"),
            std::string::npos)
      << created.out;
  // Each table's progress is announced once.
  size_t announced = 0;
  for (size_t at = created.err.find("(teams done)"); at != std::string::npos;
       at = created.err.find("(teams done)", at + 1))
    ++announced;
  EXPECT_LE(announced, 1u) << created.err;
  EXPECT_EQ(json_rows("SELECT count(*) AS n FROM teams t JOIN fake_users u ON u.id = t.lead "
                      "WHERE t.lead_name = u.first_name || ' ' || u.last_name")[0]["n"],
            30);
  ProcessResult status = cli({"fake-data", "status", "--specs", spec}, dev);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)["tables"][4]["kind"], "spec");
  ProcessResult reset = cli({"fake-data", "reset", "--table", "teams"}, dev);  // from the recorded spec
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_NE(reset.out.find("recreated: teams;"), std::string::npos) << reset.out;
  EXPECT_NE(cli({"fake-data", "create", "--specs", spec}).exit_code, 0);  // not in production
}

// A create killed while a table's keys are spilled (FAKE_DATA_MEMORY at its least, so that the large
// tables spill sorted runs to DATA_DIR/tmp) leaves no table visible and nothing in DATA_DIR/tmp, and the
// next create makes every table whole.
TEST_F(Cli, FakeDataCreateKilledWhileSpillingLeavesNothingBehind) {
  const std::map<std::string, std::string> env = {
      {"APP_ENV", "dev"}, {"FAKE_DATA_SCALE", "20"}, {"FAKE_DATA_MEMORY", "1MiB"}};
  const fs::path tmp = fs::weakly_canonical(dir_.path()) / "tmp";
  // The spill file has no name: /proc shows it as "<tmp>/#<inode> (deleted)".
  auto spilling = [&](int pid) {
    std::error_code ec;
    for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
      std::error_code link_ec;
      const std::string target = fs::read_symlink(it->path(), link_ec).string();
      if (!link_ec && target.rfind(tmp.string() + "/", 0) == 0 && target.find("(deleted)") != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  std::map<std::string, std::string> with_dir = env;
  with_dir["DATA_DIR"] = dir_.path().string();
  ProcessResult killed = run(SUPERSTORE_BINARY, {"fake-data", "create"}, with_dir, "", spilling);
  ASSERT_EQ(killed.exit_code, 128 + 9) << "the create ended before it spilled: " << killed.err;
  for (const auto& left : fs::directory_iterator(tmp)) ADD_FAILURE() << "left behind: " << left.path();
  for (const char* table : {"fake_users", "fake_products", "fake_orders", "fake_analytics"}) {
    EXPECT_NE(cli({"sql", std::string("SELECT count(*) FROM ") + table}).exit_code, 0) << table << " is visible";
  }
  ProcessResult again = cli({"fake-data", "create"}, env);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json_rows("SELECT count(*) AS n FROM fake_analytics")[0]["n"], 200'000);
  EXPECT_EQ(json_rows("SELECT count(*) AS n FROM fake_orders")[0]["n"], 100'000);
  EXPECT_TRUE(fs::is_empty(tmp));
}

// `fake-data advance`: a week in two steps, status shows the anchor, a kill before the first commit
// leaves every table at its version, and bad input changes nothing.
TEST_F(Cli, FakeDataAdvanceMovesTheClockAndAKilledOneChangesNothing) {
  const std::map<std::string, std::string> dev = {{"APP_ENV", "dev"}};
  ASSERT_EQ(cli({"fake-data", "create"}, dev).exit_code, 0);
  ProcessResult killed =
      cli({"fake-data", "advance", "--days", "2"}, {{"APP_ENV", "dev"}, {"SUPERSTORE_CRASH_BEFORE_COMMIT", "1"}});
  EXPECT_EQ(killed.exit_code, 128 + 9);
  EXPECT_EQ(json_rows("SELECT count(*) AS n FROM fake_users")[0]["n"], 1000);
  for (const auto& bad : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"fake-data", "advance", "--days", "0"}, "days must be from 1 to 3650, got 0"},
           {{"fake-data", "advance", "--days", "-3"}, "days must be from 1 to 3650"},
           {{"fake-data", "advance", "--days", "3651"}, "days must be from 1 to 3650"},
           {{"fake-data", "advance", "--to", "2024-12-01"}, "it only moves forward"},
           {{"fake-data", "advance", "--to", "soon"}, "--to must be an ISO date or time"},
           {{"fake-data", "advance", "--every", "0"}, "--every must be a duration such as 10s, not 0"},
           {{"fake-data", "advance", "--every", "fast"}, "--every must be a duration such as 10s"},
       }) {
    ProcessResult r = cli(bad.first, dev);
    EXPECT_NE(r.exit_code, 0) << bad.second;
    EXPECT_NE(r.err.find(bad.second), std::string::npos) << "wanted '" << bad.second << "' in: " << r.err;
  }
  EXPECT_NE(cli({"fake-data", "advance"}).exit_code, 0);  // not in production
  ProcessResult three = cli({"fake-data", "advance", "--days", "3"}, dev);
  ASSERT_EQ(three.exit_code, 0) << three.err;
  EXPECT_NE(three.out.find("2025-01-01T00:00:00Z -> 2025-01-04T00:00:00Z"), std::string::npos) << three.out;
  ASSERT_EQ(cli({"fake-data", "advance", "--to", "2025-01-08"}, dev).exit_code, 0);
  const auto status = nlohmann::json::parse(cli({"fake-data", "status"}, dev).out);
  for (const auto& t : status["tables"]) EXPECT_EQ(t["anchor"], "2025-01-08T00:00:00Z") << t.dump();
  EXPECT_GT(json_rows("SELECT count(*) AS n FROM fake_orders")[0]["n"].get<int64_t>(), 5000);
  // A fresh world made at that anchor holds the same orders.
  const auto digest = [&] {
    return json_rows("SELECT md5(string_agg(CAST(o AS VARCHAR), '|' ORDER BY o.id)) AS h FROM fake_orders o")[0]["h"];
  };
  const auto advanced = digest();
  ASSERT_EQ(cli({"fake-data", "reset", "--anchor", "2025-01-08"}, dev).exit_code, 0);
  EXPECT_EQ(digest(), advanced);
  ProcessResult bad_anchor = cli({"fake-data", "reset"}, {{"APP_ENV", "dev"}, {"FAKE_DATA_ANCHOR", "someday"}});
  EXPECT_NE(bad_anchor.err.find("FAKE_DATA_ANCHOR must be an ISO date or time"), std::string::npos) << bad_anchor.err;
}

// kill -9 between two tables' commits of an advance: readers still see every table as it was (the pins),
// and the next advance first takes back the version the killed one committed, then gives the same world
// as a fresh one made at the later anchor.
TEST_F(Cli, AnAdvanceKilledBetweenTablesIsNeverSeenAndIsTakenBack) {
  const std::map<std::string, std::string> dev = {{"APP_ENV", "dev"}};
  ASSERT_EQ(cli({"fake-data", "create"}, dev).exit_code, 0);
  const std::string world =
      "SELECT (SELECT count(*) FROM fake_users) AS users, (SELECT count(*) FROM fake_orders) AS orders, "
      "(SELECT md5(string_agg(CAST(u AS VARCHAR), '|' ORDER BY u.id)) FROM fake_users u) AS users_digest, "
      "(SELECT md5(string_agg(CAST(o AS VARCHAR), '|' ORDER BY o.id)) FROM fake_orders o) AS orders_digest";
  const auto before = json_rows(world)[0];
  ProcessResult killed =
      cli({"fake-data", "advance", "--days", "2"}, {{"APP_ENV", "dev"}, {"SUPERSTORE_CRASH_DURING_ADVANCE", "2"}});
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.err;
  EXPECT_EQ(json_rows(world)[0], before) << "a reader saw part of a killed advance";
  const auto status = nlohmann::json::parse(cli({"fake-data", "status"}, dev).out);
  for (const auto& t : status["tables"]) EXPECT_EQ(t["anchor"], "2025-01-01T00:00:00Z") << t.dump();

  ProcessResult again = cli({"fake-data", "advance", "--days", "2"}, dev);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("took back"), std::string::npos) << again.err;
  const auto advanced = json_rows(world)[0];
  EXPECT_NE(advanced, before);
  ASSERT_EQ(cli({"fake-data", "reset", "--anchor", "2025-01-03"}, dev).exit_code, 0);
  EXPECT_EQ(json_rows(world)[0], advanced);
}

// `fake-data reset --scale 30` on a disk with room for scale 1 only: a tmpfs of its own in a new user and
// mount namespace (`unshare -Urm`, no root needed), so the kernel's ENOSPC is real. The reset fails with
// the cause, every table stays at scale 1, and the disk holds what it held before.
TEST_F(Cli, AResetThatFillsTheDiskChangesNoTableAndLeavesTheSpaceAsItWas) {
  if (run("/usr/bin/unshare", {"-Urm", "true"}).exit_code != 0) GTEST_SKIP() << "no user namespaces here";
  const fs::path data = dir_.path() / "data";
  fs::create_directories(data);
  const std::string script =
      "mount -t tmpfs -o size=8m tmpfs \"$DATA_DIR\" || exit 90\n"
      "\"$SS_BINARY\" fake-data create >/dev/null || exit 91\n"
      "free() { df -k --output=avail \"$DATA_DIR\" | tail -1; }\n"
      "echo \"free before: $(free)\"\n"
      "\"$SS_BINARY\" fake-data reset --scale 30 >/dev/null\n"
      "echo \"reset exit: $?\"\n"
      "echo \"free after: $(free)\"\n"
      "\"$SS_BINARY\" fake-data status | grep -c '\"scale\": 1,'\n";
  ProcessResult r = run("/usr/bin/unshare", {"-Urm", "/bin/sh", "-c", script},
                        {{"DATA_DIR", data.string()}, {"APP_ENV", "dev"}, {"SS_BINARY", SUPERSTORE_BINARY}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("reset exit: 1\n"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.err.find("superstore: no space left on device while writing"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.ends_with("\n4\n")) << "every table still at scale 1:\n" << r.out;
  const auto free_kb = [&](const std::string& label) {
    const size_t at = r.out.find(label);
    return at == std::string::npos ? -1 : std::stoll(r.out.substr(at + label.size()));
  };
  // Within the catalog's log of the failed attempt: nothing of the new tables stayed.
  EXPECT_GT(free_kb("free after: "), free_kb("free before: ") - 512) << r.out;
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
      {{"fake-data", "create", "--seed", "-1"},
       dev,
       "--seed must be a whole number from 0 to 9223372036854775807, not '-1'"},
      {{"fake-data", "create", "--seed", "18446744073709551615"}, dev, "--seed must be a whole number"},
      {{"fake-data", "create", "--scale", "0"}, dev, "--scale must be a whole number from 1 to 1000000, not '0'"},
      {{"fake-data", "create", "--scale", "1000001"}, dev, "--scale must be a whole number from 1 to 1000000"},
      {{"fake-data", "create"},
       {{"APP_ENV", "dev"}, {"FAKE_DATA_SEED", "-1"}},
       "FAKE_DATA_SEED must be a whole number"},
      {{"fake-data", "create"}, {{"APP_ENV", "dev"}, {"FAKE_DATA_SCALE", "2000000"}}, "FAKE_DATA_SCALE must be"},
      {{"sql", "SELECT 1"}, {{"QUERY_MEMORY_LIMIT", "lots"}}, "QUERY_MEMORY_LIMIT must be a size such as 4GB"},
      {{"sql", "SELECT 1"}, {{"QUERY_MEMORY_LIMIT", "4"}}, "QUERY_MEMORY_LIMIT must be a size such as 4GB"},
      {{"sql", "SELECT 1"}, {{"MAX_RESULT_BYTES", "0"}}, "MAX_RESULT_BYTES must be"},
      {{"fake-data", "create"},
       {{"APP_ENV", "dev"}, {"FAKE_DATA_MEMORY", "lots"}},
       "FAKE_DATA_MEMORY must be a size from 1MiB to 1TiB such as 1GiB or 512MiB"},
      {{"fake-data", "create"},
       {{"APP_ENV", "dev"}, {"FAKE_DATA_MEMORY", "512KiB"}},
       "FAKE_DATA_MEMORY must be a size"},
      {{"fake-data", "create"}, {{"APP_ENV", "dev"}, {"FAKE_DATA_MEMORY", "2TiB"}}, "FAKE_DATA_MEMORY must be a size"},
      {{"sql", "--max-rows", "10x", "SELECT 1"}, {}, "--max-rows needs a whole number, not '10x'"},
      {{"sql", "--version", "99999999999999999999", "SELECT 1"}, {}, "--version needs a whole number"},
  };
  for (const auto& c : cases) {
    ProcessResult r = cli(c.args, c.env);
    EXPECT_EQ(r.exit_code, 2) << c.args[0] << " " << c.args[1] << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << "wanted '" << c.says << "' in: " << r.err;
  }
}

// Store settings are checked before anything is written, each refusal naming its variable.
TEST_F(Cli, BadStoreSettingsAreRefusedByName) {
  const std::map<std::string, std::string> keys = {{"AWS_ACCESS_KEY_ID", "k"}, {"AWS_SECRET_ACCESS_KEY", "s"}};
  auto with_keys = [&](std::map<std::string, std::string> env) {
    env.insert(keys.begin(), keys.end());
    return env;
  };
  const std::vector<std::pair<std::map<std::string, std::string>, std::string>> cases = {
      {{{"WAREHOUSE_URL", "s3://bucket/wh"}}, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set"},
      {with_keys({{"WAREHOUSE_URL", "s3://Not_A_Bucket/wh"}}), "the bucket name must be 3 to 63 lowercase"},
      {with_keys({{"WAREHOUSE_URL", "ftp://host/wh"}}), "must be s3://bucket/prefix or a local folder"},
      {{{"S3_URL_STYLE", "sideways"}}, "S3_URL_STYLE must be 'path' or 'virtual', not 'sideways'"},
      {{{"S3_PART_BYTES", "1000"}}, "S3_PART_BYTES must be a whole number from 5242880"},
      {{{"S3_MAX_ATTEMPTS", "0"}}, "S3_MAX_ATTEMPTS must be"},
      {{{"CACHE_BYTES", "0"}}, "CACHE_BYTES must be"},
      {with_keys({{"WAREHOUSE_URL", "s3://bucket/wh"}, {"S3_ENDPOINT", "minio:9000"}}),
       "S3_ENDPOINT must start with http:// or https://"},
  };
  for (const auto& [env, says] : cases) {
    ProcessResult r = cli({"sql", "SELECT 1"}, env);
    EXPECT_EQ(r.exit_code, 2) << says << ": " << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << "wanted '" << says << "' in: " << r.err;
  }
}

// The same commands with the tables on S3 (moto on loopback): each command is a process with its own
// cold file cache, so every query here downloads what an earlier process wrote.
TEST_F(Cli, TablesOnS3WorkAcrossProcesses) {
  std::string why;
  MotoServer* moto = MotoServer::shared(why);
  if (!moto) GTEST_SKIP() << why;
  blob::S3Options bucket;
  bucket.bucket = MotoServer::fresh_bucket();
  bucket.endpoint = moto->endpoint();
  bucket.path_style = true;
  blob::S3BlobStore(bucket).create_bucket();
  const std::map<std::string, std::string> s3 = {{"WAREHOUSE_URL", "s3://" + bucket.bucket + "/wh"},
                                                 {"S3_ENDPOINT", moto->endpoint()},
                                                 {"AWS_ACCESS_KEY_ID", "test-key"},
                                                 {"AWS_SECRET_ACCESS_KEY", "secret-that-never-shows"}};
  auto run_s3 = [&](const std::vector<std::string>& args) {
    ProcessResult r = cli(args, s3);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_EQ((r.out + r.err).find("secret-that-never-shows"), std::string::npos);
    return r;
  };
  run_s3({"table", "create", "people", "--columns", "id:Int64,dept:String", "--partition-by", "dept"});
  run_s3({"insert", "people", file("people.csv", "id,dept\n1,Sales\n2,HR\n3,Sales\n")});
  run_s3({"delete", "people", "--where", "id = 2"});
  EXPECT_EQ(run_s3({"sql", "--format", "csv", "SELECT count(*) AS n, sum(id) AS s FROM people"}).out, "n,s\n2,4\n");
  EXPECT_EQ(run_s3({"sql", "--format", "csv", "--version", "1", "SELECT count(*) AS n FROM people"}).out, "n\n3\n");
  EXPECT_FALSE(fs::exists(dir_.path() / "warehouse" / "main")) << "no table folder on the local disk";
  EXPECT_FALSE(blob::S3BlobStore(bucket).list("wh/main/public").empty());
}

}  // namespace
}  // namespace superstore::e2e
