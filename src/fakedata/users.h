// fake_users as cell functions (internal): the users generator uses them row by row, and orders and
// analytics call them to derive their foreign keys and dates from the users' row space without ever
// holding the users table.
#pragma once

#include <cstdint>
#include <string_view>

#include "fakedata/fakedata.h"
#include "fakedata/random.h"
#include "fakedata/text.h"
#include "fakedata/time_units.h"
#include "fakedata/word_lists.h"

namespace superstore::fakedata {

class Users {
 public:
  static constexpr std::string_view kTable = "fake_users";
  static constexpr uint64_t kBaseRows = 1'000;
  // Accounts are at least this old at the anchor, so that each user's orders and visits fit between
  // sign-up and the anchor (see Analytics for the whole-day arithmetic that needs four days).
  static constexpr int64_t kMinAccountAgeUs = 4 * kDayUs;

  explicit Users(const Params& params);

  uint64_t rows() const { return rows_; }
  std::string_view first_name(uint64_t row) const;
  std::string_view last_name(uint64_t row) const;
  // From the row's own first and last name (passed in, as the caller has them already).
  void email(uint64_t row, std::string_view first_name, std::string_view last_name, Text& out) const;
  int64_t age(uint64_t row) const;
  const Department& department(uint64_t row) const;
  int64_t salary(uint64_t row, int64_t age, const Department& department) const;
  int64_t created_at(uint64_t row) const;
  bool is_active(uint64_t row, int64_t created_at) const;

  // Hidden attributes: not columns of fake_users, but what makes orders and visits of one user agree.
  const Country& country(uint64_t row) const;
  void home_address(uint64_t row, Text& out) const;

  // A user row for an order or a visit: a few heavy users, a long tail, spread over the table.
  uint64_t pick(uint64_t bits) const { return popularity_(skewed_below(bits, rows_, 2)); }

 private:
  const WordLists& words_;
  int64_t anchor_us_;
  uint64_t rows_;
  Stream first_name_, last_name_, email_, age_, department_, salary_, created_at_, is_active_;
  Stream country_, home_address_;
  Shuffle popularity_;
};

FakeTable users_table();

}  // namespace superstore::fakedata
