// Long-term validation material for new signatures and archive renewal (inside the sign module).
#pragma once

#include <string>
#include <vector>

#include "cms/validation_data.h"
#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/profile.h"

namespace esign::sign {

// The validation material of a new signature (B-LT): the signer's `chain` and, when `token` is
// given, its TSA's path, with OCSP/CRL evidence fetched from the certificates' addresses;
// `extra` adds issuers (the profile's timestamp.trust file is always added). Throws
// Error(key) when a certificate is revoked, Error(remote) when evidence is missing and the
// profile requires it (`revocation.required`, the default).
cms::ValidationData long_term_data(const Profile& profile, const std::vector<Certificate>& chain, ByteView token,
                                   const std::string& subject, std::vector<Certificate> extra = {});

// The DSS update that adds the validation data of the newest document time-stamp of `file`
// (what its TSA's path needs), or "" when the DSS already proves the status of that path.
// Throws Error(input) when the PDF has no document time-stamp, and like long_term_data.
std::string dss_for_newest_timestamp(ByteView file, const std::string& name, const Profile& profile);

}  // namespace esign::sign
