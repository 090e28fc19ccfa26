// esign encrypt: streams a file through OpenSSL's CMS encoder into DER (Auth)EnvelopedData.
#include <openssl/cms.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdint>

#include "crypto/openssl.h"
#include "envelope/bio_stream.h"
#include "esign/certificate.h"
#include "esign/envelope.h"
#include "esign/output.h"

namespace esign {

namespace fs = std::filesystem;

fs::path default_encrypt_output(const fs::path& input) {
  if (input == "-") return "-";
  fs::path out = input;
  out += ".p7m";
  return out;
}

namespace {

// Refuses certificates that may not receive keys: RSA needs keyEncipherment, EC keyAgreement
// (RFC 5280 §4.2.1.3), whenever a key usage extension is present.
void check_recipient(const Certificate& cert, const std::string& subject) {
  X509* x = cert.native();
  EVP_PKEY* pub = X509_get0_pubkey(x);
  if (pub == nullptr) ossl::fail(Errc::input, subject, "cannot read the certificate's public key");
  const std::uint32_t usage = X509_get_key_usage(x);  // UINT32_MAX without the extension
  const std::string who = cert.common_name();
  switch (EVP_PKEY_get_base_id(pub)) {
    case EVP_PKEY_RSA:
      if ((usage & KU_KEY_ENCIPHERMENT) == 0)
        throw Error(Errc::key, subject,
                    "certificate of '" + who + "' does not allow encryption (its key usage lacks keyEncipherment)");
      break;
    case EVP_PKEY_EC:
      if ((usage & KU_KEY_AGREEMENT) == 0)
        throw Error(Errc::key, subject,
                    "certificate of '" + who + "' does not allow encryption (its key usage lacks keyAgreement)");
      break;
    default: throw Error(Errc::key, subject, "unsupported recipient key type (RSA and EC keys are supported)");
  }
}

void add_recipient(CMS_ContentInfo* cms, const Certificate& cert, bool compat, const std::string& subject) {
  const bool rsa = EVP_PKEY_get_base_id(X509_get0_pubkey(cert.native())) == EVP_PKEY_RSA;
  const bool oaep = rsa && !compat;
  CMS_RecipientInfo* ri = CMS_add1_recipient_cert(cms, cert.native(), oaep ? CMS_KEY_PARAM : 0);
  if (ri == nullptr) ossl::fail(Errc::key, subject, "cannot add the recipient");
  if (oaep) {
    EVP_PKEY_CTX* pctx = CMS_RecipientInfo_get0_pkey_ctx(ri);
    if (pctx == nullptr || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256()) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1)
      ossl::fail(Errc::internal, subject, "cannot set RSAES-OAEP parameters");
  }
}

}  // namespace

EnvelopeOutcome encrypt_file(const fs::path& input, const fs::path& output, const EncryptOptions& options) {
  if (options.recipients.empty()) throw Error(Errc::usage, "encrypt", "no recipient certificate: an envelope needs at least one");
  if (input != "-" && output != "-" && fs::exists(output) && fs::equivalent(input, output))
    throw Error(Errc::usage, output.string(), "the output would overwrite the input");

  EnvelopeOutcome outcome;
  outcome.input = input;
  outcome.output = output;
  outcome.content_cipher = options.compat ? "aes-256-cbc" : "aes-256-gcm";

  std::vector<Certificate> recipients;
  for (const fs::path& file : options.recipients) {
    for (Certificate& c : Certificate::load_pem_file(file)) {
      check_recipient(c, file.string());
      outcome.recipient_fingerprints.push_back(c.sha256_fingerprint());
      recipients.push_back(std::move(c));
    }
  }

  ossl::Bio in(input == "-" ? BIO_new_fp(stdin, BIO_NOCLOSE) : BIO_new_file(input.c_str(), "rb"));
  if (!in) ossl::fail(Errc::input, input.string(), "cannot open the input");
  // The input's hash on the way in: a digest BIO on top of the file.
  BIO* md = BIO_new(BIO_f_md());
  if (md == nullptr || BIO_set_md(md, EVP_sha256()) != 1) ossl::fail(Errc::internal, input.string(), "cannot hash");
  BIO* raw_in = in.release();
  in.reset(BIO_push(md, raw_in));

  OutputFile out(output, options.overwrite);  // refuses an existing output before anything is read
  envelope::SinkBio sink(out);

  const EVP_CIPHER* cipher = options.compat ? EVP_aes_256_cbc() : EVP_aes_256_gcm();
  const unsigned flags = CMS_BINARY | CMS_STREAM | CMS_PARTIAL;
  // AES-GCM makes OpenSSL build AuthEnvelopedData (RFC 5083) rather than EnvelopedData.
  ossl::Cms cms(CMS_encrypt_ex(nullptr, in.get(), cipher, flags, nullptr, nullptr));
  if (!cms) ossl::fail(Errc::internal, input.string(), "cannot start the CMS envelope");
  for (std::size_t i = 0; i < recipients.size(); ++i) add_recipient(cms.get(), recipients[i], options.compat, "recipient");

  const int ok = i2d_CMS_bio_stream(sink.get(), cms.get(), in.get(), flags);
  sink.rethrow_if_failed();
  if (ok != 1) ossl::fail(Errc::input, input.string(), "encryption failed");
  if (BIO_flush(sink.get()) != 1) ossl::fail(Errc::input, output.string(), "cannot write the output");

  EVP_MD_CTX* mdctx = nullptr;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int dlen = 0;
  if (BIO_get_md_ctx(md, &mdctx) != 1 || EVP_DigestFinal_ex(mdctx, digest, &dlen) != 1)
    ossl::fail(Errc::internal, input.string(), "cannot hash the input");
  outcome.input_sha256 = to_hex(ByteView(digest, dlen));
  outcome.output_sha256 = sink.sha256_hex();
  out.commit();
  return outcome;
}

}  // namespace esign
