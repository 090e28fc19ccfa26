// What each incremental update of a signed PDF changed, object by object, and whether the
// change is one a signature tolerates after it: validation data (DSS/VRI), document
// time-stamps and further signatures (fields, widgets, their appearances, the AcroForm entries
// that list them). Anything else — page content, resources, other annotations, the outline,
// metadata — is a modification of what was signed.
//
// The analysis trusts nothing the judged update says about itself: the roles of objects (DSS,
// page, file structure) come from the revision before it and from how the cross-reference uses
// them, not from what a new body claims; an update that frees a signed object, or holds an
// object definition that no cross-reference entry reaches, is a modification.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "esign/bytes.h"
#include "esign/verify.h"
#include "pdf/document.h"

namespace esign::verify {

// More incremental updates than this after the first signature: not analysed (an error).
inline constexpr std::size_t kMaxAnalysedRevisions = 64;

// A signature as the revision analysis needs it: its dictionary, the revision it signs and
// whether it validated (its own checks; later changes aside).
struct SignedRevision {
  pdf::Ref dictionary;
  std::size_t end = 0;
  bool valid = false;
  bool timestamp = false;  // a document time-stamp: proves time, names nobody
};

// The revisions of `data` that end after `from` (the end of the earliest signed revision), each
// compared with the one before it. A revision ends where an `%%EOF` marker (and its end of line)
// closes a prefix that parses strictly as a complete PDF. A signature field that an update adds
// or fills is allowed only when it holds one of `signatures` that signs exactly that update and
// is valid (so that whatever its appearance shows is covered by that signature); a document
// time-stamp's field must be invisible (anyone can obtain a time-stamp, so it vouches for no
// appearance). All parsing
// draws on `limits` (and its budget). Throws Error(input) when the file has more than
// kMaxAnalysedRevisions such revisions, one of them is malformed, or a budget is exhausted.
std::vector<RevisionReport> later_revisions(ByteView data, std::size_t from, const std::string& name,
                                            const std::vector<SignedRevision>& signatures, const pdf::Limits& limits);

}  // namespace esign::verify
