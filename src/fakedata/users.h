// fake_users as cell functions (internal): the users generator uses them row by row, and orders and
// analytics call them to derive their foreign keys and dates from the users' row space without ever
// holding the users table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fakedata/births.h"
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
  // The base users signed up over the six years before the default anchor.
  static constexpr int64_t kHistoryUs = 6 * kYearUs;

  explicit Users(const Params& params);

  // Users signed up by the anchor.
  uint64_t rows() const { return rows_; }
  // Users signed up at least a minute before `time_us`: those an order or a visit then may belong to.
  uint64_t before(int64_t time_us) const { return births_.surely(time_us - kMinuteUs); }
  std::string_view first_name(uint64_t row) const;
  std::string_view last_name(uint64_t row) const;
  // From the row's own first and last name (passed in, as the caller has them already).
  void email(uint64_t row, std::string_view first_name, std::string_view last_name, Text& out) const;
  int64_t age(uint64_t row) const;
  const Department& department(uint64_t row) const;
  int64_t salary(uint64_t row, int64_t age, const Department& department) const;
  int64_t created_at(uint64_t row) const { return births_.at(row); }
  // Whether the account is still in use at the anchor: some users leave, at a time drawn per user.
  bool is_active(uint64_t row, int64_t created_at) const;
  bool is_active_at(uint64_t row, int64_t created_at, int64_t time_us) const;

  // Hidden attributes: not columns of fake_users, but what makes orders and visits of one user agree.
  const Country& country(uint64_t row) const;
  void home_address(uint64_t row, Text& out) const;

  // A row for an order or a visit at `time_us` (from two random words), among the rows born a minute
  // before it: a few heavy ones and a long tail among the base rows, scattered over them, the same at
  // every anchor; and one in ten among those signed up in the 90 days before (newcomers are active).
  uint64_t pick(uint64_t a, uint64_t b, int64_t time_us) const { return pick(a, b, candidates(time_us)); }
  // The same with the rows born a minute before `time_us` counted once, for several picks at one time.
  struct Candidates {
    int64_t time_us;
    uint64_t among;
  };
  Candidates candidates(int64_t time_us) const { return {time_us, before(time_us)}; }
  uint64_t pick(uint64_t a, uint64_t b, const Candidates& candidates) const;

 private:
  const WordLists& words_;
  int64_t anchor_us_;
  Births births_;
  uint64_t rows_;
  Stream first_name_, last_name_, email_, age_, department_, salary_, is_active_;
  Stream country_, home_address_;
  Shuffle popularity_;  // over the base rows
};

FakeTable users_table();

}  // namespace superstore::fakedata
