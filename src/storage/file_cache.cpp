#include "storage/file_cache.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "common/error.h"

namespace superstore::storage {
namespace fs = std::filesystem;

namespace {

std::string temp_name(const fs::path& final_path) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return final_path.string() + ".ss-tmp-" + std::to_string(random());
}

}  // namespace

fs::path FileCache::process_dir(const fs::path& cache_dir) {
  fs::create_directories(cache_dir);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(cache_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos || name.size() > 9) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
  return cache_dir / std::to_string(::getpid());
}

FileCache::FileCache(fs::path dir, uint64_t max_bytes, Download download, Upload upload, int threads)
    : dir_(std::move(dir)),
      max_bytes_(max_bytes),
      download_(std::move(download)),
      upload_(std::move(upload)),
      threads_(std::max(1, threads)) {
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::create_directories(dir_);
  dir_ = fs::canonical(dir_);
}

FileCache::~FileCache() = default;

void FileCache::erase_locked(std::map<std::string, Entry>::iterator it) {
  std::error_code ec;
  fs::remove(dir_ / it->first, ec);
  stats_.bytes -= it->second.size;
  lru_.erase(it->second.lru);
  entries_.erase(it);
}

// Least recently used first, skipping pinned files and files still downloading; may stay above the bound
// while pins hold more than it.
void FileCache::evict_locked() {
  auto it = lru_.end();  // the file after the candidate; erasing the candidate leaves it valid
  while (stats_.bytes > max_bytes_ && it != lru_.begin()) {
    auto candidate = std::prev(it);
    auto entry = entries_.find(*candidate);
    if (entry->second.pins > 0 || !entry->second.ready) {
      it = candidate;
      continue;
    }
    erase_locked(entry);
    ++stats_.evictions;
  }
}

void FileCache::release(const std::vector<std::string>& keys) {
  std::lock_guard lock(mutex_);
  for (const auto& key : keys) {
    auto it = entries_.find(key);
    if (it != entries_.end()) --it->second.pins;
  }
  evict_locked();
}

FileCache::Pin FileCache::fetch(const std::string& root_key, const std::vector<AddFile>& files) {
  std::vector<std::string> keys;
  std::vector<std::pair<std::string, uint64_t>> missing;
  std::vector<std::string> wait_for;
  uint64_t wanted = 0;
  for (const auto& f : files) wanted += static_cast<uint64_t>(std::max<int64_t>(f.size, 0));
  if (wanted > max_bytes_) {
    fail(ErrorCode::TooLarge, "the query reads " + std::to_string(wanted) + " bytes of table files from '" + root_key +
                                  "', more than the local file cache holds (CACHE_BYTES=" + std::to_string(max_bytes_) +
                                  "); raise CACHE_BYTES or read fewer versions");
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& f : files) {
      const std::string key = root_key + "/" + f.path;
      auto [it, added] = entries_.try_emplace(key);
      Entry& e = it->second;
      if (added) {
        e.size = static_cast<uint64_t>(std::max<int64_t>(f.size, 0));
        lru_.push_front(key);
        e.lru = lru_.begin();
        stats_.bytes += e.size;
        missing.emplace_back(key, e.size);
        ++stats_.misses;
      } else {
        lru_.splice(lru_.begin(), lru_, e.lru);
        if (!e.ready) wait_for.push_back(key);
        ++stats_.hits;
      }
      ++e.pins;
      keys.push_back(key);
    }
    evict_locked();
  }

  // Downloads side by side, a copy appearing under its name only once complete.
  std::atomic<size_t> next{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto worker = [&] {
    for (size_t i; (i = next++) < missing.size();) {
      const auto& [key, size] = missing[i];
      const fs::path final_path = dir_ / key;
      const fs::path temp = temp_name(final_path);
      try {
        fs::create_directories(final_path.parent_path());
        download_(key, temp);
        fs::rename(temp, final_path);
        std::lock_guard lock(mutex_);
        entries_[key].ready = true;
        stats_.bytes_downloaded += size;
      } catch (...) {
        std::error_code ec;
        fs::remove(temp, ec);
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = missing.size();  // no point in fetching the rest
      }
    }
  };
  if (!missing.empty()) {
    std::vector<std::thread> helpers;
    const size_t n = std::min<size_t>(static_cast<size_t>(threads_), missing.size());
    for (size_t t = 1; t < n; ++t) helpers.emplace_back(worker);
    worker();
    for (auto& h : helpers) h.join();
  }
  std::unique_lock lock(mutex_);
  std::set<std::string> gone;  // entries dropped with the pins they held
  if (failure) {
    // Not downloaded: forget those, so that the next query tries again.
    for (const auto& [key, size] : missing) {
      auto it = entries_.find(key);
      if (it != entries_.end() && !it->second.ready) {
        erase_locked(it);
        gone.insert(key);
      }
    }
  }
  ready_.notify_all();
  if (!failure) {
    for (const auto& key : wait_for) {
      ready_.wait(lock, [&] {
        auto it = entries_.find(key);
        return it == entries_.end() || it->second.ready;
      });
      if (!entries_.count(key)) {
        gone.insert(key);
        break;
      }
    }
  }
  if (failure || !gone.empty()) {
    for (const auto& key : keys) {
      if (auto it = entries_.find(key); it != entries_.end() && !gone.count(key)) --it->second.pins;
    }
    evict_locked();
    lock.unlock();
    if (failure) std::rethrow_exception(failure);
    fail(ErrorCode::Internal,
         "could not copy '" + *gone.begin() + "' from the warehouse: another query's download of it failed; try again");
  }
  return Pin(this, [this, keys](void*) { release(keys); });
}

void FileCache::upload(const std::string& key) {
  const fs::path file = dir_ / key;
  try {
    const uint64_t size = fs::file_size(file);
    upload_(key, file);
    std::lock_guard lock(mutex_);
    auto [it, added] = entries_.try_emplace(key);
    if (added) {
      it->second.size = size;
      it->second.ready = true;
      lru_.push_front(key);
      it->second.lru = lru_.begin();
      stats_.bytes += size;
      evict_locked();
    }
  } catch (...) {
    std::error_code ec;
    fs::remove(file, ec);
    throw;
  }
}

void FileCache::forget(const std::string& prefix) {
  const std::string folder = prefix + "/";
  std::lock_guard lock(mutex_);
  for (auto it = entries_.lower_bound(folder); it != entries_.end() && it->first.starts_with(folder);) {
    auto next = std::next(it);
    if (it->second.pins == 0 && it->second.ready) erase_locked(it);
    it = next;
  }
}

void FileCache::discard(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    std::error_code ec;
    fs::remove(dir_ / key, ec);
  } else if (it->second.pins == 0 && it->second.ready) {
    erase_locked(it);
  }
}

FileCache::Stats FileCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace superstore::storage
