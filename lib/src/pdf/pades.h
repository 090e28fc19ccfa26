// The PDF side of PAdES (ETSI EN 319 142-1): an incremental update with a signature field and a
// /Contents placeholder, and, once the signature exists, the update with it embedded. The PDF
// layer never signs: the sign module has the key sign between prepare_* and embed.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "esign/bytes.h"
#include "esign/profile.h"

namespace esign::pdf {

// What a signature dictionary says besides its /Contents (ISO 32000-1 §12.8.1, EN 319 142-1 §5.3).
struct SignatureDictionary {
  std::string signer_name;  // /Name, and {signer} in the appearance text
  std::string reason;       // /Reason when not empty
  std::string location;     // /Location when not empty
  std::string contact;      // /ContactInfo when not empty
  std::chrono::system_clock::time_point signing_time;  // /M, and {date} in the appearance text
  std::optional<Appearance> appearance;                // none: an invisible signature
  // Certification (DocMDP /Reference and the catalog's /Perms): only for a document with no
  // signature yet. FieldMDP: a /Reference transform and the field's /Lock.
  Certification certify = Certification::none;
  FieldLock lock_fields;
  // Sign even when the document hides content a later update could show (pdf/hidden.h);
  // refused with Error(input, Remedy::allow_hidden_content) otherwise.
  bool allow_hidden_content = false;
};

// Stage 1 of signing a PDF: the update to append, its /Contents a zeroed placeholder and its
// /ByteRange final, and the digest of the bytes the signature will cover (the file and the
// update without the /Contents string). A value: nothing refers to the PDF it was made from.
struct PreparedUpdate {
  std::string tail;            // the bytes to append after the PDF; /Contents still zeros
  std::size_t base = 0;        // the length of the PDF it extends: `tail` starts there
  std::size_t gap_begin = 0;   // absolute offsets of the /Contents hex string, brackets included
  std::size_t gap_end = 0;
  Digest digest;               // of the ByteRange: what the signature or time-stamp covers

  // How many bytes of DER /Contents holds.
  std::size_t capacity() const { return (gap_end - gap_begin - 2) / 2; }
};

// A signature field (with its widget and appearance) and a signature dictionary of SubFilter
// ETSI.CAdES.detached with room for `capacity` bytes of CMS, appended to `pdf` (named `name` in
// errors); the ByteRange digest uses `digest`. Throws Error(input) for an encrypted or malformed
// PDF, an appearance page it does not have, a file too large for the ByteRange field, a
// certification of a document that is already signed, a signature on a document certified with
// P1 (no changes), or a field to lock that the document does not have.
PreparedUpdate prepare_signature(ByteView pdf, const std::string& name, const SignatureDictionary& dictionary,
                                 std::size_t capacity, DigestAlgorithm digest);

// A document time-stamp field (/Type /DocTimeStamp, SubFilter ETSI.RFC3161, EN 319 142-1 §5.4)
// with room for a `capacity`-byte token over the SHA-256 ByteRange digest. Throws like
// prepare_signature.
PreparedUpdate prepare_timestamp(ByteView pdf, const std::string& name, std::size_t capacity);

// Stage 3: `contents` (the DER CMS or time-stamp token) written into the placeholder, zero
// padded; returns the bytes to append to the PDF. REQUIRES: contents.size() <= capacity()
// (Error(internal) otherwise: the caller sized the placeholder).
std::string embed(PreparedUpdate prepared, ByteView contents);

// True when `head` (the first bytes of a file) starts like a PDF ("%PDF-" within the first 1024 bytes).
bool looks_like_pdf(ByteView head);

}  // namespace esign::pdf
