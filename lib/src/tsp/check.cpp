// Checking RFC 3161 time-stamp tokens: what a TSA's answer and a token inside a signature must satisfy.
#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <optional>

#include "crypto/openssl.h"
#include "tsp/token.h"

namespace esign::tsp {

namespace {

using TstInfo = std::unique_ptr<TS_TST_INFO, ossl::Deleter<TS_TST_INFO_free>>;
using Eku = std::unique_ptr<EXTENDED_KEY_USAGE, ossl::Deleter<EXTENDED_KEY_USAGE_free>>;
using SigningCert = std::unique_ptr<ESS_SIGNING_CERT, ossl::Deleter<ESS_SIGNING_CERT_free>>;
using SigningCertV2 = std::unique_ptr<ESS_SIGNING_CERT_V2, ossl::Deleter<ESS_SIGNING_CERT_V2_free>>;

std::optional<DigestAlgorithm> digest_algorithm(int nid) {
  switch (nid) {
    case NID_sha256: return DigestAlgorithm::sha256;
    case NID_sha384: return DigestAlgorithm::sha384;
    case NID_sha512: return DigestAlgorithm::sha512;
    default: return std::nullopt;
  }
}

std::string oid_text(const ASN1_OBJECT* obj) {
  char buf[128] = "";
  OBJ_obj2txt(buf, sizeof buf, obj, 1);
  return buf;
}

// RFC 3161 §2.3: the TSA's certificate MUST contain one extended key usage, id-kp-timeStamping,
// in a critical extension. Returns the problem, "" when none.
std::string eku_problem(X509* cert) {
  int critical = -1;
  Eku eku(static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, &critical, nullptr)));
  if (!eku) {
    return critical == -2 ? "the TSA certificate has more than one extendedKeyUsage extension"
                          : "the TSA certificate has no extendedKeyUsage timeStamping (RFC 3161 §2.3)";
  }
  if (critical != 1) return "the TSA certificate's extendedKeyUsage is not critical (RFC 3161 §2.3)";
  if (sk_ASN1_OBJECT_num(eku.get()) != 1 || OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), 0)) != NID_time_stamp)
    return "the TSA certificate's extendedKeyUsage is not timeStamping alone (RFC 3161 §2.3)";
  return "";
}

// RFC 3161 §2.4.1: the ESSCertID of the TSA certificate MUST be in a SigningCertificate
// attribute (RFC 5816: or SigningCertificateV2). Returns the problem, "" when none.
std::string ess_problem(CMS_SignerInfo* si, X509* signer) {
  auto attribute = [si](int nid) -> const ASN1_STRING* {
    return static_cast<const ASN1_STRING*>(CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(nid), -3, V_ASN1_SEQUENCE));
  };
  SigningCert v1;
  SigningCertV2 v2;
  if (const ASN1_STRING* s = attribute(NID_id_smime_aa_signingCertificate)) {
    const unsigned char* p = s->data;
    v1.reset(d2i_ESS_SIGNING_CERT(nullptr, &p, s->length));
    if (!v1) return "the ESS signing-certificate attribute is malformed";
  }
  if (const ASN1_STRING* s = attribute(NID_id_smime_aa_signingCertificateV2)) {
    const unsigned char* p = s->data;
    v2.reset(d2i_ESS_SIGNING_CERT_V2(nullptr, &p, s->length));
    if (!v2) return "the ESS signing-certificate-v2 attribute is malformed";
  }
  if (!v1 && !v2) return "the token has no ESS signing-certificate attribute naming the TSA certificate (RFC 3161 §2.4.1)";
  ossl::X509View just_signer(sk_X509_new_null());
  if (!just_signer || sk_X509_push(just_signer.get(), signer) <= 0) return "out of memory";
  if (OSSL_ESS_check_signing_certs(v1.get(), v2.get(), just_signer.get(), 1) <= 0)
    return "the ESS signing-certificate attribute does not identify the certificate that signed the token";
  return "";
}

// RFC 3161 §2.4.2: the tsa field, when present, names the TSA: its certificate's subject (or
// one of its subjectAltNames).
bool tsa_name_matches(const GENERAL_NAME* name, X509* signer) {
  if (name->type == GEN_DIRNAME) return X509_NAME_cmp(name->d.directoryName, X509_get_subject_name(signer)) == 0;
  auto* alt = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(signer, NID_subject_alt_name, nullptr, nullptr));
  bool found = false;
  for (int i = 0; alt && i < sk_GENERAL_NAME_num(alt) && !found; ++i)
    found = GENERAL_NAME_cmp(sk_GENERAL_NAME_value(alt, i), const_cast<GENERAL_NAME*>(name)) == 0;
  GENERAL_NAMES_free(alt);
  return found;
}

bool same_bytes(const ASN1_OCTET_STRING* s, ByteView b) {
  return static_cast<std::size_t>(s->length) == b.size() && std::equal(b.begin(), b.end(), s->data);
}

}  // namespace

TokenCheck check_token(ByteView token, const Expectation& expect) {
  TokenCheck r;
  ossl::clear_errors();
  auto fail = [&r](std::string why, TokenCheck::Flaw flaw = TokenCheck::Flaw::format) {
    ossl::clear_errors();
    r.ok = false;
    r.error = std::move(why);
    r.flaw = flaw;
    return r;
  };

  // RFC 3161 §2.4.2: TimeStampToken is a ContentInfo holding SignedData over an id-ct-TSTInfo.
  const unsigned char* p = token.data();
  ossl::Cms cms(d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(token.size())));
  if (!cms || p != token.data() + token.size()) return fail("the time-stamp token is not one DER CMS ContentInfo");
  if (OBJ_obj2nid(CMS_get0_type(cms.get())) != NID_pkcs7_signed) return fail("the time-stamp token is not CMS SignedData");
  if (OBJ_obj2nid(CMS_get0_eContentType(cms.get())) != NID_id_smime_ct_TSTInfo)
    return fail("the time-stamp token does not hold a TSTInfo");
  ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
  if (content == nullptr || *content == nullptr) return fail("the time-stamp token has no TSTInfo content");
  const unsigned char* q = (*content)->data;
  TstInfo info(d2i_TS_TST_INFO(nullptr, &q, (*content)->length));
  if (!info || q != (*content)->data + (*content)->length) return fail("the token's TSTInfo is malformed");
  if (TS_TST_INFO_get_version(info.get()) != 1) return fail("the token's TSTInfo version is not 1");
  r.time = ossl::to_time_point(TS_TST_INFO_get_time(info.get()));
  if (r.time == std::chrono::system_clock::time_point{}) return fail("the token's genTime is malformed");

  // §2.4.1: no signature other than the TSA's.
  STACK_OF(CMS_SignerInfo)* signer_infos = CMS_get0_SignerInfos(cms.get());
  if (sk_CMS_SignerInfo_num(signer_infos) != 1) return fail("the time-stamp token must have exactly one signer");
  CMS_SignerInfo* si = sk_CMS_SignerInfo_value(signer_infos, 0);

  // The signature over the signed attributes and their messageDigest over the TSTInfo, with the
  // certificate the token carries (certReq); the path comes later, at genTime.
  if (CMS_verify(cms.get(), nullptr, nullptr, nullptr, nullptr, CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) != 1) {
    std::string why = ossl::drain_errors();
    return fail("the time-stamp token's signature does not verify" + (why.empty() ? "" : " (" + why + ")"),
                TokenCheck::Flaw::signature);
  }
  ossl::X509View signers(CMS_get0_signers(cms.get()));
  if (!signers || sk_X509_num(signers.get()) != 1) return fail("the time-stamp token does not carry the TSA certificate");
  X509* signer = sk_X509_value(signers.get(), 0);
  Certificate tsa = Certificate::from_x509(signer);
  r.tsa = tsa.subject();
  r.tsa_fingerprint = tsa.sha256_fingerprint();

  if (std::string e = ess_problem(si, signer); !e.empty()) return fail(e);
  if (std::string e = eku_problem(signer); !e.empty()) return fail(e);
  if (!tsa.key_usage_allows_signing()) return fail("the TSA certificate's key usage does not allow signatures");
  if (const GENERAL_NAME* name = TS_TST_INFO_get_tsa(info.get()); name && !tsa_name_matches(name, signer))
    return fail("the token's tsa name is not the certificate that signed it");

  // §2.4.2: the messageImprint is the hash of the data, with the algorithm the token states.
  TS_MSG_IMPRINT* imprint = TS_TST_INFO_get_msg_imprint(info.get());
  const ASN1_OBJECT* alg_oid = nullptr;
  X509_ALGOR_get0(&alg_oid, nullptr, nullptr, TS_MSG_IMPRINT_get_algo(imprint));
  std::optional<DigestAlgorithm> alg = digest_algorithm(OBJ_obj2nid(alg_oid));
  if (!alg) return fail("the token's imprint uses an unsupported hash algorithm (" + oid_text(alg_oid) + ")");
  const ASN1_OCTET_STRING* value = TS_MSG_IMPRINT_get_msg(imprint);
  if (expect.imprint) {
    if (*alg != expect.imprint->algorithm || !same_bytes(value, expect.imprint->value))
      return fail("the token's imprint is not the hash that was sent", TokenCheck::Flaw::imprint);
  } else if (!same_bytes(value, digest_of(*alg, expect.data).value)) {
    return fail("the token's imprint does not match the time-stamped data", TokenCheck::Flaw::imprint);
  }

  // §2.4.2: the nonce MUST be the request's.
  if (expect.nonce) {
    const ASN1_INTEGER* nonce = TS_TST_INFO_get_nonce(info.get());
    if (nonce == nullptr || ASN1_INTEGER_cmp(nonce, expect.nonce) != 0)
      return fail("the token's nonce is not the request's (a replayed or misrouted response)");
  }
  if (expect.policy && OBJ_cmp(TS_TST_INFO_get_policy_id(info.get()), expect.policy) != 0)
    return fail("the token's policy " + oid_text(TS_TST_INFO_get_policy_id(info.get())) + " is not the requested " +
                oid_text(expect.policy));

  // The TSA certificate's path to a trust anchor, as of genTime, for the time-stamping purpose.
  if (expect.trust) {
    ossl::X509Stack certs(CMS_get1_certs(cms.get()));
    ossl::StoreCtx store_ctx(X509_STORE_CTX_new());
    if (!store_ctx || X509_STORE_CTX_init(store_ctx.get(), expect.trust, signer, certs.get()) != 1)
      return fail("cannot set up the TSA certificate's path validation");
    X509_STORE_CTX_set_purpose(store_ctx.get(), X509_PURPOSE_TIMESTAMP_SIGN);
    X509_STORE_CTX_set_time(store_ctx.get(), 0, std::chrono::system_clock::to_time_t(r.time));
    if (X509_verify_cert(store_ctx.get()) != 1) {
      r.path_error = X509_STORE_CTX_get_error(store_ctx.get());
      return fail("the TSA certificate (" + tsa.common_name() + ") is not trusted: " +
                      X509_verify_cert_error_string(r.path_error),
                  TokenCheck::Flaw::path);
    }
    STACK_OF(X509)* path = X509_STORE_CTX_get0_chain(store_ctx.get());
    for (int i = 0; i < sk_X509_num(path); ++i) {
      X509* c = sk_X509_value(path, i);
      X509_up_ref(c);
      r.path.emplace_back(c, X509_free);
    }
  } else if (expect.require_trust) {
    return fail("no trust anchors to check the TSA certificate (" + tsa.common_name() + ") against", TokenCheck::Flaw::path);
  }
  ossl::clear_errors();
  r.ok = true;
  return r;
}

TokenCheck check(ByteView token, ByteView data, X509_STORE* trust) {
  Expectation expect;
  expect.data = data;
  expect.trust = trust;
  return check_token(token, expect);
}

}  // namespace esign::tsp
