#include "storage/temp_sweep.h"

#include <cstdint>
#include <string>
#include <system_error>

namespace superstore::storage {
namespace {

bool ours(const std::string& name) {
  return name.rfind("upload-", 0) == 0 || name.rfind("result-", 0) == 0 || name.rfind("checkpoint-", 0) == 0 ||
         name.rfind("spill-", 0) == 0;
}

}  // namespace

SweepReport sweep_temp_dir(const std::filesystem::path& dir, std::filesystem::file_time_type started) {
  SweepReport report;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::error_code file_ec;
    if (!ours(it->path().filename().string()) || !it->is_regular_file(file_ec)) continue;
    const auto modified = std::filesystem::last_write_time(it->path(), file_ec);
    if (file_ec || modified >= started) continue;
    const std::uintmax_t size = std::filesystem::file_size(it->path(), file_ec);
    const int64_t bytes = file_ec ? 0 : static_cast<int64_t>(size);
    if (std::filesystem::remove(it->path(), file_ec) && !file_ec) {
      ++report.files;
      report.bytes += bytes;
    }
  }
  return report;
}

}  // namespace superstore::storage
