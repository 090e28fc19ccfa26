// Finding profiles (search path, lookup by file name and by name:) and showing them (defaults
// filled in, secrets as references).
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <map>
#include <optional>

#include "esign/error.h"
#include "esign/profile.h"
#include "fixtures.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

const char* kKey = "key:\n  source: pkcs12\n  path: seal.p12\n  password: env:P12PW\n";

std::string named(const std::string& name) { return "name: " + name + "\n" + kKey; }

// Sets environment variables for one test case and restores them afterwards.
class Env {
 public:
  Env& set(const char* name, const std::optional<std::string>& value) {
    if (!saved_.count(name)) {
      const char* old = std::getenv(name);
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value) ::setenv(name, value->c_str(), 1);
    else ::unsetenv(name);
    return *this;
  }
  ~Env() {
    for (const auto& [name, value] : saved_) {
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// Two profile folders on ESIGN_PROFILE_PATH and an empty config folder.
struct Folders {
  test::TempDir root;
  fs::path a = root / "a", b = root / "b";
  Env env;
  Folders() {
    fs::create_directories(a);
    fs::create_directories(b);
    env.set("ESIGN_PROFILE_PATH", a.string() + ":" + b.string())
        .set("ESIGN_HOME", std::nullopt)
        .set("XDG_CONFIG_HOME", (root / "config").string());
  }
};

std::string error_of(const std::string& name) {
  try {
    load_profile(name);
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::config));
    return e.what();
  }
  BOOST_FAIL("no error for " + name);
  return "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(search_path_is_profile_path_then_config_folder_then_examples) {
  test::TempDir dir;
  Env env;
  env.set("ESIGN_PROFILE_PATH", "/p1::/p2").set("ESIGN_HOME", "").set("XDG_CONFIG_HOME", (dir / "xdg").string());
  fs::create_directories(dir / "xdg/esign/profiles");
  std::vector<ProfileFolder> path = profile_search_path();
  BOOST_REQUIRE_EQUAL(path.size(), 4u);
  BOOST_TEST(path[0].path == "/p1");
  BOOST_TEST(path[0].origin == "ESIGN_PROFILE_PATH");
  BOOST_TEST(!path[0].exists);
  BOOST_TEST(path[1].path == "/p2");
  BOOST_TEST(path[2].path == dir / "xdg/esign/profiles");
  BOOST_TEST(path[2].origin == "XDG_CONFIG_HOME");
  BOOST_TEST(path[2].exists);
  // The examples: beside the running executable's prefix (this test's own, here), never the source tree.
  fs::path exe = fs::read_symlink("/proc/self/exe");
  BOOST_TEST(path[3].examples);
  BOOST_TEST(path[3].origin == "examples");
  BOOST_TEST(path[3].path == (exe.parent_path() / "../share/esign/profiles").lexically_normal());
  BOOST_TEST(path[3].path.string().find(ESIGN_SOURCE_DIR "/profiles") == std::string::npos);

  // ESIGN_HOME is the config folder, as for config.yaml; without any, ~/.config/esign.
  env.set("ESIGN_HOME", (dir / "home").string());
  path = profile_search_path();
  BOOST_TEST(path[2].path == dir / "home/profiles");
  BOOST_TEST(path[2].origin == "ESIGN_HOME");
  env.set("ESIGN_HOME", std::nullopt).set("XDG_CONFIG_HOME", std::nullopt).set("HOME", "/home/asha").set("ESIGN_PROFILE_PATH", "");
  path = profile_search_path();
  BOOST_REQUIRE_EQUAL(path.size(), 2u);
  BOOST_TEST(path[0].path == "/home/asha/.config/esign/profiles");
  BOOST_TEST(path[0].origin == "HOME");
}

BOOST_AUTO_TEST_CASE(a_profile_is_found_by_its_name_key_too) {
  Folders f;
  test::write_file(f.b / "company-seal-2026.yaml", named("company-seal"));
  Profile p = load_profile("company-seal");
  BOOST_TEST(p.file == f.b / "company-seal-2026.yaml");
  BOOST_TEST(p.name == "company-seal");
  // The file name works as before.
  BOOST_TEST(load_profile("company-seal-2026").file == f.b / "company-seal-2026.yaml");
}

BOOST_AUTO_TEST_CASE(an_earlier_folder_wins_and_in_a_folder_the_file_name_comes_first) {
  Folders f;
  test::write_file(f.a / "x.yaml", named("seal"));  // seal by name, in the first folder
  test::write_file(f.b / "seal.yaml", kKey);        // seal by file name, in the second
  BOOST_TEST(load_profile("seal").file == f.a / "x.yaml");
  test::write_file(f.a / "seal.yml", named("other"));  // now a file name in the first folder
  BOOST_TEST(load_profile("seal").file == f.a / "seal.yml");
  test::write_file(f.a / "seal.yaml", kKey);  // .yaml before .yml
  BOOST_TEST(load_profile("seal").file == f.a / "seal.yaml");
}

BOOST_AUTO_TEST_CASE(two_files_of_one_folder_with_one_name_are_an_error_naming_both) {
  Folders f;
  test::write_file(f.a / "one.yaml", named("seal"));
  test::write_file(f.a / "two.yaml", named("seal"));
  test::write_file(f.b / "seal.yaml", kKey);
  std::string msg = error_of("seal");
  BOOST_TEST(msg.find((f.a / "one.yaml").string()) != std::string::npos, msg);
  BOOST_TEST(msg.find((f.a / "two.yaml").string()) != std::string::npos, msg);
  // Across folders it is no ambiguity: the first folder wins.
  fs::remove(f.a / "two.yaml");
  BOOST_TEST(load_profile("seal").file == f.a / "one.yaml");
}

BOOST_AUTO_TEST_CASE(no_such_profile_lists_the_folders_searched) {
  Folders f;
  std::string msg = error_of("nowhere");
  BOOST_TEST(msg.find("no such profile") != std::string::npos, msg);
  for (const ProfileFolder& d : profile_search_path()) BOOST_TEST(msg.find(d.path.string()) != std::string::npos, msg);
  BOOST_TEST(msg.find((f.root / "config/esign/profiles").string() + " (missing)") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(a_profile_with_a_mistake_is_found_by_name_and_its_mistake_reported) {
  Folders f;
  test::write_file(f.a / "broken.yaml", named("seal") + "signatur:\n  level: B-B\n");
  std::string msg = error_of("seal");
  BOOST_TEST(msg.find((f.a / "broken.yaml").string() + ":6") != std::string::npos, msg);
  BOOST_TEST(msg.find("'signatur'") != std::string::npos, msg);
  // Not YAML at all: named by its file name, and its error names the file.
  test::write_file(f.a / "garbage.yaml", "key: [unclosed\n");
  BOOST_TEST(error_of("garbage").find("not valid YAML") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_literal_secret_is_refused_when_the_profile_is_loaded_and_never_repeated) {
  for (const char* field : {"password: hunter2", "password: \"env:\"", "password: \"file:\"", "password: promptly"}) {
    std::string yaml = std::string("key:\n  source: pkcs12\n  path: a.p12\n  ") + field + "\n";
    try {
      parse_profile(yaml, "/p.yaml");
      BOOST_FAIL(std::string("accepted ") + field);
    } catch (const Error& e) {
      std::string msg = e.what();
      BOOST_TEST(msg.find("'key.password' must be a secret reference") != std::string::npos, msg);
      BOOST_TEST(msg.find("hunter2") == std::string::npos, msg);
      BOOST_TEST(msg.find("promptly") == std::string::npos, msg);
    }
  }
  std::string csc = "key:\n  source: csc\n  base_url: https://x/csc/v2\n  client_id: c\n  client_secret: env:S\n  pin: 1234\n";
  BOOST_CHECK_THROW(parse_profile(csc, "/p.yaml"), Error);
  std::string ts = std::string(kKey) + "timestamp:\n  url: https://tsa\n  username: u\n  password: tsa-pass\n";
  BOOST_CHECK_THROW(parse_profile(ts, "/p.yaml"), Error);
}

BOOST_AUTO_TEST_CASE(list_profiles_marks_shadowed_files_and_keeps_broken_ones) {
  Folders f;
  test::write_file(f.a / "seal.yaml", kKey);
  test::write_file(f.b / "seal.yaml", named("seal") + "signature:\n  level: B-T\n");
  test::write_file(f.b / "bad.yml", named("bad") + "nonsense: 1\n");
  test::write_file(f.b / "notes.txt", "not a profile");
  std::vector<ProfileListing> all = list_profiles();
  std::vector<ProfileListing> mine;
  for (const ProfileListing& l : all)
    if (l.folder < 2) mine.push_back(l);
  BOOST_REQUIRE_EQUAL(mine.size(), 3u);
  BOOST_TEST(mine[0].file == f.a / "seal.yaml");
  BOOST_TEST(mine[0].reachable);
  BOOST_TEST(mine[0].profile.has_value());
  BOOST_TEST(mine[1].file == f.b / "bad.yml");
  BOOST_TEST(mine[1].name == "bad");
  BOOST_TEST(!mine[1].profile.has_value());
  BOOST_TEST(mine[1].error.find("nonsense") != std::string::npos);
  BOOST_TEST(mine[2].file == f.b / "seal.yaml");
  BOOST_TEST(!mine[2].reachable);
  BOOST_TEST((mine[2].profile->signature.level == SignatureLevel::b_t));
  // The inventory's view: one file per name plus the broken ones, sorted by name.
  std::vector<fs::path> files = profile_files();
  BOOST_REQUIRE_EQUAL(files.size(), 2u);
  BOOST_TEST(files[0] == f.b / "bad.yml");
  BOOST_TEST(files[1] == f.a / "seal.yaml");
}

BOOST_AUTO_TEST_CASE(show_fills_in_defaults_and_keeps_secrets_as_references) {
  test::TempDir dir;
  Env env;
  env.set("P12PW", "the-p12-password-value");
  test::write_file(dir / "seal.yaml",
                   "key:\n  source: pkcs12\n  path: keys/seal.p12\n  password: file:pw.txt\n"
                   "timestamp:\n  url: http://127.0.0.1:9/tsa\n  username: asha\n  password: env:P12PW\n"
                   "appearance:\n  text: \"Signed: {signer}\\n{date}\"\n");
  Profile p = load_profile((dir / "seal.yaml").string());
  std::string yaml = render_profile(p, ProfileFormat::yaml);
  BOOST_TEST(yaml.find("# profile seal (" + (dir / "seal.yaml").string() + ")") == 0u, yaml);
  for (const std::string& want : std::vector<std::string>{"name: seal", "source: pkcs12", "path: " + (dir / "keys/seal.p12").string(),
                           "password: file:" + (dir / "pw.txt").string(), "password: env:P12PW", "level: B-B",
                           "digest: sha256", "padding: pkcs1", "format: auto", "page: last", "rect: [36, 36, 256, 96]",
                           "embed: false", "required: true", "require_login: false"})
    BOOST_TEST(yaml.find(want) != std::string::npos, want + " in\n" + yaml);
  BOOST_TEST(yaml.find("the-p12-password-value") == std::string::npos, yaml);

  // The YAML loads again as the same profile, wherever it is saved.
  test::TempDir elsewhere;
  test::write_file(elsewhere / "copy.yaml", yaml);
  Profile again = load_profile((elsewhere / "copy.yaml").string());
  std::string yaml2 = render_profile(again, ProfileFormat::yaml);
  BOOST_TEST(yaml2.substr(yaml2.find('\n')) == yaml.substr(yaml.find('\n')));
  BOOST_TEST(again.appearance->text == "Signed: {signer}\n{date}");

  std::string json = render_profile(p, ProfileFormat::json);
  BOOST_TEST(json.find("\"client_secret\"") == std::string::npos);
  BOOST_TEST(json.find("\"password\": \"env:P12PW\"") != std::string::npos, json);
  BOOST_TEST(json.find("\"file\": \"" + (dir / "seal.yaml").string() + "\"") != std::string::npos, json);
  BOOST_TEST(json.find("the-p12-password-value") == std::string::npos, json);
}

BOOST_AUTO_TEST_CASE(show_renders_every_key_source) {
  test::TempDir dir;
  const std::map<std::string, std::string> sources{
      {"pem", "key:\n  source: pem\n  key: k.pem\n  cert: c.pem\n"},
      {"pkcs11", "key:\n  source: pkcs11\n  uri: \"pkcs11:token=t;object=o\"\n"},
      {"azure-keyvault",
       "key:\n  source: azure-keyvault\n  vault_url: https://v.vault.azure.net\n  key: seal\n  tenant_id: t\n"
       "  client_id: c\n  client_secret: prompt\n"},
      {"csc", "key:\n  source: csc\n  base_url: https://s/csc/v2\n  username: asha\n  password: prompt\n  otp: prompt\n"}};
  for (const auto& [source, yaml] : sources) {
    Profile p = parse_profile(yaml, dir / (source + ".yaml"));
    std::string out = render_profile(p, ProfileFormat::yaml);
    BOOST_TEST(out.find("source: " + source) != std::string::npos, out);
    test::write_file(dir / ("again-" + source + ".yaml"), out);
    Profile again = load_profile((dir / ("again-" + source + ".yaml")).string());
    BOOST_TEST(key_source_name(again.key) == source);
  }
  Profile p11 = parse_profile(sources.at("pkcs11"), dir / "p.yaml");
  BOOST_TEST(render_profile(p11, ProfileFormat::yaml).find("pin: prompt") != std::string::npos);  // the default
  Profile az = parse_profile(sources.at("azure-keyvault"), dir / "a.yaml");
  std::string az_out = render_profile(az, ProfileFormat::yaml);
  BOOST_TEST(az_out.find("authority_url: https://login.microsoftonline.com") != std::string::npos, az_out);
  BOOST_TEST(az_out.find("certificate: seal") != std::string::npos, az_out);
  BOOST_TEST(az_out.find("api_version: \"7.4\"") != std::string::npos, az_out);
}
