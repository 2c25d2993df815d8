// The registry matches issue 3's table of fake tables exactly.
#include <gtest/gtest.h>

#include "common/error.h"
#include "fakedata/fakedata.h"
#include "fakedata/test_support.h"

namespace superstore::fakedata {
namespace {

using T = ColumnType;

struct Expected {
  std::string name;
  uint64_t rows;
  std::vector<std::string> partition_keys;
  std::vector<std::string> sort_keys;
  std::vector<ColumnDef> columns;
};

const std::vector<Expected>& expected_tables() {
  static const std::vector<Expected> tables = {
      {"fake_users",
       1'000,
       {"department"},
       {"id"},
       {{"id", T::Int64},
        {"first_name", T::String},
        {"last_name", T::String},
        {"email", T::String},
        {"age", T::Int32},
        {"department", T::String},
        {"salary", T::Int64},
        {"created_at", T::Timestamp},
        {"is_active", T::Boolean}}},
      {"fake_products",
       500,
       {"category"},
       {"id"},
       {{"id", T::Int64},
        {"name", T::String},
        {"description", T::String},
        {"category", T::String},
        {"brand", T::String},
        {"price", T::Float64},
        {"cost", T::Float64},
        {"stock_quantity", T::Int32},
        {"weight", T::Float64},
        {"dimensions", T::String},
        {"is_featured", T::Boolean},
        {"created_at", T::Timestamp}}},
      {"fake_orders",
       5'000,
       {"status"},
       {"order_date", "id"},
       {{"id", T::Int64},
        {"user_id", T::Int64},
        {"product_name", T::String},
        {"quantity", T::Int32},
        {"unit_price", T::Float64},
        {"total_amount", T::Float64},
        {"order_date", T::Timestamp},
        {"status", T::String},
        {"shipping_address", T::String}}},
      {"fake_analytics",
       10'000,
       {"country", "device_type"},
       {"event_date"},
       {{"id", T::Int64},
        {"event_date", T::Timestamp},
        {"user_id", T::Int64},
        {"page_path", T::String},
        {"session_duration", T::Int32},
        {"page_views", T::Int32},
        {"bounce_rate", T::Float64},
        {"conversion", T::Boolean},
        {"device_type", T::String},
        {"browser", T::String},
        {"country", T::String}}},
  };
  return tables;
}

TEST(FakeSchema, RegistryListsTheFourTablesParentsFirst) {
  ASSERT_EQ(tables().size(), expected_tables().size());
  for (size_t i = 0; i < tables().size(); ++i) {
    const TableSpec& spec = tables()[i].spec;
    const Expected& want = expected_tables()[i];
    EXPECT_EQ(spec.name, want.name);
    EXPECT_EQ(spec.base_rows, want.rows) << spec.name;
    EXPECT_EQ(spec.partition_keys, want.partition_keys) << spec.name;
    EXPECT_EQ(spec.sort_keys, want.sort_keys) << spec.name;
    EXPECT_EQ(spec.columns, want.columns) << spec.name;
    EXPECT_FALSE(spec.description.empty()) << spec.name;
    EXPECT_NE(tables()[i].fill, nullptr);
    EXPECT_EQ(&find_table(spec.name), &tables()[i]);
  }
}

TEST(FakeSchema, KeysNameColumnsOfTheTable) {
  for (const FakeTable& table : tables()) {
    const ColumnBatch empty(table.spec.columns);
    for (const auto& key : table.spec.partition_keys) {
      EXPECT_TRUE(can_partition_by(table.spec.columns[empty.index_of(key)].type)) << key;
    }
    for (const auto& key : table.spec.sort_keys) EXPECT_NO_THROW(empty.index_of(key)) << key;
  }
}

TEST(FakeSchema, UnknownTableIsNotFound) {
  try {
    find_table("fake_nothing");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::NotFound);
    EXPECT_NE(std::string(e.what()).find("fake_users"), std::string::npos);
  }
}

TEST(FakeSchema, BatchesHaveTheSpecsSchemaAndRowCounts) {
  for (const int64_t scale : {1, 3}) {
    Params params;
    params.scale = scale;
    for (const FakeTable& table : tables()) {
      const uint64_t rows = table.spec.rows(params);
      EXPECT_EQ(rows, table.spec.base_rows * static_cast<uint64_t>(scale));
      const ColumnBatch batch = generate(table, params, 0, rows);
      EXPECT_EQ(batch.schema, table.spec.columns);
      EXPECT_EQ(batch.rows(), rows);
      for (size_t c = 0; c < batch.columns.size(); ++c) {
        EXPECT_EQ(batch[c].size(), rows) << table.spec.name << "." << batch.schema[c].name;
        EXPECT_EQ(batch[c].type(), batch.schema[c].type);
        EXPECT_FALSE(batch[c].has_nulls());
      }
    }
  }
}

TEST(FakeSchema, RowRangesAndParamsAreChecked) {
  const FakeTable& users = find_table("fake_users");
  EXPECT_EQ(generate(users, Params{}, 10, 10).rows(), 0u);
  EXPECT_EQ(generate(users, Params{}, 999, 1'000).rows(), 1u);
  const auto code = [](auto&& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::Internal;
  };
  EXPECT_EQ(code([&] { generate(users, Params{}, 0, 1'001); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(code([&] { generate(users, Params{}, 5, 4); }), ErrorCode::InvalidArgument);
  Params bad;
  bad.scale = 0;
  EXPECT_EQ(code([&] { validate(bad); }), ErrorCode::InvalidArgument);
  bad.scale = kMaxScale + 1;
  EXPECT_EQ(code([&] { generate(users, bad, 0, 1); }), ErrorCode::InvalidArgument);
  bad = Params{};
  bad.anchor_us = 0;
  EXPECT_EQ(code([&] { validate(bad); }), ErrorCode::InvalidArgument);
  EXPECT_EQ(code([&] { generate("fake_nothing", Params{}, 0, 1); }), ErrorCode::NotFound);
}

TEST(FakeSchema, PropertiesRoundTrip) {
  Params params;
  params.seed = 0xFFFFFFFFFFFFFFFFULL;
  params.scale = 7;
  params.anchor_us = kDefaultAnchorUs + 123;
  const nlohmann::json recorded = properties(params);
  EXPECT_EQ(recorded["generator_version"], kGeneratorVersion);
  EXPECT_EQ(recorded["fake_data"], true);
  EXPECT_EQ(properties(Params{})["anchor"], "2025-01-01T00:00:00Z");
  EXPECT_EQ(params_from_properties(nlohmann::json::parse(recorded.dump())), params);
  EXPECT_THROW(params_from_properties(nlohmann::json::object()), Error);
}

}  // namespace
}  // namespace superstore::fakedata
