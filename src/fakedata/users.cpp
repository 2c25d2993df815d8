// fake_users: employees with names from US name-frequency tables, name-based unique emails, and pay that
// follows department and age.
#include "fakedata/users.h"

#include <algorithm>
#include <span>

#include "fakedata/address.h"

namespace superstore::fakedata {
namespace {

enum Column { kId, kFirstName, kLastName, kEmail, kAge, kDepartment, kSalary, kCreatedAt, kIsActive };

enum class EmailStyle { FirstDotLast, InitialLast, FirstUnderscoreLast, FirstLast, LastDotFirst, First };

const WeightedTable& email_styles() {
  static const WeightedTable table({40, 18, 10, 8, 8, 8});
  return table;
}

void fill(const Params& params, std::span<const uint64_t> rows, ColumnMask columns, ColumnBatch& out) {
  const Users users(params);
  const bool names = wants(columns, kFirstName) || wants(columns, kLastName) || wants(columns, kEmail);
  const bool age = wants(columns, kAge) || wants(columns, kSalary);
  const bool department = age || wants(columns, kDepartment);
  const bool created_at = wants(columns, kCreatedAt) || wants(columns, kIsActive);
  Text text;
  for (const uint64_t row : rows) {
    if (wants(columns, kId)) out[kId].push_int(static_cast<int64_t>(row + 1));
    if (names) {
      const std::string_view first_name = users.first_name(row);
      const std::string_view last_name = users.last_name(row);
      out[kFirstName].push_string(first_name);
      out[kLastName].push_string(last_name);
      // Spec tables read names through refs without the e-mail, which costs more than both names.
      if (wants(columns, kEmail)) {
        text.clear();
        users.email(row, first_name, last_name, text);
        out[kEmail].push_string(text.view());
      }
    }
    if (department) {  // salary needs the department and the age
      const Department& in = users.department(row);
      out[kDepartment].push_string(in.name);
      if (age) {
        const int64_t years = users.age(row);
        out[kAge].push_int(years);
        out[kSalary].push_int(users.salary(row, years, in));
      }
    }
    if (created_at) {
      const int64_t at = users.created_at(row);
      out[kCreatedAt].push_int(at);
      out[kIsActive].push_bool(users.is_active(row, at));
    }
  }
}

}  // namespace

Users::Users(const Params& params)
    : words_(word_lists()),
      anchor_us_(params.anchor_us),
      births_(params, kTable, kBaseRows, kHistoryUs),
      rows_(births_.count(params.anchor_us)),
      first_name_(params, kTable, "first_name"),
      last_name_(params, kTable, "last_name"),
      email_(params, kTable, "email"),
      age_(params, kTable, "age"),
      department_(params, kTable, "department"),
      salary_(params, kTable, "salary"),
      is_active_(params, kTable, "is_active"),
      country_(params, kTable, "(country)"),
      home_address_(params, kTable, "(home_address)"),
      popularity_(births_.base_rows(), Stream(params, kTable, "(popularity)")(0)) {}

uint64_t Users::pick(uint64_t a, uint64_t b, const Candidates& candidates) const {
  const uint64_t among = candidates.among;
  const int64_t time_us = candidates.time_us;
  if (among == 0) fail(ErrorCode::Internal, "no row of " + std::string(kTable) + " to refer to");
  if (chance_bp(b, 1'000)) {
    const uint64_t first = before(time_us - 90 * kDayUs);
    if (first < among) return first + below(mix64(b), among - first);
  }
  const uint64_t rank = skewed_below(a, among, 2);
  if (rank >= births_.base_rows()) return rank;  // past the base rows: by age
  const uint64_t row = popularity_(rank);
  return row < among ? row : below(mix64(a), among);
}

std::string_view Users::first_name(uint64_t row) const { return words_.first_names.pick(first_name_(row)); }

std::string_view Users::last_name(uint64_t row) const { return words_.last_names.pick(last_name_(row)); }

// The address ends in the row's id, and names contain no digits, so the digits before '@' are exactly
// the id: two rows can never share an address, at any scale, without a uniqueness check.
void Users::email(uint64_t row, std::string_view first, std::string_view last, Text& out) const {
  switch (static_cast<EmailStyle>(email_styles().pick(email_(row, 0)))) {
    case EmailStyle::FirstDotLast:
      out.lower_alnum(first) << '.';
      out.lower_alnum(last);
      break;
    case EmailStyle::InitialLast:
      out.lower_alnum(first.substr(0, 1));
      out.lower_alnum(last);
      break;
    case EmailStyle::FirstUnderscoreLast:
      out.lower_alnum(first) << '_';
      out.lower_alnum(last);
      break;
    case EmailStyle::FirstLast:
      out.lower_alnum(first);
      out.lower_alnum(last);
      break;
    case EmailStyle::LastDotFirst:
      out.lower_alnum(last) << '.';
      out.lower_alnum(first);
      break;
    case EmailStyle::First:
      out.lower_alnum(first);
      break;
  }
  out << row + 1 << '@' << words_.email_domains.pick(email_(row, 1));
}

// Working-age adults: a bell around 39 with a standard deviation of 11 years, kept in [20, 68].
int64_t Users::age(uint64_t row) const { return std::clamp<int64_t>(39 + bell_milli(age_(row)) * 11 / 1000, 20, 68); }

const Department& Users::department(uint64_t row) const {
  return words_.departments[words_.department_table.pick(department_(row))];
}

// A department's starting pay, raised for each year of experience after 22 (up to 30 years), times an
// individual factor of 1 +- 12% per standard deviation; rounded to $500 as pay scales are.
int64_t Users::salary(uint64_t row, int64_t age, const Department& department) const {
  const int64_t years = std::clamp<int64_t>(age - 22, 0, 30);
  int64_t pay = department.starting_salary * (10'000 + department.raise_bp * years) / 10'000;
  pay = pay * (1'000'000 + 120 * bell_milli(salary_(row))) / 1'000'000;
  return std::max<int64_t>(30'000, (pay + 250) / 500 * 500);
}

bool Users::is_active(uint64_t row, int64_t created_at) const { return is_active_at(row, created_at, anchor_us_); }

// One user in four leaves some day, a month to eight years after signing up (sooner more often): a
// minority of accounts is inactive, more of the old ones, and a few more every day.
bool Users::is_active_at(uint64_t row, int64_t created_at, int64_t time_us) const {
  if (!chance_bp(is_active_(row, 0), 2'500)) return true;
  const auto after_s = static_cast<int64_t>(low_biased(is_active_(row, 1), 8 * kYearUs / kSecondUs));
  return time_us < created_at + 30 * kDayUs + after_s * kSecondUs;
}

const Country& Users::country(uint64_t row) const { return words_.countries[words_.country_table.pick(country_(row))]; }

void Users::home_address(uint64_t row, Text& out) const { write_address(country(row), home_address_, row, out); }

FakeTable users_table() {
  TableSpec spec;
  spec.name = std::string(Users::kTable);
  spec.description =
      "Employees: names, unique name-based emails, age, department, yearly salary in US dollars, "
      "account creation time and status.";
  // In the order of the Column enum above.
  spec.columns = {{"id", ColumnType::Int64},         {"first_name", ColumnType::String},
                  {"last_name", ColumnType::String}, {"email", ColumnType::String},
                  {"age", ColumnType::Int32},        {"department", ColumnType::String},
                  {"salary", ColumnType::Int64},     {"created_at", ColumnType::Timestamp},
                  {"is_active", ColumnType::Boolean}};
  spec.partition_keys = {"department"};
  spec.sort_keys = {"id"};
  spec.base_rows = Users::kBaseRows;
  spec.born = [](const Params& params) { return Users(params).rows(); };
  // Users who leave between the two anchors.
  auto changed = [](const Params& from, const Params& to) {
    const Users users(from);
    std::vector<uint64_t> out;
    for (uint64_t row = 0; row < users.rows(); ++row) {
      const int64_t created = users.created_at(row);
      if (users.is_active_at(row, created, from.anchor_us) != users.is_active_at(row, created, to.anchor_us)) {
        out.push_back(row);
      }
    }
    return out;
  };
  FakeTable table{std::move(spec), fill};
  table.changed = changed;
  return table;
}

}  // namespace superstore::fakedata
