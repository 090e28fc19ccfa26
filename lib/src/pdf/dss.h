// The Document Security Store (ETSI EN 319 142-1 §5.4.2, ISO 32000-2 §12.8.4.3): certificates,
// OCSP responses and CRLs kept in the PDF for long-term validation, with per-signature VRI entries.
#pragma once

#include <string>
#include <vector>

#include "der/validation_data.h"
#include "esign/bytes.h"
#include "pdf/document.h"

namespace esign::pdf {

// What the DSS keeps for one signature: its VRI key is the upper-case hex SHA-1 of the bytes
// of the signature's /Contents string.
struct VriEntry {
  Bytes signature_contents;
  der::ValidationData data;
};

// The bytes to append to `pdf` (named `name` in errors) for an incremental update that adds
// `data` and the VRI entries to the DSS, creating it when absent. What the DSS already holds
// (byte for byte) is not added twice. Throws Error(input) for a malformed or encrypted PDF.
std::string add_dss(ByteView pdf, const std::string& name, const der::ValidationData& data,
                    const std::vector<VriEntry>& vri = {});

// Everything the DSS of `doc` holds (empty when it has none). At most kMaxDssEntries of each
// kind are read; streams are decoded with the document's limits. Throws Error(input) when the
// DSS is malformed.
inline constexpr std::size_t kMaxDssEntries = 10'000;
der::ValidationData read_dss(const Document& doc);

// True when the catalog of `doc` has a /DSS.
bool has_dss(const Document& doc);

}  // namespace esign::pdf
