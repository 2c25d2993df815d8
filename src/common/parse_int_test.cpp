#include "common/parse_int.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace superstore {
namespace {

TEST(ParseInt, TakesExactlyOneDecimalInt64) {
  EXPECT_EQ(parse_int64("0"), 0);
  EXPECT_EQ(parse_int64("-1"), -1);
  EXPECT_EQ(parse_int64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(parse_int64("-9223372036854775808"), INT64_MIN);
  for (const char* bad : {"", " 1", "1 ", "+1", "1.0", "1e3", "0x10", "abc", "12abc", "-"}) {
    EXPECT_EQ(parse_int64(bad), std::nullopt) << bad;
  }
}

TEST(ParseInt, OverflowIsAnErrorNotAWrap) {
  EXPECT_EQ(parse_int64("9223372036854775808"), std::nullopt);
  EXPECT_EQ(parse_int64("18446744073709551615"), std::nullopt);
  EXPECT_EQ(parse_int64("-9223372036854775809"), std::nullopt);
}

TEST(ParseInt, RangeErrorsNameTheValueAndTheRange) {
  EXPECT_EQ(parse_int64_in("7", 0, 10, "--seed"), 7);
  for (const char* bad : {"-1", "11", "x", "99999999999999999999"}) {
    try {
      parse_int64_in(bad, 0, 10, "--seed");
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
      EXPECT_EQ(std::string(e.what()), "--seed must be a whole number from 0 to 10, not '" + std::string(bad) + "'");
    }
  }
}

TEST(ParseDuration, TakesANumberAndAUnit) {
  EXPECT_EQ(parse_duration_ms("168h", "x"), 168LL * 3'600'000);
  EXPECT_EQ(parse_duration_ms("30m", "x"), 1'800'000);
  EXPECT_EQ(parse_duration_ms("7d", "x"), 7LL * 86'400'000);
  EXPECT_EQ(parse_duration_ms("250ms", "x"), 250);
  EXPECT_EQ(parse_duration_ms("90", "x"), 90'000) << "a bare number is seconds";
  EXPECT_EQ(parse_duration_ms("0s", "x"), 0);
  for (const char* bad : {"", "h", "-1h", "1.5h", "1 h", "1w", "1H", "99999999999999d", "1hh"}) {
    try {
      parse_duration_ms(bad, "--retain");
      FAIL() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
      EXPECT_NE(std::string(e.what()).find("--retain must be a duration"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace superstore
