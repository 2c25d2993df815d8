#include "fakedata/births.h"

#include <algorithm>
#include <vector>

#include "common/error.h"
#include "fakedata/time_units.h"
#include "fakedata/word_lists.h"

namespace superstore::fakedata {
namespace {

// The same weights as the visits' (analytics.cpp): busy weekdays, quieter weekends; a morning rise, a
// midday and an evening peak, a dead night.
constexpr std::array<uint64_t, 7> kWeekdayWeights = {100, 104, 104, 102, 96, 74, 70};
constexpr std::array<uint64_t, 24> kHourWeights = {18, 10, 6,  4,  4,  6,  14, 30, 52, 68, 78, 84,
                                                   88, 86, 82, 80, 78, 80, 86, 94, 98, 90, 66, 38};
constexpr int64_t kWeekUs = 7 * kDayUs;
// Fraction bits of a weight unit: an hour holds about 10^7 units, so 2^10 parts of one are well below a
// microsecond.
constexpr unsigned kFractionBits = 10;
// Bits of a row's position within its slot of the stream.
constexpr unsigned kPositionBits = 24;
// 1970-01-05 was a Monday.
constexpr int64_t kMondayUs = 4 * kDayUs;

}  // namespace

int hour_of_week(int64_t utc_us) {
  return static_cast<int>(floor_div(utc_us - kMondayUs, kHourUs) - floor_div(utc_us - kMondayUs, kWeekUs) * 168);
}

const Rhythm& rhythm() {
  static const Rhythm r = [] {
    Rhythm out;
    const WordLists& words = word_lists();
    for (int how = 0; how < kHoursPerWeek; ++how) {
      std::vector<uint64_t> by_country;
      // The middle of the UTC hour, in each country's local time.
      const int64_t middle = kMondayUs + how * kHourUs + 30 * kMinuteUs;
      for (size_t c = 0; c < words.countries.size(); ++c) {
        const int64_t local = middle + words.countries[c].utc_offset_minutes * kMinuteUs;
        const int local_how = hour_of_week(local);
        const uint64_t w = words.country_weights[c] * kWeekdayWeights[static_cast<size_t>(local_how / 24)] *
                           kHourWeights[static_cast<size_t>(local_how % 24)];
        by_country.push_back(w);
        out.weight[static_cast<size_t>(how)] += w;
      }
      out.country[static_cast<size_t>(how)] = WeightedTable(by_country);
      out.week += out.weight[static_cast<size_t>(how)];
      out.before[static_cast<size_t>(how) + 1] = out.week;
    }
    return out;
  }();
  return r;
}

Births::Births(const Params& params, std::string_view table, uint64_t base_rows, int64_t history_us)
    : base_rows_(base_rows * static_cast<uint64_t>(params.scale)),
      origin_us_(kMondayUs + floor_div(kDefaultAnchorUs - history_us - kMondayUs, kWeekUs) * kWeekUs),
      position_(params, table, "(birth)") {
  span_ = units(kDefaultAnchorUs);
}

// Weighted time fits 64 bits for any anchor before 2200: a week holds about 2^31 units, 2^10 parts each.
uint64_t Births::units(int64_t time_us) const {
  const Rhythm& r = rhythm();
  const int64_t since = time_us - origin_us_;
  if (since <= 0) return 0;
  const auto weeks = static_cast<uint64_t>(since / kWeekUs);
  const int64_t in_week = since % kWeekUs;
  const auto hours = static_cast<size_t>(in_week / kHourUs);
  const uint64_t u = (weeks * r.week + r.before[hours]) << kFractionBits;
  // floor(in_hour x weight x 2^10 / hour) in 64 bits: an hour's weight is below 2^20, so the product
  // stays below 2^52, and the remainder's part below 2^42.
  const uint64_t x = static_cast<uint64_t>(in_week % kHourUs) * r.weight[hours];
  constexpr auto kHour = static_cast<uint64_t>(kHourUs);
  return u + ((x / kHour) << kFractionBits) + ((x % kHour) << kFractionBits) / kHour;
}

int64_t Births::time_of(uint64_t u) const {
  const Rhythm& r = rhythm();
  const uint64_t week = r.week << kFractionBits;
  const auto weeks = static_cast<int64_t>(u / week);
  const uint64_t rest = u % week;
  // The hour whose span of the week holds `rest`.
  const auto h = static_cast<size_t>(std::upper_bound(r.before.begin() + 1, r.before.end(), rest >> kFractionBits) -
                                     r.before.begin() - 1);
  const uint64_t in = rest - (r.before[h] << kFractionBits);
  // `in` is below the hour's weight x 2^10 < 2^30, so the product fits 64 bits.
  const auto in_hour = static_cast<int64_t>(in * static_cast<uint64_t>(kHourUs) / (r.weight[h] << kFractionBits));
  return origin_us_ + weeks * kWeekUs + static_cast<int64_t>(h) * kHourUs + in_hour;
}

int64_t Births::at(uint64_t row) const {
  // Position row + u with u in (0, 1], as a fraction of 2^kPositionBits.
  const uint64_t u = (position_(row) >> (64 - kPositionBits)) + 1;
  const unsigned __int128 position = (static_cast<unsigned __int128>(row) << kPositionBits) + u;
  const unsigned __int128 scaled = static_cast<unsigned __int128>(base_rows_) << kPositionBits;
  // Whole seconds, as most systems record such times.
  const int64_t t = floor_div(time_of(static_cast<uint64_t>(position * span_ / scaled)), kSecondUs) * kSecondUs;
  // Rounding may put a row a second across the default anchor; the base rows stay at or before it and
  // the later ones after it, so that exactly base_rows x scale rows exist there.
  return row < base_rows_ ? std::min(t, kDefaultAnchorUs) : std::max(t, kDefaultAnchorUs + kSecondUs);
}

// Row i sits at units (i + u) x span / base_rows with u in (0, 1], so the rows below the estimate minus
// one lie a whole row's worth of units before `time_us`, far more than rounding moves them; rounding to
// seconds only makes births earlier. Past the default anchor the base rows end and the others start a
// second after it, which the estimate does not know.
uint64_t Births::surely(int64_t time_us) const {
  if (time_us < origin_us_) return 0;
  const auto k = static_cast<uint64_t>(static_cast<unsigned __int128>(units(time_us)) * base_rows_ / span_);
  const uint64_t out = k < 2 ? 0 : k - 2;
  return time_us < kDefaultAnchorUs + kSecondUs ? std::min(out, base_rows_) : out;
}

uint64_t Births::count(int64_t time_us) const {
  if (time_us < origin_us_) return 0;
  // The estimate is within a row or two; births rise with the row, so stepping settles it exactly.
  auto k = static_cast<uint64_t>(static_cast<unsigned __int128>(units(time_us)) * base_rows_ / span_);
  while (at(k) <= time_us) ++k;
  while (k > 0 && at(k - 1) > time_us) --k;
  return k;
}

}  // namespace superstore::fakedata
