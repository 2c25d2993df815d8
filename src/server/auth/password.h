// Password hashing with argon2id (libsodium's crypto_pwhash). Hashes are self-describing strings
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") that carry their own salt and cost, so a hash made at one
// cost still verifies after the cost changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace superstore::server {

// The work one hash costs: argon2id passes (opslimit) and memory in bytes (memlimit).
struct PasswordCost {
  uint64_t opslimit;
  size_t memlimit;

  // libsodium's INTERACTIVE level (2 passes, 64 MiB): the production setting for logins.
  static PasswordCost interactive();
  // argon2id's minimum (1 pass, 8 KiB): still a real argon2id hash, but only fit for tests, where
  // hundreds of hashes would otherwise take minutes.
  static PasswordCost minimum_for_tests();
};

// Thread-safe; hashing and verification take the time and memory of the configured cost.
class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordCost cost = PasswordCost::interactive());

  // A new argon2id hash with a fresh random salt. Throws Error(Internal) if memory runs out.
  std::string hash(std::string_view password) const;

  // Whether `password` matches `stored_hash`, compared in constant time by libsodium. Anything that is not
  // an argon2id hash string (empty, another algorithm, damaged) never matches.
  bool verify(std::string_view stored_hash, std::string_view password) const;

  // Does the work of one verification against a hash of a password nobody knows, and returns nothing:
  // called for unknown accounts so that answering "no such user" takes as long as "wrong password".
  void verify_dummy(std::string_view password) const;
  // The hash verify_dummy checks against (for tests).
  const std::string& dummy_hash() const { return dummy_hash_; }

  PasswordCost cost() const { return cost_; }

 private:
  PasswordCost cost_;
  std::string dummy_hash_;
};

// A random password of `length` characters drawn from the URL-safe base64 alphabet (6 bits each), for
// first users created in dev without USER_PASSWORD.
std::string random_password(size_t length = 24);

}  // namespace superstore::server
