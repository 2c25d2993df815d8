// POST /auth/jwt/login, POST /auth/jwt/logout, GET /auth/me over real HTTP.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>

#include "common/error.h"
#include "server/auth/secret_key.h"
#include "server/auth/token.h"
#include "server/auth/token_deny_list.h"
#include "server/test_support.h"

namespace superstore::server {
namespace {

using nlohmann::json;

constexpr const char* kForm = "application/x-www-form-urlencoded";

class AuthRoutesTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    ada = add_user("ada@example.com", "correct horse");
  }
  catalog::UserInfo ada;
};

TEST_F(AuthRoutesTest, LoginAnswersABearerTokenThatOpensMe) {
  auto r = login("ada@example.com", "correct horse");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  json answer = body(r);
  EXPECT_EQ(answer["token_type"], "bearer");
  ASSERT_TRUE(answer["access_token"].is_string());
  EXPECT_EQ(answer.size(), 2u);

  auto me = get_with_token("/auth/me", answer["access_token"]);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
  json user = body(me);
  EXPECT_EQ(user["id"], ada.id);
  EXPECT_EQ(user["email"], "ada@example.com");
  EXPECT_EQ(user["is_active"], true);
  EXPECT_TRUE(user["created_at"].is_string());
  EXPECT_TRUE(user["created_at"].get<std::string>().ends_with("Z"));
  EXPECT_EQ(user.size(), 4u) << user.dump();
  EXPECT_EQ(me->body.find("argon2"), std::string::npos);
}

TEST_F(AuthRoutesTest, TokenIsAnHs256JwtForTheUser) {
  std::string token = token_for("ada@example.com", "correct horse");
  TokenSigner signer(load_or_create_secret_key(config.secret_key_path()));
  TokenClaims claims = signer.verify(token);
  EXPECT_EQ(claims.user_id, ada.id);
  EXPECT_EQ(claims.email, "ada@example.com");
  EXPECT_EQ(claims.expires_at - claims.issued_at, 3600);
}

TEST_F(AuthRoutesTest, LoginAcceptsMultipartFormsAndAnyEmailCase) {
  auto r = client().Post("/auth/jwt/login", httplib::MultipartFormDataItems{{"username", "ADA@Example.COM", "", ""},
                                                                            {"password", "correct horse", "", ""}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST_F(AuthRoutesTest, PasswordsWithFormSpecialCharactersSurviveEncoding) {
  std::string tricky = "a+b &c=d%20e\xC3\xA9";
  add_user("tricky@example.com", tricky);
  EXPECT_FALSE(token_for("tricky@example.com", tricky).empty());
}

TEST_F(AuthRoutesTest, WrongPasswordAndUnknownUserGetTheSame401) {
  auto wrong = login("ada@example.com", "wrong");
  auto unknown = login("nobody@example.com", "correct horse");
  ASSERT_TRUE(wrong && unknown);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(body(wrong), json({{"error", "incorrect email or password"}}));
  EXPECT_EQ(unknown->body, wrong->body);
}

TEST_F(AuthRoutesTest, MissingFieldsAre400) {
  auto no_password = client().Post("/auth/jwt/login", "username=ada%40example.com", kForm);
  auto no_username = client().Post("/auth/jwt/login", "password=x", kForm);
  auto empty_password = client().Post("/auth/jwt/login", "username=ada%40example.com&password=", kForm);
  auto empty = client().Post("/auth/jwt/login", "", kForm);
  auto as_json = client().Post("/auth/jwt/login", R"({"username":"ada@example.com","password":"correct horse"})",
                               "application/json");
  for (const auto* r : {&no_password, &no_username, &empty_password, &empty, &as_json}) {
    ASSERT_TRUE(*r);
    EXPECT_EQ((*r)->status, 400) << (*r)->body;
    EXPECT_TRUE(body(*r)["error"].is_string());
  }
}

TEST_F(AuthRoutesTest, CredentialsInTheQueryStringAreIgnored) {
  auto r = client().Post("/auth/jwt/login?username=ada%40example.com&password=correct%20horse", "", kForm);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
}

TEST_F(AuthRoutesTest, DisabledUserCannotLogInAndItsTokensStopWorking) {
  std::string token = token_for("ada@example.com", "correct horse");
  catalog->set_user_active("ada@example.com", false);
  auto me = get_with_token("/auth/me", token);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
  auto r = login("ada@example.com", "correct horse");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(body(r)["error"].get<std::string>().find("disabled"), std::string::npos);
  // The wrong password for a disabled account says nothing about the account.
  auto wrong = login("ada@example.com", "wrong");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(body(wrong), json({{"error", "incorrect email or password"}}));
}

TEST_F(AuthRoutesTest, RepeatedFailuresLockTheAccountWith429AndRetryAfter) {
  for (int i = 0; i < 3; ++i) {  // the fixture allows 3 free failures, then locks for 60 s
    auto r = login("ada@example.com", "wrong");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  auto locked = login("ada@example.com", "correct horse");  // even the right password waits
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->status, 429);
  int retry_after = std::stoi(locked->get_header_value("Retry-After"));
  EXPECT_GT(retry_after, 50);
  EXPECT_LE(retry_after, 60);
  EXPECT_NE(body(locked)["error"].get<std::string>().find("try again"), std::string::npos);

  add_user("bob@example.com", "pw-bob");
  EXPECT_FALSE(token_for("bob@example.com", "pw-bob").empty());  // other accounts are unaffected
}

TEST_F(AuthRoutesTest, UnknownEmailsAreThrottledLikeKnownOnes) {
  for (int i = 0; i < 3; ++i) login("ghost@example.com", "guess");
  auto r = login("ghost@example.com", "guess");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 429);
}

TEST_F(AuthRoutesTest, GuessesSpreadOverManyEmailsAreThrottledPerAddress) {
  stop_server();
  auth_options.address_throttle.max_failures = 5;
  start_server();
  // Each email fails once only, far from its account's lock; the address's budget is what runs out.
  for (int i = 0; i < 5; ++i) {
    auto r = login("guess" + std::to_string(i) + "@example.com", "guess");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  auto refused = login("ada@example.com", "correct horse");  // the right password waits too
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  int retry_after = std::stoi(refused->get_header_value("Retry-After"));
  EXPECT_GT(retry_after, 50);
  EXPECT_LE(retry_after, 60);
  EXPECT_NE(body(refused)["error"].get<std::string>().find("from your address"), std::string::npos);
}

TEST_F(AuthRoutesTest, AnOversizedFormLoginHearsTheFormLimitNotTheServers) {
  const std::string form = "username=ada%40example.com&password=" + std::string(9000, 'x');
  auto r = client().Post("/auth/jwt/login", form, kForm);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(body(r), json({{"error", "request body too large: the limit is 8192 bytes"}}));
  // Without a Content-Length, httplib reads the chunks and refuses the form itself; the message is the same.
  std::string chunk(9000, 'x');
  std::string chunked = "POST /auth/jwt/login HTTP/1.1\r\nHost: x\r\nContent-Type: " + std::string(kForm) +
                        "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  chunked += std::string(size) + "\r\n" + chunk + "\r\n0\r\n\r\n";
  std::string answer = raw_exchange(chunked);
  EXPECT_EQ(answer.rfind("HTTP/1.1 413", 0), 0u) << answer;
  EXPECT_NE(answer.find("the limit is 8192 bytes"), std::string::npos) << answer;
  // A form under the limit still logs in.
  EXPECT_FALSE(token_for("ada@example.com", "correct horse").empty());
}

TEST_F(AuthRoutesTest, MeWithoutTokenIs401WithWwwAuthenticate) {
  auto r = client().Get("/auth/me");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_TRUE(body(r)["error"].is_string());
}

TEST_F(AuthRoutesTest, BadTokensAre401) {
  std::string token = token_for("ada@example.com", "correct horse");
  std::string tampered = token;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'a' ? 'b' : 'a';
  TokenSigner signer(load_or_create_secret_key(config.secret_key_path()));
  std::string expired = signer.issue(ada.id, ada.email, unix_now() - 7200);
  std::string for_missing_user = signer.issue(ada.id + 100, "ghost@example.com");
  for (const std::string& bad : {std::string("garbage"), tampered, expired, for_missing_user}) {
    auto r = get_with_token("/auth/me", bad);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << bad;
    EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
  }
  auto basic = client().Get("/auth/me", {{"Authorization", "Basic " + token}});
  ASSERT_TRUE(basic);
  EXPECT_EQ(basic->status, 401);
  auto lower = client().Get("/auth/me", {{"Authorization", "bearer " + token}});
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->status, 200);
}

TEST_F(AuthRoutesTest, LogoutRevokesThatTokenOnly) {
  std::string first = token_for("ada@example.com", "correct horse");
  std::string second = token_for("ada@example.com", "correct horse");
  ASSERT_NE(first, second);
  auto out = client().Post("/auth/jwt/logout", httplib::Headers{{"Authorization", "Bearer " + first}});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204);
  EXPECT_EQ(get_with_token("/auth/me", first)->status, 401);
  EXPECT_EQ(get_with_token("/auth/me", second)->status, 200);
  auto anonymous = client().Post("/auth/jwt/logout");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
}

TEST_F(AuthRoutesTest, ALoggedOutTokenStaysRefusedByANewCatalogOnTheSameDataDir) {
  std::string out = token_for("ada@example.com", "correct horse");
  std::string kept = token_for("ada@example.com", "correct horse");
  auto r = client().Post("/auth/jwt/logout", httplib::Headers{{"Authorization", "Bearer " + out}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 204);
  // A restart as a process does it: the server, its context, warehouse and catalog all made anew.
  stop_server();
  catalog = nullptr;
  warehouse.reset();
  storage::WarehouseOptions options;
  options.data_dir = config.data_dir;
  options.threads = 2;
  warehouse = std::make_unique<storage::Warehouse>(options);
  catalog = &warehouse->catalog();
  start_server();
  auto me = get_with_token("/auth/me", out);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
  EXPECT_NE(body(me)["error"].get<std::string>().find("revoked"), std::string::npos);
  EXPECT_EQ(get_with_token("/auth/me", kept)->status, 200);
  // The catalog keeps a digest of the token, never the token.
  EXPECT_EQ(catalog->revoked_token_count(), 1);
  EXPECT_TRUE(catalog->token_revoked(TokenDenyList::token_id(out)));
}

TEST_F(AuthRoutesTest, KeyFileIsPrivateAndTokensSurviveARestart) {
  std::string token = token_for("ada@example.com", "correct horse");
  struct stat st {};
  ASSERT_EQ(::stat(config.secret_key_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);

  stop_server();
  start_server();
  EXPECT_EQ(get_with_token("/auth/me", token)->status, 200);

  // A new key (the file deleted) invalidates every token.
  stop_server();
  std::filesystem::remove(config.secret_key_path());
  start_server();
  EXPECT_EQ(get_with_token("/auth/me", token)->status, 401);
}

TEST_F(AuthRoutesTest, AKeyFileOfTheWrongSizeStopsStartUp) {
  stop_server();
  std::filesystem::resize_file(config.secret_key_path(), 16);
  EXPECT_THROW(start_server(), Error);
}

}  // namespace
}  // namespace superstore::server
