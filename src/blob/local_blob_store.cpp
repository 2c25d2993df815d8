#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <random>
#include <system_error>

#include "blob/blob_key.h"
#include "blob/blob_store.h"
#include "common/error.h"
#include "common/posix_file.h"

namespace superstore::blob {
namespace {

namespace fs = std::filesystem;

std::string describe(const std::string& key) { return "blob '" + key + "'"; }

[[noreturn]] void fail_errno(const std::string& what, const std::string& action, int err) {
  if (is_storage_full(err)) fail_storage_full(err, what);
  fail(ErrorCode::Internal, what + ": " + action + " failed: " + errno_message(err));
}

// Whether `path` is a folder (not following a final symlink, as rename and link do not follow it either).
bool is_folder(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

[[noreturn]] void fail_is_folder(const std::string& key) {
  fail(ErrorCode::Conflict, "blob key '" + key + "' is a folder holding other blobs");
}

// Creates the folders above `key` one by one, so that each new folder's own entry is synced into its
// parent: otherwise a crash could lose the folder and with it a blob that put already reported written.
void make_parent_folders(const fs::path& root, const std::string& key) {
  std::string path = root.string();
  std::string parent = path;
  for (size_t slash = key.find('/'); slash != std::string::npos; slash = key.find('/', slash + 1)) {
    path = root.string() + "/" + key.substr(0, slash);
    if (::mkdir(path.c_str(), 0777) == 0) {
      fsync_dir(parent, describe(key));
    } else if (errno == EEXIST) {
      if (!is_folder(path)) {
        fail(ErrorCode::Conflict, "blob key '" + key + "': '" + key.substr(0, slash) + "' is a blob, not a folder");
      }
    } else {
      fail_errno(describe(key), "creating folder '" + path + "'", errno);
    }
    parent = path;
  }
}

std::string random_suffix() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(engine()));
  return text;
}

// Removes a temp file on every exit path that did not move it into place.
class TempFile {
 public:
  TempFile(const std::string& folder, std::string_view bytes, const std::string& what) {
    Fd fd;
    for (int attempt = 0; fd.get() < 0; ++attempt) {
      path_ = folder + "/" + std::string(kTempNamePrefix) + random_suffix();
      fd = Fd(::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
      if (fd.get() < 0 && (errno != EEXIST || attempt == 10)) fail_errno(what, "creating a temp file", errno);
    }
    try {
      write_all(fd.get(), bytes, what);
      // Data must be on disk before the name points at it, or a crash could leave a complete-looking
      // blob with missing bytes.
      fsync_fd(fd.get(), what);
      fd.close_checked(what);
    } catch (...) {
      ::unlink(path_.c_str());
      throw;
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  const std::string& path() const { return path_; }
  void moved() { path_.clear(); }

 private:
  std::string path_;
};

std::string folder_of(const std::string& path) { return path.substr(0, path.rfind('/')); }

// Links `from` to the new name `to`; false if `to` exists. Falls back to renameat2(RENAME_NOREPLACE) on
// file systems without hard links. Either way the name appears atomically and never replaces a blob.
bool link_no_replace(const std::string& from, const std::string& to, TempFile& temp, const std::string& what) {
  if (::link(from.c_str(), to.c_str()) == 0) return true;
  int err = errno;
  if (err == EEXIST) return false;
  if (err != EPERM && err != EOPNOTSUPP && err != ENOSYS) fail_errno(what, "linking into place", err);
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) {
    temp.moved();
    return true;
  }
  if (errno == EEXIST) return false;
  fail_errno(what, "renaming into place without replacing", errno);
}

void collect_keys(const fs::path& folder, const std::string& key_prefix, std::vector<std::string>& keys) {
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  // A folder that does not exist (or vanished while we walked) simply holds no blobs.
  if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) return;
  if (ec) fail(ErrorCode::Internal, "listing blob folder '" + folder.string() + "' failed: " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) fail(ErrorCode::Internal, "listing blob folder '" + folder.string() + "' failed: " + ec.message());
    std::string key = key_prefix + it->path().filename().string();
    // Skips temp files, and names no key could have (made by something else), so every listed key is
    // usable with get.
    if (key_problem(key)) continue;
    fs::file_status status = it->symlink_status(ec);
    if (ec) continue;  // removed since the folder was read
    if (fs::is_directory(status)) {
      collect_keys(it->path(), key + "/", keys);
    } else if (fs::is_regular_file(status)) {
      keys.push_back(std::move(key));
    }
  }
}

}  // namespace

LocalBlobStore::LocalBlobStore(const fs::path& root) : root_(fs::absolute(root).lexically_normal()) {
  if (!root_.has_filename()) root_ = root_.parent_path();  // "/x/y/" -> "/x/y"
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec || !fs::is_directory(root_)) {
    fail(ErrorCode::Internal, "blob store folder '" + root_.string() +
                                  "' cannot be created: " + (ec ? ec.message() : "a file is in the way"));
  }
}

void LocalBlobStore::put(const std::string& key, std::string_view bytes) {
  validate_blob_key(key);
  std::string path = (root_ / key).string();
  make_parent_folders(root_, key);
  TempFile temp(folder_of(path), bytes, describe(key));
  if (::rename(temp.path().c_str(), path.c_str()) != 0) {
    if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) fail_is_folder(key);
    fail_errno(describe(key), "renaming into place", errno);
  }
  temp.moved();
  fsync_dir(folder_of(path), describe(key));
}

bool LocalBlobStore::put_if_absent(const std::string& key, std::string_view bytes) {
  validate_blob_key(key);
  std::string path = (root_ / key).string();
  make_parent_folders(root_, key);
  TempFile temp(folder_of(path), bytes, describe(key));
  if (!link_no_replace(temp.path(), path, temp, describe(key))) {
    if (is_folder(path)) fail_is_folder(key);
    return false;
  }
  fsync_dir(folder_of(path), describe(key));
  return true;
}

std::string LocalBlobStore::get(const std::string& key) {
  std::optional<std::string> bytes = get_if_exists(key);
  if (!bytes) fail(ErrorCode::NotFound, describe(key) + " does not exist");
  return std::move(*bytes);
}

std::optional<std::string> LocalBlobStore::get_if_exists(const std::string& key) {
  validate_blob_key(key);
  std::string path = (root_ / key).string();
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    fail_errno(describe(key), "opening", errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail_errno(describe(key), "stat", errno);
  if (!S_ISREG(st.st_mode)) return std::nullopt;  // a folder
  return read_all(fd.get(), describe(key));
}

bool LocalBlobStore::exists(const std::string& key) {
  validate_blob_key(key);
  struct stat st {};
  if (::stat((root_ / key).c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return false;
    fail_errno(describe(key), "stat", errno);
  }
  return S_ISREG(st.st_mode);
}

uint64_t LocalBlobStore::size(const std::string& key) {
  validate_blob_key(key);
  struct stat st {};
  if (::stat((root_ / key).c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) fail(ErrorCode::NotFound, describe(key) + " does not exist");
    fail_errno(describe(key), "stat", errno);
  }
  if (!S_ISREG(st.st_mode)) fail(ErrorCode::NotFound, describe(key) + " does not exist (it is a folder)");
  return static_cast<uint64_t>(st.st_size);
}

std::vector<std::string> LocalBlobStore::list(const std::string& prefix) {
  std::string folder = folder_prefix(prefix);
  std::vector<std::string> keys;
  collect_keys(folder.empty() ? root_ : root_ / folder, folder, keys);
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::vector<BlobInfo> LocalBlobStore::list_info(const std::string& prefix) {
  std::vector<BlobInfo> out;
  for (auto& key : list(prefix)) {
    struct stat st {};
    if (::stat((root_ / key).c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue;  // removed since the listing
      fail_errno(describe(key), "stat", errno);
    }
    const int64_t modified = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
    out.push_back({std::move(key), static_cast<uint64_t>(st.st_size), modified});
  }
  return out;
}

// Empty folders are left behind on purpose: removing them could race with a put that has just created
// the folder and is about to rename its file into it. No fsync either: a removal lost in a crash only
// leaves an unreferenced file, which a later vacuum removes again.
void LocalBlobStore::remove(const std::string& key) {
  validate_blob_key(key);
  if (::unlink((root_ / key).c_str()) != 0 && errno != ENOENT && errno != ENOTDIR && errno != EISDIR) {
    fail_errno(describe(key), "removing", errno);
  }
}

std::optional<fs::path> LocalBlobStore::local_path(const std::string& key) {
  validate_blob_key(key);
  return root_ / key;
}

}  // namespace superstore::blob
