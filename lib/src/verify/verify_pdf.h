// Validation of every signature in a PDF, each against the revision it signed.
#pragma once

#include <openssl/x509.h>

#include "esign/bytes.h"
#include "esign/verify.h"
#include "verify/cms_check.h"

namespace esign::verify {

// Fills `report` (kind, signatures, revisions, valid, error) for the PDF `data`. `revocation`
// says whether to go online and with which cache; the DSS of the file is added to it here.
// Never throws for bad input.
void verify_pdf(ByteView data, X509_STORE* trust, CertificateCache& certificates, ChainCache& chains,
                const RevocationContext& revocation, FileReport& report);

}  // namespace esign::verify
