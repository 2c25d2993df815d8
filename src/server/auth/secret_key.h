// The token signing key: 32 random bytes in DATA_DIR/secret.key, made on first start and reused after,
// so tokens stay valid across restarts. Whoever reads this file can mint tokens for any user.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>

namespace superstore::server {

// Key bytes that are wiped from memory when the object goes away.
class SecretKey {
 public:
  static constexpr size_t kSize = 32;
  explicit SecretKey(const std::array<unsigned char, kSize>& bytes) : bytes_(bytes) {}
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  ~SecretKey();

  const unsigned char* data() const { return bytes_.data(); }

 private:
  std::array<unsigned char, kSize> bytes_;
};

// Reads the key at `path`, or — when no file exists there — creates the folder if needed and writes a fresh
// random key with mode 0600. The new file appears under its name only once complete, and creation cannot
// overwrite a key another process made first (it reads that one instead).
// Throws Error(Internal) with the path and the fix when the file exists with a size other than 32 bytes,
// is not a regular file, or cannot be read or written. A key readable by group or others is used, with a
// warning in the log.
SecretKey load_or_create_secret_key(const std::filesystem::path& path);

}  // namespace superstore::server
