// Each generator kind of the spec language: its domain and its distribution, within tolerances wide
// enough for the sample and narrow enough to catch a wrong shape.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "fakedata/spec/spec_test_support.h"
#include "fakedata/time_units.h"
#include "fakedata/word_lists.h"

namespace superstore::fakedata {
namespace {

using testing::rows_of;

std::map<std::string, int> counts(const Column& c) {
  std::map<std::string, int> out;
  for (size_t i = 0; i < c.size(); ++i) ++out[std::string(c.string_at(i))];
  return out;
}

double mean_of(const Column& c) {
  double sum = 0;
  for (size_t i = 0; i < c.size(); ++i)
    sum += c.type() == ColumnType::Float64 ? c.double_at(i) : static_cast<double>(c.int_at(i));
  return sum / static_cast<double>(c.size());
}

double sd_of(const Column& c) {
  const double m = mean_of(c);
  double sum = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    const double x = c.type() == ColumnType::Float64 ? c.double_at(i) : static_cast<double>(c.int_at(i));
    sum += (x - m) * (x - m);
  }
  return std::sqrt(sum / static_cast<double>(c.size()));
}

TEST(SpecGenerators, SequencesCountFromTheirStartByTheirStep) {
  const ColumnBatch b = rows_of(
      {"{name: id, type: Int64, gen: sequence}", "{name: code, type: Int32, gen: {sequence: {start: 100, step: -2}}}"},
      50);
  for (size_t i = 0; i < 50; ++i) {
    EXPECT_EQ(b[0].int_at(i), static_cast<int64_t>(i) + 1);
    EXPECT_EQ(b[1].int_at(i), 100 - 2 * static_cast<int64_t>(i));
  }
}

TEST(SpecGenerators, IntegersFollowTheirShape) {
  const ColumnBatch b = rows_of({"{name: u, type: Int32, gen: {int: {min: 1, max: 6}}}",
                                 "{name: n, type: Int32, gen: {int: {min: 20, max: 68, mean: 39, sd: 11}}}",
                                 "{name: z, type: Int64, gen: {int: {min: 1, max: 200, skew: 1.3}}}"},
                                20'000);
  std::map<int64_t, int> dice, zipf;
  for (size_t i = 0; i < b.rows(); ++i) {
    ++dice[b[0].int_at(i)];
    ++zipf[b[2].int_at(i)];
    ASSERT_GE(b[1].int_at(i), 20);
    ASSERT_LE(b[1].int_at(i), 68);
    ASSERT_GE(b[2].int_at(i), 1);
    ASSERT_LE(b[2].int_at(i), 200);
  }
  ASSERT_EQ(dice.size(), 6u);
  for (const auto& [face, n] : dice) EXPECT_NEAR(n, 20'000.0 / 6, 250) << face;
  EXPECT_NEAR(mean_of(b[1]), 39, 0.5);
  EXPECT_NEAR(sd_of(b[1]), 11, 0.8);
  // Zipf-like: the first values take the most rows, and the share falls along the range.
  EXPECT_GT(zipf[1], zipf[2]);
  EXPECT_GT(zipf[2], zipf[5]);
  EXPECT_GT(zipf[5], zipf[50]);
  EXPECT_GT(zipf[1], 20'000 / 10);
}

TEST(SpecGenerators, DecimalsAndLogNormalShapes) {
  const ColumnBatch b =
      rows_of({"{name: money, type: Float64, gen: {decimal: {min: 0, max: 100, decimals: 2}}}",
               "{name: size, type: Float64, gen: {float: {min: 0.1, max: 1000, median: 30, sigma: 0.8}}}"},
              10'000);
  std::vector<double> sizes;
  for (size_t i = 0; i < b.rows(); ++i) {
    const double cents = b[0].double_at(i) * 100;
    ASSERT_NEAR(cents, std::round(cents), 1e-6) << b[0].double_at(i);
    sizes.push_back(b[1].double_at(i));
  }
  std::sort(sizes.begin(), sizes.end());
  EXPECT_NEAR(sizes[sizes.size() / 2], 30, 1.5);    // the median
  EXPECT_GT(sizes[sizes.size() * 9 / 10], 2 * 30);  // a long right tail
}

TEST(SpecGenerators, ChoicesKeepTheirWeightsAndTypes) {
  const ColumnBatch b = rows_of({"{name: plan, type: String, gen: {choice: {free: 60, pro: 30, team: 10}}}",
                                 "{name: n, type: Int32, gen: {choice: [3, 5, 7]}}",
                                 "{name: ok, type: Boolean, gen: {choice: {true: 9, false: 1}}}",
                                 "{name: day, type: Date, gen: {choice: [2024-01-01, 2024-12-31]}}"},
                                20'000);
  const auto plans = counts(b[0]);
  EXPECT_NEAR(plans.at("free"), 12'000, 300);
  EXPECT_NEAR(plans.at("pro"), 6'000, 250);
  EXPECT_NEAR(plans.at("team"), 2'000, 200);
  int trues = 0;
  std::set<int64_t> numbers, days;
  for (size_t i = 0; i < b.rows(); ++i) {
    numbers.insert(b[1].int_at(i));
    trues += static_cast<int>(b[2].int_at(i));
    days.insert(b[3].int_at(i));
  }
  EXPECT_EQ(numbers, (std::set<int64_t>{3, 5, 7}));
  EXPECT_NEAR(trues, 18'000, 250);
  EXPECT_EQ(days, (std::set<int64_t>{days_from_civil(2024, 1, 1), days_from_civil(2024, 12, 31)}));
}

TEST(SpecGenerators, ConditionalChoicesFollowTheirColumn) {
  const ColumnBatch b = rows_of(
      {"{name: plan, type: String, gen: {choice: {free: 1, pro: 1}}}",
       "{name: support, type: String, gen: {choice: {by: plan, cases: {free: {forum: 1}, pro: {email: 3, phone: 1}}}}}",
       "{name: age, type: Int32, gen: {int: {min: 18, max: 80}}}",
       "{name: band, type: String, gen: {choice: {by: {column: age, bounds: [30, 60]}, cases: [{young: 1}, {middle: "
       "1}, {old: 1}]}}}"},
      8'000);
  int phone = 0, pro = 0;
  for (size_t i = 0; i < b.rows(); ++i) {
    const std::string plan(b[0].string_at(i)), support(b[1].string_at(i)), band(b[3].string_at(i));
    const int64_t age = b[2].int_at(i);
    if (plan == "free") {
      EXPECT_EQ(support, "forum");
    } else {
      ++pro;
      phone += support == "phone";
      EXPECT_TRUE(support == "email" || support == "phone") << support;
    }
    EXPECT_EQ(band, age < 30 ? "young" : age < 60 ? "middle" : "old") << age;
  }
  EXPECT_NEAR(static_cast<double>(phone) / pro, 0.25, 0.03);
}

TEST(SpecGenerators, BooleansAndNullsComeWithTheirShare) {
  const ColumnBatch b = rows_of({"{name: trial, type: Boolean, gen: {bool: 0.15}}",
                                 "{name: note, type: String, null: 0.7, gen: {words: [a, b]}}"},
                                20'000);
  int trues = 0, nulls = 0;
  for (size_t i = 0; i < b.rows(); ++i) {
    trues += static_cast<int>(b[0].int_at(i));
    nulls += b[1].is_null(i);
  }
  EXPECT_NEAR(trues, 3'000, 200);
  EXPECT_NEAR(nulls, 14'000, 250);
}

TEST(SpecGenerators, WordsOfOneRowDescribeOnePlaceAndOneProduct) {
  const ColumnBatch b = rows_of(
      {"{name: country, type: String, gen: {words: country}}", "{name: code, type: String, gen: {words: country_code}}",
       "{name: city, type: String, gen: {words: city}}", "{name: device, type: String, gen: {words: device_type}}",
       "{name: browser, type: String, gen: {words: browser}}", "{name: category, type: String, gen: {words: category}}",
       "{name: brand, type: String, gen: {words: brand}}", "{name: kind, type: String, gen: {words: product_kind}}",
       "{name: home, type: String, gen: {words: city, place: home}}"},
      3'000);
  const WordLists& words = word_lists();
  int elsewhere = 0;
  for (size_t i = 0; i < b.rows(); ++i) {
    const auto country = std::find_if(words.countries.begin(), words.countries.end(),
                                      [&](const Country& c) { return c.name == b[0].string_at(i); });
    ASSERT_NE(country, words.countries.end()) << b[0].string_at(i);
    EXPECT_EQ(country->code, b[1].string_at(i));
    EXPECT_TRUE(std::any_of(country->cities.begin(), country->cities.end(),
                            [&](const City& c) { return c.name == b[2].string_at(i); }))
        << b[2].string_at(i) << " is not in " << country->name;
    const auto device = std::find(kDeviceNames.begin(), kDeviceNames.end(), b[3].string_at(i));
    ASSERT_NE(device, kDeviceNames.end());
    const auto& browsers = country->browsers[static_cast<size_t>(device - kDeviceNames.begin())].items;
    EXPECT_NE(std::find(browsers.begin(), browsers.end(), b[4].string_at(i)), browsers.end()) << b[4].string_at(i);
    const auto category = std::find_if(words.categories.begin(), words.categories.end(),
                                       [&](const Category& c) { return c.name == b[5].string_at(i); });
    ASSERT_NE(category, words.categories.end());
    EXPECT_NE(std::find(category->brands.begin(), category->brands.end(), b[6].string_at(i)), category->brands.end());
    EXPECT_TRUE(std::any_of(category->kinds.begin(), category->kinds.end(),
                            [&](const ProductKind& k) { return k.name == b[7].string_at(i); }));
    elsewhere += b[8].string_at(i) != b[2].string_at(i);  // a named place is another place
  }
  EXPECT_GT(elsewhere, 2'000);
}

// NOLINTBEGIN(bugprone-suspicious-missing-comma): long literals are split over lines on purpose.
TEST(SpecGenerators, TemplatesCombineColumnsListsDigitsAndCase) {
  const ColumnBatch b =
      rows_of({"{name: id, type: Int64, gen: sequence}", "{name: first, type: String, gen: {words: first_name}}",
               "{name: email, type: String, unique: true, gen: {template: \"{first|slug}{id}@{list:email_domain}\", "
               "case: lower}}",
               "{name: code, type: String, unique: true, gen: {template: \"ORD-{id:06}\"}}",
               "{name: plate, type: String, gen: {template: \"{letters:3}-{digits:4} {{x}}\"}}",
               "{name: initial, type: String, gen: {template: \"{first|initial}. {first|upper}\"}}"},
              500);
  const std::regex email("[a-z]+[0-9]+@[a-z.]*example\\.(com|org|net)");
  std::set<std::string> emails;
  for (size_t i = 0; i < b.rows(); ++i) {
    const std::string e(b[2].string_at(i));
    std::smatch m;
    ASSERT_TRUE(std::regex_match(e, m, email)) << e;
    EXPECT_TRUE(emails.insert(e).second);
    EXPECT_NE(e.find(std::to_string(i + 1) + "@"), std::string::npos) << e;
    char expected[32];
    std::snprintf(expected, sizeof expected, "ORD-%06zu", i + 1);
    EXPECT_EQ(b[3].string_at(i), expected);
    EXPECT_TRUE(std::regex_match(std::string(b[4].string_at(i)), std::regex("[A-Z]{3}-[0-9]{4} \\{x\\}")))
        << b[4].string_at(i);
    const std::string first(b[1].string_at(i));
    std::string upper = first;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(b[5].string_at(i), first.substr(0, 1) + ". " + upper);
  }
}

// NOLINTEND(bugprone-suspicious-missing-comma)

TEST(SpecGenerators, UuidsAreVersionFourAndDistinct) {
  const ColumnBatch b = rows_of({"{name: key, type: String, unique: true, gen: uuid}"}, 5'000);
  const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (size_t i = 0; i < b.rows(); ++i) {
    const std::string k(b[0].string_at(i));
    ASSERT_TRUE(std::regex_match(k, v4)) << k;
    EXPECT_TRUE(seen.insert(k).second);
  }
}

TEST(SpecGenerators, TimestampsStayInTheirWindows) {
  const Params params;
  const ColumnBatch b =
      rows_of({"{name: started, type: Timestamp, gen: {timestamp: {after: -365d, before: anchor, lean: recent}}}",
               "{name: ended, type: Timestamp, gen: {timestamp: {after: started, within: 30d}}}",
               "{name: fixed, type: Date, gen: {date: {after: 2024-03-01, before: 2024-03-31}}}",
               "{name: soon, type: Timestamp, gen: {timestamp: {after: started + 1h, within: 2h}}}"},
              10'000);
  const int64_t anchor = params.anchor_us;
  int late_half = 0;
  for (size_t i = 0; i < b.rows(); ++i) {
    const int64_t s = b[0].int_at(i), e = b[1].int_at(i), soon = b[3].int_at(i);
    ASSERT_GE(s, anchor - 365 * kDayUs);
    ASSERT_LE(s, anchor);
    ASSERT_GE(e, s);
    ASSERT_LE(e, std::min(anchor, s + 30 * kDayUs));
    ASSERT_GE(b[2].int_at(i), days_from_civil(2024, 3, 1));
    ASSERT_LE(b[2].int_at(i), days_from_civil(2024, 3, 31));
    ASSERT_GE(soon, std::min(anchor, s + kHourUs));
    ASSERT_LE(soon, std::max(std::min(anchor, s + 3 * kHourUs), s + kHourUs));
    late_half += s > anchor - 365 * kDayUs / 2;
  }
  EXPECT_NEAR(late_half, 7'500, 250);  // leaning recent: density rising linearly
}

TEST(SpecGenerators, TimestampsFollowDailyAndWeeklyRhythm) {
  const ColumnBatch b = rows_of(
      {"{name: at, type: Timestamp, gen: {timestamp: {after: -364d, before: anchor, weekdays: [1, 1, 1, 1, 1, 1, 4], "
       "hours: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0]}}}"},
      20'000);
  std::array<int, 7> days{};
  std::array<int, 24> hours{};
  for (size_t i = 0; i < b.rows(); ++i) {
    const int64_t t = b[0].int_at(i);
    ++days[static_cast<size_t>(weekday(floor_div(t, kDayUs)))];
    ++hours[static_cast<size_t>(floor_div(t, kHourUs) - floor_div(t, kDayUs) * 24)];
  }
  EXPECT_NEAR(days[6], 20'000.0 * 4 / 10, 300);  // Sundays weigh 4 of 10
  EXPECT_NEAR(days[0], 20'000.0 / 10, 200);
  EXPECT_EQ(hours[9] + hours[20], 20'000);
  EXPECT_NEAR(hours[20], 15'000, 300);
}

// NOLINTBEGIN(bugprone-suspicious-missing-comma): long literals are split over lines on purpose.
TEST(SpecGenerators, ExpressionsComputeOverEarlierColumns) {
  const ColumnBatch b =
      rows_of({"{name: seats, type: Int32, gen: {int: {min: 1, max: 200}}}",
               "{name: plan, type: String, gen: {choice: [free, pro, team]}}",
               "{name: price, type: Float64, gen: {expr: \"case when plan = 'free' then 0 when plan = 'pro' then 12 "
               "else round(8.5 * seats, 2) end\"}}",
               "{name: label, type: String, gen: {expr: \"upper(plan) || '-' || seats\"}}",
               "{name: big, type: Boolean, gen: {expr: \"seats between 100 and 150 or plan in ('pro')\"}}",
               "{name: half, type: Float64, gen: {expr: \"seats / 2\"}}",
               "{name: none, type: Int64, gen: {expr: \"seats / 0 + 1\"}}",
               "{name: day, type: Date, gen: {expr: \"add_days(date(anchor), -seats)\"}}",
               "{name: noise, type: Float64, gen: {expr: \"random()\"}}"},
              2'000);
  const int64_t anchor_day = floor_div(Params{}.anchor_us, kDayUs);
  double noise = 0;
  for (size_t i = 0; i < b.rows(); ++i) {
    const int64_t seats = b[0].int_at(i);
    const std::string plan(b[1].string_at(i));
    const double expected = plan == "free"  ? 0
                            : plan == "pro" ? 12
                                            : std::round(8.5 * static_cast<double>(seats) * 100) / 100;
    EXPECT_DOUBLE_EQ(b[2].double_at(i), expected);
    std::string upper = plan;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(b[3].string_at(i), upper + "-" + std::to_string(seats));
    EXPECT_EQ(b[4].int_at(i) != 0, (seats >= 100 && seats <= 150) || plan == "pro");
    EXPECT_DOUBLE_EQ(b[5].double_at(i), static_cast<double>(seats) / 2);
    EXPECT_TRUE(b[6].is_null(i));  // division by zero is NULL, and NULL + 1 too
    EXPECT_EQ(b[7].int_at(i), anchor_day - seats);
    ASSERT_GE(b[8].double_at(i), 0.0);
    ASSERT_LT(b[8].double_at(i), 1.0);
    noise += b[8].double_at(i);
  }
  EXPECT_NEAR(noise / 2'000, 0.5, 0.03);
}

// least, greatest and coalesce over whole numbers and decimals answer a decimal; a whole number that wins
// used to be read as a decimal column, out of bounds (found by fuzz/fake_spec_fuzz.cpp).
TEST(SpecGenerators, LeastGreatestAndCoalesceMixWholeNumbersAndDecimals) {
  const ColumnBatch b = rows_of({"{name: n, type: Int64, gen: {int: {min: 1, max: 10}}}",
                                 "{name: high, type: Float64, gen: {expr: \"greatest(30000, n * 0.5)\"}}",
                                 "{name: low, type: Float64, gen: {expr: \"least(n, 100.5)\"}}",
                                 "{name: first, type: Float64, gen: {expr: \"coalesce(n, 0.5)\"}}"},
                                100);
  for (size_t i = 0; i < b.rows(); ++i) {
    const auto n = static_cast<double>(b[0].int_at(i));
    EXPECT_EQ(b[1].double_at(i), 30000.0);
    EXPECT_EQ(b[2].double_at(i), n);
    EXPECT_EQ(b[3].double_at(i), n);
  }
}

// NOLINTEND(bugprone-suspicious-missing-comma)

TEST(SpecGenerators, HiddenColumnsAreReadButNotKept) {
  const std::vector<FakeTable> tables = testing::compile_text(
      testing::table_yaml({"{name: secret, type: Int32, hidden: true, gen: {int: {min: 1, max: 9}}}",
                           "{name: twice, type: Int32, gen: {expr: \"secret * 2\"}}"}));
  const FakeTable& t = testing::named(tables, "t");
  ASSERT_EQ(t.spec.columns, (std::vector<ColumnDef>{{"twice", ColumnType::Int32}}));
  const ColumnBatch b = generate(t, {}, 0, 1000);
  for (size_t i = 0; i < b.rows(); ++i) {
    EXPECT_EQ(b[0].int_at(i) % 2, 0);
    EXPECT_GE(b[0].int_at(i), 2);
    EXPECT_LE(b[0].int_at(i), 18);
  }
}

// Refs pick real parent rows at every scale, and parent columns are the parent's own values.
TEST(SpecGenerators, RefsPickRealParentsAndReadTheirColumns) {
  for (const int64_t scale : {1, 3}) {
    Params params;
    params.scale = scale;
    const ColumnBatch b = rows_of({"{name: user_id, type: Int64, gen: {ref: fake_users.id}}",
                                   "{name: signed_up, type: Timestamp, gen: {expr: user_id.created_at}}",
                                   "{name: buyer, type: Int64, gen: {ref: fake_users.id, skew: 1.5}}",
                                   "{name: product, type: String, null: 0.5, gen: {ref: fake_products.name}}",
                                   "{name: price, type: Float64, gen: {expr: product.price}}"},
                                  2'000, params);
    const ColumnBatch users = generate("fake_users", params, 0, 1'000 * static_cast<uint64_t>(scale));
    const ColumnBatch products = generate("fake_products", params, 0, 500 * static_cast<uint64_t>(scale));
    std::map<int64_t, int> per_buyer;
    std::map<std::string, double> price_of;
    for (size_t p = 0; p < products.rows(); ++p)
      price_of[std::string(products[1].string_at(p))] = products[5].double_at(p);
    for (size_t i = 0; i < b.rows(); ++i) {
      const int64_t user = b[0].int_at(i);
      ASSERT_GE(user, 1);
      ASSERT_LE(user, 1'000 * scale);
      EXPECT_EQ(b[1].int_at(i), users[7].int_at(static_cast<size_t>(user - 1)));
      ++per_buyer[b[2].int_at(i)];
      EXPECT_EQ(b[3].is_null(i), b[4].is_null(i));  // a NULL ref reads NULL
      if (!b[3].is_null(i)) {
        EXPECT_EQ(b[4].double_at(i), price_of.at(std::string(b[3].string_at(i))));
      }
    }
    int busiest = 0;
    for (const auto& [buyer, n] : per_buyer) busiest = std::max(busiest, n);
    EXPECT_GT(busiest, 20) << "a skewed ref gives some parents many children";
  }
}

TEST(SpecGenerators, RefsBetweenSpecTablesAndToTheSameTable) {
  const std::vector<FakeTable> tables = testing::compile_text(R"(
tables:
  - name: teams
    rows: 10
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: name, type: String, gen: {template: "team {id}"}}
  - name: people
    rows: 200
    columns:
      - {name: id, type: Int64, gen: sequence}
      - {name: team, type: Int64, gen: {ref: teams.id}}
      - {name: team_name, type: String, gen: {expr: team.name}}
      - {name: manager, type: Int64, gen: {ref: people.id}}
      - {name: managers_team, type: Int64, gen: {expr: manager.team}}
)");
  ASSERT_EQ(tables[0].spec.name, "teams");  // parents first
  const ColumnBatch people = generate(testing::named(tables, "people"), {}, 0, 200);
  for (size_t i = 0; i < people.rows(); ++i) {
    EXPECT_EQ(people[2].string_at(i), "team " + std::to_string(people[1].int_at(i)));
    const auto manager = static_cast<size_t>(people[3].int_at(i) - 1);
    ASSERT_LT(manager, 200u);
    EXPECT_EQ(people[4].int_at(i), people[1].int_at(manager));
  }
}

}  // namespace
}  // namespace superstore::fakedata
