// superstore user add|list|disable|enable: the accounts that may log in to the API.
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "catalog/catalog.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "common/error.h"
#include "common/types.h"
#include "server/auth/email.h"
#include "server/auth/password.h"

namespace superstore::cli {
namespace {

std::unique_ptr<catalog::Catalog> open_catalog(const Config& config) {
  std::filesystem::create_directories(config.data_dir);
  return catalog::Catalog::open(config.catalog_path());
}

std::string strip_line_end(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

// Reads one line from the terminal without echoing it.
std::string prompt_hidden(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  termios saved{};
  bool restore = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (restore) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  std::cerr << "\n";
  return strip_line_end(line);
}

// --password is visible to other users of the machine (ps, shell history), so a terminal is asked
// instead, and a script can pipe the password in.
std::string read_password(const Args& args) {
  if (auto given = args.option("password")) return *given;
  if (::isatty(STDIN_FILENO)) {
    std::string first = prompt_hidden("Password: ");
    if (prompt_hidden("Repeat it: ") != first) fail(ErrorCode::InvalidArgument, "the two passwords differ");
    return first;
  }
  std::string line;
  std::getline(std::cin, line);
  return strip_line_end(line);
}

int add(const Config& config, const Args& args) {
  args.check({"password"}, 1);
  const std::string& email = args.need(0, "email: superstore user add EMAIL [--password P]");
  server::validate_email(email);
  std::string password = read_password(args);
  if (password.empty()) {
    fail(ErrorCode::InvalidArgument, "the password is empty; give --password, type one, or pipe one to stdin");
  }
  auto users = open_catalog(config);
  auto user = users->create_user(email, server::PasswordHasher().hash(password));
  std::cout << "created user " << user.email << " (id " << user.id << ")\n";
  return 0;
}

int list(const Config& config, const Args& args) {
  args.check({}, 0);
  auto users = open_catalog(config);
  query::QueryPage page;
  page.columns = {{"id", "BIGINT"}, {"email", "VARCHAR"}, {"active", "BOOLEAN"}, {"created_at", "VARCHAR"}};
  for (const auto& u : users->list_users()) {
    page.rows.push_back({{"id", u.id},
                         {"email", u.email},
                         {"active", u.active},
                         {"created_at", format_timestamp_us(u.created_at_ms * 1000)}});
  }
  page.total = static_cast<int64_t>(page.rows.size());
  print_result(std::cout, page, OutputFormat::Table);
  return 0;
}

int set_active(const Config& config, const Args& args, bool active) {
  args.check({}, 1);
  const std::string& email =
      args.need(0, std::string("email: superstore user ") + (active ? "enable" : "disable") + " EMAIL");
  auto users = open_catalog(config);
  users->set_user_active(email, active);
  // Tokens are checked against the catalog on every request, so a disabled user is locked out at once.
  std::cout << (active ? "enabled user " : "disabled user ") << email << "\n";
  return 0;
}

}  // namespace

int user_command(const Config& config, const Words& words) {
  if (words.empty()) fail(ErrorCode::InvalidArgument, "usage: superstore user add|list|disable|enable ...");
  Args args(Words(words.begin() + 1, words.end()));
  if (words[0] == "add") return add(config, args);
  if (words[0] == "list") return list(config, args);
  if (words[0] == "disable") return set_active(config, args, false);
  if (words[0] == "enable") return set_active(config, args, true);
  fail(ErrorCode::InvalidArgument, "unknown user command '" + words[0] + "'; use add, list, disable or enable");
}

}  // namespace superstore::cli
