// Signing and verifying through the library: PAdES and CAdES round trips, failures leave nothing.
#define BOOST_TEST_MODULE sign
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <span>
#include <vector>

#include "esign/error.h"
#include "esign/output.h"
#include "esign/profile.h"
#include "esign/secret.h"
#include "esign/sign.h"
#include "esign/verify.h"
#include "common/time.h"
#include "fixtures.h"
#include "pdf/text.h"

using namespace esign;
namespace fs = std::filesystem;

namespace {

const fs::path& fx() {
  static const fs::path dir = test::fixtures("sign");
  return dir;
}
fs::path pki(const std::string& f) { return fx() / "pki" / f; }
fs::path pdfs(const std::string& f) { return fx() / "pdf" / f; }

struct Signed {
  Profile profile;
  std::unique_ptr<Signer> signer;
};

Signed open(const std::string& profile_file, const std::string& extra_yaml = "") {
  Profile p = load_profile(pki(profile_file).string());
  if (!extra_yaml.empty()) p = parse_profile(test::read_file(pki(profile_file)) + extra_yaml, pki(profile_file));
  auto signer = open_signer(p, SecretResolver());
  return {std::move(p), std::move(signer)};
}

FileReport verify(const fs::path& file, std::optional<fs::path> data = std::nullopt) {
  VerifyOptions o;
  o.trust = {pki("root.pem")};
  o.data = data;
  return Verifier(o).verify_file(file);
}

bool no_temp_files(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir))
    if (is_temporary_output(e.path())) return false;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(pades_round_trip_is_valid_for_rsa_ec_and_pss) {
  test::TempDir dir;
  struct Case {
    const char* profile;
    const char* extra;
  } cases[] = {{"rsa.yaml", ""},
               {"ec256.yaml", ""},
               {"ec384-pem.yaml", "signature:\n  digest: sha384\n"},
               {"rsa-pem.yaml", "signature:\n  digest: sha512\n  padding: pss\n"}};
  for (const Case& c : cases) {
    Signed s = open(c.profile, c.extra);
    for (const char* input : {"classic.pdf", "xrefstream.pdf", "multipage.pdf"}) {
      fs::path out = dir / (std::string(c.profile) + "." + input);
      SignOutcome o = sign_file(s.profile, *s.signer, pdfs(input), out, {});
      BOOST_TEST((o.format == SignatureFormat::pades));
      std::string in_bytes = test::read_file(pdfs(input)), out_bytes = test::read_file(out);
      BOOST_TEST(out_bytes.compare(0, in_bytes.size(), in_bytes) == 0, "the input is a prefix of the output");
      FileReport r = verify(out);
      BOOST_TEST(r.valid, c.profile << " " << input << ": " << r.error.value_or(""));
      BOOST_REQUIRE_EQUAL(r.signatures.size(), 1u);
      BOOST_TEST(r.signatures[0].covers_whole_file);
    }
  }
  BOOST_TEST(no_temp_files(dir.path()));
}

BOOST_AUTO_TEST_CASE(ecdsa_signatures_of_every_length_fit_the_placeholder) {
  // ECDSA values vary in length; the placeholder is sized for the longest one.
  test::TempDir dir;
  Signed s = open("ec256.yaml");
  for (int i = 0; i < 16; ++i) {
    fs::path out = dir / ("ec" + std::to_string(i) + ".pdf");
    sign_file(s.profile, *s.signer, pdfs("classic.pdf"), out, {});
    BOOST_TEST(verify(out).valid);
  }
}

BOOST_AUTO_TEST_CASE(earlier_signature_stays_valid_after_a_second_signature) {
  test::TempDir dir;
  Signed rsa = open("rsa.yaml"), ec = open("ec256.yaml");
  SignOptions visible;
  visible.visible = true;
  sign_file(rsa.profile, *rsa.signer, pdfs("xrefstream.pdf"), dir / "one.pdf", {});
  sign_file(ec.profile, *ec.signer, dir / "one.pdf", dir / "two.pdf", visible);
  FileReport r = verify(dir / "two.pdf");
  BOOST_TEST(r.valid, r.error.value_or(""));
  BOOST_REQUIRE_EQUAL(r.signatures.size(), 2u);
  BOOST_TEST(r.signatures[0].valid);
  BOOST_TEST(!r.signatures[0].covers_whole_file);
  BOOST_TEST(r.signatures[1].covers_whole_file);
  BOOST_TEST(r.signatures[0].field != r.signatures[1].field);
}

BOOST_AUTO_TEST_CASE(a_flipped_byte_in_the_signed_range_is_a_digest_mismatch) {
  test::TempDir dir;
  Signed s = open("rsa.yaml");
  sign_file(s.profile, *s.signer, pdfs("classic.pdf"), dir / "s.pdf", {});
  std::string bytes = test::read_file(dir / "s.pdf");
  std::size_t pos = bytes.find("Hello");
  BOOST_REQUIRE(pos != std::string::npos);
  bytes[pos] = 'J';
  test::write_file(dir / "t.pdf", bytes);
  FileReport r = verify(dir / "t.pdf");
  BOOST_TEST(!r.valid);
  BOOST_TEST(r.error->find("message_digest") != std::string::npos, *r.error);
}

BOOST_AUTO_TEST_CASE(bytes_appended_after_the_signature_make_the_file_modified) {
  test::TempDir dir;
  Signed s = open("rsa.yaml");
  sign_file(s.profile, *s.signer, pdfs("classic.pdf"), dir / "s.pdf", {});
  std::string bytes = test::read_file(dir / "s.pdf");
  // A well-formed new revision that adds an object: not covered by any signature.
  std::size_t prev = std::stoul(bytes.substr(bytes.rfind("startxref") + 10));
  std::string update = "40 0 obj\n<</Injected true>>\nendobj\n";
  std::size_t obj_offset = bytes.size();
  std::string xref = "xref\n40 1\n" + std::string(10 - std::to_string(obj_offset).size(), '0') + std::to_string(obj_offset) +
                     " 00000 n\r\ntrailer\n<</Size 20/Root 1 0 R/Prev " + std::to_string(prev) + ">>\nstartxref\n";
  std::size_t xref_offset = bytes.size() + update.size();
  test::write_file(dir / "m.pdf", bytes + update + xref + std::to_string(xref_offset) + "\n%%EOF\n");
  FileReport r = verify(dir / "m.pdf");
  BOOST_TEST(!r.valid);
  BOOST_TEST(r.error->find("modified after signing") != std::string::npos, r.error.value_or(""));
}

BOOST_AUTO_TEST_CASE(cades_detached_round_trip_and_tampered_content) {
  test::TempDir dir;
  Signed s = open("ec384.yaml");
  test::write_file(dir / "data.bin", std::string(100000, 'x'));
  SignOutcome o = sign_file(s.profile, *s.signer, dir / "data.bin", dir / "data.bin.p7s", {});
  BOOST_TEST((o.format == SignatureFormat::cades));
  FileReport r = verify(dir / "data.bin.p7s");
  BOOST_TEST(r.valid, r.error.value_or(""));
  BOOST_TEST(!r.signatures[0].signing_time.empty());
  test::write_file(dir / "data.bin", std::string(100000, 'y'));
  BOOST_TEST(!verify(dir / "data.bin.p7s").valid);
  BOOST_CHECK_THROW(verify(dir / "data.bin.p7s", dir / "missing.bin"), Error);
}

// A Signer that counts how the key is used, signing through the real one.
class CountingSigner : public Signer {
 public:
  explicit CountingSigner(Signer& real) : real_(real) {}
  const std::vector<Certificate>& chain() const override { return real_.chain(); }
  SignatureScheme scheme() const override { return real_.scheme(); }
  std::size_t max_signature_size() const override { return real_.max_signature_size(); }
  Bytes sign(const Digest& digest) override {
    ++signs;
    return real_.sign(digest);
  }
  std::vector<BatchSignature> sign_batch(std::span<const Digest> digests) override {
    ++batches;
    std::vector<BatchSignature> values;
    for (const Digest& d : digests) values.push_back({real_.sign(d), nullptr});
    return values;
  }
  int signs = 0, batches = 0;

 private:
  Signer& real_;
};

BOOST_AUTO_TEST_CASE(staged_signing_signs_several_documents_in_one_batch) {
  test::TempDir dir;
  Signed s = open("rsa.yaml");
  CountingSigner key(*s.signer);
  test::write_file(dir / "data.bin", std::string(5000, 'd'));
  const fs::path inputs[] = {pdfs("classic.pdf"), pdfs("xrefstream.pdf"), dir / "data.bin"};
  SignOptions visible;
  visible.visible = true;
  std::vector<PreparedSignature> prepared;
  for (const fs::path& in : inputs)
    prepared.push_back(prepare_signature(s.profile, key, in, default_output_path(in, detect_format(in), dir.path()), visible));
  // Preparing reads and builds; it neither uses the key nor writes anything.
  BOOST_TEST(key.signs + key.batches == 0);
  BOOST_TEST((prepared[0].format() == SignatureFormat::pades));
  BOOST_TEST((prepared[2].format() == SignatureFormat::cades));
  for (const PreparedSignature& p : prepared) BOOST_TEST(!fs::exists(p.output()));

  std::vector<Digest> digests;
  for (const PreparedSignature& p : prepared) digests.push_back(p.to_sign());
  BOOST_TEST(digests[0].value != digests[1].value);
  const std::vector<BatchSignature> values = key.sign_batch(digests);
  BOOST_TEST(key.batches == 1);
  BOOST_TEST(key.signs == 0);

  for (std::size_t i = 0; i < prepared.size(); ++i) {
    const fs::path out = prepared[i].output();
    BOOST_TEST(!values[i].error);
    SignOutcome o = finish_signature(std::move(prepared[i]), values[i].value);
    BOOST_TEST(o.output == out);
    BOOST_TEST(o.signer_fingerprint == s.signer->chain().front().sha256_fingerprint());
    FileReport r = verify(out, o.format == SignatureFormat::cades ? std::optional<fs::path>(inputs[i]) : std::nullopt);
    BOOST_TEST(r.valid, out << ": " << r.error.value_or(""));
  }
  BOOST_TEST(no_temp_files(dir.path()));
}

BOOST_AUTO_TEST_CASE(a_signature_value_over_another_digest_does_not_verify) {
  // finish_signature embeds what it is given: the value must be the key's over to_sign().
  test::TempDir dir;
  Signed s = open("rsa.yaml");
  PreparedSignature a = prepare_signature(s.profile, *s.signer, pdfs("classic.pdf"), dir / "a.pdf", {});
  PreparedSignature b = prepare_signature(s.profile, *s.signer, pdfs("multipage.pdf"), dir / "b.pdf", {});
  const Bytes value_of_b = s.signer->sign(b.to_sign());
  finish_signature(std::move(a), value_of_b);
  BOOST_TEST(!verify(dir / "a.pdf").valid);
}

BOOST_AUTO_TEST_CASE(an_expired_signer_certificate_is_refused_before_signing) {
  test::TempDir dir;
  Signed s = open("expired.yaml");
  try {
    sign_file(s.profile, *s.signer, pdfs("classic.pdf"), dir / "x.pdf", {});
    BOOST_FAIL("signed with an expired certificate");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::key));
    BOOST_TEST(std::string(e.what()).find("expired") != std::string::npos);
  }
  BOOST_TEST(!fs::exists(dir / "x.pdf"));
}

BOOST_AUTO_TEST_CASE(a_certificate_whose_key_usage_forbids_signing_is_refused) {
  test::TempDir dir;
  Signed s = open("nokeyusage.yaml");
  BOOST_CHECK_THROW(sign_file(s.profile, *s.signer, pdfs("classic.pdf"), dir / "x.pdf", {}), Error);
  BOOST_TEST(!fs::exists(dir / "x.pdf"));
}

BOOST_AUTO_TEST_CASE(a_signer_from_an_untrusted_root_is_invalid) {
  test::TempDir dir;
  for (const char* name : {"untrusted"}) {
    Signed s = open(std::string(name) + ".yaml");
    fs::path out = dir / (std::string(name) + ".pdf");
    sign_file(s.profile, *s.signer, pdfs("classic.pdf"), out, {});
    FileReport r = verify(out);
    BOOST_TEST(!r.valid, name);
  }
}

BOOST_AUTO_TEST_CASE(wrong_password_is_a_key_error) {
  ::setenv("ESIGN_UNIT_BAD_PW", "not-the-password", 1);
  Profile p = parse_profile("key:\n  source: pkcs12\n  path: rsa.p12\n  password: env:ESIGN_UNIT_BAD_PW\n", pki("bad.yaml"));
  try {
    open_signer(p, SecretResolver());
    BOOST_FAIL("opened with a wrong password");
  } catch (const Error& e) {
    BOOST_TEST((e.code() == Errc::key));
    BOOST_TEST(std::string(e.what()).find("not-the-password") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(encrypted_and_broken_pdfs_fail_without_output) {
  test::TempDir dir;
  Signed s = open("rsa.yaml");
  for (const char* input : {"encrypted.pdf", "corrupt.pdf", "notapdf.pdf", "empty.pdf"}) {
    fs::path out = dir / (std::string(input) + ".signed.pdf");
    try {
      sign_file(s.profile, *s.signer, pdfs(input), out, {});
      BOOST_FAIL(std::string("signed ") + input);
    } catch (const Error& e) {
      BOOST_TEST((e.code() == Errc::input), input << ": " << e.what());
      BOOST_TEST(e.subject().find(input) != std::string::npos);
    }
    BOOST_TEST(!fs::exists(out));
  }
  BOOST_TEST(no_temp_files(dir.path()));
}

BOOST_AUTO_TEST_CASE(an_existing_output_is_not_overwritten_without_force) {
  test::TempDir dir;
  Signed s = open("rsa.yaml");
  test::write_file(dir / "out.pdf", "keep me");
  BOOST_CHECK_THROW(sign_file(s.profile, *s.signer, pdfs("classic.pdf"), dir / "out.pdf", {}), Error);
  BOOST_TEST(test::read_file(dir / "out.pdf") == "keep me");
  SignOptions force;
  force.overwrite = true;
  sign_file(s.profile, *s.signer, pdfs("classic.pdf"), dir / "out.pdf", force);
  BOOST_TEST(verify(dir / "out.pdf").valid);
}

BOOST_AUTO_TEST_CASE(default_output_names_follow_the_contract) {
  BOOST_TEST(default_output_path("a/report.pdf", SignatureFormat::pades, std::nullopt) == "a/report.signed.pdf");
  BOOST_TEST(default_output_path("a/data.bin", SignatureFormat::cades, std::nullopt) == "a/data.bin.p7s");
  BOOST_TEST(default_output_path("a/data.bin", SignatureFormat::cades, fs::path("out")) == "out/data.bin.p7s");
  BOOST_TEST(default_output_path("-", SignatureFormat::cades, std::nullopt) == "-");
}

BOOST_AUTO_TEST_CASE(dates_beyond_the_clock_range_are_clamped_not_overflowed) {
  // Year 9999 is common in certificates and anything can be in a hostile PDF or token.
  auto far = pdf::parse_pdf_date("D:99991231235959Z");
  BOOST_REQUIRE(far.has_value());
  BOOST_TEST((*far > std::chrono::system_clock::now()));
  BOOST_TEST((time_point_from_seconds(INT64_MAX) == time_point_from_seconds(INT64_MAX - 1)));
  BOOST_TEST((time_point_from_seconds(0) == std::chrono::system_clock::from_time_t(0)));
}
