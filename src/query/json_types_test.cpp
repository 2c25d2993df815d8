#include <gtest/gtest.h>

#include "query/database.h"
#include "query/test_support.h"
#include "query/user_query.h"

namespace superstore::query {
namespace {

class QueryJsonTypes : public ::testing::Test {
 protected:
  // The single row of `select_list` as JSON text, plus the column types.
  std::string row_of(const std::string& select_list) {
    QueryPage page = run_user_query(conn_, "SELECT " + select_list, {}, std::chrono::seconds(10));
    EXPECT_EQ(page.total, 1);
    types_.clear();
    for (const auto& column : page.columns) types_.push_back(column.type);
    return page.rows.at(0).dump();
  }

  Database db_{DatabaseOptions{.sandboxed = true, .threads = 2}};
  Connection conn_{db_};
  std::vector<std::string> types_;
};

TEST_F(QueryJsonTypes, NullsBooleansAndIntegers) {
  EXPECT_EQ(
      row_of("NULL AS n, NULL::BIGINT AS nb, true AS t, false AS f, (-128)::TINYINT AS i8, 32767::SMALLINT AS i16, "
             "(-2147483648)::INTEGER AS i32, 9223372036854775807::BIGINT AS i64, 255::UTINYINT AS u8"),
      R"({"n":null,"nb":null,"t":true,"f":false,"i8":-128,"i16":32767,"i32":-2147483648,)"
      R"("i64":9223372036854775807,"u8":255})");
  EXPECT_EQ(types_[0], "INTEGER");  // DuckDB gives an untyped NULL column a type before it reaches us
  EXPECT_EQ(types_[7], "BIGINT");
}

TEST_F(QueryJsonTypes, BigIntegersBeyondInt64BecomeStrings) {
  EXPECT_EQ(row_of("42::HUGEINT AS small_huge, 170141183460469231731687303715884105727::HUGEINT AS max_huge, "
                   "(-170141183460469231731687303715884105728)::HUGEINT AS min_huge, "
                   "18446744073709551615::UBIGINT AS max_u64, 9223372036854775807::UBIGINT AS fits_u64, "
                   "340282366920938463463374607431768211455::UHUGEINT AS max_u128, sum(x) AS total "
                   "FROM (VALUES (9223372036854775807::BIGINT), (1)) v(x)"),
            R"({"small_huge":42,"max_huge":"170141183460469231731687303715884105727",)"
            R"("min_huge":"-170141183460469231731687303715884105728","max_u64":"18446744073709551615",)"
            R"("fits_u64":9223372036854775807,"max_u128":"340282366920938463463374607431768211455",)"
            R"("total":"9223372036854775808"})");
  EXPECT_EQ(types_[6], "HUGEINT");
}

TEST_F(QueryJsonTypes, FloatsWithNanAndInfinityAsNull) {
  EXPECT_EQ(row_of("2.5::DOUBLE AS d, 0.1::FLOAT AS f, 'NaN'::DOUBLE AS nan, 'Infinity'::DOUBLE AS inf, "
                   "'-Infinity'::DOUBLE AS ninf, 'NaN'::FLOAT AS fnan, -0.0::DOUBLE AS nzero, 1e300 AS big"),
            R"({"d":2.5,"f":0.1,"nan":null,"inf":null,"ninf":null,"fnan":null,"nzero":-0.0,"big":1e+300})");
}

TEST_F(QueryJsonTypes, DecimalsAsNumbers) {
  EXPECT_EQ(row_of("12.34::DECIMAL(4,2) AS d16, -123456.789::DECIMAL(9,3) AS d32, 1234567890.12::DECIMAL(18,2) AS d64, "
                   "0.5::DECIMAL(38,10) AS d128, 7::DECIMAL(10,0) AS whole"),
            R"({"d16":12.34,"d32":-123456.789,"d64":1234567890.12,"d128":0.5,"whole":7.0})");
  EXPECT_EQ(types_[0], "DECIMAL(4,2)");
}

TEST_F(QueryJsonTypes, TimestampsAsIsoUtcWithFractionOnlyWhenNeeded) {
  EXPECT_EQ(
      row_of("TIMESTAMPTZ '2024-01-01 10:00:00+00' AS tz, TIMESTAMP '2024-01-01 10:00:00.5' AS ms, "
             "TIMESTAMP '2024-01-01 10:00:00.123456' AS us, TIMESTAMP '1969-12-31 23:59:59.999999' AS before_epoch, "
             "TIMESTAMP '1900-03-01 00:00:00' AS old, TIMESTAMPTZ '2024-06-01 12:00:00+02' AS offset_tz, "
             "'infinity'::TIMESTAMP AS inf, '-infinity'::TIMESTAMP AS ninf, "
             "TIMESTAMP_MS '2024-01-01 10:00:00.25' AS t_ms, TIMESTAMP_S '2024-01-01 10:00:00' AS t_s, "
             "TIMESTAMP_NS '2024-01-01 10:00:00.123456789' AS t_ns"),
      R"({"tz":"2024-01-01T10:00:00Z","ms":"2024-01-01T10:00:00.500Z","us":"2024-01-01T10:00:00.123456Z",)"
      R"("before_epoch":"1969-12-31T23:59:59.999999Z","old":"1900-03-01T00:00:00Z",)"
      R"("offset_tz":"2024-06-01T10:00:00Z","inf":"infinity","ninf":"-infinity",)"
      R"("t_ms":"2024-01-01T10:00:00.250Z","t_s":"2024-01-01T10:00:00Z","t_ns":"2024-01-01T10:00:00.123456Z"})");
  EXPECT_EQ(types_[0], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(types_[1], "TIMESTAMP");
}

TEST_F(QueryJsonTypes, Dates) {
  EXPECT_EQ(row_of("DATE '2024-02-29' AS leap, DATE '1969-12-31' AS before_epoch, DATE '0001-01-01' AS first, "
                   "'infinity'::DATE AS inf"),
            R"({"leap":"2024-02-29","before_epoch":"1969-12-31","first":"0001-01-01","inf":"infinity"})");
}

TEST_F(QueryJsonTypes, StringsKeepUnicodeAndEscapes) {
  EXPECT_EQ(row_of("'héllo \"wörld\"' AS s, '' AS empty, chr(10) AS newline, '{\"a\": 1}'::JSON AS j"),
            R"({"s":"héllo \"wörld\"","empty":"","newline":"\n","j":"{\"a\": 1}"})");
  EXPECT_EQ(types_[3], "JSON");
}

TEST_F(QueryJsonTypes, OtherTypesAsDuckDbCastText) {
  EXPECT_EQ(row_of("'\\xAA\\x00a'::BLOB AS blob, [1, 2, NULL] AS list, ['x''y'] AS strings, "
                   "{'a': 1, 'b': 'x'} AS struct, MAP {'k': [1.5]} AS map, INTERVAL 3 DAY AS iv, TIME '10:11:12' AS t, "
                   "'5f3c4e1e-7c3a-4c2d-9a55-0e9a3c1f2b4d'::UUID AS uuid, [1, 2]::INTEGER[2] AS arr, "
                   "'101'::BIT AS bits, 'b'::ENUM('a', 'b') AS e, union_value(n := 4) AS u, "
                   "[{'k': NULL}] AS nested_null"),
            R"({"blob":"\\xAA\\x00a","list":"[1, 2, NULL]","strings":"['x\\'y']","struct":"{'a': 1, 'b': x}",)"
            R"("map":"{k=[1.5]}","iv":"3 days","t":"10:11:12","uuid":"5f3c4e1e-7c3a-4c2d-9a55-0e9a3c1f2b4d",)"
            R"("arr":"[1, 2]","bits":"101","e":"b","u":"4","nested_null":"[{'k': NULL}]"})");
  EXPECT_EQ(types_[1], "INTEGER[]");
  EXPECT_EQ(types_[3], "STRUCT(a INTEGER, b VARCHAR)");
  EXPECT_EQ(types_[4], "MAP(VARCHAR, DECIMAL(2,1)[])");
  EXPECT_EQ(types_[8], "INTEGER[2]");
  EXPECT_EQ(types_[10], "ENUM('a', 'b')");
  EXPECT_EQ(types_[11], "UNION(n INTEGER)");
}

TEST_F(QueryJsonTypes, CastTextMatchesDuckDbsOwnCast) {
  // Whatever DuckDB's VARCHAR cast writes for these, our conversion must write the same.
  const std::string values =
      "[[1, NULL], []]::INTEGER[][] AS a, {'x': [{'y': 'z'}]} AS b, MAP {1: NULL} AS c, "
      "'\\x01\\xFF'::BLOB AS d, INTERVAL '1 year 2 months 3 days 04:05:06.789' AS e, TIMETZ '10:00:00+05:30' AS f, "
      "'5f3c4e1e-7c3a-4c2d-9a55-0e9a3c1f2b4d'::UUID AS g, '00000000-0000-0000-0000-000000000001'::UUID AS h, "
      "'10110'::BIT AS i, 'b'::ENUM('a', 'b') AS j, union_value(n := 4) AS k, [1, 2]::INTEGER[2] AS l, "
      "TIME '23:59:59.5' AS m, [12.5::DECIMAL(5,1)] AS n, ['NaN'::DOUBLE] AS o";
  QueryPage ours = run_user_query(conn_, "SELECT " + values, {}, std::chrono::seconds(10));
  Result theirs = conn_.execute("SELECT COLUMNS(*)::VARCHAR FROM (SELECT " + values + ")");
  ASSERT_EQ(theirs.column_count(), ours.columns.size());
  for (size_t col = 0; col < theirs.column_count(); ++col) {
    EXPECT_EQ(ours.rows[0][ours.columns[col].name], theirs.get_string(col, 0)) << ours.columns[col].name;
  }
}

}  // namespace
}  // namespace superstore::query
