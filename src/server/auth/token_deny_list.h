// Tokens revoked by logout before they expire. Tokens are stateless, so logout cannot destroy them; the
// client is expected to discard its token, and this list additionally makes the server refuse it until its
// expiry. The list lives in memory only: after a restart a logged-out token is accepted again until it
// expires (at most one token lifetime).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace superstore::server {

// Thread-safe.
class TokenDenyList {
 public:
  // Refuses `token` until `expires_at` (seconds since the epoch). Entries already expired at `now` are
  // dropped on the way, so the list never outgrows the tokens still alive.
  void deny(std::string_view token, int64_t expires_at, int64_t now);
  // Whether `token` was denied. Only meaningful for tokens that passed verification.
  bool is_denied(std::string_view token) const;
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int64_t> denied_;  // signature segment -> expiry
};

}  // namespace superstore::server
