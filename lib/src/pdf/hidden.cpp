// Content a PDF hides from its readers (see hidden.h).
#include "pdf/hidden.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "esign/error.h"
#include "pdf/layout.h"
#include "pdf/reach.h"
#include "pdf/text.h"

namespace esign::pdf {

namespace {

// At most this many earlier revisions are read.
constexpr std::size_t kMaxEarlierRevisions = 64;

std::string name_value(const Document& doc, const Dict& d, const char* key) {
  Object v = doc.resolve_key(d, key);
  if (const Name* n = v.get<Name>()) return n->value;
  return "";
}

// What a reader could be made to show if `o` were used: a page, a page tree, an XObject or a
// content stream; "" for anything else (fonts, colour profiles, metadata, hint tables...).
std::string shown_kind(const Document& doc, const Object& o) {
  const Dict* d = o.dict();
  if (d == nullptr) return "";
  const std::string type = name_value(doc, *d, "Type");
  const std::string subtype = name_value(doc, *d, "Subtype");
  if (o.get<Dict>()) {
    if (type == "Page") return "a page";
    if (type == "Pages") return "a page tree";
    return "";
  }
  // Nothing to show: no bytes, or a form whose bounding box (which clips it) has no area (poppler
  // leaves such placeholders behind when it signs).
  if (o.get<Stream>()->data_length == 0) return "";
  if (subtype == "Form") {
    Object box = doc.resolve_key(*d, "BBox");
    if (const Array* b = box.get<Array>(); b && b->size() == 4) {
      double v[4] = {0, 0, 0, 0};
      for (std::size_t i = 0; i < 4; ++i) {
        Object n = doc.resolve((*b)[i]);
        if (const auto* k = n.get<std::int64_t>()) v[i] = static_cast<double>(*k);
        else if (const auto* f = n.get<double>()) v[i] = *f;
      }
      if (v[0] == v[2] || v[1] == v[3]) return "";
    }
    return "a form XObject";
  }
  if (subtype == "Image") return "an image XObject";
  // A stream with no type, no subtype and none of the keys of font programs (/Length1..3),
  // ICC profiles (/N) or linearization hint tables (/S): page content, or something posing
  // as it.
  if (type.empty() && subtype.empty())
    for (const char* key : {"Length1", "Length2", "Length3", "N", "S"})
      if (d->count(key)) return "";
  return type.empty() && subtype.empty() ? "a content stream" : "";
}

bool is_structure(const Document& doc, std::uint32_t num, const XrefEntry& e) {
  return doc.is_object_stream(num) || (e.type == XrefEntry::Type::offset && doc.is_xref_stream_at(e.offset));
}

std::set<Ref> used_by_trailer(const Document& doc) {
  std::vector<Object> roots;
  for (const char* key : {"Root", "Info"})
    if (auto it = doc.trailer().find(key); it != doc.trailer().end()) roots.push_back(it->second);
  std::set<Ref> seen;
  reachable(doc, roots, seen, [](const Dict&, const std::string&) { return false; });
  return seen;
}

class Findings {
 public:
  explicit Findings(std::size_t max) : max_(max) {}
  bool full() const { return out_.size() >= max_; }
  void add(std::string what) {
    if (!full()) out_.push_back(std::move(what));
  }
  std::vector<std::string> take() { return std::move(out_); }

 private:
  std::size_t max_;
  std::vector<std::string> out_;
};

void unused_objects(const Document& doc, const std::set<Ref>& used, Findings& out) {
  for (const auto& [num, entry] : doc.xref()) {
    if (out.full()) return;
    if (entry.type == XrefEntry::Type::free || is_structure(doc, num, entry)) continue;
    const Ref ref{num, entry.type == XrefEntry::Type::offset ? entry.gen : std::uint16_t{0}};
    if (used.count(ref)) continue;
    const std::string kind = shown_kind(doc, doc.get(ref));
    if (!kind.empty()) out.add(fmt::format("object {} {}, {}, which nothing in the document uses", ref.num, ref.gen, kind));
  }
}

void hidden_layers(const Document& doc, Findings& out) {
  const Dict catalog = doc.catalog();
  Object props = doc.resolve_key(catalog, "OCProperties");
  const Dict* p = props.get<Dict>();
  if (!p) return;
  Object config = doc.resolve_key(*p, "D");
  const Dict* d = config.get<Dict>();
  if (!d) return;
  std::set<Ref> off, on;
  const auto refs_in = [&](const char* key, std::set<Ref>& into) {
    Object list = doc.resolve_key(*d, key);
    if (const Array* a = list.get<Array>())
      for (const Object& o : *a)
        if (const Ref* r = o.get<Ref>()) into.insert(*r);
  };
  refs_in("OFF", off);
  refs_in("ON", on);
  if (name_value(doc, *d, "BaseState") == "OFF") {
    Object groups = doc.resolve_key(*p, "OCGs");
    if (const Array* a = groups.get<Array>())
      for (const Object& o : *a)
        if (const Ref* r = o.get<Ref>(); r && !on.count(*r)) off.insert(*r);
  }
  if (off.empty()) return;
  std::set<Ref> shown;
  if (auto it = catalog.find("Pages"); it != catalog.end())
    reachable(doc, {it->second}, shown, [](const Dict&, const std::string&) { return false; });
  for (const Ref& r : off) {
    if (out.full() || !shown.count(r)) continue;
    Object group = doc.get(r);
    std::string label;
    if (const Dict* g = group.get<Dict>()) {
      Object n = doc.resolve_key(*g, "Name");
      if (const String* s = n.get<String>()) label = " '" + text_to_utf8(*s) + "'";
    }
    out.add(fmt::format("optional content group{} (object {} {}), which is off by default and which the pages use", label,
                        r.num, r.gen));
  }
}

// Whether `a` in `old` and `b` in `now` are the same object (dictionary and raw stream bytes).
bool same_object(const Document& old, const Object& a, const Document& now, const Object& b) {
  const Stream* sa = a.get<Stream>();
  const Stream* sb = b.get<Stream>();
  if (sa || sb) {
    if (!sa || !sb || sa->dict != sb->dict || sa->data_length != sb->data_length) return false;
    ByteView ra = old.data().subspan(sa->data_offset, sa->data_length);
    ByteView rb = now.data().subspan(sb->data_offset, sb->data_length);
    return std::equal(ra.begin(), ra.end(), rb.begin());
  }
  return a == b;
}

void earlier_revisions(const Document& doc, const Limits& limits, Findings& out) {
  std::vector<std::size_t> ends = eof_markers(doc.data(), 0);
  if (ends.empty()) return;
  ends.pop_back();  // the final revision itself (or trailing bytes after it)
  if (ends.size() > kMaxEarlierRevisions) ends.erase(ends.begin(), ends.end() - kMaxEarlierRevisions);
  std::set<std::size_t> final_offsets;
  for (const auto& [num, e] : doc.xref())
    if (e.type == XrefEntry::Type::offset) final_offsets.insert(e.offset);
  std::set<Ref> reported;
  for (std::size_t end : ends) {
    if (end >= doc.data().size() || out.full()) continue;
    std::optional<Document> old;
    try {
      old.emplace(Document::parse(doc.data().first(end), doc.name(), limits));
    } catch (const Error&) {
      if (limits.budget && limits.budget->exhausted()) throw;
      continue;  // "%%EOF" inside a stream, or not a revision
    }
    for (const auto& [num, e] : old->xref()) {
      if (out.full()) return;
      if (e.type != XrefEntry::Type::offset || final_offsets.count(e.offset) || is_structure(*old, num, e)) continue;
      const Ref ref{num, e.gen};
      if (reported.count(ref)) continue;
      Object before = old->get(ref);
      const std::string kind = shown_kind(*old, before);
      if (kind.empty() || kind == "a page" || kind == "a page tree") continue;  // pages change with every annotation
      auto now = doc.xref().find(num);
      if (now != doc.xref().end() && now->second.type != XrefEntry::Type::free &&
          same_object(*old, before, doc, doc.get(Ref{num, now->second.type == XrefEntry::Type::offset ? now->second.gen
                                                                                                      : std::uint16_t{0}})))
        continue;  // rewritten unchanged
      reported.insert(ref);
      out.add(fmt::format("object {} {} at offset {}, {} of an earlier revision, which the final cross-reference no longer uses",
                          ref.num, ref.gen, e.offset, kind));
    }
  }
}

}  // namespace

std::vector<std::string> hidden_content(const Document& doc, const Limits& limits, std::size_t max) {
  Findings out(max);
  unused_objects(doc, used_by_trailer(doc), out);
  hidden_layers(doc, out);
  earlier_revisions(doc, limits, out);
  return out.take();
}

}  // namespace esign::pdf
