// Start-up step "create the first user if missing" (USER_EMAIL / USER_PASSWORD, see docs/architecture.md).
#pragma once

#include <iostream>
#include <string>

#include "catalog/catalog.h"
#include "common/config.h"
#include "server/auth/password.h"

namespace superstore::server {

struct FirstUserResult {
  enum class Action {
    NotConfigured,                 // USER_EMAIL is empty: nothing to do
    AlreadyExists,                 // the user exists; its password and status are left alone
    Created,                       // created with USER_PASSWORD
    CreatedWithGeneratedPassword,  // dev only: created with a generated password, printed to `out`
  };
  Action action = Action::NotConfigured;
  std::string email;  // the configured USER_EMAIL, for "log in as ..."
};

// Makes sure the user named by config.user_email exists. When it is missing it is created with
// config.user_password; in dev (config.dev) a missing password is replaced by a random 24-character one,
// written once to `out` together with the email — never to the log — and only its argon2id hash is stored.
// Throws Error(InvalidArgument) when the email is malformed, or when the user is missing outside dev and no
// USER_PASSWORD is set. A user created concurrently by another process counts as AlreadyExists.
FirstUserResult ensure_first_user(const Config& config, catalog::Catalog& catalog,
                                  const PasswordHasher& hasher = PasswordHasher(), std::ostream& out = std::cout);

}  // namespace superstore::server
