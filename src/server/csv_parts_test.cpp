// CsvParts on its own: where a body is cut, how large the parts grow, and that the parts give the body back.
#include "server/csv_parts.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace superstore::server {
namespace {

struct Part {
  std::string text;
  int64_t first_line;
};

// Every fifth record's note is quoted and spans two lines, every seventh holds a doubled quote.
std::string records(size_t bytes, size_t& longest) {
  std::string body;
  longest = 0;
  for (int i = 0; body.size() < bytes; ++i) {
    std::string note = "note " + std::to_string(i);
    if (i % 5 == 0) note = "\"first " + std::to_string(i) + "\nsecond, " + std::to_string(i) + "\"";
    if (i % 7 == 0) note = "\"say \"\"hi\"\" " + std::to_string(i) + "\"";
    const std::string record = std::to_string(i) + "," + note + "\n";
    longest = std::max(longest, record.size());
    body += record;
  }
  return body;
}

TEST(CsvParts, PartsGrowFromTheFirstSizeToFourTimesItEndAtRecordEndsAndGiveTheBodyBack) {
  const auto dir = std::filesystem::temp_directory_path() / ("csv_parts_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string header = "id,note\n";
  size_t longest = 0;
  const std::string body = header + records(300'000, longest);
  constexpr int64_t kFirst = 4096;
  std::vector<Part> parts;
  {
    CsvParts cutter(dir, "upload", kFirst, [&](const storage::CsvPart& p) {
      const Fd in(::open(p.file.c_str(), O_RDONLY | O_CLOEXEC));
      parts.push_back({read_all(in.get(), p.file.string()), p.first_line});
    });
    // Pieces of an odd size, so that cuts fall anywhere inside them.
    for (size_t at = 0; at < body.size(); at += 1000)
      cutter.write(body.data() + at, std::min<size_t>(1000, body.size() - at));
    cutter.finish();
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "the part files go with the CsvParts";
  std::filesystem::remove_all(dir);

  ASSERT_GT(parts.size(), 10u);
  std::string rebuilt;
  for (size_t k = 0; k < parts.size(); ++k) {
    SCOPED_TRACE("part " + std::to_string(k));
    const std::string& text = parts[k].text;
    ASSERT_EQ(text.rfind(header, 0), 0u) << "every part starts with the header";
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(std::count(text.begin(), text.end(), '"') % 2, 0) << "a part ends outside quotes";
    // The part's first record is on this line of the body.
    const std::string before = header + rebuilt;
    EXPECT_EQ(parts[k].first_line, 1 + static_cast<int64_t>(std::count(before.begin(), before.end(), '\n')));
    rebuilt += text.substr(header.size());
    if (k + 1 == parts.size()) break;  // the last part is what is left
    const int64_t size = kFirst << std::min<size_t>(k, 2);
    EXPECT_GE(static_cast<int64_t>(text.size()), size);
    EXPECT_LE(static_cast<int64_t>(text.size()), size + static_cast<int64_t>(longest));
  }
  EXPECT_EQ(header + rebuilt, body);
}

}  // namespace
}  // namespace superstore::server
