// Revision boundaries and the object-by-object comparison of consecutive revisions.
#include "verify/revisions.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <set>

#include "esign/error.h"
#include "pdf/fields.h"
#include "pdf/layout.h"
#include "pdf/lexer.h"
#include "pdf/reach.h"
#include "pdf/text.h"

namespace esign::verify {

namespace {

using pdf::Array;
using pdf::Dict;
using pdf::Document;
using pdf::Object;
using pdf::Ref;
using pdf::XrefEntry;

std::string ref_text(Ref r) { return fmt::format("{} {}", r.num, r.gen); }

bool is_in_use(const XrefEntry& e) { return e.type != XrefEntry::Type::free; }



// The keys whose values differ between two dictionaries (present in one only, or different).
std::set<std::string> changed_keys(const Dict& x, const Dict& y) {
  std::set<std::string> out;
  for (const auto& [k, v] : x)
    if (auto it = y.find(k); it == y.end() || !(it->second == v)) out.insert(k);
  for (const auto& [k, v] : y)
    if (!x.count(k)) out.insert(k);
  return out;
}

bool only(const std::set<std::string>& keys, std::initializer_list<const char*> allowed) {
  return std::all_of(keys.begin(), keys.end(), [&](const std::string& k) {
    return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; });
  });
}

// Lists of fields and annotations longer than this with direct (non-reference) entries are not
// compared entry by entry (that is quadratic); such an update is refused.
constexpr std::size_t kMaxDirectListCompare = 1000;

// The entries of `now` that `before` lacks, when `now` keeps all of `before`; nullopt otherwise.
std::optional<Array> appended(const Array& before, const Array& now) {
  const auto all_refs = [](const Array& a) { return std::all_of(a.begin(), a.end(), [](const Object& o) { return o.is<Ref>(); }); };
  if (all_refs(before) && all_refs(now)) {
    std::set<Ref> old_refs, new_refs;
    for (const Object& o : before) old_refs.insert(*o.get<Ref>());
    for (const Object& o : now) new_refs.insert(*o.get<Ref>());
    if (!std::includes(new_refs.begin(), new_refs.end(), old_refs.begin(), old_refs.end())) return std::nullopt;
    Array added;
    for (const Object& o : now)
      if (!old_refs.count(*o.get<Ref>())) added.push_back(o);
    return added;
  }
  if (before.size() > kMaxDirectListCompare || now.size() > kMaxDirectListCompare) return std::nullopt;
  for (const Object& o : before)
    if (std::find(now.begin(), now.end(), o) == now.end()) return std::nullopt;
  Array added;
  for (const Object& o : now)
    if (std::find(before.begin(), before.end(), o) == before.end()) added.push_back(o);
  return added;
}

// What a list of references gained and lost; nullopt when an entry is not a reference.
struct ListDiff {
  Array added, removed;
};
std::optional<ListDiff> list_diff(const Array& before, const Array& now) {
  const auto all_refs = [](const Array& a) { return std::all_of(a.begin(), a.end(), [](const Object& o) { return o.is<Ref>(); }); };
  if (!all_refs(before) || !all_refs(now)) {
    std::optional<Array> added = appended(before, now);
    if (!added) return std::nullopt;
    return ListDiff{*added, {}};
  }
  std::set<Ref> old_refs, new_refs;
  for (const Object& o : before) old_refs.insert(*o.get<Ref>());
  for (const Object& o : now) new_refs.insert(*o.get<Ref>());
  ListDiff d;
  for (Ref r : new_refs)
    if (!old_refs.count(r)) d.added.push_back(Object(r));
  for (Ref r : old_refs)
    if (!new_refs.count(r)) d.removed.push_back(Object(r));
  return d;
}

// An annotation a reader only shows (§12.5.6): markup (text notes, free text, shapes, text
// markup, stamps, ink) and pop-ups, with no action. Widgets, links, media, file attachments,
// redactions and watermarks are not: they fill forms, run something, carry files or change
// the page for good; nor is an annotation with field entries (/FT, /V, /Kids, a /Parent other
// than a pop-up's).
bool is_plain_annotation(const Document& doc, const Object& o) {
  const Dict* d = o.get<Dict>();
  if (!d || d->count("A") || d->count("AA") || d->count("FT") || d->count("Kids") || d->count("V")) return false;
  const std::string subtype = pdf::name_value(doc, *d, "Subtype");
  if (d->count("Parent") && subtype != "Popup") return false;  // only a pop-up has a parent: its annotation
  const std::string type = pdf::name_value(doc, *d, "Type");
  if (!type.empty() && type != "Annot") return false;
  static const std::set<std::string> kinds = {"Text", "FreeText", "Line", "Square", "Circle", "Polygon", "PolyLine",
                                              "Highlight", "Underline", "Squiggly", "StrikeOut", "Stamp", "Caret",
                                              "Ink", "Popup"};
  return kinds.count(subtype) != 0;
}

using pdf::kMaxWalked;
using pdf::reachable;

// The first reference inside `o` (not following references) that names no object in use in
// `doc` with that generation. Readers rebuild the cross-reference of a file with a dangling
// reference, so an update may write none.
std::optional<Ref> dangling(const Document& doc, const Object& o, int depth = 0) {
  if (depth > 64) return std::nullopt;  // the parser's nesting limit
  if (const Ref* r = o.get<Ref>()) {
    auto it = doc.xref().find(r->num);
    if (it == doc.xref().end() || !is_in_use(it->second) ||
        (it->second.type == XrefEntry::Type::offset && it->second.gen != r->gen) ||
        (it->second.type == XrefEntry::Type::compressed && r->gen != 0))
      return *r;
    return std::nullopt;
  }
  if (const Array* a = o.get<Array>()) {
    for (const Object& item : *a)
      if (auto d = dangling(doc, item, depth + 1)) return d;
  } else if (const Dict* d = o.dict()) {
    for (const auto& [key, value] : *d)
      if (auto r = dangling(doc, value, depth + 1)) return r;
  }
  return std::nullopt;
}
constexpr int kMaxFieldDepth = 32;

// Context of the comparison of revision `a` (older) with `b` (newer, ending at `end`).
class Comparison {
 public:
  // `signed_refs`: what the first signed revision refers to (outside its DSS).
  Comparison(const Document& a, const Document& b, std::size_t end, const std::vector<SignedRevision>& signatures,
             const std::set<Ref>& signed_refs)
      : a_(a), b_(b), end_(end), signatures_(signatures), signed_refs_(signed_refs) {
    for (Ref p : b.pages()) pages_[p] = pages_.size() + 1;
    Dict catalog = b.catalog();
    // The indirect arrays that list fields or annotations: the AcroForm's /Fields, pages' /Annots.
    Object form = b.resolve_key(catalog, "AcroForm");
    if (const Dict* f = form.get<Dict>())
      if (auto it = f->find("Fields"); it != f->end() && it->second.is<Ref>()) field_lists_.insert(*it->second.get<Ref>());
    for (const auto& [page, number] : pages_) {
      (void)number;
      Object p = b.get(page);
      if (const Dict* d = p.get<Dict>())
        if (auto it = d->find("Annots"); it != d->end() && it->second.is<Ref>()) annot_lists_.insert(*it->second.get<Ref>());
    }
    root_ = b.trailer().count("Root") ? b.trailer().at("Root").get<Ref>() : nullptr;
    Object acroform = catalog.count("AcroForm") ? catalog.at("AcroForm") : Object();
    if (const Ref* r = acroform.get<Ref>()) acroform_ = *r;
    if (auto it = catalog.find("DSS"); it != catalog.end())
      if (const Ref* r = it->second.get<Ref>()) dss_ = *r;
    dss_structure_before_ = dss_structure(a);
    if (auto it = b.trailer().find("Info"); it != b.trailer().end())
      if (const Ref* r = it->second.get<Ref>()) info_ = *r;
    if (info_ && !a.trailer().count("Info")) {
      Object info = b.get(*info_);
      const Dict* d = info.get<Dict>();
      std::set<std::string> keys;
      if (d)
        for (const auto& [k, v] : *d) keys.insert(k);
      auto old = a.xref().find(info_->num);
      new_info_ok_ = d && only(keys, {"ModDate", "Producer"}) && (old == a.xref().end() || !is_in_use(old->second));
      if (new_info_ok_) explained_.insert(*info_);
    }
    explain(catalog);
  }

  // A signature field: a field dictionary (no /Subtype) or a /Widget annotation whose field
  // type, here or inherited through /Parent field dictionaries, is /Sig — and nothing else: no
  // other annotation, and no actions (a signature runs nothing).
  bool is_signature_field(const Object& o) const {
    Object v = b_.resolve(o);
    const Dict* d = v.get<Dict>();
    if (!d) return false;
    const std::string subtype = pdf::name_value(b_, *d, "Subtype");
    if (!subtype.empty() && subtype != "Widget") return false;
    const std::string type = pdf::name_value(b_, *d, "Type");
    if (!type.empty() && type != "Annot") return false;
    for (int depth = 0; d && depth < kMaxFieldDepth; ++depth) {
      if (d->count("A") || d->count("AA")) return false;
      if (depth > 0 && d->count("Subtype")) return false;  // a parent is a field, not an annotation
      if (auto ft = d->find("FT"); ft != d->end()) return pdf::name_value(b_, *d, "FT") == "Sig";
      Object parent = b_.resolve_key(*d, "Parent");
      v = parent;
      d = v.get<Dict>();
    }
    return false;
  }

  bool all_signature_fields(const Array& items) const {
    return std::all_of(items.begin(), items.end(), [&](const Object& o) { return is_signature_field(o); });
  }

  ObjectChange modified(Ref ref, const Object& before, const Object& now) const {
    ObjectChange c{ref_text(ref), "modified", "", false};
    const Dict* x = before.dict();
    const Dict* y = now.dict();
    const bool plain_dicts = before.get<Dict>() && now.get<Dict>();
    if (root_ && ref == *root_ && plain_dicts) {
      std::set<std::string> keys = changed_keys(*x, *y);
      bool ok = only(keys, {"DSS", "AcroForm", "Extensions", "Version"});
      // What may change must be what it claims: /Version a name, /Extensions and /DSS dictionaries.
      if (auto v = y->find("Version"); ok && keys.count("Version")) ok = v != y->end() && v->second.is<pdf::Name>();
      for (const char* key : {"Extensions", "DSS"})
        if (ok && keys.count(key)) ok = y->count(key) && b_.resolve_key(*y, key).get<Dict>() != nullptr;
      if (ok && keys.count("AcroForm")) {
        Object ax = a_.resolve_key(*x, "AcroForm"), ay = b_.resolve_key(*y, "AcroForm");
        ok = ay.get<Dict>() && acroform_ok(ax.get<Dict>() ? *ax.get<Dict>() : Dict{}, *ay.get<Dict>());
      }
      return {c.object, c.change, "catalog: " + join(keys), ok};
    }
    if (acroform_ && ref == *acroform_ && plain_dicts) return {c.object, c.change, "AcroForm", acroform_ok(*x, *y)};
    if (auto page = pages_.find(ref); page != pages_.end() && plain_dicts) {
      std::set<std::string> keys = changed_keys(*x, *y);
      std::optional<ChangeLevel> level = only(keys, {"Annots"}) ? std::optional(ChangeLevel::validation_data) : std::nullopt;
      if (level && keys.count("Annots")) level = annots_change(a_.resolve_key(*x, "Annots"), b_.resolve_key(*y, "Annots"));
      return {c.object, c.change, fmt::format("page {}: {}", page->second, join(keys)), level.has_value(),
              level.value_or(ChangeLevel::other)};
    }
    // Validation data: what the earlier revision's DSS structure held (the DSS dictionary, its
    // arrays and VRI dictionaries; never a stream, never an object the document uses elsewhere).
    if (dss_structure_before_.count(ref)) {
      bool ok = (plain_dicts || (before.get<Array>() && now.get<Array>())) && !used_outside_dss_before(ref);
      if (ok && dss_ && ref == *dss_) ok = only(changed_keys(*x, *y), {"Certs", "OCSPs", "CRLs", "VRI"});
      return {c.object, c.change, "DSS", ok};
    }
    if (info_ && ref == *info_ && plain_dicts) {
      std::set<std::string> keys = changed_keys(*x, *y);
      return {c.object, c.change, "document information: " + join(keys), only(keys, {"ModDate", "Producer"})};
    }
    // An array that lists fields or annotations: only signature fields appended.
    const Array* ax = before.get<Array>();
    const Array* ay = now.get<Array>();
    if (ax && ay) {
      const std::string what = "array (" + std::to_string(ay->size()) + " entries)";
      if (annot_lists_.count(ref)) {
        std::optional<ChangeLevel> level = annots_change(before, now);
        return {c.object, c.change, "annotations " + what, level.has_value(), level.value_or(ChangeLevel::other)};
      }
      std::optional<Array> added = appended(*ax, *ay);
      bool ok = added && !added->empty() && all_signature_fields(*added) && field_lists_.count(ref);
      return {c.object, c.change, what, ok};
    }
    // An empty signature field that a signature of this very update filled.
    if (plain_dicts && is_signature_field(Object(ref))) {
      std::set<std::string> keys = changed_keys(*x, *y);
      std::string why;
      bool ok = !x->count("V") && only(keys, {"V", "AP", "F", "MK"}) && filled_by_signature(*y, why);
      return {c.object, c.change, "signature field " + field_name(*y) + ": " + join(keys) + why, ok, fill_level(*y),
              qualified_name(*y)};
    }
    // A form field of the earlier revision, filled in: its value, its appearance and the flags
    // a form filler sets; never its name, type, rectangle, page, actions or visibility.
    if (plain_dicts) {
      if (auto field = fields_before().find(ref); field != fields_before().end()) {
        std::set<std::string> keys = changed_keys(*x, *y);
        bool ok = only(keys, {"V", "AS", "AP", "DA", "Q", "Ff", "I"});
        return {c.object, c.change, "form field " + field->second + ": " + join(keys), ok, ChangeLevel::form_filling,
                field->second};
      }
      // An annotation of the earlier revision, changed and still the same kind of annotation.
      if (annotations_before().count(ref)) {
        std::set<std::string> keys = changed_keys(*x, *y);
        bool ok = is_plain_annotation(b_, now) && !keys.count("Subtype") && !keys.count("P");
        return {c.object, c.change, "annotation /" + pdf::name_value(b_, *y, "Subtype") + ": " + join(keys), ok,
                ChangeLevel::annotations};
      }
    }
    std::string type = x ? pdf::name_value(a_, *x, "Type") : "";
    return {c.object, c.change, type.empty() ? "object" : "object of /Type /" + type, false};
  }

  // A document information dictionary that an update adds where there was none, holding only
  // what signing tools set: /ModDate and /Producer.
  bool new_info_ok() const { return new_info_ok_; }

  ObjectChange added(Ref ref, const Object& now) const {
    // A number the earlier revision refers to (a dangling reference, or one it lists as free)
    // is not new: giving it a body changes what the signed document shows.
    if (referenced_before(ref.num))
      return {ref_text(ref), "added", "an object the signed revision refers to but did not have", false};
    ObjectChange c = describe_added(ref, now);
    if (c.allowed && !explained_.count(ref)) {
      // Not brought in by signing or validation data: perhaps by a form field's new value or
      // appearance, or by an annotation.
      if (form_values().count(ref)) {
        c.level = std::max(c.level, ChangeLevel::form_filling);
      } else if (annotation_parts().count(ref)) {
        c.level = std::max(c.level, ChangeLevel::annotations);
      } else {
        c.allowed = false;
        c.what += ", which no signature, time-stamp, validation data, form field or annotation uses";
      }
    }
    return c;
  }

 private:
  ObjectChange describe_added(Ref ref, const Object& now) const {
    const std::string object = ref_text(ref);
    if (dss_items_.count(ref)) {
      // A DSS array entry is validation data: a stream of DER bytes, nothing else.
      const pdf::Stream* s = now.get<pdf::Stream>();
      bool ok = s && !s->dict.count("Type") && !s->dict.count("Subtype");
      return {object, "added", "validation data (DSS stream)", ok};
    }
    if (dss_structure_after_.count(ref)) {
      bool ok = now.get<Dict>() || now.get<Array>();
      return {object, "added", "DSS", ok};
    }
    const Dict* d = now.dict();
    if (d == nullptr) return {object, "added", "object", true};
    std::string type = pdf::name_value(b_, *d, "Type");
    if (now.get<Dict>() && (type == "Sig" || type == "DocTimeStamp")) {
      bool ok = std::any_of(signatures_.begin(), signatures_.end(),
                            [&](const SignedRevision& s) { return s.dictionary == ref && signs_this_update(s) && s.valid; });
      return {object, "added",
              std::string(type == "Sig" ? "signature dictionary" : "document time-stamp dictionary") +
                  (ok ? "" : " that no valid signature of this update uses"),
              ok, type == "Sig" ? ChangeLevel::signing : ChangeLevel::validation_data};
    }
    if (now.get<Dict>() && is_signature_field(Object(ref))) {
      std::string why;
      bool ok = true;
      if (has_value(*d)) {
        ok = filled_by_signature(*d, why);
      } else if (visible(*d)) {
        ok = false;
        why = " (unsigned, with an appearance)";
      }
      return {object, "added", "signature field " + field_name(*d) + why, ok,
              has_value(*d) ? fill_level(*d) : ChangeLevel::validation_data, qualified_name(*d)};
    }
    if (now.get<pdf::Stream>()) {
      if (pdf::name_value(b_, *d, "Subtype") == "Form") return {object, "added", "form XObject (appearance)", true};
      return {object, "added", "stream", true};
    }
    if (!type.empty()) return {object, "added", "/Type /" + type, true};
    return {object, "added", "object", true};
  }

  static std::string join(const std::set<std::string>& keys) {
    std::string out;
    for (const std::string& k : keys) out += (out.empty() ? "/" : ", /") + k;
    return out.empty() ? "rewritten" : out;
  }

  std::string field_name(const Dict& d) const {
    Object t = b_.resolve_key(d, "T");
    if (const pdf::String* s = t.get<pdf::String>()) return pdf::text_to_utf8(*s);
    return "(unnamed)";
  }

  // The fully qualified name (§12.7.3.2): the /T of the field and of each /Parent, joined by
  // dots, as FieldMDP locks name fields (a widget without /T takes its parent's name).
  std::string qualified_name(const Dict& field) const {
    std::string name;
    Object holder;
    const Dict* d = &field;
    for (int depth = 0; d && depth < kMaxFieldDepth; ++depth) {
      Object t = b_.resolve_key(*d, "T");
      if (const pdf::String* s = t.get<pdf::String>()) name = pdf::text_to_utf8(*s) + (name.empty() ? "" : "." + name);
      holder = b_.resolve_key(*d, "Parent");
      d = holder.get<Dict>();
    }
    return name;
  }

  // The field's /V, here or inherited from its parents; nullptr when it has none.
  const Object* value_of(const Dict& field, Object& holder) const {
    const Dict* d = &field;
    for (int depth = 0; d && depth < kMaxFieldDepth; ++depth) {
      if (auto it = d->find("V"); it != d->end()) return &it->second;
      holder = b_.resolve_key(*d, "Parent");
      d = holder.get<Dict>();
    }
    return nullptr;
  }

  bool has_value(const Dict& field) const {
    Object holder;
    return value_of(field, holder) != nullptr;
  }

  // The field's /V is the dictionary of a signature that signs exactly this update and is valid.
  bool filled_by_signature(const Dict& field, std::string& why) const {
    Object holder;
    const Object* v = value_of(field, holder);
    const Ref* r = v ? v->get<Ref>() : nullptr;
    if (r == nullptr) {
      why = " (its value is not a signature)";
      return false;
    }
    for (const SignedRevision& s : signatures_) {
      if (!(s.dictionary == *r)) continue;
      if (!signs_this_update(s)) why = " (by a signature that does not sign this update)";
      else if (!s.valid) why = " (by a signature that does not validate)";
      else if (s.timestamp && visible(field)) why = " (a document time-stamp with a visible appearance)";
      return why.empty();
    }
    why = " (its value is not a signature of this file)";
    return false;
  }

  // What filling `field` is: adding validation data for a document time-stamp, signing otherwise.
  ChangeLevel fill_level(const Dict& field) const {
    Object holder;
    const Object* v = value_of(field, holder);
    const Ref* r = v ? v->get<Ref>() : nullptr;
    for (const SignedRevision& s : signatures_)
      if (r && s.dictionary == *r && s.timestamp) return ChangeLevel::validation_data;
    return ChangeLevel::signing;
  }

  // The signature's range ends in this update, with at most whitespace after it.
  bool signs_this_update(const SignedRevision& s) const {
    if (s.end <= a_.data().size() || s.end > end_) return false;
    for (std::size_t i = s.end; i < end_; ++i)
      if (!pdf::is_whitespace(b_.data()[i])) return false;
    return true;
  }

  // A widget that a reader paints: an appearance and a rectangle of some area.
  bool visible(const Dict& widget) const {
    if (!widget.count("AP")) return false;
    std::optional<std::array<double, 4>> v = rect_of(b_, widget);
    return !v || ((*v)[0] != (*v)[2] && (*v)[1] != (*v)[3]);
  }

  // The annotation's /Rect in `doc` as four numbers; nullopt when it is not one.
  static std::optional<std::array<double, 4>> rect_of(const Document& doc, const Dict& annotation) {
    auto it = annotation.find("Rect");
    return it == annotation.end() ? std::nullopt : pdf::rectangle(doc, it->second);
  }

 public:
  // Where the update's allowed changes may paint: the rectangles, now, of the annotations on the
  // pages that it added or changed, and before, of those it changed or removed (a signature
  // widget it added must not cover signed content).
  std::vector<PaintedArea> areas(const std::set<Ref>& touched, const std::set<Ref>& added) const {
    std::vector<PaintedArea> out;
    if (touched.empty()) return out;
    std::set<Ref> listed;  // the annotations on the pages now
    const auto each_annotation = [&](const Document& doc, Ref page, const auto& visit) {
      Object p = doc.get(page);
      const Dict* d = p.get<Dict>();
      Object annots = d ? doc.resolve_key(*d, "Annots") : Object();
      if (const Array* list = annots.get<Array>())
        for (const Object& o : *list)
          if (const Ref* r = o.get<Ref>(); r && out.size() < kMaxWalked) visit(*r, o);
    };
    const auto add = [&](const Document& doc, Ref r, std::size_t page, bool must_not_cover) {
      Object annotation = doc.get(r);
      const Dict* ad = annotation.get<Dict>();
      if (std::optional<std::array<double, 4>> v = ad ? rect_of(doc, *ad) : std::nullopt) {
        const auto [x0, x1] = std::minmax((*v)[0], (*v)[2]);
        const auto [y0, y1] = std::minmax((*v)[1], (*v)[3]);
        out.push_back({{page, x0, y0, x1, y1}, must_not_cover});
      }
    };
    for (const auto& entry : pages_) {
      const std::size_t number = entry.second;  // (a structured binding cannot be captured in C++20)
      each_annotation(b_, entry.first, [&](Ref r, const Object& o) {
        listed.insert(r);
        if (touched.count(r)) add(b_, r, number, added.count(r) != 0 && is_signature_field(o));
      });
    }
    const std::vector<Ref> before = a_.pages();
    for (std::size_t i = 0; i < before.size(); ++i)
      each_annotation(a_, before[i], [&](Ref r, const Object&) {
        if (touched.count(r) || !listed.count(r)) add(a_, r, i + 1, false);
      });
    return out;
  }

 private:

  bool acroform_ok(const Dict& x, const Dict& y) const {
    std::set<std::string> keys = changed_keys(x, y);
    if (!only(keys, {"Fields", "SigFlags", "DR", "DA"})) return false;
    if (keys.count("Fields")) {
      Object fx = a_.resolve_key(x, "Fields"), fy = b_.resolve_key(y, "Fields");
      const Array* ax = fx.get<Array>();
      const Array* ay = fy.get<Array>();
      if (!ay) return false;
      std::optional<Array> added = appended(ax ? *ax : Array{}, *ay);
      if (!added || !all_signature_fields(*added)) return false;
    }
    return true;
  }

  // What a change of a page's /Annots is: signature widgets appended (validation data: the
  // signatures are judged on their own), or annotations (§12.5.6, markup and pop-up) added or
  // removed; nullopt for anything else (a link, a widget of another field, a removed widget).
  std::optional<ChangeLevel> annots_change(const Object& before, const Object& now) const {
    const Array* ay = now.get<Array>();
    if (!ay) return std::nullopt;
    const Array* ax = before.get<Array>();
    std::optional<ListDiff> diff = list_diff(ax ? *ax : Array{}, *ay);
    if (!diff) return std::nullopt;
    ChangeLevel level = ChangeLevel::validation_data;
    for (const Object& o : diff->added) {
      if (is_signature_field(o)) continue;
      if (!is_plain_annotation(b_, b_.resolve(o))) return std::nullopt;
      level = ChangeLevel::annotations;
    }
    for (const Object& o : diff->removed) {
      if (!is_plain_annotation(a_, a_.resolve(o))) return std::nullopt;
      level = ChangeLevel::annotations;
    }
    return level;
  }

  // The non-signature form fields (and their widgets) of the earlier revision, by reference,
  // with their fully qualified names.
  const std::map<Ref, std::string>& fields_before() const {
    if (!fields_before_) {
      fields_before_.emplace();
      std::set<Ref> visited;
      Object af = a_.resolve_key(a_.catalog(), "AcroForm");
      if (const Dict* d = af.get<Dict>()) {
        Object fields = a_.resolve_key(*d, "Fields");
        if (const Array* list = fields.get<Array>())
          for (const Object& f : *list) collect_fields(f, "", 0, visited);
      }
    }
    return *fields_before_;
  }

  void collect_fields(const Object& field, const std::string& parent, int depth, std::set<Ref>& visited) const {
    if (depth > kMaxFieldDepth || visited.size() > kMaxWalked) return;
    const Ref* r = field.get<Ref>();
    if (r == nullptr || !visited.insert(*r).second) return;
    Object f = a_.get(*r);
    const Dict* d = f.get<Dict>();
    if (!d) return;
    std::string name = parent;
    Object t = a_.resolve_key(*d, "T");
    if (const pdf::String* s = t.get<pdf::String>()) name += (name.empty() ? "" : ".") + pdf::text_to_utf8(*s);
    Object ft = a_.resolve_key(*d, "FT");
    const pdf::Name* type = ft.get<pdf::Name>();
    if (type && type->value == "Sig") return;  // signature fields are judged as signatures
    (*fields_before_)[*r] = name;
    Object kids = a_.resolve_key(*d, "Kids");
    if (const Array* k = kids.get<Array>())
      for (const Object& kid : *k) collect_fields(kid, name, depth + 1, visited);
  }

  // The markup and pop-up annotations on the earlier revision's pages.
  const std::set<Ref>& annotations_before() const {
    if (!annotations_before_) {
      annotations_before_.emplace();
      for (Ref page : a_.pages()) {
        Object p = a_.get(page);
        const Dict* d = p.get<Dict>();
        if (!d) continue;
        Object annots = a_.resolve_key(*d, "Annots");
        if (const Array* list = annots.get<Array>())
          for (const Object& o : *list)
            if (const Ref* r = o.get<Ref>(); r && annotations_before_->size() < kMaxWalked && is_plain_annotation(a_, a_.get(*r)))
              annotations_before_->insert(*r);
      }
    }
    return *annotations_before_;
  }

  // What the earlier revision's form fields refer to now (their new values and appearances).
  const std::set<Ref>& form_values() const {
    if (!form_values_) {
      form_values_.emplace();
      std::vector<Object> roots;
      for (const auto& [ref, name] : fields_before()) roots.push_back(Object(ref));
      reachable(b_, roots, *form_values_,
                [](const Dict&, const std::string& key) { return key == "P" || key == "Parent" || key == "Kids"; });
    }
    return *form_values_;
  }

  // What the markup and pop-up annotations on the pages refer to (appearances, pop-ups).
  const std::set<Ref>& annotation_parts() const {
    if (!annotation_parts_) {
      annotation_parts_.emplace();
      std::vector<Object> roots;
      for (const auto& [page, number] : pages_) {
        (void)number;
        Object p = b_.get(page);
        const Dict* d = p.get<Dict>();
        if (!d) continue;
        Object annots = b_.resolve_key(*d, "Annots");
        if (const Array* list = annots.get<Array>())
          for (const Object& o : *list)
            if (roots.size() < kMaxWalked && is_plain_annotation(b_, b_.resolve(o))) roots.push_back(o);
      }
      reachable(b_, roots, *annotation_parts_, [](const Dict&, const std::string& key) { return key == "P" || key == "Parent"; });
    }
    return *annotation_parts_;
  }

  // The DSS of `doc`: its dictionary, the arrays under /Certs /OCSPs /CRLs /VRI and the VRI
  // dictionaries and their arrays, when indirect (`items`, if given, gets the array entries:
  // the streams).
  std::set<Ref> dss_structure(const Document& doc, std::set<Ref>* items = nullptr) const {
    std::set<Ref> out;
    Dict catalog = doc.catalog();
    auto it = catalog.find("DSS");
    if (it == catalog.end()) return out;
    if (const Ref* r = it->second.get<Ref>()) out.insert(*r);
    Object dss = doc.resolve(it->second);
    const Dict* d = dss.get<Dict>();
    if (!d) return out;
    const auto list = [&](const Object& value) {
      if (const Ref* r = value.get<Ref>()) out.insert(*r);
      Object v = doc.resolve(value);
      if (const Array* a = v.get<Array>())
        for (const Object& o : *a)
          if (const Ref* r = o.get<Ref>(); r && items) items->insert(*r);
    };
    for (const char* key : {"Certs", "OCSPs", "CRLs"})
      if (auto k = d->find(key); k != d->end()) list(k->second);
    if (auto k = d->find("VRI"); k != d->end()) {
      if (const Ref* r = k->second.get<Ref>()) out.insert(*r);
      Object vri = doc.resolve(k->second);
      if (const Dict* entries = vri.get<Dict>()) {
        for (const auto& [key, entry] : *entries) {
          (void)key;
          if (const Ref* r = entry.get<Ref>()) out.insert(*r);
          Object e = doc.resolve(entry);
          if (const Dict* ed = e.get<Dict>())
            for (const char* sub : {"Cert", "OCSP", "CRL"})
              if (auto s = ed->find(sub); s != ed->end()) list(s->second);
        }
      }
    }
    return out;
  }

  // Whether the signed revision reaches `ref` other than through the DSS.
  bool used_outside_dss_before(Ref ref) const { return signed_refs_.count(ref) != 0; }

  // Whether any reference the signed revision reaches (outside the DSS) names number `num`.
  bool referenced_before(std::uint32_t num) const {
    auto it = signed_refs_.lower_bound(Ref{num, 0});
    return it != signed_refs_.end() && it->num == num;
  }

  // The objects that signature fields (with their widgets, appearances and values), the
  // AcroForm's default resources and the DSS legitimately bring into an update, found by
  // following references from them (not back up through /P or /Parent). From the DSS only its
  // own structure and the streams its arrays list.
  void explain(const Dict& catalog) {
    std::vector<Object> roots;
    std::set<Ref> visited;
    Object af = b_.resolve_key(catalog, "AcroForm");
    if (const Dict* d = af.get<Dict>()) {
      Object fields = b_.resolve_key(*d, "Fields");
      if (const Array* a = fields.get<Array>())
        for (const Object& f : *a) collect_signature_fields(f, 0, visited, roots);
      if (auto dr = d->find("DR"); dr != d->end()) roots.push_back(dr->second);
    }
    reachable(b_, roots, explained_, [](const Dict&, const std::string& key) { return key == "P" || key == "Parent"; });
    explained_.insert(field_lists_.begin(), field_lists_.end());
    explained_.insert(annot_lists_.begin(), annot_lists_.end());
    dss_structure_after_ = dss_structure(b_, &dss_items_);
    explained_.insert(dss_structure_after_.begin(), dss_structure_after_.end());
    explained_.insert(dss_items_.begin(), dss_items_.end());
  }

  // Each field once (a /Kids tree may name a field many times, or loop).
  void collect_signature_fields(const Object& field, int depth, std::set<Ref>& visited, std::vector<Object>& out) const {
    if (depth > kMaxFieldDepth || visited.size() > kMaxWalked) return;
    if (const Ref* r = field.get<Ref>(); r && !visited.insert(*r).second) return;
    Object f = b_.resolve(field);
    const Dict* d = f.get<Dict>();
    if (!d) return;
    if (is_signature_field(field)) out.push_back(field);
    Object kids = b_.resolve_key(*d, "Kids");
    if (const Array* k = kids.get<Array>())
      for (const Object& kid : *k) collect_signature_fields(kid, depth + 1, visited, out);
  }

  const Document& a_;
  const Document& b_;
  std::size_t end_;
  const std::vector<SignedRevision>& signatures_;
  std::map<Ref, std::size_t> pages_;
  const Ref* root_ = nullptr;
  std::optional<Ref> acroform_, dss_, info_;
  std::set<Ref> dss_structure_before_, dss_structure_after_, dss_items_;
  std::set<Ref> explained_;
  const std::set<Ref>& signed_refs_;
  std::set<Ref> field_lists_, annot_lists_;  // indirect arrays: the AcroForm's /Fields, pages' /Annots
  mutable std::optional<std::map<Ref, std::string>> fields_before_;
  mutable std::optional<std::set<Ref>> annotations_before_, form_values_, annotation_parts_;
  bool new_info_ok_ = false;
};

// Two entries that name the same bytes: one offset, or one slot of one unchanged object stream.
bool same_entry(const Document& a, const XrefEntry& x, const Document& b, const XrefEntry& y) {
  if (x.type != y.type || x.gen != y.gen) return false;
  if (x.type == XrefEntry::Type::offset) return x.offset == y.offset;
  if (x.type != XrefEntry::Type::compressed || x.stream_num != y.stream_num || x.index != y.index) return false;
  auto sx = a.xref().find(x.stream_num);
  auto sy = b.xref().find(y.stream_num);
  return sx != a.xref().end() && sy != b.xref().end() && sx->second.type == XrefEntry::Type::offset &&
         sy->second.type == XrefEntry::Type::offset && sx->second.offset == sy->second.offset;
}

RevisionReport compare(const Document& a, const Document& b, std::size_t end, const std::vector<SignedRevision>& signatures,
                       const std::set<Ref>& signed_refs) {
  RevisionReport r;
  r.end = end;
  Comparison cmp(a, b, end, signatures, signed_refs);
  const Ref* root_a = a.trailer().count("Root") ? a.trailer().at("Root").get<Ref>() : nullptr;
  const Ref* root_b = b.trailer().count("Root") ? b.trailer().at("Root").get<Ref>() : nullptr;
  if (!root_a || !root_b || !(*root_a == *root_b))
    r.changes.push_back({"trailer", "modified", "the document catalog was replaced", false});
  // The document information dictionary is the same object (or absent both times), and an
  // update cannot encrypt what was signed.
  const auto info_of = [](const Document& d) -> std::optional<Object> {
    auto it = d.trailer().find("Info");
    return it == d.trailer().end() ? std::nullopt : std::optional<Object>(it->second);
  };
  const std::optional<Object> info_a = info_of(a), info_b = info_of(b);
  if ((info_a != info_b && !(!info_a && cmp.new_info_ok())) || (info_b && !info_b->is<Ref>()))
    r.changes.push_back({"trailer", "modified", "the document information dictionary was replaced", false});
  if (auto d = dangling(b, Object(b.trailer())))
    r.changes.push_back({"trailer", "modified", fmt::format("a reference to {}, which does not exist", ref_text(*d)), false});
  if (b.trailer().count("Encrypt") != a.trailer().count("Encrypt"))
    r.changes.push_back({"trailer", "modified", "/Encrypt was added", false});
  const auto& old_xref = a.xref();
  std::set<Ref> touched, added;  // objects the update changed or added, as allowed changes
  for (const auto& [num, entry] : b.xref()) {
    if (!is_in_use(entry)) continue;
    Ref ref{num, entry.gen};
    auto it = old_xref.find(num);
    const bool existed = it != old_xref.end() && is_in_use(it->second);
    if (existed && same_entry(a, it->second, b, entry)) continue;  // the same bytes
    // File structure is skipped only when it did not replace an object of the earlier revision.
    if (pdf::is_file_structure(b, num, entry) && (!existed || pdf::is_file_structure(a, num, it->second))) continue;
    Object now = b.get(ref);
    if (auto d = dangling(b, now)) {
      r.changes.push_back({ref_text(ref), existed ? "modified" : "added",
                           fmt::format("a reference to {}, which does not exist", ref_text(*d)), false});
      continue;
    }
    if (!existed) {
      r.changes.push_back(cmp.added(ref, now));
      if (r.changes.back().allowed) touched.insert(ref), added.insert(ref);
      continue;
    }
    if (it->second.gen != entry.gen) {
      // References to the signed object (N G R) now name nothing: it was deleted.
      r.changes.push_back({ref_text(Ref{num, it->second.gen}), "deleted",
                           fmt::format("object (its generation became {})", entry.gen), false});
      continue;
    }
    Object before = a.get(Ref{num, it->second.gen});
    if (pdf::same_object(a, before, b, now)) continue;
    r.changes.push_back(cmp.modified(ref, before, now));
    if (r.changes.back().allowed) touched.insert(ref);
  }
  // Deleted: in use before, free now — or listed as free by a section this update wrote, even
  // when another part of the cross-reference (a hybrid file's stream) supplies it again.
  std::set<std::uint32_t> freed;
  for (const pdf::XrefSection& s : b.sections()) {
    if (std::any_of(a.sections().begin(), a.sections().end(), [&](const pdf::XrefSection& old) { return old.offset == s.offset; }))
      continue;
    freed.insert(s.freed.begin(), s.freed.end());
  }
  for (const auto& [num, entry] : old_xref) {
    if (!is_in_use(entry) || pdf::is_file_structure(a, num, entry)) continue;
    auto it = b.xref().find(num);
    if (it == b.xref().end() || !is_in_use(it->second) || freed.count(num))
      r.changes.push_back({ref_text(Ref{num, entry.gen}), "deleted", "object", false});
  }
  // Every object the update's bytes define must be one the cross-reference reaches: anything
  // else is a definition some reader (repairing, or reading the other half of a hybrid file)
  // may use instead.
  try {
    const std::vector<pdf::ObjectAt> defined = pdf::objects_in_update(b, a.data().size(), end);
    std::set<std::size_t> starts;
    for (const pdf::ObjectAt& o : defined) starts.insert(o.offset);
    for (std::size_t at : pdf::object_headers_in(b.data(), a.data().size(), end))
      if (!starts.count(at))
        r.changes.push_back({"update", "added",
                             fmt::format("an object definition hidden at offset {} (inside a stream or comment), "
                                         "which readers that rebuild the cross-reference would use",
                                         at),
                             false});
    for (const pdf::ObjectAt& o : defined) {
      auto it = b.xref().find(o.ref.num);
      const bool reached = (it != b.xref().end() && it->second.type == XrefEntry::Type::offset &&
                            it->second.offset == o.offset && it->second.gen == o.ref.gen) ||
                           b.is_xref_stream_at(o.offset);
      if (!reached)
        r.changes.push_back({ref_text(o.ref), "added",
                             fmt::format("an object definition at offset {} that no cross-reference entry reaches", o.offset),
                             false});
    }
  } catch (const Error& e) {
    r.changes.push_back({"update", "added", "unreadable bytes: " + e.reason(), false});
  }
  r.allowed = std::all_of(r.changes.begin(), r.changes.end(), [](const ObjectChange& c) { return c.allowed; });
  if (r.allowed) r.areas = cmp.areas(touched, added);
  for (ObjectChange& c : r.changes) {
    if (!c.allowed) c.level = ChangeLevel::other;
    r.level = std::max(r.level, c.level);
  }
  return r;
}

}  // namespace

std::vector<RevisionReport> later_revisions(ByteView data, std::size_t from, const std::string& name,
                                            const std::vector<SignedRevision>& signatures, const pdf::Limits& limits) {
  // Revisions are compared as they are found, so at most two parsed revisions are alive.
  std::vector<std::size_t> candidates = pdf::eof_markers(data, from);
  if (candidates.size() > 4 * kMaxAnalysedRevisions)
    throw Error(Errc::input, name,
                fmt::format("more than {} %%EOF markers after the first signature", 4 * kMaxAnalysedRevisions));
  std::vector<RevisionReport> out;
  std::unique_ptr<Document> previous;
  std::set<Ref> signed_refs;  // what the first signed revision refers to, outside its DSS
  for (std::size_t end : candidates) {
    if (end <= from) continue;
    std::unique_ptr<Document> doc;
    try {
      doc = std::make_unique<Document>(Document::parse(data.first(end), name, limits));
    } catch (const Error&) {
      if (limits.budget && limits.budget->exhausted()) throw;
      continue;  // "%%EOF" inside some stream, not the end of a revision
    }
    if (out.size() >= kMaxAnalysedRevisions)
      throw Error(Errc::input, name, fmt::format("more than {} incremental updates after the first signature", kMaxAnalysedRevisions));
    if (!previous) {
      previous = std::make_unique<Document>(Document::parse(data.first(from), name, limits));
      std::vector<Object> roots;
      for (const char* key : {"Root", "Info"})
        if (auto it = previous->trailer().find(key); it != previous->trailer().end()) roots.push_back(it->second);
      const Document& base = *previous;
      reachable(base, roots, signed_refs, [&base](const Dict& d, const std::string& key) {
        return key == "DSS" && pdf::name_value(base, d, "Type") == "Catalog";
      });
    }
    out.push_back(compare(*previous, *doc, end, signatures, signed_refs));
    previous = std::move(doc);
  }
  return out;
}

}  // namespace esign::verify

namespace esign {

const char* to_string(ChangeLevel level) {
  switch (level) {
    case ChangeLevel::validation_data: return "validation data";
    case ChangeLevel::signing: return "signing";
    case ChangeLevel::form_filling: return "form filling";
    case ChangeLevel::annotations: return "annotations";
    case ChangeLevel::other: return "other";
  }
  return "other";
}

ChangeLevel parse_max_changes(const std::string& text, const std::string& where) {
  if (text == "lta") return ChangeLevel::signing;
  if (text == "form-filling") return ChangeLevel::form_filling;
  if (text == "annotations") return ChangeLevel::annotations;
  throw Error(Errc::usage, where, "must be lta, form-filling or annotations, not '" + text + "'");
}

ChangeLevel tolerated_changes(Certification certification) {
  switch (certification) {
    case Certification::no_changes: return ChangeLevel::validation_data;
    case Certification::form_filling: return ChangeLevel::form_filling;
    case Certification::annotations: return ChangeLevel::annotations;
    case Certification::none: break;
  }
  return ChangeLevel::signing;
}

}  // namespace esign
