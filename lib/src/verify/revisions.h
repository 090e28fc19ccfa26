// What each incremental update of a signed PDF changed, object by object, and whether the
// change is one a signature tolerates after it: validation data (DSS/VRI), document
// time-stamps and further signatures (fields, widgets, their appearances, the AcroForm entries
// that list them). Anything else — page content, resources, other annotations, the outline,
// metadata — is a modification of what was signed.
#pragma once

#include <cstddef>
#include <vector>

#include "esign/bytes.h"
#include "esign/verify.h"

namespace esign::verify {

// More incremental updates than this after the first signature: not analysed (an error).
inline constexpr std::size_t kMaxAnalysedRevisions = 64;

// The revisions of `data` that end after `from` (the end of the earliest signed revision), each
// compared with the one before it. A revision ends where an `%%EOF` marker (and its end of line)
// closes a prefix that parses strictly as a complete PDF. Throws Error(input) when the file has
// more than kMaxAnalysedRevisions such revisions or one of them is malformed.
std::vector<RevisionReport> later_revisions(ByteView data, std::size_t from, const std::string& name);

}  // namespace esign::verify
