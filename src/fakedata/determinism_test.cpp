// Cell (t, c, i) depends only on (seed, generator version, t, c, i): not on how rows are sliced, not on
// the call order, and dates move with the anchor.
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
// changed: bump kGeneratorVersion, then update these values.
TEST(FakeDeterminism, DefaultDataIsPinned) {
  static_assert(kGeneratorVersion == 1, "update the digests below together with the version");
  EXPECT_EQ(digest(whole_table("fake_users")), 0xFD0360077857D379ULL);
  EXPECT_EQ(digest(whole_table("fake_products")), 0xA61DFF5E695883BFULL);
  EXPECT_EQ(digest(whole_table("fake_orders")), 0x1BE5A371720B0529ULL);
  EXPECT_EQ(digest(whole_table("fake_analytics")), 0x33269AB145050219ULL);
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

TEST(FakeDeterminism, GrowingTheScaleKeepsUsersAndProducts) {
  Params big;
  big.scale = 5;
  for (const char* name : {"fake_users", "fake_products"}) {
    const ColumnBatch small = whole_table(name);
    EXPECT_TRUE(same_rows(small, 0, whole_table(name, big), 0, small.rows())) << name;
  }
}

// Moves the anchor and checks what moved with it: timestamps by exactly `shift` where `exact`, every
// other column not at all.
void expect_shifted(const std::string& table, int64_t shift, bool exact_timestamps) {
  Params moved;
  moved.anchor_us += shift;
  const ColumnBatch a = whole_table(table);
  const ColumnBatch b = whole_table(table, moved);
  ASSERT_EQ(a.rows(), b.rows());
  for (size_t c = 0; c < a.columns.size(); ++c) {
    const bool timestamp = a.schema[c].type == ColumnType::Timestamp;
    for (size_t r = 0; r < a.rows(); ++r) {
      if (!timestamp) {
        ASSERT_TRUE(testing::same_cell(a[c], r, b[c], r)) << table << "." << a.schema[c].name << " row " << r;
      } else if (exact_timestamps) {
        ASSERT_EQ(b[c].int_at(r) - a[c].int_at(r), shift) << table << "." << a.schema[c].name << " row " << r;
      } else {
        ASSERT_LE(b[c].int_at(r), moved.anchor_us);
      }
    }
  }
}

TEST(FakeDeterminism, WholeWeeksOfAnchorShiftEveryTimestamp) {
  for (const FakeTable& table : tables()) expect_shifted(table.spec.name, 3 * 7 * kDayUs, true);
  for (const FakeTable& table : tables()) expect_shifted(table.spec.name, -52 * 7 * kDayUs, true);
}

TEST(FakeDeterminism, AnyAnchorShiftKeepsIdsAndValues) {
  const int64_t shift = kYearUs + 5 * kHourUs + 17 * kSecondUs + 3;
  // Users, products and orders are measured from the anchor alone; sessions also follow the calendar
  // (weekdays), so only their non-time columns are compared.
  expect_shifted("fake_users", shift, true);
  expect_shifted("fake_products", shift, true);
  expect_shifted("fake_orders", shift, true);
  expect_shifted("fake_analytics", shift, false);
}

}  // namespace
}  // namespace superstore::fakedata
