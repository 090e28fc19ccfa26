// How checks add up to ETSI EN 319 102-1 indications: a failed check carries the indication it
// leads to; a signature's indication is the worst of its checks, a file's the worst of its
// signatures' and its own.
#pragma once

#include <string>

#include "esign/verify.h"

namespace esign::verify {

// ETSI sub-indications used by esign (EN 319 102-1 §5.1.3).
namespace sub {
inline constexpr const char* format_failure = "FORMAT_FAILURE";
inline constexpr const char* hash_failure = "HASH_FAILURE";
inline constexpr const char* sig_crypto_failure = "SIG_CRYPTO_FAILURE";
inline constexpr const char* revoked = "REVOKED";
inline constexpr const char* not_yet_valid = "NOT_YET_VALID";
inline constexpr const char* out_of_bounds_no_poe = "OUT_OF_BOUNDS_NO_POE";
inline constexpr const char* no_certificate_chain_found = "NO_CERTIFICATE_CHAIN_FOUND";
inline constexpr const char* no_signing_certificate_found = "NO_SIGNING_CERTIFICATE_FOUND";
inline constexpr const char* chain_constraints_failure = "CHAIN_CONSTRAINTS_FAILURE";
inline constexpr const char* certificate_chain_general_failure = "CERTIFICATE_CHAIN_GENERAL_FAILURE";
inline constexpr const char* crypto_constraints_failure_no_poe = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE";
inline constexpr const char* sig_constraints_failure = "SIG_CONSTRAINTS_FAILURE";
inline constexpr const char* signed_data_not_found = "SIGNED_DATA_NOT_FOUND";
inline constexpr const char* try_later = "TRY_LATER";
inline constexpr const char* timestamp_order_failure = "TIMESTAMP_ORDER_FAILURE";
}  // namespace sub

// What a failed check leads to.
struct Failure {
  Indication indication = Indication::total_failed;
  const char* sub_indication = sub::format_failure;
};
inline constexpr Failure kFormat{Indication::total_failed, sub::format_failure};

// Appends a check; `failure` applies when !ok. Returns ok.
bool add_check(SignatureReport& r, std::string name, bool ok, std::string detail = "", Failure failure = kFormat);

// Sets r.indication, sub_indication, valid and error from r.checks: the worst failed check wins,
// the first of equally bad ones gives the reason. A report without checks is TOTAL-FAILED.
void conclude(SignatureReport& r);

// A problem of the file as a whole (not a PDF, no signature, bytes after the last revision).
void fail_file(FileReport& f, const std::string& why, Failure failure = kFormat);

// Sets f.indication, sub_indication, valid and error from its own failure (fail_file) and its
// signatures: the worst wins.
void conclude(FileReport& f);

}  // namespace esign::verify
