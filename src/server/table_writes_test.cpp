// POST /tables, POST /table/{id}/delete and GET /table/{id}/history over real HTTP on loopback.
#include <gtest/gtest.h>

#include <regex>

#include "common/error.h"
#include "server/table_test_support.h"

namespace superstore::server {
namespace {

using nlohmann::json;
using TableWritesTest = TableApiTest;

TEST_F(TableWritesTest, CreateAnswersTheTableAsGetShowsItAndMakesDatabaseAndSchema) {
  auto r = post_with_token("/tables",
                           json({{"database", "shop"},
                                 {"schema", "eu"},
                                 {"name", "orders"},
                                 {"columns",
                                  {{{"name", "id"}, {"type", "Int64"}},
                                   {{"name", "country"}, {"type", "string"}},
                                   {{"name", "at"}, {"type", "Timestamp"}}}},
                                 {"partition_by", {"country"}},
                                 {"sort_by", {"at"}},
                                 {"target_file_size", 1 << 20}})
                               .dump(),
                           "application/json", token);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 201) << r->body;
  const json created = body(r);
  EXPECT_EQ(created["database"], "shop");
  EXPECT_EQ(created["schema"], "eu");
  EXPECT_EQ(created["columns"][1], json({{"name", "country"}, {"type", "String"}}));
  EXPECT_EQ(created["partition_keys"], json({"country"}));
  EXPECT_EQ(created["version"], 0);
  auto shown = get_with_token("/table/" + std::to_string(created["id"].get<int64_t>()), token);
  ASSERT_TRUE(shown);
  EXPECT_EQ(body(shown)["table"], created);
  const auto table = catalog->get_table(created["id"]);
  EXPECT_EQ(table.target_file_bytes, 1 << 20);
  EXPECT_EQ(table.sort_keys, std::vector<std::string>{"at"});
}

TEST_F(TableWritesTest, CreateRefusesBadRequestsNamingTheField) {
  const json id = {{"name", "id"}, {"type", "Int64"}};
  struct Case {
    json request;
    int status;
    std::string wanted;
  };
  const std::vector<Case> cases = {
      {{{"columns", {id}}}, 400, "missing field 'name'"},
      {{{"name", 5}, {"columns", {id}}}, 400, "field 'name' must be a string"},
      {{{"name", "t"}, {"schema", true}, {"columns", {id}}}, 400, "field 'schema' must be a string"},
      {{{"name", "t"}}, 400, "missing field 'columns'"},
      {{{"name", "t"}, {"columns", "id:Int64"}}, 400, "field 'columns' must be a list"},
      {{{"name", "t"}, {"columns", {{{"name", "id"}, {"type", 64}}}}}, 400, "columns[0].type must be a string"},
      {{{"name", "t"}, {"columns", {id}}, {"partition_by", "id"}}, 400, "field 'partition_by' must be a list"},
      {{{"name", "t"}, {"columns", {id}}, {"sort_by", {1}}}, 400, "field 'sort_by' must be a list"},
      {{{"name", "t"}, {"columns", {id}}, {"target_file_size", "1MB"}}, 400, "field 'target_file_size'"},
      {{{"name", "t"}, {"columns", {id}}, {"partitionBy", {"id"}}}, 400, "unknown field 'partitionBy'"},
      // The rules of `superstore table create`, with its messages.
      {{{"name", "t"}, {"columns", {{{"name", "id"}, {"type", "Int65"}}}}}, 400, "Int65"},
      {{{"name", "t"}, {"columns", json::array()}}, 400, "needs at least one column"},
      {{{"name", "9t"}, {"columns", {id}}}, 400, "table name '9t' must start with a letter"},
      {{{"name", "t"}, {"columns", {id}}, {"sort_by", {"nope"}}}, 400, "sort key 'nope' is not a column"},
      {{{"name", "t"}, {"columns", {id}}, {"target_file_size", -1}}, 400, "target_file_bytes must be positive"},
  };
  for (const auto& c : cases) {
    auto r = post_with_token("/tables", c.request.dump(), "application/json", token);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, c.status) << c.request.dump() << " -> " << r->body;
    EXPECT_NE(body(r).value("error", "").find(c.wanted), std::string::npos) << c.request.dump() << " -> " << r->body;
  }
  EXPECT_TRUE(catalog->list_tables(true).empty());
  // The type message is the CLI's own (parse_column_type).
  std::string cli_message;
  try {
    parse_column_type("Int65");
  } catch (const Error& e) {
    cli_message = e.what();
  }
  auto r = post_with_token("/tables", json({{"name", "t"}, {"columns", {{{"name", "id"}, {"type", "Int65"}}}}}).dump(),
                           "application/json", token);
  EXPECT_EQ(body(r)["error"], cli_message);

  people();
  r = post_with_token("/tables", json({{"name", "people"}, {"columns", {id}}}).dump(), "application/json", token);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_EQ(post_with_token("/tables", "[1]", "application/json", token)->status, 400);
  EXPECT_EQ(client().Post("/tables", json({{"name", "x"}, {"columns", {id}}}).dump(), "application/json")->status, 401);
}

TEST_F(TableWritesTest, DeleteRemovesTheMatchingRowsInOneVersion) {
  const int64_t id = people();
  ASSERT_EQ(upload(id, "id,first,last\n1,a,x\n2,b,x\n3,c,y\n4,d,y\n", "text/csv")->status, 200);
  const std::string path = "/table/" + std::to_string(id) + "/delete";
  auto r = post_with_token(path, json({{"where", "id < 3 OR first = 'd'"}}).dump(), "application/json", token);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r), json({{"rows_deleted", 3}, {"version", 2}}));
  EXPECT_EQ(rows("SELECT id FROM people"), json::parse(R"([{"id":3}])"));

  // Nothing matches: no new version, the current one is reported.
  r = post_with_token(path, json({{"where", "id > 100"}}).dump(), "application/json", token);
  ASSERT_TRUE(r);
  EXPECT_EQ(body(r), json({{"rows_deleted", 0}, {"version", 2}}));

  EXPECT_EQ(post_with_token("/table/999/delete", json({{"where", "true"}}).dump(), "application/json", token)->status,
            404);
  EXPECT_EQ(client().Post(path, json({{"where", "true"}}).dump(), "application/json")->status, 401);
  warehouse->drop_table(id);
  EXPECT_EQ(post_with_token(path, json({{"where", "true"}}).dump(), "application/json", token)->status, 409);
}

TEST_F(TableWritesTest, DeletePredicatesThatAreNotAnExpressionOverTheColumnsAre400) {
  const int64_t id = people();
  const int64_t other = create({{"name", "secrets"}, {"columns", {{{"name", "id"}, {"type", "Int64"}}}}});
  ASSERT_EQ(upload(id, "id,first,last\n1,a,x\n2,b,y\n", "text/csv")->status, 200);
  ASSERT_EQ(upload(other, "id\n1\n", "text/csv")->status, 200);
  const std::string path = "/table/" + std::to_string(id) + "/delete";
  const std::vector<std::pair<json, std::string>> cases = {
      {"id IN (SELECT id FROM secrets)", "bad predicate"},
      {"id IN (SELECT 1)", "subqueries are not allowed"},
      {"EXISTS (SELECT 1)", "subqueries are not allowed"},
      {"first IN (SELECT * FROM read_csv('/etc/passwd'))", "bad predicate"},
      {"length((SELECT content FROM read_text('/etc/passwd'))) > 0", "bad predicate"},
      {"id = 1; DROP VIEW people", "bad predicate"},
      {"id = 1); SELECT (1", "bad predicate"},
      {"true) UNION ALL SELECT 1 WHERE (true", "bad predicate"},
      {"true) GROUP BY ALL --", "bad predicate"},
      {"filename LIKE '%'", "filename"},
      {"nope = 1", "nope"},
      {"id = ?", "bad predicate"},
      {"", "field 'where' is empty"},
      {" \n", "field 'where' is empty"},
      {json(5), "field 'where' must be a string"},
  };
  for (const auto& [where, wanted] : cases) {
    auto r = post_with_token(path, json({{"where", where}}).dump(), "application/json", token);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << where.dump() << " -> " << r->body;
    EXPECT_NE(body(r).value("error", "").find(wanted), std::string::npos) << where.dump() << " -> " << r->body;
  }
  EXPECT_EQ(post_with_token(path, "{}", "application/json", token)->status, 400);
  EXPECT_EQ(version(id), 1);
  EXPECT_EQ(count("people"), 2);
  EXPECT_EQ(count("secrets"), 1);
  // A semicolon inside a string is part of a value, not a second statement; a comment is only a comment.
  auto r = post_with_token(path, json({{"where", "first = 'a;b' OR last = 'y' -- the y ones"}}).dump(),
                           "application/json", token);
  ASSERT_TRUE(r);
  EXPECT_EQ(body(r), json({{"rows_deleted", 1}, {"version", 2}})) << r->body;
}

TEST_F(TableWritesTest, FakeTablesChangeOnlyThroughTheDevRoutes) {
  catalog::NewTable fake;
  fake.name = "fake_users";
  fake.columns = {{"id", ColumnType::Int64}};
  fake.properties = {{"fake_data", true}};
  const int64_t id = warehouse->create_table(fake).id;
  auto r = post_with_token("/table/" + std::to_string(id) + "/delete", json({{"where", "true"}}).dump(),
                           "application/json", token);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(body(r)["error"].get<std::string>().find("/dev routes"), std::string::npos) << r->body;
}

TEST_F(TableWritesTest, HistoryListsTheVersionsNewestFirst) {
  const int64_t id = people();
  ASSERT_EQ(upload(id, "id,first,last\n1,a,x\n2,b,x\n3,c,y\n", "text/csv")->status, 200);
  ASSERT_EQ(upload(id, "{\"id\": 4}\n{\"id\": 5}\n", "application/x-ndjson")->status, 200);
  ASSERT_EQ(post_with_token("/table/" + std::to_string(id) + "/delete", json({{"where", "id IN (1, 4)"}}).dump(),
                            "application/json", token)
                ->status,
            200);
  auto r = get_with_token("/table/" + std::to_string(id) + "/history", token);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json versions = body(r)["versions"];
  ASSERT_EQ(versions.size(), 4u) << r->body;
  const std::vector<std::tuple<int, std::string, int, int>> wanted = {
      {3, "DELETE", 0, 2}, {2, "WRITE", 2, 0}, {1, "WRITE", 3, 0}, {0, "CREATE TABLE", 0, 0}};
  const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  for (size_t i = 0; i < wanted.size(); ++i) {
    const auto& [version, operation, added, removed] = wanted[i];
    EXPECT_EQ(versions[i]["version"], version) << versions[i];
    EXPECT_EQ(versions[i]["operation"], operation) << versions[i];
    EXPECT_EQ(versions[i]["rows_added"], added) << versions[i];
    EXPECT_EQ(versions[i]["rows_removed"], removed) << versions[i];
    EXPECT_TRUE(std::regex_match(versions[i]["timestamp"].get<std::string>(), iso)) << versions[i];
  }

  r = get_with_token("/table/" + std::to_string(id) + "/history?limit=2", token);
  ASSERT_TRUE(r);
  ASSERT_EQ(body(r)["versions"].size(), 2u);
  EXPECT_EQ(body(r)["versions"][1]["version"], 2);
  EXPECT_EQ(get_with_token("/table/" + std::to_string(id) + "/history?limit=0", token)->status, 400);
  EXPECT_EQ(get_with_token("/table/" + std::to_string(id) + "/history?limit=1001", token)->status, 400);
  EXPECT_EQ(get_with_token("/table/999/history", token)->status, 404);
  EXPECT_EQ(client().Get("/table/" + std::to_string(id) + "/history")->status, 401);
}

TEST_F(TableWritesTest, OptimizeAndVacuumKeepTheRowsAndAnswerWhatTheyDid) {
  // Tiny files: each upload is written as several files, the last of each a small one.
  const int64_t id =
      create({{"name", "people"},
              {"columns", {{{"name", "id"}, {"type", "Int64"}}, {{"name", "first"}, {"type", "String"}}}},
              {"sort_by", {"id"}},
              {"target_file_size", 4096}});
  for (int u = 0; u < 3; ++u) {
    std::string csv = "id,first\n";
    for (int i = 0; i < 600; ++i) csv += std::to_string(u * 1000 + (i * 7) % 600) + ",name " + std::to_string(i) + "\n";
    ASSERT_EQ(upload(id, csv, "text/csv")->status, 200);
  }
  const json before = rows("SELECT count(*) AS n, sum(id) AS s FROM people");
  const std::string table = "/table/" + std::to_string(id);
  auto shown = get_with_token(table, token);
  ASSERT_TRUE(shown);
  const json upkeep = body(shown)["upkeep"];
  for (const char* key : {"small_files", "small_file_bytes", "reclaimable_files", "reclaimable_bytes"}) {
    EXPECT_TRUE(upkeep[key].is_number_integer()) << key << " in " << upkeep.dump();
  }
  EXPECT_TRUE(upkeep["checkpoint_version"].is_null()) << "3 commits: no checkpoint yet";

  auto r = post_with_token(table + "/optimize", "", "application/json", token);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json optimized = body(r);
  EXPECT_EQ(optimized["version"], version(id));
  EXPECT_EQ(optimized["compacted"], optimized["micro_partitions_removed"].get<int64_t>() > 0);
  EXPECT_EQ(rows("SELECT count(*) AS n, sum(id) AS s FROM people"), before);

  r = post_with_token(table + "/vacuum", json({{"dry_run", true}}).dump(), "application/json", token);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(body(r)["dry_run"], true);
  EXPECT_TRUE(body(r)["files"].empty()) << "everything is younger than the default retention of 168h";
  r = post_with_token(table + "/vacuum", "", "application/json", token);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(rows("SELECT count(*) AS n, sum(id) AS s FROM people"), before);

  const std::vector<std::pair<std::string, std::string>> bad = {
      {json({{"retain", "1m"}}).dump(), "VACUUM_MIN_RETENTION"},
      {json({{"retain", "soon"}}).dump(), "field 'retain' must be a duration"},
      {json({{"retain", 5}}).dump(), "unexpected field 'retain'"},
      {json({{"dryRun", true}}).dump(), "unexpected field 'dryRun'"},
      {"[1]", "must be a JSON object"}};
  for (const auto& [request, wanted] : bad) {
    r = post_with_token(table + "/vacuum", request, "application/json", token);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << request << " -> " << r->body;
    EXPECT_NE(body(r).value("error", "").find(wanted), std::string::npos) << request << " -> " << r->body;
  }
  EXPECT_EQ(post_with_token("/table/999/optimize", "", "application/json", token)->status, 404);
  EXPECT_EQ(post_with_token("/table/999/vacuum", "", "application/json", token)->status, 404);
  EXPECT_EQ(client().Post(table + "/optimize", "", "application/json")->status, 401);
  warehouse->drop_table(id);
  EXPECT_EQ(post_with_token(table + "/optimize", "", "application/json", token)->status, 409);
  EXPECT_EQ(post_with_token(table + "/vacuum", "", "application/json", token)->status, 409);
}

}  // namespace
}  // namespace superstore::server
