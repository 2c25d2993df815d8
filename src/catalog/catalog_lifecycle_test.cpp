// Catalog entries that outlive a process: revoked tokens, tables swapped in groups, and dropped tables
// removed for good.
#include "catalog/test_support.h"

namespace superstore::catalog {
namespace {

using CatalogLifecycle = CatalogTest;

TEST_F(CatalogLifecycle, ARevokedTokenStaysRevokedInTheNextCatalogOnTheFile) {
  catalog().revoke_token("digest-a", 2'000, 1'000);
  EXPECT_TRUE(catalog().token_revoked("digest-a"));
  EXPECT_FALSE(catalog().token_revoked("digest-b"));
  reopen();
  EXPECT_TRUE(catalog().token_revoked("digest-a"));
  EXPECT_FALSE(catalog().token_revoked("digest-b"));
}

TEST_F(CatalogLifecycle, EveryRevokeForgetsTheExpiredOnesAndAnExpiredTokenIsNotKept) {
  catalog().revoke_token("old", 1'500, 1'000);
  catalog().revoke_token("young", 5'000, 1'000);
  EXPECT_EQ(catalog().revoked_token_count(), 2);
  catalog().revoke_token("already-expired", 1'999, 2'000);
  EXPECT_EQ(catalog().revoked_token_count(), 1);
  EXPECT_FALSE(catalog().token_revoked("old"));
  EXPECT_FALSE(catalog().token_revoked("already-expired"));
  EXPECT_TRUE(catalog().token_revoked("young"));
}

TEST_F(CatalogLifecycle, PublishSwapsEveryTableInOneStepAndDropTimesAreRecorded) {
  TableInfo a = create(orders());
  NewTable b_def = orders();
  b_def.name = "users";
  TableInfo b = create(b_def);
  EXPECT_EQ(a.dropped_at_ms, 0);

  const int64_t first = catalog().next_id("table", 2);
  std::vector<TablePlacement> swap = {{first, orders(), "main/public/orders-new", a.id},
                                      {first + 1, b_def, "main/public/users-new", b.id}};
  std::vector<TableInfo> created = catalog().publish_tables(swap);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(catalog().find_table("main", "public", "orders")->id, first);
  EXPECT_EQ(catalog().find_table("main", "public", "users")->id, first + 1);
  EXPECT_EQ(catalog().get_table(a.id).status, TableStatus::Dropped);
  EXPECT_GT(catalog().get_table(a.id).dropped_at_ms, 0);
  EXPECT_GT(catalog().get_table(b.id).dropped_at_ms, 0);
}

TEST_F(CatalogLifecycle, APublishThatFailsPartWayRegistersNothing) {
  TableInfo a = create(orders());
  NewTable b_def = orders();
  b_def.name = "users";
  TableInfo b = create(b_def);
  catalog().drop_table(b.id);  // the second replacement will find its table dropped already

  const int64_t first = catalog().next_id("table", 2);
  std::vector<TablePlacement> swap = {{first, orders(), "main/public/orders-new", a.id},
                                      {first + 1, b_def, "main/public/users-new", b.id}};
  EXPECT_EQ(error_of([&] { catalog().publish_tables(swap); }).code(), ErrorCode::Conflict);
  EXPECT_EQ(catalog().find_table("main", "public", "orders")->id, a.id);
  EXPECT_EQ(catalog().get_table(a.id).status, TableStatus::Active);
  EXPECT_EQ(error_of([&] { catalog().get_table(first); }).code(), ErrorCode::NotFound);
}

TEST_F(CatalogLifecycle, OnlyADroppedTableCanBeDeletedForGood) {
  TableInfo a = create(orders());
  EXPECT_EQ(error_of([&] { catalog().delete_dropped_table(a.id); }).code(), ErrorCode::Conflict);
  catalog().drop_table(a.id);
  catalog().delete_dropped_table(a.id);
  EXPECT_EQ(error_of([&] { catalog().get_table(a.id); }).code(), ErrorCode::NotFound);
  EXPECT_EQ(error_of([&] { catalog().delete_dropped_table(a.id); }).code(), ErrorCode::NotFound);
  EXPECT_TRUE(catalog().list_tables(true).empty());
}

}  // namespace
}  // namespace superstore::catalog
