// Walking the AcroForm field tree for signature fields.
#include "pdf/fields.h"

#include <set>

#include "esign/error.h"
#include "pdf/text.h"

namespace esign::pdf {

namespace {

constexpr int kMaxFieldDepth = 32;
constexpr std::size_t kMaxFields = 100'000;

constexpr std::size_t kMaxReferences = 16;

// Walks the AcroForm field tree (§12.7.3.1) for fields of type /Sig with a value, bounded in
// depth and count, following each reference once; `names` (if given) gets every field's name.
void collect_fields(const Document& doc, const Object& node, const std::string& parent_name,
                    const std::string& inherited_ft, int depth, std::set<Ref>& seen,
                    std::vector<SignatureField>& out, std::vector<std::string>* names) {
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
  if (const String* t = t_obj.get<String>()) {
    name = (parent_name.empty() ? "" : parent_name + ".") + text_to_utf8(*t);
    if (names) names->push_back(name);
  }
  std::string ft = inherited_ft;
  Object ft_obj = doc.resolve_key(*d, "FT");
  if (const Name* n = ft_obj.get<Name>()) ft = n->value;
  Object kids = doc.resolve_key(*d, "Kids");
  if (const Array* k = kids.get<Array>()) {
    for (const Object& kid : *k) collect_fields(doc, kid, name, ft, depth + 1, seen, out, names);
  }
  if (ft != "Sig") return;
  Object v = doc.resolve_key(*d, "V");
  if (const Dict* sig = v.get<Dict>()) {
    std::optional<Ref> ref;
    if (const Ref* r = d->at("V").get<Ref>()) ref = *r;
    out.push_back({name, *sig, ref});
  }
}

void walk_fields(const Document& doc, std::vector<SignatureField>& fields, std::vector<std::string>* names) {
  Dict catalog = doc.catalog();
  Object acroform = doc.resolve_key(catalog, "AcroForm");
  if (const Dict* af = acroform.get<Dict>()) {
    Object list = doc.resolve_key(*af, "Fields");
    std::set<Ref> seen;
    if (const Array* a = list.get<Array>())
      for (const Object& f : *a) collect_fields(doc, f, "", "", 0, seen, fields, names);
  }
}

}  // namespace

std::vector<SignatureField> signature_fields(const Document& doc) {
  std::vector<SignatureField> fields;
  walk_fields(doc, fields, nullptr);
  return fields;
}

std::vector<std::string> form_field_names(const Document& doc) {
  std::vector<SignatureField> fields;
  std::vector<std::string> names;
  walk_fields(doc, fields, &names);
  return names;
}

SignatureReferences signature_references(const Document& doc, const Dict& signature) {
  SignatureReferences out;
  auto it = signature.find("Reference");
  if (it == signature.end() || it->second.is_null()) return out;
  Object list = doc.resolve(it->second);
  const Array* refs = list.get<Array>();
  if (refs == nullptr) throw Error(Errc::input, doc.name(), "the signature's /Reference is not an array");
  if (refs->size() > kMaxReferences) throw Error(Errc::input, doc.name(), "the signature's /Reference has too many entries");
  bool docmdp = false;
  for (const Object& entry : *refs) {
    Object ref_obj = doc.resolve(entry);
    const Dict* ref = ref_obj.get<Dict>();
    if (ref == nullptr) throw Error(Errc::input, doc.name(), "a /Reference entry is not a dictionary");
    const std::string method = name_value(doc, *ref, "TransformMethod");
    Object params_obj = doc.resolve_key(*ref, "TransformParams");
    const Dict* params = params_obj.get<Dict>();
    if (method == "DocMDP") {
      if (docmdp) throw Error(Errc::input, doc.name(), "the signature has more than one DocMDP transform");
      docmdp = true;
      std::int64_t p = 2;  // §12.8.2.2: the default
      if (params) {
        Object p_obj = doc.resolve_key(*params, "P");
        if (const std::int64_t* v = p_obj.get<std::int64_t>()) p = *v;
        else if (!p_obj.is_null()) throw Error(Errc::input, doc.name(), "the DocMDP /P is not an integer");
      }
      if (p < 1 || p > 3) throw Error(Errc::input, doc.name(), "the DocMDP /P is not 1, 2 or 3");
      out.certification = static_cast<Certification>(p);
    } else if (method == "FieldMDP") {
      if (params == nullptr) throw Error(Errc::input, doc.name(), "a FieldMDP transform without /TransformParams");
      const std::string action = name_value(doc, *params, "Action");
      if (action == "All") {
        out.lock.all = true;
        continue;
      }
      if (action != "Include" && action != "Exclude")
        throw Error(Errc::input, doc.name(), "a FieldMDP /Action that is not All, Include or Exclude");
      Object fields_obj = doc.resolve_key(*params, "Fields");
      const Array* fields = fields_obj.get<Array>();
      if (fields == nullptr) throw Error(Errc::input, doc.name(), "a FieldMDP /" + action + " without /Fields");
      if (action == "Exclude") {
        // Several transforms lock the union of what each locks; an Exclude list is kept as the
        // one lock only when it is the only one (anything more is refused rather than guessed).
        if (out.lock.exclude || !out.lock.fields.empty())
          throw Error(Errc::input, doc.name(), "FieldMDP transforms that combine Exclude with other lists");
        out.lock.exclude = true;
      } else if (out.lock.exclude) {
        throw Error(Errc::input, doc.name(), "FieldMDP transforms that combine Exclude with other lists");
      }
      for (const Object& f : *fields) {
        Object name = doc.resolve(f);
        const String* s = name.get<String>();
        if (s == nullptr) throw Error(Errc::input, doc.name(), "a FieldMDP /Fields entry is not a text string");
        out.lock.fields.push_back(text_to_utf8(*s));
      }
    }
  }
  return out;
}

std::optional<Ref> docmdp_signature(const Document& doc) {
  Dict catalog = doc.catalog();
  auto it = catalog.find("Perms");
  if (it == catalog.end() || it->second.is_null()) return std::nullopt;
  Object perms = doc.resolve(it->second);
  const Dict* d = perms.get<Dict>();
  if (d == nullptr) throw Error(Errc::input, doc.name(), "the catalog's /Perms is not a dictionary");
  auto docmdp = d->find("DocMDP");
  if (docmdp == d->end() || docmdp->second.is_null()) return std::nullopt;
  const Ref* r = docmdp->second.get<Ref>();
  if (r == nullptr) throw Error(Errc::input, doc.name(), "/Perms /DocMDP is not an indirect reference to a signature");
  return *r;
}

std::optional<std::array<double, 4>> rectangle(const Document& doc, const Object& value) {
  Object resolved = doc.resolve(value);
  const Array* a = resolved.get<Array>();
  if (a == nullptr || a->size() != 4) return std::nullopt;
  std::array<double, 4> v{};
  for (std::size_t i = 0; i < 4; ++i) {
    Object n = doc.resolve((*a)[i]);
    if (const auto* k = n.get<std::int64_t>()) v[i] = static_cast<double>(*k);
    else if (const auto* f = n.get<double>()) v[i] = *f;
    else return std::nullopt;
  }
  return v;
}

}  // namespace esign::pdf
