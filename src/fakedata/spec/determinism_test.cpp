// The spec engine's determinism contract: cells are pure functions of (seed, version, table, column,
// row) and what they read, whatever the batch split, thread count or neighbouring columns.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fakedata/spec/spec_test_support.h"
#include "fakedata/test_support.h"

namespace superstore::fakedata {
namespace {

// NOLINTBEGIN(bugprone-suspicious-missing-comma): long literals are split over lines on purpose.
const std::vector<std::string> kColumns = {
    "{name: id, type: Int64, gen: sequence}",
    "{name: user_id, type: Int64, gen: {ref: fake_users.id, skew: 1.2}}",
    "{name: plan, type: String, gen: {choice: {free: 60, pro: 30, team: 10}}}",
    "{name: seats, type: Int32, gen: {int: {min: 1, max: 200, skew: 1.3}}}",
    "{name: price, type: Float64, gen: {expr: \"case when plan = 'free' then 0 else round(8.5 * seats * (1 + 0.1 * "
    "normal()), 2) end\"}}",
    "{name: started_at, type: Timestamp, gen: {timestamp: {after: user_id.created_at, before: anchor}}}",
    "{name: contact, type: String, null: 0.2, gen: {template: \"{user_id.first_name}+{id}@example.com\", case: lower}}",
    "{name: city, type: String, gen: {words: city}}",
    "{name: key, type: String, gen: uuid}",
};
// NOLINTEND(bugprone-suspicious-missing-comma)

FakeTable table_of(const std::vector<std::string>& columns) {
  return testing::named(testing::compile_text(testing::table_yaml(columns, 3000)), "t");
}

ColumnBatch column(const ColumnBatch& b, const std::string& name) {
  ColumnBatch out;
  const size_t i = b.index_of(name);
  out.schema.push_back(b.schema[i]);
  out.columns.push_back(b.columns[i]);
  return out;
}

TEST(SpecDeterminism, SameSpecSameRowsWhateverTheSplitOrThreads) {
  const FakeTable t = table_of(kColumns);
  const Params params;
  const ColumnBatch whole = generate(t, params, 0, 3000);
  ColumnBatch parts;
  for (uint64_t begin = 0; begin < 3000; begin += 777)
    testing::append(parts, generate(t, params, begin, std::min<uint64_t>(3000, begin + 777)));
  EXPECT_TRUE(testing::same_batches(whole, parts));
  // Compiled again from the same text, on one thread and on two.
  for (unsigned threads : {1u, 2u}) {
    ColumnBatch streamed;
    generate_parallel(table_of(kColumns), params, threads, 500, [&](ColumnBatch&& b) { testing::append(streamed, b); });
    EXPECT_TRUE(testing::same_batches(whole, streamed)) << threads << " threads";
  }
  // Rows asked for in any order are the same rows.
  const std::vector<uint64_t> picks = {2999, 0, 1234, 1234, 7};
  const ColumnBatch picked = generate_rows(t, params, picks);
  for (size_t k = 0; k < picks.size(); ++k) EXPECT_TRUE(testing::same_rows(whole, picks[k], picked, k, 1));
}

TEST(SpecDeterminism, AnotherSeedGivesOtherData) {
  const FakeTable t = table_of(kColumns);
  Params other;
  other.seed = 7;
  EXPECT_NE(testing::digest(generate(t, {}, 0, 3000)), testing::digest(generate(t, other, 0, 3000)));
}

// The contract pinned: a change to the engine that alters these values must bump kSpecGeneratorVersion.
TEST(SpecDeterminism, PinnedDigestOfAKnownSpec) {
  EXPECT_EQ(kSpecGeneratorVersion, 1u);
  // The spec refers to fake_users (its created_at and first_name), whose values are those of the built-in
  // generator's rows, so the digest moves with kRowsVersion too (2: users are born over time).
  EXPECT_EQ(testing::digest(generate(table_of(kColumns), {}, 0, 3000)), 10800289511781556187ULL);
}

TEST(SpecDeterminism, ChangingOneColumnLeavesTheOthersAlone) {
  const Params params;
  const ColumnBatch base = generate(table_of(kColumns), params, 0, 3000);
  // Added columns, one of them before the others.
  std::vector<std::string> more = kColumns;
  more.insert(more.begin() + 3, "{name: extra, type: Int64, gen: {int: {min: 1, max: 9}}}");
  more.emplace_back("{name: late, type: Boolean, gen: {bool: 0.5}}");
  const ColumnBatch added = generate(table_of(more), params, 0, 3000);
  for (const auto& def : base.schema) {
    EXPECT_TRUE(testing::same_batches(column(base, def.name), column(added, def.name))) << def.name;
  }
  // A changed column (seats) changes what reads it (price) and nothing else.
  std::vector<std::string> changed = kColumns;
  changed[3] = "{name: seats, type: Int32, gen: {int: {min: 1, max: 50}}}";
  const ColumnBatch after = generate(table_of(changed), params, 0, 3000);
  for (const auto& def : base.schema) {
    const bool same = testing::same_batches(column(base, def.name), column(after, def.name));
    EXPECT_EQ(same, def.name != "seats" && def.name != "price") << def.name;
  }
  // A removed column leaves the rest.
  std::vector<std::string> fewer = kColumns;
  fewer.erase(fewer.begin() + 7);  // city
  const ColumnBatch removed = generate(table_of(fewer), params, 0, 3000);
  for (const auto& def : removed.schema) {
    EXPECT_TRUE(testing::same_batches(column(base, def.name), column(removed, def.name))) << def.name;
  }
}

TEST(SpecDeterminism, DigestsFollowTheDefinitionNotItsSpelling) {
  const std::string a =
      "tables:\n  - name: t\n    rows: 5\n    columns:\n      - {name: id, type: Int64, gen: sequence}\n";
  const std::string b =
      "# a comment\ntables:\n- {name: t, rows: 5, columns: [{type: Int64, name: id, gen: sequence}]}\n";
  const std::string c =
      "tables:\n  - name: t\n    rows: 6\n    columns:\n      - {name: id, type: Int64, gen: sequence}\n";
  const auto digest = [](const std::string& text) {
    return testing::compile_text(text).at(0).properties.at("spec_digest").get<std::string>();
  };
  EXPECT_EQ(digest(a), digest(b));
  EXPECT_NE(digest(a), digest(c));
  EXPECT_EQ(digest(a).size(), 64u);
  // A child's digest covers its spec parents: their data is part of its data.
  const std::string parent =
      "  - name: p\n    rows: 4\n    columns: [{name: id, type: Int64, gen: {sequence: {start: START}}}]\n";
  const std::string child = "  - name: c\n    rows: 4\n    columns: [{name: p_id, type: Int64, gen: {ref: p.id}}]\n";
  const auto child_digest = [&](const std::string& start) {
    std::string p = parent;
    p.replace(p.find("START"), 5, start);
    const auto tables = testing::compile_text("tables:\n" + p + child);
    return testing::named(tables, "c").properties.at("spec_digest").get<std::string>();
  };
  EXPECT_NE(child_digest("1"), child_digest("100"));
}

// A map's order means nothing in YAML, and recorded specs come back with sorted keys: the order a
// choice's values are written in must not change the data.
TEST(SpecDeterminism, TheOrderOfAChoicesValuesDoesNotMatter) {
  const ColumnBatch a =
      testing::rows_of({"{name: plan, type: String, gen: {choice: {team: 10, pro: 30, free: 60}}}"}, 2000);
  const ColumnBatch b =
      testing::rows_of({"{name: plan, type: String, gen: {choice: {free: 60, pro: 30, team: 10}}}"}, 2000);
  EXPECT_TRUE(testing::same_batches(a, b));
  const FakeTable unsorted = table_of({"{name: plan, type: String, gen: {choice: {team: 10, pro: 30, free: 60}}}",
                                       "{name: n, type: Int32, gen: {choice: {10: 1, 9: 2, 1: 3}}}"});
  const FakeTable recorded = compile_specs({recorded_spec_source("recorded", unsorted.properties.at("spec"))}).at(0);
  EXPECT_TRUE(testing::same_batches(generate(unsorted, {}, 0, 3000), generate(recorded, {}, 0, 3000)));
}

TEST(SpecDeterminism, ARecordedSpecMakesTheSameTableAgain) {
  const FakeTable t = table_of(kColumns);
  const std::vector<FakeTable> again = compile_specs({recorded_spec_source("recorded", t.properties.at("spec"))});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].properties.at("spec_digest"), t.properties.at("spec_digest"));
  EXPECT_TRUE(testing::same_batches(generate(t, {}, 0, 3000), generate(again[0], {}, 0, 3000)));
}

}  // namespace
}  // namespace superstore::fakedata
