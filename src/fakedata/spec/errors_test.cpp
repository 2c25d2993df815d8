// Every kind of spec error the language promises to report: each names the file, line and column, the
// table and column, and what is wrong; and nothing compiles while any table has a problem.
#include <gtest/gtest.h>

#include "fakedata/spec/spec_test_support.h"

namespace superstore::fakedata {
namespace {

using testing::spec_error;
using testing::table_yaml;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

#define EXPECT_HAS(text, part) EXPECT_TRUE(has(text, part)) << (text)

TEST(SpecErrors, MalformedYamlGivesItsPosition) {
  const std::string e = spec_error("tables:\n  - name: t\n    rows: [1, 2\n");
  EXPECT_HAS(e, "t.yaml:4:1: not valid YAML or JSON");
}

// yaml-cpp reads any bytes; a table's recorded spec is JSON, which needs UTF-8, so a Latin-1 byte made
// compiling fail with a JSON library exception, an internal error (found by fuzz/fake_spec_fuzz.cpp).
TEST(SpecErrors, TextThatIsNotUtf8IsRefusedWithItsPosition) {
  EXPECT_HAS(spec_error(table_yaml({"{name: c, type: String, gen: {choice: [caf\xe9, tea]}}"})),
             "t.yaml:5:51: not UTF-8 text");
  EXPECT_HAS(spec_error("tables:\n  - name: t\xc3\n"), "t.yaml:2:12: not UTF-8");         // cut short
  EXPECT_HAS(spec_error("tables:\n  - name: \xed\xa0\x80\n"), "t.yaml:2:11: not UTF-8");  // a surrogate
  EXPECT_HAS(spec_error("tables:\n  - name: \xc0\xae\n"), "t.yaml:2:11: not UTF-8");      // overlong
  // UTF-8 text whose escapes yaml-cpp turns into bytes that are not (\N is 0x85, \_ is 0xA0).
  EXPECT_HAS(spec_error(table_yaml({R"({name: c, type: String, gen: {choice: ["a\_b", tea]}})"})),
             "t.yaml:5:48: the value is not UTF-8");
  EXPECT_HAS(spec_error("tables:\n  - name: \"t\\N\"\n"), "t.yaml:2:11:");
  const auto tables = testing::compile_text(table_yaml({"{name: c, type: String, gen: {choice: [café, 茶, 🍵]}}"}));
  EXPECT_EQ(tables.size(), 1U);
}

// yaml-cpp keeps both entries of a repeated key: the compiler read the first, the recorded spec kept the
// last, so the table made again from its record was another (found by fuzz/fake_spec_fuzz.cpp).
TEST(SpecErrors, AKeyGivenTwiceInOneMapIsRefused) {
  EXPECT_HAS(spec_error("tables:\n  - name: t\n    rows: 5\n    rows: 6\n    columns: []\n"),
             "t.yaml:4:5: key 'rows' appears twice in one map");
  EXPECT_HAS(spec_error(table_yaml({"{name: a, type: Int64, gen: sequence, name: b}"})), "key 'name' appears twice");
  EXPECT_HAS(spec_error(R"({"tables": [{"name": "t", "name": "u", "rows": 1, "columns": []}]})"), "appears twice");
}

TEST(SpecErrors, JsonIsAcceptedToo) {
  const auto tables = testing::compile_text(
      R"({"tables": [{"name": "t", "rows": 3, "columns": [{"name": "id", "type": "Int64", "gen": "sequence"}]}]})");
  EXPECT_EQ(generate(tables.at(0), {}, 0, 3)[0].int_at(2), 3);
}

TEST(SpecErrors, UnknownKeysAndGeneratorsAreNamedWithTheirPlace) {
  EXPECT_HAS(spec_error("tables:\n  - name: t\n    rows: 5\n    colums: []\n"),
             "t.yaml:4:5: table t: unknown key 'colums'");
  EXPECT_HAS(spec_error(table_yaml({"{name: id, type: Int64, gen: sequence, uniq: true}"})),
             "t.yaml:5:48: table t, column id: unknown key 'uniq'");
  EXPECT_HAS(spec_error(table_yaml({"{name: id, type: Int64, gen: {serial: {}}}"})),
             "t.yaml:5:38: table t, column id: unknown generator 'serial'");
  EXPECT_HAS(spec_error(table_yaml({"{name: n, type: Int64, gen: {int: {min: 1, max: 9, mode: 3}}}"})),
             "column n: 'mode' is not a setting of int");
  EXPECT_HAS(spec_error("tables: {}\n"), "'tables' must be a list");
  EXPECT_HAS(spec_error("columns: []\n"), "a spec holds 'tables:'");
}

TEST(SpecErrors, ValuesMustFitTheColumnsType) {
  EXPECT_HAS(spec_error(table_yaml({"{name: plan, type: Int32, gen: {choice: {free: 60, pro: 40}}}"})),
             "t.yaml:5:50: table t, column plan: 'free' is not a Int32 value");
  EXPECT_HAS(spec_error(table_yaml({"{name: n, type: Int16, gen: {int: {min: 1, max: 100000}}}"})),
             "min and max must fit the column's type Int16");
  EXPECT_HAS(spec_error(table_yaml({"{name: s, type: String, gen: {int: {min: 1, max: 9}}}"})),
             "int makes integers, but the column is String");
  EXPECT_HAS(spec_error(table_yaml({"{name: a, type: Int64, gen: {int: {min: 1, max: 9}}}",
                                    "{name: b, type: String, gen: {expr: \"a + 1\"}}"})),
             "column b: the expression gives integer, but the column is String");
  EXPECT_HAS(spec_error(table_yaml({"{name: bad, type: Float, gen: sequence}"})), "column bad: ");
  EXPECT_HAS(spec_error(table_yaml({"{name: p, type: Boolean, gen: {bool: 1.5}}"})), "between 0 and 1");
  EXPECT_HAS(spec_error(table_yaml({"{name: p, type: Boolean, null: 2, gen: {bool: 0.5}}"})), "null is the share");
}

TEST(SpecErrors, RefsMustNameARealTableAndColumnOfTheSameType) {
  EXPECT_HAS(spec_error(table_yaml({"{name: u, type: Int64, gen: {ref: fake_people.id}}"})),
             "t.yaml:5:43: table t, column u: ref to an unknown table 'fake_people'");
  EXPECT_HAS(spec_error(table_yaml({"{name: u, type: Int64, gen: {ref: fake_users.uid}}"})),
             "ref to an unknown column 'uid' of fake_users");
  EXPECT_HAS(spec_error(table_yaml({"{name: u, type: String, gen: {ref: fake_users.id}}"})),
             "fake_users.id is Int64, but the column is String");
  EXPECT_HAS(spec_error(table_yaml({"{name: u, type: Int64, gen: {ref: fake_users.id}}",
                                    "{name: x, type: Int64, gen: {expr: u.salary_band}}"})),
             "fake_users has no column 'salary_band'");
  EXPECT_HAS(
      spec_error(table_yaml({"{name: u, type: Int64, gen: sequence}", "{name: x, type: Int64, gen: {expr: u.id}}"})),
      "u is not a ref");
}

TEST(SpecErrors, ColumnsReadOnlyEarlierColumns) {
  EXPECT_HAS(spec_error(table_yaml(
                 {"{name: a, type: Int64, gen: {expr: \"b * 2\"}}", "{name: b, type: Int64, gen: sequence}"})),
             "t.yaml:5:44: table t, column a: reads column b, which comes later in the table");
  EXPECT_HAS(spec_error(table_yaml({"{name: a, type: Int64, gen: {expr: \"a + 1\"}}"})),
             "column a: the column reads itself");
  EXPECT_HAS(spec_error(table_yaml({"{name: a, type: Timestamp, gen: {timestamp: {after: b}}}",
                                    "{name: b, type: Timestamp, gen: {timestamp: {}}}"})),
             "reads column b, which comes later");
}

TEST(SpecErrors, CyclesOfRefsAcrossTablesAreRefused) {
  const std::string e = spec_error(R"(tables:
  - name: a
    rows: 5
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: other, type: Int64, gen: {ref: b.echo}}
  - name: b
    rows: 5
    columns:
      - {name: back, type: Int64, gen: {ref: a.other}}
      - {name: echo, type: Int64, gen: {expr: back}}
)");
  EXPECT_HAS(e, "a cycle of refs and reads");
  EXPECT_HAS(e, "a.other -> b.echo -> b.back -> a.other");
}

TEST(SpecErrors, KeysMustBeColumnsOfAPartitionableType) {
  const std::string cols = "{name: id, type: Int64, gen: sequence}";
  EXPECT_HAS(spec_error(table_yaml({cols}, 10, "    partition_by: [plan]\n")),
             "t.yaml:4:20: table t: partition_by names 'plan', which is not a column");
  EXPECT_HAS(spec_error(table_yaml({cols}, 10, "    sort_by: [id, when]\n")),
             "sort_by names 'when', which is not a column");
  EXPECT_HAS(spec_error(table_yaml({cols, "{name: price, type: Float64, gen: {float: {min: 0, max: 1}}}"}, 10,
                                   "    partition_by: [price]\n")),
             "partition key price is Float64");
  EXPECT_HAS(spec_error(table_yaml({cols, "{name: at, type: Timestamp, gen: {timestamp: {}}}"}, 10,
                                   "    partition_by: [at]\n")),
             "partition key at is Timestamp");
}

TEST(SpecErrors, UniqueMustBeGuaranteedByConstruction) {
  EXPECT_HAS(spec_error(table_yaml({"{name: n, type: Int64, unique: true, gen: {int: {min: 1, max: 1000000}}}"})),
             "t.yaml:5:40: table t, column n: unique cannot be guaranteed for a int column");
  // A template whose other parts may hold digits is not proven unique.
  EXPECT_HAS(spec_error(table_yaml(
                 {"{name: id, type: Int64, gen: sequence}",
                  "{name: code, type: String, unique: true, gen: {template: \"{digits:2}{id}{digits:2}\"}}"})),
             "unique cannot be guaranteed for a template column");
  // These are proven: the id's digits are the only ones, or it stands at one end beside a non-digit.
  testing::compile_text(
      table_yaml({"{name: id, type: Int64, gen: sequence}",
                  "{name: a, type: String, unique: true, gen: {template: \"{digits:5}-{id}\"}}",
                  "{name: b, type: String, unique: true, gen: {template: \"{id}/{hex:4}\"}}",
                  "{name: c, type: String, unique: true, gen: {template: \"x{list:city}{id}{list:brand}\"}}"}));
}

TEST(SpecErrors, RowsAndNamesAreChecked) {
  EXPECT_HAS(spec_error(table_yaml({"{name: id, type: Int64, gen: sequence}"}, 0)),
             "rows must be a whole number from 1 to 100000000");
  EXPECT_HAS(
      spec_error("tables:\n  - name: t\n    rows: 1000000000\n    columns: [{name: id, type: Int64, gen: sequence}]\n"),
      "t.yaml:3:11: table t: rows must be a whole number from 1 to 100000000, got '1000000000'");
  EXPECT_HAS(
      spec_error("tables:\n  - name: fake_users\n    rows: 3\n    columns: [{name: id, type: Int64, gen: sequence}]\n"),
      "is the name of a built-in fake table");
  EXPECT_HAS(
      spec_error("tables:\n  - name: 9lives\n    rows: 3\n    columns: [{name: id, type: Int64, gen: sequence}]\n"),
      "'9lives' is not a valid table name");
  EXPECT_HAS(
      spec_error(table_yaml({"{name: id, type: Int64, gen: sequence}", "{name: id, type: Int64, gen: sequence}"})),
      "a second column called id");
}

TEST(SpecErrors, ExpressionsAreCheckedAndBounded) {
  EXPECT_HAS(spec_error(table_yaml({"{name: a, type: Int64, gen: {expr: \"frobnicate(1)\"}}"})),
             "in the expression at character 1: unknown function 'frobnicate'");
  EXPECT_HAS(spec_error(table_yaml({"{name: a, type: Int64, gen: {expr: \"'x' + 1\"}}"})),
             "'+' needs numbers, got String (use || to join text)");
  EXPECT_HAS(spec_error(table_yaml({"{name: a, type: Int64, gen: {expr: \"1 +\"}}"})), "the expression ends too early");
  std::string deep(100, '(');
  deep += "1" + std::string(100, ')');
  EXPECT_HAS(spec_error(table_yaml({"{name: a, type: Int64, gen: {expr: \"" + deep + "\"}}"})), "nested too deeply");
  EXPECT_HAS(spec_error(table_yaml({"{name: a, type: Int64, gen: {expr: \"" + std::string(5000, '1') + "\"}}"})),
             "at most 4096 characters");
}

TEST(SpecErrors, EveryProblemIsListedAndNoTableCompiles) {
  const std::string e = spec_error(R"(tables:
  - name: good
    rows: 5
    columns:
      - {name: id, type: Int64, gen: sequence}
  - name: bad
    rows: 5
    columns:
      - {name: a, type: Int64, gen: {nope: 1}}
      - {name: b, type: Strin, gen: sequence}
)");
  EXPECT_HAS(e, "has 2 problems");
  EXPECT_HAS(e, "t.yaml:9:37: table bad, column a: unknown generator 'nope'");
  EXPECT_HAS(e, "t.yaml:10:25: table bad, column b: unknown column type 'Strin'");
}

TEST(SpecErrors, DuplicateTablesAcrossFilesNameBothPlaces) {
  const std::string one = "tables:\n  - name: t\n    rows: 3\n    columns: [{name: id, type: Int64, gen: sequence}]\n";
  try {
    compile_specs({{"a.yaml", one}, {"b.yaml", one}});
    ADD_FAILURE() << "compiled";
  } catch (const Error& e) {
    EXPECT_HAS(std::string(e.what()), "b.yaml:2:11: table t: defined twice (also at a.yaml:2:11)");
  }
}

}  // namespace
}  // namespace superstore::fakedata
