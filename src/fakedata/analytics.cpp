// fake_analytics: web sessions of fake_users with daily and weekly rhythm in local time, device and
// browser mixes of the visitor's country, and duration, page views, bounce and conversion correlated the
// way real traffic is.
#include <algorithm>
#include <array>
#include <span>

#include "fakedata/products.h"
#include "fakedata/users.h"

namespace superstore::fakedata {
namespace {

constexpr std::string_view kTable = "fake_analytics";
constexpr uint64_t kBaseRows = 10'000;

enum Column {
  kId,
  kEventDate,
  kUserId,
  kPagePath,
  kSessionDuration,
  kPageViews,
  kBounceRate,
  kConversion,
  kDeviceType,
  kBrowser,
  kCountry
};
// The columns that describe the visit: landing page and what the session did there.
constexpr ColumnMask kVisitColumns = (ColumnMask{1} << kPagePath) | (ColumnMask{1} << kSessionDuration) |
                                     (ColumnMask{1} << kPageViews) | (ColumnMask{1} << kBounceRate) |
                                     (ColumnMask{1} << kConversion);

// The base visits came in the year before the default anchor.
constexpr int64_t kHistoryUs = kYearUs;
// Of the visits from a user's own country, how many tries to find a user living there before taking a
// visitor from abroad.
constexpr uint32_t kHomeTries = 6;

// Sessions continuing past the first page, by extra pages beyond the second.
const WeightedTable& extra_pages_table() {
  static const WeightedTable table({22, 20, 16, 12, 9, 7, 5, 4, 3, 0, 1, 0, 0, 1});
  return table;
}

// Per kind of landing page, indexed by PageKind: how often a session leaves at once, and how often it
// converts. Bounce rates follow typical web-analytics figures (content pages high, checkout low).
struct Behaviour {
  int64_t bounce_bp;
  int64_t conversion_bp;
};
constexpr std::array<Behaviour, 8> kBehaviour = {{
    {4'200, 150},    // landing
    {3'400, 250},    // browse
    {3'800, 450},    // product
    {2'600, 300},    // search
    {1'800, 1'200},  // cart
    {900, 3'500},    // checkout
    {2'200, 200},    // account
    {5'600, 80},     // content
}};
// Small screens bounce more and buy less.
constexpr std::array<int64_t, 3> kDeviceBounceBp = {0, 600, 300};           // indexed by Device
constexpr std::array<int64_t, 3> kDeviceConversionPercent = {100, 70, 90};  // indexed by Device

// A search query as it appears in a URL: "Chef's Knife" -> "chef%27s+knife".
void write_query(std::string_view words, Text& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : words) {
    const auto u = static_cast<unsigned char>(c);
    if (c >= 'A' && c <= 'Z') {
      out << static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_') {
      out << c;
    } else if (c == ' ') {
      out << '+';
    } else {
      out << '%' << kHex[u >> 4] << kHex[u & 15];
    }
  }
}

class Sessions {
 public:
  explicit Sessions(const Params& params)
      : words_(word_lists()),
        users_(params),
        products_(params),
        births_(params, kTable, kBaseRows, kHistoryUs),
        user_id_(params, kTable, "user_id"),
        country_(params, kTable, "country"),
        device_type_(params, kTable, "device_type"),
        browser_(params, kTable, "browser"),
        page_path_(params, kTable, "page_path"),
        bounce_rate_(params, kTable, "bounce_rate"),
        bounced_(params, kTable, "(bounced)"),
        page_views_(params, kTable, "page_views"),
        session_duration_(params, kTable, "session_duration"),
        conversion_(params, kTable, "conversion") {}

  // Appends row `row` to the wanted columns of `out`. The partition and sort keys (country, device type,
  // event time) and id are always made; user_id and the visit itself only when one of their columns is
  // wanted.
  void append(uint64_t row, ColumnMask columns, ColumnBatch& out, Text& text) const {
    // The visit's time comes first, and its country by how busy each country is at that hour (births.h):
    // so every country's visits follow its own local day and week. The visitor is mostly someone living
    // there; some visits come from abroad (travel, VPNs).
    const int64_t at = births_.at(row);
    const Country& country =
        words_.countries[rhythm().country[static_cast<size_t>(hour_of_week(at))].pick(country_(row, 1))];
    const size_t device = country.devices.pick(device_type_(row));
    out[kId].push_int(static_cast<int64_t>(row + 1));
    out[kEventDate].push_int(at);
    // The visitor only when wanted: the keys alone (the write path's first pass) do not need it, and
    // its picks cost about a quarter of the row.
    if (wants(columns, kUserId)) {
      const Users::Candidates candidates = users_.candidates(at);
      uint64_t user = users_.pick(user_id_(row, 0), user_id_(row, 1), candidates);
      if (chance_bp(country_(row, 0), 9'000)) {
        for (uint32_t attempt = 1; attempt < kHomeTries && &users_.country(user) != &country; ++attempt) {
          user = users_.pick(user_id_(row, 2 * attempt), user_id_(row, 2 * attempt + 1), candidates);
        }
      }
      out[kUserId].push_int(static_cast<int64_t>(user + 1));
    }
    out[kDeviceType].push_string(kDeviceNames[device]);
    out[kCountry].push_string(country.code);
    if (wants(columns, kBrowser)) out[kBrowser].push_string(country.browsers[device].pick(browser_(row)));
    if ((columns & kVisitColumns) == 0) return;

    const Page& page = words_.pages[words_.page_table.pick(page_path_(row, 0))];
    const Behaviour& behaviour = kBehaviour[static_cast<size_t>(page.kind)];
    const int64_t bounce_bp = std::clamp<int64_t>(
        behaviour.bounce_bp + kDeviceBounceBp[device] + in_range(bounce_rate_(row), -800, 800), 300, 9'700);
    // The row's bounce_rate is the bounce probability of its page, device and day; the session bounces
    // with exactly that probability, which is what ties the two together in queries.
    const bool bounced = chance_bp(bounced_(row), bounce_bp);
    int64_t pages = 1;
    int64_t duration_s;
    if (bounced) {
      duration_s = static_cast<int64_t>(low_biased(session_duration_(row, 0), 46));
    } else {
      pages = 2 + static_cast<int64_t>(extra_pages_table().pick(page_views_(row)));
      const int64_t dwell_s = 15 + static_cast<int64_t>(low_biased(session_duration_(row, 0), 150));
      duration_s = std::min<int64_t>(4 * 3600, pages * dwell_s + in_range(session_duration_(row, 1), 0, 59));
    }
    bool converted = false;
    if (!bounced) {
      int64_t conversion_bp = behaviour.conversion_bp * kDeviceConversionPercent[device] / 100;
      if (pages >= 6) conversion_bp *= 2;
      if (duration_s >= 300) conversion_bp = conversion_bp * 3 / 2;
      converted = chance_bp(conversion_(row), std::min<int64_t>(conversion_bp, 9'000));
    }
    text.clear();
    write_path(row, at, page, text);
    out[kPagePath].push_string(text.view());
    out[kSessionDuration].push_int(duration_s);
    out[kPageViews].push_int(pages);
    out[kBounceRate].push_double(static_cast<double>(bounce_bp) / 10'000.0);
    out[kConversion].push_bool(converted);
  }

 private:
  void write_path(uint64_t row, int64_t at, const Page& page, Text& out) const {
    const std::string_view path = page.path;
    const size_t open = path.find('{');
    if (open == std::string_view::npos) {
      out << path;
      return;
    }
    const size_t close = path.find('}', open);
    const std::string_view placeholder = path.substr(open + 1, close - open - 1);
    out << path.substr(0, open);
    if (placeholder == "category") {
      out << words_.categories[words_.category_table.pick(page_path_(row, 1))].slug;
    } else if (placeholder == "product") {
      out << products_.pick(page_path_(row, 1), page_path_(row, 2), at) + 1;
    } else if (placeholder == "query") {
      write_query(words_.all_kinds[below(page_path_(row, 1), words_.all_kinds.size())]->name, out);
    }
    out << path.substr(close + 1);
  }

  const WordLists& words_;
  Users users_;
  Products products_;
  Births births_;
  Stream user_id_, country_, device_type_, browser_, page_path_, bounce_rate_, bounced_;
  Stream page_views_, session_duration_, conversion_;
};

void fill(const Params& params, std::span<const uint64_t> rows, ColumnMask columns, ColumnBatch& out) {
  const Sessions sessions(params);
  Text text;
  for (const uint64_t row : rows) sessions.append(row, columns, out, text);
}

}  // namespace

FakeTable analytics_table() {
  TableSpec spec;
  spec.name = std::string(kTable);
  spec.description =
      "Web sessions of fake_users, a steady stream with a daily and weekly rhythm: landing page, duration in seconds, "
      "page "
      "views, bounce rate, conversion, device, browser and ISO 3166 country code.";
  // In the order of the Column enum above.
  spec.columns = {{"id", ColumnType::Int64},
                  {"event_date", ColumnType::Timestamp},
                  {"user_id", ColumnType::Int64},
                  {"page_path", ColumnType::String},
                  {"session_duration", ColumnType::Int32},
                  {"page_views", ColumnType::Int32},
                  {"bounce_rate", ColumnType::Float64},
                  {"conversion", ColumnType::Boolean},
                  {"device_type", ColumnType::String},
                  {"browser", ColumnType::String},
                  {"country", ColumnType::String}};
  spec.partition_keys = {"country", "device_type"};
  spec.sort_keys = {"event_date"};
  spec.target_file_bytes = kSelectiveFileBytes;
  spec.base_rows = kBaseRows;
  spec.born = [](const Params& params) {
    return Births(params, kTable, kBaseRows, kHistoryUs).count(params.anchor_us);
  };
  return {std::move(spec), fill};
}

}  // namespace superstore::fakedata
