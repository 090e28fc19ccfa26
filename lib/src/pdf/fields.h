// The signature fields of a PDF (ISO 32000-1 §12.7.3.1, §12.8): what verify judges and what
// stamp --extend renews.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "esign/profile.h"
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

// The fully qualified names of every form field (terminal or not), in field-tree order; bounded
// as signature_fields.
std::vector<std::string> form_field_names(const Document& doc);

// What a signature dictionary's /Reference array (ISO 32000-2 §12.8.1, Table 256) says: a DocMDP
// transform makes it a certification signature of level P (2 when /P is absent); FieldMDP
// transforms lock fields. Throws Error(input) for a malformed /Reference, a /P other than 1-3,
// a FieldMDP /Action other than All, Include or Exclude, or more than one DocMDP transform.
struct SignatureReferences {
  Certification certification = Certification::none;
  FieldLock lock;
};
SignatureReferences signature_references(const Document& doc, const Dict& signature);

// The signature dictionary the catalog's /Perms /DocMDP names (§12.8.4), if any. Throws
// Error(input) when /Perms or /DocMDP is there but not a dictionary and an indirect reference.
std::optional<Ref> docmdp_signature(const Document& doc);

// A rectangle (§7.9.5: /Rect, /BBox) as its four numbers, as written; nullopt unless `value`
// (resolved in `doc`, and each of its entries) is an array of exactly four numbers.
std::optional<std::array<double, 4>> rectangle(const Document& doc, const Object& value);

}  // namespace esign::pdf
