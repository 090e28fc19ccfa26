// The RFC 3161 client: builds a TimeStampReq, POSTs it to the TSA, checks the response before use.
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/ts.h>

#include <array>

#include "der/der.h"
#include "crypto/openssl.h"
#include "esign/error.h"
#include "http/http.h"
#include "tsp/token.h"

namespace esign::tsp {

namespace {

namespace fs = std::filesystem;

using TsReq = std::unique_ptr<TS_REQ, ossl::Deleter<TS_REQ_free>>;
using TsResp = std::unique_ptr<TS_RESP, ossl::Deleter<TS_RESP_free>>;
using MsgImprint = std::unique_ptr<TS_MSG_IMPRINT, ossl::Deleter<TS_MSG_IMPRINT_free>>;
using Algor = std::unique_ptr<X509_ALGOR, ossl::Deleter<X509_ALGOR_free>>;
using Integer = std::unique_ptr<ASN1_INTEGER, ossl::Deleter<ASN1_INTEGER_free>>;
using Object = std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT_free>>;
using Bignum = std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>>;

constexpr std::chrono::milliseconds kTimeout{30'000};

int digest_nid(DigestAlgorithm a) {
  switch (a) {
    case DigestAlgorithm::sha256: return NID_sha256;
    case DigestAlgorithm::sha384: return NID_sha384;
    case DigestAlgorithm::sha512: return NID_sha512;
  }
  return NID_undef;
}

// RFC 3161 §2.4.1: a 64-bit random nonce (positive: a BIGNUM from unsigned bytes).
Integer random_nonce(const std::string& subject) {
  std::array<unsigned char, 8> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) ossl::fail(Errc::internal, subject, "no random nonce");
  Bignum bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  Integer nonce(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!nonce) ossl::fail(Errc::internal, subject, "cannot encode the nonce");
  return nonce;
}

// The DER TimeStampReq (§2.4.1): version 1, the imprint, the nonce, certReq TRUE, the policy.
Bytes build_request(const Digest& imprint, const ASN1_INTEGER* nonce, const ASN1_OBJECT* policy,
                    const std::string& subject) {
  TsReq req(TS_REQ_new());
  MsgImprint mi(TS_MSG_IMPRINT_new());
  Algor alg(X509_ALGOR_new());
  if (!req || !mi || !alg) ossl::fail(Errc::internal, subject, "out of memory");
  // RFC 5754 §2: SHA-2 AlgorithmIdentifiers are generated with absent parameters.
  X509_ALGOR_set0(alg.get(), OBJ_nid2obj(digest_nid(imprint.algorithm)), V_ASN1_UNDEF, nullptr);
  std::vector<unsigned char> value(imprint.value.begin(), imprint.value.end());
  if (TS_MSG_IMPRINT_set_algo(mi.get(), alg.get()) != 1 ||
      TS_MSG_IMPRINT_set_msg(mi.get(), value.data(), static_cast<int>(value.size())) != 1 ||
      TS_REQ_set_version(req.get(), 1) != 1 || TS_REQ_set_msg_imprint(req.get(), mi.get()) != 1 ||
      TS_REQ_set_nonce(req.get(), nonce) != 1 || TS_REQ_set_cert_req(req.get(), 1) != 1 ||
      (policy && TS_REQ_set_policy_id(req.get(), policy) != 1))
    ossl::fail(Errc::internal, subject, "cannot build the time-stamp request");
  int len = i2d_TS_REQ(req.get(), nullptr);
  if (len <= 0) ossl::fail(Errc::internal, subject, "cannot encode the time-stamp request");
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_TS_REQ(req.get(), &p);
  return der;
}

// "rejection: TEXT (failure: badAlg, ...)" from a PKIStatusInfo (RFC 3161 §2.4.2), on one line.
std::string status_text(const TS_STATUS_INFO* info) {
  static constexpr const char* kStatus[] = {"granted", "grantedWithMods", "rejection", "waiting",
                                            "revocationWarning", "revocationNotification"};
  long status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(info));
  std::string out = status >= 0 && status < 6 ? kStatus[status] : "status " + std::to_string(status);
  if (const STACK_OF(ASN1_UTF8STRING)* texts = TS_STATUS_INFO_get0_text(info)) {
    for (int i = 0; i < sk_ASN1_UTF8STRING_num(texts); ++i) {
      const ASN1_UTF8STRING* t = sk_ASN1_UTF8STRING_value(texts, i);
      std::string text(reinterpret_cast<const char*>(t->data), static_cast<std::size_t>(t->length));
      for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
      out += (i == 0 ? ": " : "; ") + text;
    }
  }
  static constexpr std::pair<int, const char*> kFailures[] = {
      {TS_INFO_BAD_ALG, "badAlg"}, {TS_INFO_BAD_REQUEST, "badRequest"}, {TS_INFO_BAD_DATA_FORMAT, "badDataFormat"},
      {TS_INFO_TIME_NOT_AVAILABLE, "timeNotAvailable"}, {TS_INFO_UNACCEPTED_POLICY, "unacceptedPolicy"},
      {TS_INFO_UNACCEPTED_EXTENSION, "unacceptedExtension"}, {TS_INFO_ADD_INFO_NOT_AVAILABLE, "addInfoNotAvailable"},
      {TS_INFO_SYSTEM_FAILURE, "systemFailure"}};
  if (const ASN1_BIT_STRING* bits = TS_STATUS_INFO_get0_failure_info(info)) {
    std::string failures;
    for (const auto& [bit, name] : kFailures)
      if (ASN1_BIT_STRING_get_bit(bits, bit)) failures += (failures.empty() ? "" : ", ") + std::string(name);
    if (!failures.empty()) out += " (failure: " + failures + ")";
  }
  return out;
}

// The token's own bytes inside the TimeStampResp SEQUENCE { status, timeStampToken }, so that
// what is embedded is exactly what the TSA signed; a re-encoding only for a BER response.
Bytes token_bytes(ByteView response, TS_RESP* parsed, const std::string& subject) {
  ByteView in = response;
  der::Element outer, status, token;
  if (der::read(in, outer) && outer.tag == der::tag::sequence) {
    ByteView inner = outer.content;
    if (der::read(inner, status) && der::read(inner, token) && token.tag == der::tag::sequence)
      return Bytes(token.whole.begin(), token.whole.end());
  }
  PKCS7* p7 = TS_RESP_get_token(parsed);
  int len = p7 ? i2d_PKCS7(p7, nullptr) : 0;
  if (len <= 0) ossl::fail(Errc::remote, subject, "the TSA's response holds no time-stamp token");
  Bytes der(static_cast<std::size_t>(len));
  unsigned char* p = der.data();
  i2d_PKCS7(p7, &p);
  return der;
}

}  // namespace

std::string url_subject(const std::string& url) { return http::redacted(url); }

Reply request_reply(const TimestampSettings& settings, const Digest& imprint, const SecretResolver& secrets,
                    const std::string& profile_file) {
  const std::string subject = url_subject(settings.url);
  const std::string config_subject = profile_file.empty() ? subject : profile_file;
  if (digest_nid(imprint.algorithm) == NID_undef || imprint.value.size() != digest_size(imprint.algorithm))
    throw Error(Errc::internal, subject, "the imprint is not a SHA-2 digest");

  http::Request request;
  request.method = "POST";
  request.url = settings.url;
  request.timeout = kTimeout;
  request.headers = {{"Content-Type", "application/timestamp-query"}, {"Accept", "application/timestamp-reply"}};
  if (settings.password && settings.username.empty())
    throw Error(Errc::config, config_subject, "timestamp.password needs timestamp.username");
  if (!settings.username.empty()) {
    if (!settings.password) throw Error(Errc::config, config_subject, "timestamp.username needs timestamp.password");
    fs::path base = profile_file.empty() ? fs::current_path() : fs::path(profile_file).parent_path();
    Secret password = secrets.resolve(*settings.password, "TSA password for " + settings.username, base, config_subject);
    Secret credentials(settings.username + ":" + password.reveal());
    Secret header("Basic " + base64_encode(as_bytes(credentials.reveal())));
    request.headers.emplace_back("Authorization", header.reveal());
  }

  Object policy;
  if (!settings.policy.empty()) {
    policy.reset(OBJ_txt2obj(settings.policy.c_str(), 1));
    if (!policy) {
      ossl::clear_errors();
      throw Error(Errc::config, config_subject, "timestamp.policy '" + settings.policy + "' is not a dotted OID");
    }
  }
  ossl::Store trust;
  if (settings.trust) trust = ossl::trust_store({*settings.trust}, false);

  Integer nonce = random_nonce(subject);
  Bytes query = build_request(imprint, nonce.get(), policy.get(), subject);
  request.body.assign(reinterpret_cast<const char*>(query.data()), query.size());

  http::Response response = http::send(request);
  // The request held the password; wipe our copy of the header.
  for (auto& [name, value] : request.headers)
    if (name == "Authorization") OPENSSL_cleanse(value.data(), value.size());
  if (response.status == 401 || response.status == 403)
    throw Error(Errc::remote, subject,
                settings.username.empty()
                    ? "the TSA requires authentication (HTTP " + std::to_string(response.status) +
                          "): set timestamp.username and timestamp.password in a profile"
                    : "the TSA refused the credentials of '" + settings.username + "' (HTTP " +
                          std::to_string(response.status) + ")");
  if (response.status != 200)
    throw Error(Errc::remote, subject, "the TSA answered HTTP " + std::to_string(response.status));

  Reply reply;
  reply.response.assign(response.body.begin(), response.body.end());
  const unsigned char* p = reply.response.data();
  TsResp resp(d2i_TS_RESP(nullptr, &p, static_cast<long>(reply.response.size())));
  if (!resp || p != reply.response.data() + reply.response.size()) {
    ossl::clear_errors();
    auto type = response.headers.find("content-type");
    throw Error(Errc::remote, subject,
                "the TSA's answer is not an RFC 3161 TimeStampResp (Content-Type: " +
                    (type == response.headers.end() ? std::string("none") : type->second) + ")");
  }
  const TS_STATUS_INFO* status = TS_RESP_get_status_info(resp.get());
  long code = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(status));
  if (code != 0 && code != 1)  // granted, grantedWithMods
    throw Error(Errc::remote, subject, "the TSA refused the request: " + status_text(status));

  reply.token.der = token_bytes(reply.response, resp.get(), subject);
  Expectation expect;
  expect.imprint = &imprint;
  expect.nonce = nonce.get();
  expect.policy = policy.get();
  expect.trust = trust.get();
  expect.require_trust = false;  // without timestamp.trust, the path is left to whoever verifies
  TokenCheck checked = check_token(reply.token.der, expect);
  if (!checked.ok) throw Error(Errc::remote, subject, "the TSA's response fails a check: " + checked.error);
  reply.token.time = checked.time;
  reply.token.tsa = checked.tsa;
  reply.tsa_fingerprint = checked.tsa_fingerprint;
  return reply;
}

Token request(const TimestampSettings& settings, const Digest& imprint, const SecretResolver& secrets,
              const std::string& profile_file) {
  return request_reply(settings, imprint, secrets, profile_file).token;
}

}  // namespace esign::tsp
