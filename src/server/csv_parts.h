// An upload's CSV body cut into part files as it arrives, so that the import can read the first parts
// while the rest still comes (Warehouse::insert_csv_parts). A part ends at the first record end (a newline
// outside quotes) after its size, and every part after the first starts with a copy of the header line.
// The first part is UPLOAD_PART_BYTES, so that the import starts early; each next one doubles, up to four
// times that, since every part is a statement of its own whose start and end leave DuckDB's threads
// partly idle (bench/README.md, session 18). RFC 4180 quoting makes the cut exact: every '"' opens or
// closes a quoted field (a doubled quote closes and opens again), so a newline is inside a field exactly
// when an odd number of quotes came before.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/posix_file.h"
#include "storage/warehouse.h"

namespace superstore::server {

class CsvParts {
 public:
  static constexpr size_t kPartDoublings = 2;  // parts grow to 2^2 times the first
  // Part files go to `dir`, named `stem`-N.csv; `ready` receives each part as it is complete. The first
  // part is about `part_bytes`.
  CsvParts(std::filesystem::path dir, std::string stem, int64_t part_bytes,
           std::function<void(const storage::CsvPart&)> ready);
  // Removes every part file that is still there.
  ~CsvParts();
  CsvParts(const CsvParts&) = delete;
  CsvParts& operator=(const CsvParts&) = delete;

  // The next bytes of the body.
  void write(const char* data, size_t size);
  // The body has ended: hands out the last part (unless it holds nothing but the header).
  void finish();

 private:
  void open_part();
  int64_t part_limit(size_t index) const;   // the size of part `index` (0 the first)
  void put(const char* data, size_t size);  // into the current part, counting quotes and newlines
  void hand_out();

  std::filesystem::path dir_;
  std::string stem_;
  int64_t part_bytes_;
  int64_t part_limit_ = 0;  // the current part's size
  std::function<void(const storage::CsvPart&)> ready_;
  std::vector<std::filesystem::path> paths_;
  Fd out_;
  int64_t part_size_ = 0;   // bytes in the current part, its copy of the header included
  int64_t first_line_ = 2;  // the upload's line number of the current part's first record
  int64_t lines_ = 0;       // newlines in the body so far
  bool quoted_ = false;     // inside a quoted field after the bytes so far
  bool header_known_ = false;
  std::string header_;  // the body's first line, its newline included
};

}  // namespace superstore::server
