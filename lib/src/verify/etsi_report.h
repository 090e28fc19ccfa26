// `esign verify --format etsi`: the reports as one ETSI TS 119 102-2 validation report (XML,
// namespace http://uri.etsi.org/19102/v1.2.1#, the element names and order of the TS 119 102-2
// schema that EU DSS and pyHanko write).
#pragma once

#include <string>
#include <vector>

#include "esign/verify.h"

namespace esign::verify {

// One ValidationReport for all files: a SignatureValidationReport per signature of every file,
// in order, plus one for a file whose own outcome no signature report carries (unreadable, no
// signatures, or a file-level failure such as a forbidden later revision); then every distinct
// certificate, CRL, OCSP response and time-stamp relied on as a SignatureValidationObject.
// Every text taken from the reports (paths, names, reasons, details) is escaped, and characters
// XML 1.0 forbids (and malformed UTF-8) become U+FFFD, so the document is well-formed whatever
// the signed files contain.
std::string format_etsi_report(const std::vector<FileReport>& reports);

}  // namespace esign::verify
