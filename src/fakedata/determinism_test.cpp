// Cell (t, c, i) depends only on (seed, scale, generator version, t, c, i): not on how rows are sliced,
// not on the call order; the anchor only says which rows exist and in what state.
#include <gtest/gtest.h>

#include "common/error.h"
#include "fakedata/test_support.h"
#include "fakedata/time_units.h"

namespace superstore::fakedata {
namespace {

using testing::digest;
using testing::same_batches;
using testing::same_rows;
using testing::whole_table;

// The exact content of every table at the default Params. A change here means every user's data
// changed: bump kRowsVersion and kGeneratorVersion, then update these values.
TEST(FakeDeterminism, DefaultDataIsPinned) {
  static_assert(kRowsVersion == 2, "update the digests below together with the version");
  EXPECT_EQ(digest(whole_table("fake_users")), 0x30D086BF7106D743ULL);
  EXPECT_EQ(digest(whole_table("fake_products")), 0xC6C5B34593578E75ULL);
  EXPECT_EQ(digest(whole_table("fake_orders")), 0x74FCA315F367B817ULL);
  EXPECT_EQ(digest(whole_table("fake_analytics")), 0x6752CEA86DDA524AULL);
}

TEST(FakeDeterminism, SameSeedSameData) {
  Params p;
  p.seed = 7;
  for (const FakeTable& table : tables()) {
    EXPECT_TRUE(same_batches(whole_table(table.spec.name, p), whole_table(table.spec.name, p))) << table.spec.name;
  }
}

TEST(FakeDeterminism, OtherSeedOtherData) {
  Params other;
  other.seed = 43;
  for (const FakeTable& table : tables()) {
    const ColumnBatch a = whole_table(table.spec.name);
    const ColumnBatch b = whole_table(table.spec.name, other);
    for (size_t c = 1; c < a.columns.size(); ++c) {  // every column but id
      size_t differing = 0;
      for (size_t r = 0; r < a.rows(); ++r) differing += !testing::same_cell(a[c], r, b[c], r);
      EXPECT_GT(differing, a.rows() / 10) << table.spec.name << "." << a.schema[c].name;
    }
  }
}

TEST(FakeDeterminism, AnySplitConcatenatesToTheWhole) {
  Params p;
  p.scale = 2;
  for (const FakeTable& table : tables()) {
    const uint64_t n = table.spec.rows(p);
    const ColumnBatch whole = generate(table, p, 0, n);
    ColumnBatch pieces;
    const std::vector<uint64_t> cuts = {0, 1, 2, 17, 333, 334, n / 2, n - 1, n};
    for (size_t i = 0; i + 1 < cuts.size(); ++i) testing::append(pieces, generate(table, p, cuts[i], cuts[i + 1]));
    EXPECT_TRUE(same_batches(whole, pieces)) << table.spec.name;
    // Generating a later slice first changes nothing either.
    const ColumnBatch tail = generate(table, p, n - 100, n);
    EXPECT_TRUE(same_rows(whole, n - 100, tail, 0, 100)) << table.spec.name;
  }
}

TEST(FakeDeterminism, RowsByIndexInAnyOrderEqualTheWholeTablesRows) {
  Params p;
  p.scale = 2;
  for (const FakeTable& table : tables()) {
    const uint64_t n = table.spec.rows(p);
    const ColumnBatch whole = generate(table, p, 0, n);
    // Backwards, strided, repeated: the order the write path asks for is any order.
    std::vector<uint64_t> indices = {n - 1, 0, n / 2, n / 2, 1};
    for (uint64_t i = n - 2; i > 97; i -= 97) indices.push_back(i);
    const ColumnBatch picked = generate_rows(table, p, indices);
    ASSERT_EQ(picked.rows(), indices.size()) << table.spec.name;
    for (size_t k = 0; k < indices.size(); ++k) {
      EXPECT_TRUE(same_rows(whole, indices[k], picked, k, 1)) << table.spec.name << " row " << indices[k];
    }
    const std::vector<uint64_t> past_the_end = {0, n};
    EXPECT_THROW(generate_rows(table, p, past_the_end), Error) << table.spec.name;
  }
}

// The columns of `whole` that `columns` names, rows [begin, end), in spec order.
::testing::AssertionResult same_columns(const ColumnBatch& whole, uint64_t begin, ColumnMask columns,
                                        const ColumnBatch& part) {
  size_t k = 0;
  for (size_t c = 0; c < whole.columns.size(); ++c) {
    if (!wants(columns, c)) continue;
    if (k >= part.columns.size() || part.schema[k] != whole.schema[c] || part[k].size() != part.rows()) {
      return ::testing::AssertionFailure() << "column " << whole.schema[c].name << " is missing or misplaced";
    }
    for (size_t r = 0; r < part.rows(); ++r) {
      if (!testing::same_cell(whole[c], begin + r, part[k], r)) {
        return ::testing::AssertionFailure() << "column " << whole.schema[c].name << " differs at row " << begin + r;
      }
    }
    ++k;
  }
  if (k != part.columns.size()) return ::testing::AssertionFailure() << "unwanted columns came along";
  return ::testing::AssertionSuccess();
}

// Generators skip the work of columns nobody asked for; the columns asked for stay exactly the same.
TEST(FakeDeterminism, AnySetOfColumnsEqualsThoseColumnsOfTheWholeTable) {
  Params p;
  p.scale = 2;
  for (const FakeTable& table : tables()) {
    const uint64_t n = table.spec.rows(p);
    const ColumnBatch whole = generate(table, p, 0, n);
    std::vector<std::string> keys = table.spec.partition_keys;
    keys.insert(keys.end(), table.spec.sort_keys.begin(), table.spec.sort_keys.end());
    std::vector<ColumnMask> masks = {column_mask(table.spec, keys), 0, 0x5555, 0xAAAA, kAllColumns};
    for (size_t c = 0; c < whole.columns.size(); ++c) {
      masks.push_back(ColumnMask{1} << c);
      masks.push_back(~(ColumnMask{1} << c));
    }
    for (ColumnMask columns : masks) {
      const ColumnBatch part = generate_columns(table, p, 17, n, columns);
      EXPECT_TRUE(same_columns(whole, 17, columns, part)) << table.spec.name << " columns " << columns;
      if (columns != 0) {
        EXPECT_EQ(part.rows(), n - 17) << table.spec.name << " columns " << columns;
      }
    }
  }
  EXPECT_EQ(column_mask(find_table("fake_users").spec, {"department", "id"}), 0b100001u);
  EXPECT_THROW(column_mask(find_table("fake_users").spec, {"id", "no_such_column"}), Error);
}

// A larger world has more rows born in the same history, so birth times (and the states that follow
// them) are denser; every other column of the users and products keeps its values.
TEST(FakeDeterminism, GrowingTheScaleKeepsUsersAndProducts) {
  Params big;
  big.scale = 5;
  for (const char* name : {"fake_users", "fake_products"}) {
    const ColumnBatch small = whole_table(name);
    const ColumnBatch large = whole_table(name, big);
    for (size_t c = 0; c < small.columns.size(); ++c) {
      const std::string& column = small.schema[c].name;
      if (column == "created_at" || column == "is_active" || column == "stock_quantity") continue;
      for (size_t r = 0; r < small.rows(); ++r) {
        ASSERT_TRUE(testing::same_cell(small[c], r, large[c], r)) << name << "." << column << " row " << r;
      }
    }
  }
}

// Every cell but the three that live (an order's status, a user's is_active, a product's stock) is
// the same at any anchor at which its row exists: a later anchor only adds rows at the end.
void expect_only_states_change(const std::string& table, int64_t earlier_us, int64_t later_us) {
  Params a, b;
  a.anchor_us = earlier_us;
  b.anchor_us = later_us;
  const ColumnBatch before = whole_table(table, a);
  const ColumnBatch after = whole_table(table, b);
  ASSERT_LE(before.rows(), after.rows()) << table;
  for (size_t c = 0; c < before.columns.size(); ++c) {
    const std::string& name = before.schema[c].name;
    if (name == "status" || name == "is_active" || name == "stock_quantity") continue;
    for (size_t r = 0; r < before.rows(); ++r) {
      ASSERT_TRUE(testing::same_cell(before[c], r, after[c], r)) << table << "." << name << " row " << r;
    }
  }
}

TEST(FakeDeterminism, MovingTheAnchorAddsRowsAndChangesOnlyStates) {
  for (const FakeTable& table : tables()) {
    expect_only_states_change(table.spec.name, kDefaultAnchorUs, kDefaultAnchorUs + 30 * kDayUs + 5 * kHourUs + 3);
    expect_only_states_change(table.spec.name, kDefaultAnchorUs - 200 * kDayUs, kDefaultAnchorUs);
  }
}

TEST(FakeDeterminism, BaseRowCountsHoldAtTheDefaultAnchorOnly) {
  for (int64_t scale : {1, 3}) {
    Params p;
    p.scale = scale;
    Params later = p;
    later.anchor_us += 7 * kDayUs;
    Params earlier = p;
    earlier.anchor_us -= 7 * kDayUs;
    for (const FakeTable& table : tables()) {
      const uint64_t base = table.spec.base_rows * static_cast<uint64_t>(scale);
      EXPECT_EQ(table.spec.rows(p), base) << table.spec.name;
      EXPECT_EQ(whole_table(table.spec.name, p).rows(), base) << table.spec.name;
      EXPECT_GE(table.spec.rows(later), base) << table.spec.name;
      EXPECT_LE(table.spec.rows(earlier), base) << table.spec.name;
    }
    // A week brings new orders and visits at any scale.
    EXPECT_GT(find_table("fake_orders").spec.rows(later), find_table("fake_orders").spec.rows(p));
    EXPECT_GT(find_table("fake_analytics").spec.rows(later), find_table("fake_analytics").spec.rows(p));
  }
}

}  // namespace
}  // namespace superstore::fakedata
