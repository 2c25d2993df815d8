// Long-lived DuckDB connections for user queries (internal to storage/). Each keeps the temp view of every
// table it has read, named after the table, with the snapshot it reads, so that a request whose tables
// have not changed reuses the views instead of opening a connection and building them again. Which views
// a request may keep is Warehouse::query's decision; this only hands out and takes back sessions.
//
// Thread safety: take() and the return of a lease may run on any thread; a leased session belongs to the
// one thread holding the lease until the lease ends.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "query/database.h"

namespace superstore::storage {

// What one temp view reads: a table at a version, all its files or (`pruned`) only those at the indexes
// `files` of the snapshot's file list. `pinned` marks a time-travel view (a requested version rather than
// the latest at the time). A view serves another request only when all of this is equal.
struct ViewSnapshot {
  int64_t table_id = 0;
  int64_t version = -1;
  bool pinned = false;
  bool pruned = false;
  std::vector<uint32_t> files;
  bool operator==(const ViewSnapshot&) const = default;
};

struct QuerySession {
  explicit QuerySession(const query::Database& engine) : conn(engine) {}
  query::Connection conn;
  std::map<std::string, ViewSnapshot> views;  // by lowercased table name, which is also the view's name
};

class QuerySessions {
 public:
  // Keeps at most `max_idle` sessions between requests; any more are closed when returned.
  QuerySessions(const query::Database& engine, size_t max_idle);

  // A session for one request. It goes back to the pool when the lease ends only after keep(): a request
  // that failed part-way may have left its views half updated, so its session is closed instead.
  class Lease {
   public:
    Lease(QuerySessions& pool, std::unique_ptr<QuerySession> session) : pool_(pool), session_(std::move(session)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    QuerySession& operator*() const { return *session_; }
    QuerySession* operator->() const { return session_.get(); }
    void keep() { keep_ = true; }

   private:
    QuerySessions& pool_;
    std::unique_ptr<QuerySession> session_;
    bool keep_ = false;
  };

  Lease take();
  size_t idle() const;

 private:
  const query::Database& engine_;
  const size_t max_idle_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<QuerySession>> idle_;
};

}  // namespace superstore::storage
