// Accounts over a real ledger file: bootstrap, policy, lockout, sessions, 2FA storage, and who may
// sign with a require_login profile.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "auth/internal.h"
#include "test_ledger.h"
#include "esign/auth.h"
#include "esign/error.h"
#include "esign/ledger.h"
#include "esign/operation.h"
#include "esign/profile.h"
#include "ledger/users.h"

namespace fs = std::filesystem;
using namespace esign;

namespace {

struct Fixture {
  fs::path dir;
  std::optional<Ledger> ledger;
  AuthConfig config;

  Fixture() {
    std::random_device rd;
    dir = fs::temp_directory_path() / ("esign-auth-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir);
    ::setenv("XDG_STATE_HOME", (dir / "state").c_str(), 1);
    ledger.emplace(Ledger::open(esign::test::ledger_location(dir)));
    config.scrypt_log2_n = 10;
    config.password_history = 2;
    // A shared ledger needs the TOTP key named; a file ledger keeps it beside itself.
    if (esign::test::on_postgresql()) config.totp_key_file = dir / "totp.key";
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  Accounts accounts() { return Accounts(*ledger, config); }
  Session admin_session() {
    Accounts a = accounts();
    a.add_user(std::nullopt, "root", {Role::admin}, Secret("root password 1"));
    LoginRequest r;
    r.user = "root";
    r.password = Secret("root password 1");
    return a.login(std::move(r)).session;
  }
  LoginResult login(const std::string& user, const std::string& pw, bool force = false) {
    LoginRequest r;
    r.user = user;
    r.password = Secret(pw);
    r.force = force;
    return accounts().login(std::move(r));
  }
  std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
};

Errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return Errc::internal;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(accounts, Fixture)

BOOST_AUTO_TEST_CASE(the_first_user_must_be_an_admin_and_later_ones_need_an_admin) {
  Accounts a = accounts();
  BOOST_TEST((code_of([&] { a.add_user(std::nullopt, "asha", {Role::signer}, Secret("long enough pw")); }) == Errc::usage));
  a.add_user(std::nullopt, "root", {Role::admin}, Secret("root password 1"));
  BOOST_TEST((code_of([&] { a.add_user(std::nullopt, "asha", {Role::signer}, Secret("long enough pw")); }) == Errc::auth));
  Session root = login("root", "root password 1").session;
  UserInfo u = a.add_user(root, "asha", {Role::signer}, Secret("long enough pw"));
  BOOST_TEST(u.status == "active");
  BOOST_TEST((code_of([&] { a.add_user(root, "asha", {Role::signer}, Secret("long enough pw")); }) == Errc::conflict));
  BOOST_TEST((code_of([&] { a.add_user(root, "Bad Name", {Role::signer}, Secret("long enough pw")); }) == Errc::usage));
}

BOOST_AUTO_TEST_CASE(passwords_must_be_long_and_new) {
  Session root = admin_session();
  Accounts a = accounts();
  BOOST_TEST((code_of([&] { a.add_user(root, "asha", {Role::signer}, Secret("short")); }) == Errc::usage));
  a.add_user(root, "asha", {Role::signer}, Secret("first password"));
  Session asha = login("asha", "first password").session;
  Secret cur("first password");
  BOOST_TEST(error_of([&] { a.change_password(asha, "asha", &cur, Secret("first password")); }).find("last 2") != std::string::npos);
  a.change_password(asha, "asha", &cur, Secret("second password"));
  Secret cur2("second password");
  a.change_password(asha, "asha", &cur2, Secret("third password"));
  Secret cur3("third password");
  BOOST_TEST((code_of([&] { a.change_password(asha, "asha", &cur3, Secret("second password")); }) == Errc::usage));
  // History 2: the first password has left it.
  a.change_password(asha, "asha", &cur3, Secret("first password"));
  Secret wrong("not the password");
  BOOST_TEST((code_of([&] { a.change_password(asha, "asha", &wrong, Secret("fourth password")); }) == Errc::auth));
  BOOST_TEST(login("asha", "first password").session.user() == "asha");
}

BOOST_AUTO_TEST_CASE(unknown_user_and_wrong_password_read_the_same) {
  admin_session();
  const std::string unknown = error_of([&] { login("nobody", "root password 1"); });
  const std::string wrong = error_of([&] { login("root", "wrong password!"); });
  BOOST_TEST(!unknown.empty());
  BOOST_TEST(unknown == wrong);
}

BOOST_AUTO_TEST_CASE(five_failures_lock_even_the_right_password_out_until_unlocked) {
  Session root = admin_session();
  Accounts a = accounts();
  a.add_user(root, "asha", {Role::signer}, Secret("asha password"));
  for (int i = 0; i < 5; ++i) BOOST_TEST((code_of([&] { login("asha", "wrong password"); }) == Errc::auth));
  BOOST_TEST(a.show_user(root, "asha").status == "locked");
  BOOST_TEST(error_of([&] { login("asha", "asha password"); }).find("locked") != std::string::npos);
  a.unlock(root, "asha");
  BOOST_TEST(login("asha", "asha password").session.user() == "asha");
  const auto events = ledger->events();
  BOOST_TEST(std::count_if(events.begin(), events.end(), [](const AuditEvent& e) { return e.operation == "lockout"; }) == 1);
  for (const AuditEvent& e : events) BOOST_TEST(e.detail.find("asha password") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(disabled_users_cannot_log_in_and_lose_their_sessions) {
  Session root = admin_session();
  Accounts a = accounts();
  a.add_user(root, "asha", {Role::signer}, Secret("asha password"));
  login("asha", "asha password");
  a.set_enabled(root, "asha", false);
  BOOST_TEST(error_of([&] { login("asha", "asha password"); }).find("disabled") != std::string::npos);
  BOOST_TEST(a.show_user(root, "asha").sessions == 0);
  BOOST_TEST((code_of([&] { a.set_enabled(root, "root", false); }) == Errc::usage));
}

BOOST_AUTO_TEST_CASE(past_the_session_limit_login_needs_force) {
  config.session_limit = 2;
  Session root = admin_session();  // session 1
  login("root", "root password 1");  // replaces this shell's session: still 1
  Accounts a = accounts();
  a.add_user(root, "asha", {Role::signer}, Secret("asha password"));
  login("asha", "asha password");
  fs::remove(session_state_dir() / "sessions" / "asha");  // another shell
  login("asha", "asha password");
  fs::remove(session_state_dir() / "sessions" / "asha");
  BOOST_TEST((code_of([&] { login("asha", "asha password"); }) == Errc::conflict));
  LoginResult forced = login("asha", "asha password", true);
  BOOST_TEST(forced.ended_sessions == 2);
}

BOOST_AUTO_TEST_CASE(a_used_totp_step_and_a_used_recovery_code_are_refused) {
  Session root = admin_session();
  ledger::UserRow row = *ledger::find_user(*ledger, "root");
  ledger::set_totp_pending(*ledger, row.id, "sealed", {auth::recovery_code_hash("aaaa-bbbb")});
  BOOST_TEST(!ledger::use_recovery_code(*ledger, row.id, auth::recovery_code_hash("aaaa-bbbb")));  // pending
  BOOST_TEST(ledger::confirm_totp(*ledger, row.id, 100));
  BOOST_TEST(!ledger::use_totp_step(*ledger, row.id, 100));
  BOOST_TEST(!ledger::use_totp_step(*ledger, row.id, 99));
  BOOST_TEST(ledger::use_totp_step(*ledger, row.id, 101));
  BOOST_TEST(ledger::use_recovery_code(*ledger, row.id, auth::recovery_code_hash("AAAA-BBBB")));
  BOOST_TEST(!ledger::use_recovery_code(*ledger, row.id, auth::recovery_code_hash("aaaa-bbbb")));
}

BOOST_AUTO_TEST_CASE(totp_secrets_are_sealed_per_user) {
  const fs::path key = auth::totp_key_file(*ledger, config);
  if (!esign::test::on_postgresql()) BOOST_TEST(key == fs::path(ledger->path().string() + ".totp-key"));
  if (esign::test::on_postgresql()) {
    // Hosts sharing the ledger must share the key: without auth.totp_key_file there is none.
    AuthConfig bare;
    BOOST_TEST((code_of([&] { auth::totp_key_file(*ledger, bare); }) == Errc::config));
  }
  const std::string sealed = auth::seal_secret(key, "asha", as_bytes("12345678901234567890"));
  BOOST_TEST(sealed.find("12345678901234567890") == std::string::npos);
  BOOST_TEST(auth::unseal_secret(key, "asha", sealed).reveal() == "12345678901234567890");
  BOOST_TEST((code_of([&] { auth::unseal_secret(key, "root", sealed); }) == Errc::auth));
  BOOST_TEST(((fs::status(key).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write)));
}

BOOST_AUTO_TEST_CASE(a_require_login_profile_needs_a_linked_signer) {
  Profile p;
  p.name = "seal";
  p.file = dir / "seal.yaml";
  p.require_login = true;
  Accounts a = accounts();
  BOOST_TEST(error_of([&] { a.authorize_profile(p, KeyPurpose::use); }).find("requires an operator login") != std::string::npos);
  Session root = admin_session();
  BOOST_TEST(error_of([&] { a.authorize_profile(p, KeyPurpose::use); }).find("signer role") != std::string::npos);
  a.add_user(root, "asha", {Role::signer}, Secret("asha password"));
  a.add_user(root, "ravi", {Role::signer}, Secret("ravi password"));
  login("asha", "asha password");
  BOOST_TEST(a.authorize_profile(p, KeyPurpose::use) == "asha");  // no links: any signer
  BOOST_TEST(a.assign_certificate(root, "ravi", "seal"));
  BOOST_TEST(!a.assign_certificate(root, "ravi", "seal"));
  BOOST_TEST(error_of([&] { a.authorize_profile(p, KeyPurpose::use); }).find("has no signing certificate assigned") != std::string::npos);
  a.assign_certificate(root, "asha", "other");
  BOOST_TEST(error_of([&] { a.authorize_profile(p, KeyPurpose::use); }).find("not assigned to profile seal") != std::string::npos);
  a.assign_certificate(root, "asha", "seal");
  BOOST_TEST(a.authorize_profile(p, KeyPurpose::use) == "asha");
  BOOST_TEST(a.show_user(root, "asha").profiles == (std::vector<std::string>{"other", "seal"}));
  BOOST_TEST(a.linked_users("seal") == (std::vector<std::string>{"asha", "ravi"}));
  BOOST_TEST(a.unassign_certificate(root, "asha", "seal"));
  BOOST_TEST((code_of([&] { a.authorize_profile(p, KeyPurpose::use); }) == Errc::auth));
  p.require_login = false;
  BOOST_TEST(a.authorize_profile(p, KeyPurpose::use) == "asha");  // recorded, not enforced
}

BOOST_AUTO_TEST_CASE(a_role_that_requires_2fa_restricts_the_first_session) {
  config.require_2fa = {Role::signer};
  Session root = admin_session();
  Accounts a = accounts();
  a.add_user(root, "asha", {Role::signer}, Secret("asha password"));
  LoginResult r = login("asha", "asha password");
  BOOST_TEST(r.must_enroll_2fa);
  BOOST_TEST(a.require_session().restricted());
  Profile p;
  p.name = "seal";
  p.require_login = true;
  BOOST_TEST(error_of([&] { a.authorize_profile(p, KeyPurpose::use); }).find("must enroll 2FA") != std::string::npos);
  TotpEnrollment t = a.start_totp(a.current_session(), "asha");
  Bytes key = base32_decode(t.secret);
  BOOST_TEST(key.size() == 20u);
  BOOST_TEST((code_of([&] { a.confirm_totp(a.current_session(), "asha", "000000x"); }) == Errc::auth));
  a.confirm_totp(a.current_session(), "asha", hotp(key, static_cast<std::uint64_t>(totp_step(std::chrono::system_clock::now()))));
  BOOST_TEST(!a.require_session().restricted());
  BOOST_TEST(a.authorize_profile(p, KeyPurpose::use) == "asha");
}

BOOST_AUTO_TEST_CASE(config_file_sets_the_rules_and_rejects_unknown_keys) {
  const fs::path f = dir / "config.yaml";
  std::ofstream(f) << "auth:\n  password:\n    min_length: 16\n    history: 3\n  lockout:\n    attempts: 3\n    duration: 2m\n"
                      "  session:\n    expiry: 2s\n    idle: 1h\n    limit: 1\n  dormant_days: 30\n  require_2fa: [admin]\n";
  AuthConfig c = load_auth_config(f);
  BOOST_TEST(c.password_min_length == 16u);
  BOOST_TEST(c.password_history == 3u);
  BOOST_TEST(c.lockout_attempts == 3);
  BOOST_TEST(c.lockout_duration.count() == 120);
  BOOST_TEST(c.session_expiry.count() == 2);
  BOOST_TEST(c.session_idle.count() == 3600);
  BOOST_TEST(c.session_limit == 1);
  BOOST_TEST(c.dormant_days == 30);
  BOOST_TEST(c.require_2fa.count(Role::admin) == 1u);
  BOOST_TEST(c.scrypt_log2_n == 17);
  std::ofstream(f) << "auth:\n  session:\n    expiry: 2s\n    colour: blue\n";
  const std::string e = error_of([&] { load_auth_config(f); });
  BOOST_TEST(e.find(f.string() + ":4") != std::string::npos);
  BOOST_TEST(e.find("auth.session.colour") != std::string::npos);
  std::ofstream(f) << "auth:\n  password:\n    scrypt_log2_n: 4\n";
  BOOST_TEST(error_of([&] { load_auth_config(f); }).find("between 10 and 22") != std::string::npos);
  BOOST_TEST(load_auth_config(dir / "missing.yaml").file.empty());
  // A key that is a list (the profile fuzzer's finding, in the same kind of loader).
  std::ofstream(f) << "auth:\n  [lockout]: 5\n";
  BOOST_TEST(error_of([&] { load_auth_config(f); }).find("the keys of 'auth' must be plain names") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sessions_are_per_operator_and_chosen_not_trusted) {
  Session root = admin_session();
  Accounts a = accounts();
  a.add_user(root, "asha", {Role::signer}, Secret("asha password"));
  login("asha", "asha password");
  // root's session stays; the last login is in effect; --as picks another.
  BOOST_TEST(a.logged_in_here() == (std::vector<std::string>{"asha", "root"}));
  BOOST_TEST(a.require_session().user() == "asha");
  BOOST_TEST(Accounts(*ledger, config, "root").require_session().user() == "root");
  BOOST_TEST(error_of([&] { Accounts(*ledger, config, "ravi").require_session(); }).find("ravi is not logged in here") !=
             std::string::npos);
  BOOST_TEST((code_of([&] { Accounts(*ledger, config, "../root").require_session(); }) == Errc::usage));
  // A token filed under another name is not that operator's session.
  fs::copy_file(session_state_dir() / "sessions" / "root", session_state_dir() / "sessions" / "asha",
                fs::copy_options::overwrite_existing);
  BOOST_TEST(error_of([&] { Accounts(*ledger, config, "asha").require_session(); }).find("another operator") != std::string::npos);
  // Logging the one in effect out leaves the other, which is then the only one.
  fs::remove(session_state_dir() / "sessions" / "asha");
  BOOST_TEST(Accounts(*ledger, config, "root").logout());
  BOOST_TEST(a.logged_in_here().empty());
}

BOOST_AUTO_TEST_CASE(an_operation_records_refusals_successes_and_failures_with_the_operator) {
  Profile p;
  p.name = "seal";
  p.file = dir / "seal.yaml";
  p.require_login = true;
  auto last = [&] { return ledger->last_events(1).front(); };
  BOOST_TEST((code_of([&] { Operation(*ledger, config, "decrypt", &p, KeyPurpose::use); }) == Errc::auth));
  BOOST_TEST(last().operation == "decrypt");
  BOOST_TEST(last().outcome == "refused");
  BOOST_TEST(last().profile == "seal");
  Session root = admin_session();
  // An admin manages the key but does not use it.
  BOOST_TEST((code_of([&] { Operation(*ledger, config, "sign", &p, KeyPurpose::use); }) == Errc::auth));
  BOOST_TEST(last().detail.find("root does not have the signer role") != std::string::npos);
  Operation manage(*ledger, config, "certs-export", &p, KeyPurpose::manage);
  BOOST_TEST(manage.operator_name() == "root");
  accounts().add_user(root, "asha", {Role::signer}, Secret("asha password"));
  login("asha", "asha password");
  Operation op(*ledger, config, "sign", &p, KeyPurpose::use);
  BOOST_TEST(op.operator_name() == "asha");
  int got = op.run({dir / "in.txt", dir / "out.p7s"}, [] { return 7; },
                   [](int v) { return AuditFields{"aa", "bb", "cc", "value " + std::to_string(v)}; });
  BOOST_TEST(got == 7);
  AuditEvent ok = last();
  BOOST_TEST(ok.outcome == "ok");
  BOOST_TEST(ok.user == "asha");
  BOOST_TEST(ok.input_path == (dir / "in.txt").string());
  BOOST_TEST(ok.output_sha256 == "bb");
  BOOST_TEST(ok.detail == "value 7");
  auto throws_error = [&] {
    op.run({dir / "bad.txt", ""}, []() -> int { throw Error(Errc::input, "bad.txt", "not readable"); },
           [](int) { return AuditFields{}; });
  };
  BOOST_TEST((code_of(throws_error) == Errc::input));
  BOOST_TEST(last().outcome == "failed");
  BOOST_TEST(last().detail == "bad.txt: not readable");
  BOOST_TEST(last().user == "asha");
  BOOST_CHECK_THROW(op.run({}, []() -> int { throw std::runtime_error("boom"); }, [](int) { return AuditFields{}; }),
                    std::runtime_error);
  BOOST_TEST(last().detail == "internal error");
  // Without a profile nothing is refused, and the operator in effect is still named.
  Operation encrypt(*ledger, config, "encrypt", nullptr, KeyPurpose::use);
  BOOST_TEST(encrypt.operator_name() == "asha");
  BOOST_TEST(ledger->verify_chain().ok);
}

BOOST_AUTO_TEST_SUITE_END()
