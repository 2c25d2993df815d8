#include "server/auth/token_deny_list.h"

#include <algorithm>

namespace superstore::server {
namespace {

// The signature segment identifies a verified token: it is a MAC over the rest, and base64url decoding is
// strict, so no two accepted tokens share it.
std::string_view signature_of(std::string_view token) {
  size_t dot = token.rfind('.');
  return dot == std::string_view::npos ? token : token.substr(dot + 1);
}

}  // namespace

void TokenDenyList::deny(std::string_view token, int64_t expires_at, int64_t now) {
  std::lock_guard lock(mutex_);
  std::erase_if(denied_, [now](const auto& entry) { return entry.second <= now; });
  if (expires_at > now) denied_[std::string(signature_of(token))] = expires_at;
}

bool TokenDenyList::is_denied(std::string_view token) const {
  std::lock_guard lock(mutex_);
  return denied_.contains(std::string(signature_of(token)));
}

size_t TokenDenyList::size() const {
  std::lock_guard lock(mutex_);
  return denied_.size();
}

}  // namespace superstore::server
