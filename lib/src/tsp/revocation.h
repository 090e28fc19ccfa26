// Revocation evidence: OCSP responses (RFC 6960) and CRLs (RFC 5280) — fetched from the
// addresses a certificate names (AIA id-ad-ocsp, CRL distribution points) and checked.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/x509.h>

#include "der/validation_data.h"
#include "esign/bytes.h"
#include "esign/certificate.h"

namespace esign::tsp {

using der::ValidationData;

enum class CertStatus { good, revoked, unknown };

// What one piece of evidence says about one certificate.
struct StatusCheck {
  CertStatus status = CertStatus::unknown;
  std::chrono::system_clock::time_point this_update;  // when the evidence was issued
  std::optional<std::chrono::system_clock::time_point> next_update;
  std::chrono::system_clock::time_point revoked_at;   // status revoked
  std::optional<int> reason;  // status revoked: the CRLReason code (RFC 5280 §5.3.1), when given
  std::string detail;  // unknown: why the evidence could not be used; revoked: the reason code
};

// Checks a DER OCSPResponse about `cert`, issued by `issuer`: status successful, a basic
// response signed by the issuer itself or by a responder certificate the issuer issued with the
// id-kp-OCSPSigning extended key usage (valid when the response was produced), answering for
// this certificate (SHA-1 or SHA-256 CertID). `nonce`, when given, must be echoed if the
// responder echoes nonces at all. Never throws; problems come back as CertStatus::unknown.
StatusCheck check_ocsp(ByteView response, X509* cert, X509* issuer, ByteView nonce = {});

// Checks a DER CRL for `cert`: issued and signed by `issuer` (whose key usage, when present,
// must allow cRLSign), a complete CRL (no delta, no indirect entries, no partial reasons) whose
// scope covers the certificate (an issuing distribution point limited to CA, end-entity or
// attribute certificates, or naming a distribution point the certificate does not name, says
// nothing about it). Never throws.
StatusCheck check_crl(ByteView crl, X509* cert, X509* issuer);

// The http(s) addresses a certificate names for its status: OCSP responders (AIA) and CRLs (CDP).
std::vector<std::string> ocsp_urls(X509* cert);
std::vector<std::string> crl_urls(X509* cert);
// The http(s) addresses where a certificate's issuer is published (AIA id-ad-caIssuers).
std::vector<std::string> ca_issuer_urls(X509* cert);
// The certificates published at a caIssuers address: one DER certificate or a DER certs-only
// PKCS#7 (RFC 5280 §4.2.2.1), at most 1 MiB; plain http allowed (certificates are signed). Empty
// when the address does not answer with one. Never throws.
std::vector<std::shared_ptr<X509>> fetch_ca_issuers(const std::string& url,
                                                    std::chrono::milliseconds timeout = std::chrono::seconds(15));

// One certificate's status fetched online: each OCSP responder in turn, then each CRL, until
// one answers with evidence that checks out and, for a "good" answer, is current (issued no
// later than now, not past its nextUpdate); a "revoked" answer counts however old (revocation
// is final). `evidence` is the raw OCSPResponse or CRL; `is_ocsp` says which.
struct Fetched {
  StatusCheck check;
  Bytes evidence;
  bool is_ocsp = false;
  std::string source;  // the URL that answered, or why none did
};
// Never throws for network or evidence problems: check.status is unknown and `source` says why.
Fetched fetch_status(X509* cert, X509* issuer, std::chrono::milliseconds timeout = std::chrono::seconds(15));

// True when `data` holds an OCSP response or CRL that proves the status (good or revoked) of
// `cert`, issued by `issuer`.
bool has_status_evidence(const ValidationData& data, X509* cert, X509* issuer);

// True when `data` proves the status of every certificate on the path of `leaf` (built from
// `pool` and data's own certificates) but a self-issued top.
bool covers_path(const ValidationData& data, X509* leaf, const std::vector<X509*>& pool);

// The certificate path of `leaf` built from `pool`: leaf first, each certificate followed by its
// issuer, ending at a self-issued certificate or where no issuer is in the pool (at most 16).
std::vector<X509*> build_path(X509* leaf, const std::vector<X509*>& pool);

// The revocation evidence of every certificate on the paths of `leaves` (built from `pool`) but
// a self-issued top (a trust anchor is not checked), fetched online, plus the certificates
// themselves. A certificate whose status cannot be fetched is named in `problems`, one that is
// revoked in `revoked` (one line each; its evidence is kept). Evidence fetched in the last five
// minutes (and not past its nextUpdate) is reused: a batch asks each responder a few times only.
// Thread-safe.
struct Collected {
  ValidationData data;
  std::vector<std::string> problems;  // certificates whose status is unknown
  std::vector<std::string> revoked;   // certificates found revoked
};
Collected collect_validation_data(const std::vector<X509*>& leaves, const std::vector<X509*>& pool);

// The validation material of one signature (EN 319 142-1 §5.4.1, EN 319 122-1 §5.5): the
// signer's path from `chain` (leaf first) and, for a time-stamped signature, the TSA's path
// from the token's own certificates; `extra` adds issuers found elsewhere (a TSA trust file).
Collected validation_data_for(const std::vector<Certificate>& chain, ByteView token, const std::vector<Certificate>& extra);

// The certificates a time-stamp token (or any SignedData) carries, and which of them signed it
// (nullptr when none matches or the token does not parse).
struct TokenCertificates {
  std::vector<std::shared_ptr<X509>> certs;
  X509* signer = nullptr;
};
TokenCertificates token_certificates(ByteView token);

}  // namespace esign::tsp
