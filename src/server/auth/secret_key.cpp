#include "server/auth/secret_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/log.h"
#include "common/posix_file.h"
#include "server/auth/sodium_setup.h"

namespace superstore::server {
namespace {

[[noreturn]] void fail_io(const std::string& what, const std::filesystem::path& path, int err) {
  fail(ErrorCode::Internal, what + " " + path.string() + ": " + errno_message(err));
}

// Returns false when `path` does not exist.
bool read_key(const std::filesystem::path& path, std::array<unsigned char, SecretKey::kSize>& key) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) {
    if (errno == ENOENT) return false;
    fail_io("cannot open the token signing key", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail_io("cannot inspect the token signing key", path, errno);
  if (!S_ISREG(st.st_mode)) {
    fail(ErrorCode::Internal, "the token signing key " + path.string() + " is not a regular file; remove it");
  }
  if (st.st_size != static_cast<off_t>(SecretKey::kSize)) {
    fail(ErrorCode::Internal, "the token signing key " + path.string() + " has " + std::to_string(st.st_size) +
                                  " bytes instead of " + std::to_string(SecretKey::kSize) +
                                  "; restore the right file, or delete it to make a new key (this logs "
                                  "everybody out)");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    log::warn("the token signing key " + path.string() + " is accessible to other users; restrict it with chmod 600");
  }
  std::string bytes = read_all(fd.get(), "cannot read the token signing key " + path.string());
  const bool whole = bytes.size() == key.size();
  if (whole) std::memcpy(key.data(), bytes.data(), key.size());
  sodium_memzero(bytes.data(), bytes.size());
  if (!whole) fail(ErrorCode::Internal, "the token signing key " + path.string() + " changed while it was read");
  return true;
}

// Writes a complete key to a private temporary file, then links it into place: link() fails with EEXIST
// instead of replacing, so the first of several racing processes wins and nobody ever sees a partial key.
// mkstemp creates the file with O_EXCL and mode 0600, so the key is never readable by others, whatever
// the umask.
void create_key(const std::filesystem::path& path) {
  std::array<unsigned char, SecretKey::kSize> key{};
  randombytes_buf(key.data(), key.size());
  std::string tmp = path.string() + ".tmp-XXXXXX";
  int raw = ::mkstemp(tmp.data());
  if (raw < 0) fail_io("cannot create the token signing key next to", path, errno);
  Fd fd(raw);
  const std::string what = "cannot write the token signing key " + path.string();
  try {
    write_all(fd.get(), std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), what);
    fsync_fd(fd.get(), what);
    fd.close_checked(what);
  } catch (...) {
    sodium_memzero(key.data(), key.size());
    ::unlink(tmp.c_str());
    throw;
  }
  sodium_memzero(key.data(), key.size());
  int linked = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && err != EEXIST) fail_io("cannot create the token signing key", path, err);
  // Best effort: without it a crash right after start could forget the new key, which only logs people out.
  try {
    fsync_dir(path.has_parent_path() ? path.parent_path().string() : ".", what);
  } catch (const Error&) {  // the key is in place; only its surviving a crash is in doubt
  }
}

}  // namespace

SecretKey::~SecretKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

SecretKey load_or_create_secret_key(const std::filesystem::path& path) {
  ensure_sodium();
  std::array<unsigned char, SecretKey::kSize> key{};
  if (!read_key(path, key)) {
    std::error_code ec;
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) fail(ErrorCode::Internal, "cannot create the folder " + path.parent_path().string() + ": " + ec.message());
    create_key(path);
    if (!read_key(path, key)) fail(ErrorCode::Internal, "the token signing key " + path.string() + " vanished");
  }
  SecretKey result(key);
  sodium_memzero(key.data(), key.size());
  return result;
}

}  // namespace superstore::server
