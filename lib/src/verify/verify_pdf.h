// Validation of every signature in a PDF, each against the revision it signed.
#pragma once

#include <openssl/x509.h>

#include "esign/bytes.h"
#include "esign/verify.h"
#include "verify/cms_check.h"

namespace esign::verify {

// Fills `report` (kind, signatures, revisions, valid, error) for the PDF `data`. `base` gives
// the trust store, caches, key policy and revocation settings (whether to go online); the DSS of
// the file is added to its embedded evidence here. Reading the file draws on one pdf::Budget
// sized from its length. `options` gives the PDF policies: what an approval signature of a
// document that is not certified tolerates after it (max_changes), and what a visible change
// after a signature does (visual). Never throws for bad input.
void verify_pdf(ByteView data, const CmsContext& base, const VerifyOptions& options, FileReport& report);

}  // namespace esign::verify
