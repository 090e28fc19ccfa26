// Long-term validation material for new signatures and archive renewal (inside the sign module).
#pragma once

#include <string>
#include <vector>

#include "der/validation_data.h"
#include "esign/bytes.h"
#include "esign/certificate.h"
#include "esign/profile.h"

namespace esign::sign {

// The validation material of a new signature (B-LT): the signer's `chain` and, when `token` is
// given, its TSA's path, with OCSP/CRL evidence fetched from the certificates' addresses;
// `extra` adds issuers (the profile's timestamp.trust file is always added). Throws
// Error(key) when a certificate is revoked, Error(remote) when evidence is missing and the
// profile requires it (`revocation.required`, the default).
der::ValidationData long_term_data(const Profile& profile, const std::vector<Certificate>& chain, ByteView token,
                                   const std::string& subject, std::vector<Certificate> extra = {});

// CAdES archive renewal (EN 319 122-1 §5.5.3). The digest of what the single signer of the DER
// CMS `cms` signed, with its digest algorithm, for an archive time-stamp's input: the eContent
// hashed when attached, else the message-digest attribute (the signature binds the detached
// content to it). Throws Error(input, name) for a CMS that cannot be extended: not DER
// SignedData, not one signer, below B-T (no signature time-stamp), a digest other than SHA-2.
Digest cades_content_digest(ByteView cms, const std::string& name);

// The validation data the CMS `cms` lacks before an archive time-stamp may cover it, fetched now:
// the signer's path and the TSA path of each time-stamp in it (signature-time-stamp,
// archive-time-stamp-v3) whose status its certificates and crls fields do not prove yet; with
// `refresh_newest`, the TSA path of the newest time-stamp (by genTime) even when they do. Empty
// when nothing is missing. Throws Error(input) when `cms` cannot be read, and like
// long_term_data.
der::ValidationData cades_missing_data(ByteView cms, const Profile& profile, const std::string& name, bool refresh_newest);

// The DSS update that adds the validation data of the newest document time-stamp of `file`
// (what its TSA's path needs), or "" when the DSS already proves the status of that path.
// Throws Error(input) when the PDF has no document time-stamp, and like long_term_data.
std::string dss_for_newest_timestamp(ByteView file, const std::string& name, const Profile& profile);

}  // namespace esign::sign
