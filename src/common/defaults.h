// Defaults and limits that more than one layer needs, each stated once. The layer that applies one may
// re-export it under its own name (fakedata::kDefaultSeed is kDefaultFakeDataSeed), never copy the figure.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace superstore {

// FAKE_DATA_SEED, `fake-data --seed`: the seed of the fake tables when none is given.
inline constexpr uint64_t kDefaultFakeDataSeed = 42;
// Seeds are taken from users as int64 (the catalog stores them as JSON integers); negative ones are refused.
inline constexpr int64_t kMaxFakeDataSeed = INT64_MAX;
// FAKE_DATA_SCALE, `fake-data --scale`: at least 1 and at most this. The generators' bound: every row
// index stays far below their PRNG's 2^48 rows (fakedata/random.h), and every table below 2^32 rows.
inline constexpr int64_t kMaxFakeDataScale = 1'000'000;

// QUERY_TIME_LIMIT: how long a user query may run unless configured otherwise.
inline constexpr std::chrono::seconds kDefaultQueryTimeLimit{30};

// MAX_UPLOAD_BYTES: the largest upload of rows (config and server); 1 GiB.
inline constexpr int64_t kDefaultMaxUploadBytes = 1LL << 30;
// UPLOAD_PART_BYTES: the size of the first part a large CSV upload is imported in while it arrives (the
// next ones grow to four times it); 64 MiB.
inline constexpr int64_t kDefaultUploadPartBytes = 64LL << 20;

// MAX_DOWNLOAD_BYTES: the largest result of POST /execute in a download format (CSV, NDJSON, Parquet,
// Arrow), which is written to DATA_DIR/tmp while it is sent; 8 GiB.
inline constexpr int64_t kDefaultMaxDownloadBytes = 8LL << 30;

// LOGIN_FAILURES_PER_ADDRESS: failed logins one client address may make per minute, over all emails.
// Twenty leaves room for a person mistyping and for a few people behind one NAT, and holds a guesser to
// 28,800 guesses a day instead of the argon2id check's thousands a minute.
inline constexpr int64_t kDefaultLoginFailuresPerAddress = 20;

// FAKE_DATA_KEEP_DROPPED: how many dropped generations of each fake table a reset keeps (older ones lose
// their files and catalog entries). One keeps the generation a reset just replaced, which the reset's
// answer names and which a query that began before it may still be reading.
inline constexpr int64_t kDefaultFakeDataKeepDropped = 1;

// MAX_RESULT_BYTES: the largest JSON answer of POST /execute (64 MiB). The answer is built in memory, at
// several times its size while it is converted; larger results go out as downloads, which stream.
inline constexpr int64_t kDefaultMaxResultBytes = 64LL << 20;

// QUERY_MEMORY_LIMIT, when unset: this share of the machine's memory for each DuckDB engine (DuckDB's own
// default is 80%, which leaves too little for the answers the server builds outside DuckDB).
inline constexpr int kDefaultQueryMemoryPercent = 50;

// CACHE_BYTES: with WAREHOUSE_URL=s3://..., the local copies of Parquet files queries read (10 GiB).
inline constexpr int64_t kDefaultCacheBytes = 10LL << 30;
// FAKE_DATA_MEMORY: what the keys of regenerable writes (fake data above all) may hold at once before
// they spill sorted runs to DATA_DIR/tmp, and the least it may be set to.
inline constexpr int64_t kDefaultFakeDataMemory = 1LL << 30;
inline constexpr int64_t kMinFakeDataMemory = 1LL << 20;
// S3_PART_BYTES: objects above this go up as multipart uploads of parts this large (16 MiB).
inline constexpr int64_t kDefaultS3PartBytes = 16LL << 20;

// The catalog's file inside DATA_DIR.
inline constexpr std::string_view kCatalogFileName = "catalog.db";

}  // namespace superstore
