// Unit tests of pruning from the log: which predicates prune_filters takes from DuckDB's parse tree (and
// which it must leave alone), and which files a predicate rules out from their stats (file_pruning).
#include "storage/file_pruning.h"

#include <gtest/gtest.h>

#include "query/database.h"
#include "query/sql_tree.h"
#include "storage/prune_filters.h"
#include "storage/test_support.h"

namespace superstore::storage {
namespace {

using nlohmann::json;
using Op = PrunePredicate::Op;

std::vector<DeltaField> fields_of(const std::vector<std::pair<std::string, std::string>>& list) {
  std::vector<DeltaField> out;
  for (const auto& [name, type] : list) out.push_back({name, type, true});
  return out;
}

const std::vector<DeltaField> kT = fields_of({{"id", "long"},
                                              {"name", "string"},
                                              {"ts", "timestamp"},
                                              {"d", "date"},
                                              {"price", "decimal(10,2)"},
                                              {"score", "double"},
                                              {"region", "string"}});
const std::vector<DeltaField> kU = fields_of({{"id", "long"}, {"k", "integer"}});

class PruneFiltersTest : public ::testing::Test {
 protected:
  TableReads reads(const std::string& sql) {
    return prune_filters(query::sql_parse_tree(conn_.impl(), sql), {{"t", kT}, {"u", kU}});
  }
  // The one read of `table`, which must exist.
  std::optional<PrunePredicate> only(const std::string& sql, const std::string& table = "t") {
    TableReads r = reads(sql);
    EXPECT_EQ(r[table].size(), 1u) << sql;
    return r[table].empty() ? std::nullopt : r[table][0];
  }

  query::Database db_{testing::unsandboxed()};
  query::Connection conn_{db_};
};

ExactNumber number(const PrunePredicate& p, size_t i = 0) { return std::get<ExactNumber>(*p.values.at(i)); }

TEST_F(PruneFiltersTest, TakesComparisonsOfColumnsWithConstants) {
  auto p = only("SELECT * FROM t WHERE id = -5");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->op, Op::Eq);
  EXPECT_EQ(p->column, "id");
  EXPECT_EQ(compare(number(*p), {-5, 0}), 0);

  p = only("SELECT * FROM t WHERE 10 < ID");  // constant on the left, column in another case
  ASSERT_TRUE(p);
  EXPECT_EQ(p->op, Op::Gt);
  EXPECT_EQ(p->column, "id");

  p = only("SELECT * FROM t WHERE id BETWEEN 1 AND 2.5 AND name IS NOT NULL AND region IN ('EU', NULL)");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->op, Op::And);
  ASSERT_EQ(p->children.size(), 3u);
  EXPECT_EQ(p->children[0].op, Op::And);  // BETWEEN: >= and <=
  EXPECT_EQ(compare(number(p->children[0].children[1]), {25, 1}), 0);
  EXPECT_EQ(p->children[1].op, Op::IsNotNull);
  EXPECT_EQ(p->children[2].op, Op::In);
  ASSERT_EQ(p->children[2].values.size(), 2u);
  EXPECT_FALSE(p->children[2].values[1].has_value());  // the NULL of the list
}

TEST_F(PruneFiltersTest, FoldsCastsOfConstantsIntoTheColumnsDomain) {
  const int64_t day = 86'400'000'000LL, jan1 = 19723 * day;  // 2024-01-01
  auto micros = [&](const std::string& sql) {
    auto p = only(sql);
    return p && p->values.size() == 1 && p->values[0]
               ? std::optional<int64_t>(static_cast<int64_t>(number(*p).mantissa))
               : std::nullopt;
  };
  EXPECT_EQ(micros("SELECT * FROM t WHERE ts >= TIMESTAMP '2024-01-01 00:00:01.5'"), jan1 + 1'500'000);
  EXPECT_EQ(micros("SELECT * FROM t WHERE ts >= '2024-01-01'"), jan1);
  EXPECT_EQ(micros("SELECT * FROM t WHERE ts >= DATE '2024-01-01'"), jan1);
  EXPECT_EQ(micros("SELECT * FROM t WHERE ts >= '2024-01-01T02:00:00+02:00'::TIMESTAMPTZ"), jan1);
  EXPECT_EQ(micros("SELECT * FROM t WHERE d < '2024-01-02'::DATE"), jan1 + day);
  EXPECT_EQ(micros("SELECT * FROM t WHERE d < TIMESTAMP '2024-01-01 10:00:00'"), jan1 + 36'000'000'000LL);
  EXPECT_EQ(micros("SELECT * FROM t WHERE id = '7'"), 7);  // the string is cast to the column's type
  EXPECT_EQ(micros("SELECT * FROM t WHERE id = CAST('7' AS BIGINT)"), 7);
  // What DuckDB would round, or compare as a double, or compute, is left alone.
  EXPECT_FALSE(only("SELECT * FROM t WHERE id = 1e3"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE id = CAST(5.5 AS BIGINT)"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE d = '2024-01-01 10:00:00'"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE ts >= TIMESTAMP_S '2024-01-01 00:00:01'"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE ts >= DATE '2024-01-01' + INTERVAL 1 DAY"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE ts >= now()"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE score = 1"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE d = '2024-02-30'"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE price = '1.005'"));
}

TEST_F(PruneFiltersTest, LeavesAloneWhatItDoesNotUnderstand) {
  EXPECT_FALSE(only("SELECT * FROM t WHERE id + 1 = 5"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE NOT (id = 5 AND name = 'x')"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE id NOT IN (1, 2)"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE id <> 1"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE id IN (SELECT id FROM u)"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE id = 1 OR score > 2"));  // one branch may hold any row
  EXPECT_FALSE(only("SELECT * FROM t TABLESAMPLE 10% WHERE id = 1"));
  EXPECT_FALSE(only("SELECT * FROM t WHERE id = 1 USING SAMPLE 5"));
  EXPECT_FALSE(only("SELECT * FROM t AS x(a) WHERE a = 1"));             // renamed columns
  EXPECT_FALSE(only("SELECT * FROM t AS x WHERE t.id = 1"));             // t is not a name here
  EXPECT_FALSE(only("SELECT * FROM (SELECT * FROM t) s WHERE id = 1"));  // filters a subquery, not t
  // A CTE named like the table: which reads are whose is the binder's business.
  TableReads r = reads("WITH t AS (SELECT * FROM t WHERE id = 1) SELECT * FROM t WHERE id = 1");
  ASSERT_EQ(r["t"].size(), 2u);
  EXPECT_FALSE(r["t"][0]);
  EXPECT_FALSE(r["t"][1]);
  // Not a statement json_serialize_sql shows: nothing at all.
  EXPECT_TRUE(reads("EXPLAIN SELECT * FROM t WHERE id = 1").empty());
  EXPECT_TRUE(reads("SELECT * FROM t WHERE id = 1; SELECT 1").empty());
}

TEST_F(PruneFiltersTest, KeepsOrOnlyWhenEveryBranchPrunes) {
  auto p = only("SELECT * FROM t WHERE (id = 1 AND score > 2) OR name = 'x'");
  ASSERT_TRUE(p);
  ASSERT_EQ(p->op, Op::Or);
  EXPECT_EQ(p->children[0].op, Op::Eq);  // the double comparison is dropped: the branch only weakens
  EXPECT_EQ(p->children[1].column, "name");
}

TEST_F(PruneFiltersTest, AppliesAPredicateOnlyToTheTableWhoseColumnItNames) {
  TableReads r = reads("SELECT * FROM t AS a JOIN u ON a.id = u.id WHERE u.k = 3 AND a.name = 'x'");
  ASSERT_TRUE(r["t"].at(0));
  EXPECT_EQ(r["t"][0]->column, "name");
  ASSERT_TRUE(r["u"].at(0));
  EXPECT_EQ(r["u"][0]->column, "k");

  // id is in both: unqualified, it names neither for sure.
  r = reads("SELECT * FROM t, u WHERE id = 1");
  EXPECT_FALSE(r["t"].at(0));
  EXPECT_FALSE(r["u"].at(0));
  // k is only u's; the ON condition of an inner join counts as much as the WHERE.
  r = reads("SELECT * FROM t JOIN u ON t.id = u.id AND k > 1 WHERE region = 'EU'");
  EXPECT_EQ(r["u"].at(0)->op, Op::Gt);
  EXPECT_EQ(r["t"].at(0)->column, "region");

  // The null-extended side of an outer join is never pruned; the preserved side is.
  r = reads("SELECT * FROM t LEFT JOIN u ON t.id = u.id AND u.k = 1 WHERE u.k = 2 AND t.id = 3");
  EXPECT_FALSE(r["u"].at(0));
  ASSERT_TRUE(r["t"].at(0));
  EXPECT_EQ(r["t"][0]->column, "id");
  r = reads("SELECT * FROM t FULL JOIN u ON t.id = u.id WHERE t.id = 3");
  EXPECT_FALSE(r["t"].at(0));
  r = reads("SELECT * FROM t POSITIONAL JOIN u WHERE t.id = 3");
  EXPECT_FALSE(r["t"].at(0));

  // Two reads of one table: each its own predicate (a file stays if either may need it).
  r = reads("SELECT * FROM t a JOIN t b ON a.id = b.id WHERE a.id = 1");
  ASSERT_EQ(r["t"].size(), 2u);
  EXPECT_TRUE(r["t"][0]);
  EXPECT_FALSE(r["t"][1]);
  // A subquery's own WHERE prunes its read.
  r = reads("SELECT * FROM u WHERE id IN (SELECT id FROM t WHERE region = 'EU')");
  EXPECT_EQ(r["t"].at(0)->column, "region");
  EXPECT_FALSE(r["u"].at(0));
}

// ---- matching a predicate against a file's stats ----

AddFile file_with(json stats, PartitionValues partition = {}) {
  AddFile f;
  f.path = "x.parquet";
  f.partition_values = std::move(partition);
  if (!stats.is_null()) {
    FileStats s;
    s.num_records = stats.value("numRecords", 0);
    if (stats.contains("minValues")) s.min_values = stats["minValues"];
    if (stats.contains("maxValues")) s.max_values = stats["maxValues"];
    if (stats.contains("nullCount")) s.null_count = stats["nullCount"];
    f.stats = s;
  }
  return f;
}

// A file of two rows, none NULL, whose `column` spans [min, max] as the log shows them.
AddFile ranged(const std::string& column, json min, json max) {
  return file_with({{"numRecords", 2},
                    {"minValues", {{column, std::move(min)}}},
                    {"maxValues", {{column, std::move(max)}}},
                    {"nullCount", {{column, 0}}}});
}

PrunePredicate cmp(Op op, const std::string& column, std::optional<PruneValue> v) {
  PrunePredicate p;
  p.op = op;
  p.column = column;
  p.values.push_back(std::move(v));
  return p;
}
PruneValue num(__int128 m, int scale = 0) { return ExactNumber{m, scale}; }
PruneValue micros_of(const std::string& text) { return num(*parse_timestamp_micros(text, true)); }

bool may(const AddFile& f, const PrunePredicate& p) { return file_may_match(f, kT, p); }

TEST(FilePruningTest, NegativeNumbersAndBounds) {
  const AddFile f = ranged("id", -10, -5);
  EXPECT_FALSE(may(f, cmp(Op::Eq, "id", num(-3))));
  EXPECT_TRUE(may(f, cmp(Op::Eq, "id", num(-7))));
  EXPECT_FALSE(may(f, cmp(Op::Lt, "id", num(-10))));
  EXPECT_TRUE(may(f, cmp(Op::Le, "id", num(-10))));
  EXPECT_FALSE(may(f, cmp(Op::Gt, "id", num(-5))));
  EXPECT_TRUE(may(f, cmp(Op::Ge, "id", num(-5))));
  EXPECT_TRUE(may(f, cmp(Op::Lt, "id", num(-95, 1))));  // -9.5
  EXPECT_TRUE(may(f, cmp(Op::Eq, "id", num(-55, 1))));  // between min and max: stats cannot tell more
  EXPECT_FALSE(may(f, cmp(Op::Eq, "id", num(-45, 1))));
}

TEST(FilePruningTest, NullsAndInLists) {
  const AddFile all_null = file_with({{"numRecords", 4}, {"nullCount", {{"id", 4}}}});
  EXPECT_FALSE(may(all_null, cmp(Op::Eq, "id", num(1))));
  EXPECT_FALSE(may(all_null, cmp(Op::IsNotNull, "id", std::nullopt)));
  EXPECT_TRUE(may(all_null, cmp(Op::IsNull, "id", std::nullopt)));
  const AddFile no_null = file_with(
      {{"numRecords", 4}, {"minValues", {{"id", 1}}}, {"maxValues", {{"id", 9}}}, {"nullCount", {{"id", 0}}}});
  EXPECT_FALSE(may(no_null, cmp(Op::IsNull, "id", std::nullopt)));
  EXPECT_FALSE(may(no_null, cmp(Op::Eq, "id", std::nullopt)));  // = NULL is never true
  PrunePredicate in;
  in.op = Op::In;
  in.column = "id";
  in.values = {std::nullopt, num(12)};
  EXPECT_FALSE(may(no_null, in));
  in.values.push_back(num(3));
  EXPECT_TRUE(may(no_null, in));
}

TEST(FilePruningTest, MissingOrEmptyStatsKeepTheFile) {
  AddFile foreign;
  foreign.path = "part-0.parquet";
  EXPECT_TRUE(may(foreign, cmp(Op::Eq, "id", num(1))));
  EXPECT_TRUE(may(foreign, cmp(Op::IsNull, "id", std::nullopt)));
  // numRecords left out (read as 0) says nothing about nulls.
  const AddFile no_count = file_with({{"nullCount", {{"id", 3}}}});
  EXPECT_TRUE(may(no_count, cmp(Op::IsNotNull, "id", std::nullopt)));
  // A file of no rows, stats without min/max: kept (never wrong), as is a column the stats leave out.
  const AddFile empty = file_with({{"numRecords", 0}, {"nullCount", json::object()}});
  EXPECT_TRUE(may(empty, cmp(Op::Eq, "id", num(1))));
  // A column the schema does not have is not ours to judge.
  EXPECT_TRUE(may(empty, cmp(Op::Eq, "nope", num(1))));
}

TEST(FilePruningTest, TruncatedStringMaxIsAPrefix) {
  const AddFile f = ranged("name", "abc", "abd");
  EXPECT_TRUE(may(f, cmp(Op::Eq, "name", std::string("abdzzz"))));  // the true max may be longer
  EXPECT_FALSE(may(f, cmp(Op::Eq, "name", std::string("abe"))));
  EXPECT_TRUE(may(f, cmp(Op::Gt, "name", std::string("abd"))));
  EXPECT_FALSE(may(f, cmp(Op::Gt, "name", std::string("ac"))));
  EXPECT_FALSE(may(f, cmp(Op::Lt, "name", std::string("abc"))));  // a cut min is still a lower bound
  EXPECT_TRUE(may(f, cmp(Op::Eq, "name", std::string("abcd"))));
  // Bytes compare unsigned, as DuckDB compares VARCHAR: é (0xC3 0xA9) sorts after z.
  EXPECT_FALSE(may(f, cmp(Op::Eq, "name", std::string("\xC3\xA9"))));
}

TEST(FilePruningTest, TimestampsCarryMillisecondsOnly) {
  // Our writer floors to ms: a row at 10:00:00.000900 is shown as max 10:00:00.000.
  const AddFile f = ranged("ts", "2024-01-01T09:00:00.000Z", "2024-01-01T10:00:00.000Z");
  EXPECT_TRUE(may(f, cmp(Op::Eq, "ts", micros_of("2024-01-01 10:00:00.0009"))));
  EXPECT_TRUE(may(f, cmp(Op::Gt, "ts", micros_of("2024-01-01 10:00:00"))));
  EXPECT_FALSE(may(f, cmp(Op::Gt, "ts", micros_of("2024-01-01 10:00:00.002"))));
  EXPECT_FALSE(may(f, cmp(Op::Lt, "ts", micros_of("2024-01-01 08:59:59.998"))));
  // Foreign writers' offsets and zone-less text.
  const AddFile g = ranged("ts", "2024-01-01T11:00:00.000+02:00", "2024-01-01T10:00:00.000");
  EXPECT_TRUE(may(g, cmp(Op::Eq, "ts", micros_of("2024-01-01 09:00:00"))));
  EXPECT_FALSE(may(g, cmp(Op::Eq, "ts", micros_of("2024-01-01 08:58:00"))));
}

TEST(FilePruningTest, DatesCompareWithTimestampsAtMidnight) {
  const AddFile f = ranged("d", "2023-12-30", "2024-01-01");
  EXPECT_FALSE(may(f, cmp(Op::Ge, "d", micros_of("2024-01-01 10:00:00"))));
  EXPECT_TRUE(may(f, cmp(Op::Ge, "d", micros_of("2024-01-01 00:00:00"))));
  EXPECT_TRUE(may(f, cmp(Op::Gt, "d", micros_of("2023-12-31 23:00:00"))));
  EXPECT_FALSE(may(f, cmp(Op::Lt, "d", micros_of("2023-12-30 00:00:00"))));
}

TEST(FilePruningTest, DecimalsFromDoublesAndText) {
  const AddFile f = ranged("price", 1.25, "3.50");
  EXPECT_TRUE(may(f, cmp(Op::Eq, "price", num(125, 2))));
  EXPECT_TRUE(may(f, cmp(Op::Eq, "price", num(124, 2))));  // a double min is widened by a unit
  EXPECT_FALSE(may(f, cmp(Op::Eq, "price", num(123, 2))));
  EXPECT_TRUE(may(f, cmp(Op::Eq, "price", num(35, 1))));
  EXPECT_FALSE(may(f, cmp(Op::Gt, "price", num(3501, 3))));
  EXPECT_FALSE(may(f, cmp(Op::Ge, "price", num(4))));
}

TEST(FilePruningTest, PartitionValuesAreExact) {
  const AddFile eu = file_with(nullptr, {{"region", "EU"}});
  const AddFile none = file_with(nullptr, {{"region", std::nullopt}});
  EXPECT_FALSE(may(eu, cmp(Op::Eq, "region", std::string("US"))));
  EXPECT_TRUE(may(eu, cmp(Op::Eq, "region", std::string("EU"))));
  EXPECT_FALSE(may(eu, cmp(Op::IsNull, "region", std::nullopt)));
  EXPECT_FALSE(may(none, cmp(Op::Eq, "region", std::string("EU"))));
  EXPECT_TRUE(may(none, cmp(Op::IsNull, "region", std::nullopt)));
  PrunePredicate either;
  either.op = Op::Or;
  either.children = {cmp(Op::Eq, "region", std::string("US")), cmp(Op::IsNull, "region", std::nullopt)};
  EXPECT_FALSE(may(eu, either));
  EXPECT_TRUE(may(none, either));
}

TEST(FilePruningTest, ParsersAreStrict) {
  EXPECT_EQ(parse_date_micros("1970-01-02"), 86'400'000'000LL);
  EXPECT_FALSE(parse_date_micros("2023-02-29"));
  EXPECT_TRUE(parse_date_micros("2024-02-29"));
  EXPECT_FALSE(parse_date_micros("2024-1-01"));
  EXPECT_EQ(parse_timestamp_micros("1970-01-01 00:00:01.25", false), 1'250'000);
  EXPECT_EQ(parse_timestamp_micros("1970-01-01T00:00:00Z", true), 0);
  EXPECT_FALSE(parse_timestamp_micros("1970-01-01T00:00:00Z", false));
  EXPECT_FALSE(parse_timestamp_micros("1970-01-01 00:00:00.1234567", false));
  EXPECT_FALSE(parse_timestamp_micros("1970-01-01 24:00:00", false));
  EXPECT_EQ(compare(*parse_exact_number("-1.50"), {-15, 1}), 0);
  EXPECT_FALSE(parse_exact_number("1e3"));
  EXPECT_FALSE(parse_exact_number(" 1"));
  EXPECT_FALSE(parse_exact_number("."));
}

}  // namespace
}  // namespace superstore::storage
