// The signature fields of a PDF (ISO 32000-1 §12.7.3.1, §12.8): what verify judges and what
// stamp --extend renews.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pdf/document.h"

namespace esign::pdf {

struct SignatureField {
  std::string name;  // fully qualified field name
  Dict value;        // the signature dictionary (/V)
  std::optional<Ref> value_ref;  // /V when it is an indirect reference (as §12.7.5.5 requires)
};

// Every field of type /Sig with a value, in field-tree order. The tree walk is bounded in depth
// and count and follows each reference once. Throws Error(input) past the bounds.
std::vector<SignatureField> signature_fields(const Document& doc);

}  // namespace esign::pdf
