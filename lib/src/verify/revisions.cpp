// Revision boundaries and the object-by-object comparison of consecutive revisions.
#include "verify/revisions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "esign/error.h"
#include "pdf/document.h"
#include "pdf/text.h"

namespace esign::verify {

namespace {

using pdf::Array;
using pdf::Dict;
using pdf::Document;
using pdf::Object;
using pdf::Ref;

std::string ref_text(Ref r) { return fmt::format("{} {}", r.num, r.gen); }

std::string name_of(const Document& doc, const Dict& d, const char* key) {
  Object v = doc.resolve_key(d, key);
  if (const pdf::Name* n = v.get<pdf::Name>()) return n->value;
  return "";
}

// Equal as PDF objects: streams by dictionary and raw bytes, wherever each file keeps them.
bool same(const Document& a, const Object& x, const Document& b, const Object& y) {
  const pdf::Stream* sx = x.get<pdf::Stream>();
  const pdf::Stream* sy = y.get<pdf::Stream>();
  if (sx || sy) {
    if (!sx || !sy || sx->dict != sy->dict) return false;
    ByteView rx = a.data().subspan(sx->data_offset, sx->data_length);
    ByteView ry = b.data().subspan(sy->data_offset, sy->data_length);
    return rx.size() == ry.size() && std::equal(rx.begin(), rx.end(), ry.begin());
  }
  return x == y;
}

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

// The entries of `now` that `before` lacks, when `now` keeps all of `before`; nullopt otherwise.
std::optional<Array> appended(const Array& before, const Array& now) {
  for (const Object& o : before)
    if (std::find(now.begin(), now.end(), o) == now.end()) return std::nullopt;
  Array added;
  for (const Object& o : now)
    if (std::find(before.begin(), before.end(), o) == before.end()) added.push_back(o);
  return added;
}

// Context of the comparison of revision `a` (older) with `b` (newer).
class Comparison {
 public:
  Comparison(const Document& a, const Document& b) : a_(a), b_(b) {
    for (Ref p : b.pages()) pages_[p] = pages_.size() + 1;
    Dict catalog = b.catalog();
    root_ = b.trailer().count("Root") ? b.trailer().at("Root").get<Ref>() : nullptr;
    Object acroform = catalog.count("AcroForm") ? catalog.at("AcroForm") : Object();
    if (const Ref* r = acroform.get<Ref>()) acroform_ = *r;
    Object dss = catalog.count("DSS") ? catalog.at("DSS") : Object();
    if (const Ref* r = dss.get<Ref>()) dss_ = *r;
    collect_dss_refs(a);
    collect_dss_refs(b);
    if (auto it = b.trailer().find("Info"); it != b.trailer().end())
      if (const Ref* r = it->second.get<Ref>()) info_ = *r;
    explain(catalog);
  }

  // A signature field (or its widget): /FT /Sig here or on its parent.
  bool is_signature_field(const Object& o) const {
    Object v = b_.resolve(o);
    const Dict* d = v.dict();
    for (int depth = 0; d && depth < 8; ++depth) {
      if (name_of(b_, *d, "FT") == "Sig") return true;
      Object parent = b_.resolve_key(*d, "Parent");
      v = parent;
      d = v.dict();
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
    if (root_ && ref == *root_ && x && y) {
      std::set<std::string> keys = changed_keys(*x, *y);
      bool ok = only(keys, {"DSS", "AcroForm", "Extensions", "Version"});
      if (ok && keys.count("AcroForm")) {
        Object ax = a_.resolve_key(*x, "AcroForm"), ay = b_.resolve_key(*y, "AcroForm");
        ok = ay.dict() && acroform_ok(ax.dict() ? *ax.dict() : Dict{}, *ay.dict());
      }
      return {c.object, c.change, "catalog: " + join(keys), ok};
    }
    if (acroform_ && ref == *acroform_ && x && y) return {c.object, c.change, "AcroForm", acroform_ok(*x, *y)};
    if (auto page = pages_.find(ref); page != pages_.end() && x && y) {
      std::set<std::string> keys = changed_keys(*x, *y);
      bool ok = only(keys, {"Annots"});
      if (ok && keys.count("Annots")) ok = annots_ok(a_.resolve_key(*x, "Annots"), b_.resolve_key(*y, "Annots"));
      return {c.object, c.change, fmt::format("page {}: {}", page->second, join(keys)), ok};
    }
    if ((dss_ && ref == *dss_) || dss_refs_.count(ref)) return {c.object, c.change, "DSS", true};
    if (info_ && ref == *info_ && x && y) {
      std::set<std::string> keys = changed_keys(*x, *y);
      return {c.object, c.change, "document information: " + join(keys), only(keys, {"ModDate", "Producer"})};
    }
    // An array that lists fields or annotations: only signature fields appended.
    const Array* ax = before.get<Array>();
    const Array* ay = now.get<Array>();
    if (ax && ay) {
      std::optional<Array> added = appended(*ax, *ay);
      bool ok = added && !added->empty() && all_signature_fields(*added) && referenced_as_list(ref);
      return {c.object, c.change, "array (" + std::to_string(ay->size()) + " entries)", ok};
    }
    // An empty signature field that a later signature filled.
    if (x && y && name_of(b_, *y, "FT") == "Sig") {
      std::set<std::string> keys = changed_keys(*x, *y);
      bool ok = !x->count("V") && only(keys, {"V", "AP", "F", "MK"});
      return {c.object, c.change, "signature field " + field_name(*y) + ": " + join(keys), ok};
    }
    std::string type = x ? name_of(a_, *x, "Type") : "";
    return {c.object, c.change, type.empty() ? "object" : "object of /Type /" + type, false};
  }

  ObjectChange added(Ref ref, const Object& now) const {
    ObjectChange c = describe_added(ref, now);
    if (!explained_.count(ref)) {
      c.allowed = false;
      c.what += ", which no signature, time-stamp or validation data uses";
    }
    return c;
  }

  ObjectChange describe_added(Ref ref, const Object& now) const {
    ObjectChange c{ref_text(ref), "added", "", true};
    if (const Dict* d = now.dict()) {
      std::string type = name_of(b_, *d, "Type");
      if (type == "Sig") return {c.object, c.change, "signature dictionary", true};
      if (type == "DocTimeStamp") return {c.object, c.change, "document time-stamp dictionary", true};
      if (type == "DSS" || type == "VRI") return {c.object, c.change, type, true};
      if (name_of(b_, *d, "FT") == "Sig") return {c.object, c.change, "signature field " + field_name(*d), true};
      if (now.get<pdf::Stream>()) {
        if (name_of(b_, *d, "Subtype") == "Form") return {c.object, c.change, "form XObject (appearance)", true};
        if (dss_refs_.count(ref)) return {c.object, c.change, "validation data (DSS stream)", true};
        return {c.object, c.change, "stream", true};
      }
      if (!type.empty()) return {c.object, c.change, "/Type /" + type, true};
    }
    return {c.object, c.change, "object", true};
  }

 private:
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

  bool annots_ok(const Object& before, const Object& now) const {
    const Array* ay = now.get<Array>();
    if (!ay) return false;
    const Array* ax = before.get<Array>();
    std::optional<Array> added = appended(ax ? *ax : Array{}, *ay);
    return added && all_signature_fields(*added);
  }

  // True when `ref` is the /Fields of the AcroForm or the /Annots of a page (indirect arrays).
  bool referenced_as_list(Ref ref) const {
    Dict catalog = b_.catalog();
    Object af = b_.resolve_key(catalog, "AcroForm");
    if (const Dict* d = af.dict())
      if (auto it = d->find("Fields"); it != d->end() && it->second == Object(ref)) return true;
    for (const auto& [page, number] : pages_) {
      (void)number;
      Object p = b_.get(page);
      if (const Dict* d = p.dict())
        if (auto it = d->find("Annots"); it != d->end() && it->second == Object(ref)) return true;
    }
    return false;
  }

  // The objects that signature fields (with their widgets, appearances and values) and the DSS
  // use, found by following references from them (but not back up through /P or /Parent).
  void explain(const Dict& catalog) {
    std::vector<Object> todo;
    Object af = b_.resolve_key(catalog, "AcroForm");
    if (const Dict* d = af.dict()) {
      Object fields = b_.resolve_key(*d, "Fields");
      if (const Array* a = fields.get<Array>())
        for (const Object& f : *a) collect_signature_fields(f, 0, todo);
    }
    if (auto it = catalog.find("DSS"); it != catalog.end()) todo.push_back(it->second);
    while (!todo.empty() && explained_.size() < kMaxExplained) {
      Object o = std::move(todo.back());
      todo.pop_back();
      if (const Ref* r = o.get<Ref>()) {
        if (!explained_.insert(*r).second) continue;
        o = b_.get(*r);
      }
      if (const Array* a = o.get<Array>()) {
        for (const Object& item : *a) todo.push_back(item);
      } else if (const Dict* d = o.dict()) {
        for (const auto& [key, value] : *d)
          if (key != "P" && key != "Parent") todo.push_back(value);
      }
    }
  }

  void collect_signature_fields(const Object& field, int depth, std::vector<Object>& out) const {
    if (depth > 32) return;
    Object f = b_.resolve(field);
    const Dict* d = f.dict();
    if (!d) return;
    if (is_signature_field(field)) out.push_back(field);
    Object kids = b_.resolve_key(*d, "Kids");
    if (const Array* k = kids.get<Array>())
      for (const Object& kid : *k) collect_signature_fields(kid, depth + 1, out);
  }

  static constexpr std::size_t kMaxExplained = 1'000'000;

  void collect_dss_refs(const Document& doc) {
    Dict catalog = doc.catalog();
    Object dss = doc.resolve_key(catalog, "DSS");
    const Dict* d = dss.dict();
    if (!d) return;
    for (const char* key : {"Certs", "OCSPs", "CRLs", "VRI"}) {
      auto it = d->find(key);
      if (it == d->end()) continue;
      if (const Ref* r = it->second.get<Ref>()) dss_refs_.insert(*r);
      Object v = doc.resolve(it->second);
      if (const Array* a = v.get<Array>())
        for (const Object& o : *a)
          if (const Ref* r = o.get<Ref>()) dss_refs_.insert(*r);
      if (const Dict* vri = v.dict())
        for (const auto& [k, entry] : *vri) {
          (void)k;
          if (const Ref* r = entry.get<Ref>()) dss_refs_.insert(*r);
        }
    }
  }

  const Document& a_;
  const Document& b_;
  std::map<Ref, std::size_t> pages_;
  const Ref* root_ = nullptr;
  std::optional<Ref> acroform_, dss_, info_;
  std::set<Ref> dss_refs_;
  std::set<Ref> explained_;
};

RevisionReport compare(const Document& a, const Document& b, std::size_t end) {
  RevisionReport r;
  r.end = end;
  Comparison cmp(a, b);
  const Ref* root_a = a.trailer().count("Root") ? a.trailer().at("Root").get<Ref>() : nullptr;
  const Ref* root_b = b.trailer().count("Root") ? b.trailer().at("Root").get<Ref>() : nullptr;
  if (!root_a || !root_b || !(*root_a == *root_b))
    r.changes.push_back({"trailer", "modified", "the document catalog was replaced", false});
  const auto& old_xref = a.xref();
  for (const auto& [num, entry] : b.xref()) {
    if (entry.type == pdf::XrefEntry::Type::free) continue;
    Ref ref{num, entry.gen};
    auto it = old_xref.find(num);
    const bool existed = it != old_xref.end() && it->second.type != pdf::XrefEntry::Type::free;
    if (existed && it->second.type == entry.type && it->second.offset == entry.offset &&
        it->second.stream_num == entry.stream_num && it->second.index == entry.index && it->second.gen == entry.gen &&
        entry.type == pdf::XrefEntry::Type::offset)
      continue;  // the same bytes
    Object now = b.get(ref);
    if (const pdf::Stream* s = now.get<pdf::Stream>()) {
      std::string type;
      if (auto t = s->dict.find("Type"); t != s->dict.end())
        if (const pdf::Name* n = t->second.get<pdf::Name>()) type = n->value;
      if (type == "XRef" || type == "ObjStm") continue;  // file structure, not content
    }
    if (!existed) {
      r.changes.push_back(cmp.added(ref, now));
      continue;
    }
    Object before = a.get(Ref{num, it->second.gen});
    if (same(a, before, b, now)) continue;
    r.changes.push_back(cmp.modified(ref, before, now));
  }
  for (const auto& [num, entry] : old_xref) {
    if (entry.type == pdf::XrefEntry::Type::free) continue;
    auto it = b.xref().find(num);
    if (it == b.xref().end() || it->second.type == pdf::XrefEntry::Type::free) {
      Object before = a.get(Ref{num, entry.gen});
      std::string type;
      if (auto* s = before.get<pdf::Stream>()) {
        if (auto t = s->dict.find("Type"); t != s->dict.end())
          if (const pdf::Name* n = t->second.get<pdf::Name>()) type = n->value;
        if (type == "XRef" || type == "ObjStm") continue;
      }
      r.changes.push_back({ref_text(Ref{num, entry.gen}), "deleted", "object", false});
    }
  }
  r.allowed = std::all_of(r.changes.begin(), r.changes.end(), [](const ObjectChange& c) { return c.allowed; });
  return r;
}

// Candidate revision ends: just past each "%%EOF" and its end-of-line marker.
std::vector<std::size_t> eof_markers(ByteView data, std::size_t from) {
  std::vector<std::size_t> out;
  static constexpr std::string_view kEof = "%%EOF";
  std::string_view text = as_chars(data);
  std::size_t search = from >= kEof.size() ? from - kEof.size() : 0;
  for (std::size_t pos; (pos = text.find(kEof, search)) != std::string_view::npos; search = pos + 1) {
    std::size_t end = pos + kEof.size();
    if (end < text.size() && text[end] == '\r') ++end;
    if (end < text.size() && text[end] == '\n') ++end;
    if (end >= from) out.push_back(end);
    if (out.size() > 4 * kMaxAnalysedRevisions) break;
  }
  return out;
}

}  // namespace

std::vector<RevisionReport> later_revisions(ByteView data, std::size_t from, const std::string& name) {
  std::vector<std::pair<std::size_t, std::unique_ptr<Document>>> revisions;
  for (std::size_t end : eof_markers(data, from)) {
    if (end <= from) continue;
    std::unique_ptr<Document> doc;
    try {
      doc = std::make_unique<Document>(Document::parse(data.first(end), name));
    } catch (const Error&) {
      continue;  // "%%EOF" inside some stream, not the end of a revision
    }
    if (revisions.size() >= kMaxAnalysedRevisions)
      throw Error(Errc::input, name, fmt::format("more than {} incremental updates after the first signature", kMaxAnalysedRevisions));
    revisions.emplace_back(end, std::move(doc));
  }
  std::vector<RevisionReport> out;
  if (revisions.empty()) return out;
  std::unique_ptr<Document> base = std::make_unique<Document>(Document::parse(data.first(from), name));
  const Document* previous = base.get();
  for (const auto& [end, doc] : revisions) {
    out.push_back(compare(*previous, *doc, end));
    previous = doc.get();
  }
  return out;
}

}  // namespace esign::verify
