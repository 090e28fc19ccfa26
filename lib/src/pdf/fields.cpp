// Walking the AcroForm field tree for signature fields.
#include "pdf/fields.h"

#include <set>

#include "esign/error.h"
#include "pdf/text.h"

namespace esign::pdf {

namespace {

constexpr int kMaxFieldDepth = 32;
constexpr std::size_t kMaxFields = 100'000;

// Walks the AcroForm field tree (§12.7.3.1) for fields of type /Sig with a value, bounded in
// depth and count, following each reference once.
void collect_fields(const Document& doc, const Object& node, const std::string& parent_name,
                    const std::string& inherited_ft, int depth, std::set<Ref>& seen,
                    std::vector<SignatureField>& out) {
  if (depth > kMaxFieldDepth) throw Error(Errc::input, doc.name(), "form fields nested too deeply");
  if (const Ref* r = node.get<Ref>()) {
    if (!seen.insert(*r).second) return;
    if (seen.size() > kMaxFields) throw Error(Errc::input, doc.name(), "too many form fields");
  }
  Object field = doc.resolve(node);
  const Dict* d = field.get<Dict>();
  if (d == nullptr) return;
  std::string name = parent_name;
  Object t_obj = doc.resolve_key(*d, "T");
  if (const String* t = t_obj.get<String>())
    name = (parent_name.empty() ? "" : parent_name + ".") + text_to_utf8(*t);
  std::string ft = inherited_ft;
  Object ft_obj = doc.resolve_key(*d, "FT");
  if (const Name* n = ft_obj.get<Name>()) ft = n->value;
  Object kids = doc.resolve_key(*d, "Kids");
  if (const Array* k = kids.get<Array>()) {
    for (const Object& kid : *k) collect_fields(doc, kid, name, ft, depth + 1, seen, out);
  }
  if (ft != "Sig") return;
  Object v = doc.resolve_key(*d, "V");
  if (const Dict* sig = v.get<Dict>()) {
    std::optional<Ref> ref;
    if (const Ref* r = d->at("V").get<Ref>()) ref = *r;
    out.push_back({name, *sig, ref});
  }
}

}  // namespace

std::vector<SignatureField> signature_fields(const Document& doc) {
  std::vector<SignatureField> fields;
  Dict catalog = doc.catalog();
  Object acroform = doc.resolve_key(catalog, "AcroForm");
  if (const Dict* af = acroform.get<Dict>()) {
    Object list = doc.resolve_key(*af, "Fields");
    std::set<Ref> seen;
    if (const Array* a = list.get<Array>())
      for (const Object& f : *a) collect_fields(doc, f, "", "", 0, seen, fields);
  }
  return fields;
}

}  // namespace esign::pdf
