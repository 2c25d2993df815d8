#include "server/auth/first_user.h"

#include "common/error.h"
#include "common/log.h"
#include "server/auth/email.h"
#include "server/auth/password.h"

namespace superstore::server {

FirstUserResult ensure_first_user(const Config& config, catalog::Catalog& catalog, const PasswordHasher& hasher,
                                  std::ostream& out) {
  FirstUserResult result;
  result.email = config.user_email;
  if (config.user_email.empty()) return result;
  validate_email(config.user_email);
  if (catalog.find_user(config.user_email)) {
    result.action = FirstUserResult::Action::AlreadyExists;
    return result;
  }

  std::string password = config.user_password;
  bool generated = false;
  if (password.empty()) {
    if (!config.dev) {
      fail(ErrorCode::InvalidArgument, "USER_PASSWORD must be set to create the first user " + config.user_email +
                                           " (only APP_ENV=dev generates a password)");
    }
    password = random_password();
    generated = true;
  }

  try {
    catalog.create_user(config.user_email, hasher.hash(password));
  } catch (const Error& e) {
    if (e.code() != ErrorCode::Conflict) throw;
    result.action = FirstUserResult::Action::AlreadyExists;
    return result;
  }
  log::info("created the first user " + config.user_email);
  if (generated) {
    // stdout, not the log: logs are kept and shipped; this is the password's only appearance anywhere.
    out << "Created user " << config.user_email << " with the generated password: " << password
        << "\nIt is shown only this once and stored only as a hash; set USER_PASSWORD to choose one.\n"
        << std::flush;
    result.action = FirstUserResult::Action::CreatedWithGeneratedPassword;
  } else {
    result.action = FirstUserResult::Action::Created;
  }
  return result;
}

}  // namespace superstore::server
