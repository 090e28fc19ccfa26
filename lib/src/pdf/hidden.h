// Signer-side hygiene: content a PDF holds that its readers do not show, but that a small
// incremental update after signing could show (the preparation of a "shadow attack", Mainka,
// Mladenov and Rohlmann, NDSS 2021). A signer who signs such a document vouches for what it
// cannot see.
#pragma once

#include <string>
#include <vector>

#include "pdf/document.h"

namespace esign::pdf {

// What `doc` hides, one finding per entry ("object 12 0, a form XObject, which nothing in the
// document uses"), at most `max` of them:
//  - pages, page trees, form and image XObjects and content streams that nothing reachable from
//    the trailer uses;
//  - optional content groups that are off by default and that page content, XObjects or
//    annotations use;
//  - such content in an earlier revision (up to `%%EOF` markers) that the final cross-reference
//    no longer uses, which an update pointing an entry back at it would revive;
//  - object definitions that no revision's cross-reference reaches (a reader that rebuilds the
//    cross-reference would use them).
// Empty for a clean document. Parsing earlier revisions draws on `limits`.
std::vector<std::string> hidden_content(const Document& doc, const Limits& limits, std::size_t max = 8);

}  // namespace esign::pdf
