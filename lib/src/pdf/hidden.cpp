// Content a PDF hides from its readers (see hidden.h).
#include "pdf/hidden.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "esign/error.h"
#include "pdf/fields.h"
#include "pdf/layout.h"
#include "pdf/reach.h"
#include "pdf/text.h"

namespace esign::pdf {

namespace {

// At most this many earlier revisions are read.
constexpr std::size_t kMaxEarlierRevisions = 64;


// What a reader could be made to show if `o` were used: a page, a page tree, or any stream with
// bytes (a form or image XObject, or any other stream: a reader draws whatever /Contents names,
// whatever its dictionary claims to be); "" for anything else.
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
    const auto box = d->count("BBox") ? rectangle(doc, d->at("BBox")) : std::nullopt;
    if (box && ((*box)[0] == (*box)[2] || (*box)[1] == (*box)[3])) return "";
    return "a form XObject";
  }
  if (subtype == "Image") return "an image XObject";
  if (type.empty() && subtype.empty()) return "a content stream";
  return fmt::format("a stream (claiming /Type /{} /Subtype /{})", type, subtype);
}

// Where a linearized file's hint stream starts (§F.3: /H of the linearization dictionary, the
// file's first object): it is reached by offset, not by reference. nullopt for other files.
std::optional<std::size_t> hint_stream_offset(const Document& doc) {
  std::optional<std::size_t> first;
  for (const auto& [num, e] : doc.xref())
    if (e.type == XrefEntry::Type::offset && (!first || e.offset < doc.xref().at(*first).offset)) first = num;
  if (!first) return std::nullopt;
  Object lin = doc.get(Ref{static_cast<std::uint32_t>(*first), doc.xref().at(*first).gen});
  const Dict* d = lin.get<Dict>();
  if (!d || !d->count("Linearized")) return std::nullopt;
  Object h = doc.resolve_key(*d, "H");
  const Array* a = h.get<Array>();
  if (!a || a->size() < 2) return std::nullopt;
  const auto* off = (*a)[0].get<std::int64_t>();
  if (!off || *off < 0) return std::nullopt;
  return static_cast<std::size_t>(*off);
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
  const std::optional<std::size_t> hints = hint_stream_offset(doc);
  for (const auto& [num, entry] : doc.xref()) {
    if (out.full()) return;
    if (entry.type == XrefEntry::Type::free || is_file_structure(doc, num, entry)) continue;
    if (hints && entry.type == XrefEntry::Type::offset && entry.offset == *hints) continue;
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


// Adds the offsets of `doc`'s objects (uncompressed entries) to `into`.
void add_offsets(const Document& doc, std::set<std::size_t>& into) {
  for (const auto& [num, e] : doc.xref())
    if (e.type == XrefEntry::Type::offset) into.insert(e.offset);
}

// Content of earlier revisions the final cross-reference no longer uses. `known` gets the
// offsets every revision's cross-reference names; false when there were too many revisions to
// read them all.
bool earlier_revisions(const Document& doc, const Limits& limits, Findings& out, std::set<std::size_t>& known) {
  std::set<std::size_t> final_offsets;
  add_offsets(doc, final_offsets);
  known.insert(final_offsets.begin(), final_offsets.end());
  std::vector<std::size_t> ends = eof_markers(doc.data(), 0);
  if (ends.empty()) return true;
  ends.pop_back();  // the final revision itself (or trailing bytes after it)
  const bool all = ends.size() <= kMaxEarlierRevisions;
  if (!all) ends.erase(ends.begin(), ends.end() - kMaxEarlierRevisions);
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
    add_offsets(*old, known);
    for (const auto& [num, e] : old->xref()) {
      if (out.full()) return all;
      if (e.type != XrefEntry::Type::offset || final_offsets.count(e.offset) || is_file_structure(*old, num, e)) continue;
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
  return all;
}

// Object definitions that no revision's cross-reference names (between objects, in a comment,
// inside stream data): a reader that rebuilds a damaged cross-reference uses them, and an update
// after signing need only point an entry at one.
void unreached_definitions(const Document& doc, const std::set<std::size_t>& known, Findings& out) {
  for (std::size_t at : object_headers_in(doc.data(), 0, doc.data().size())) {
    if (out.full()) return;
    if (known.count(at) || doc.is_xref_stream_at(at)) continue;
    out.add(fmt::format("an object definition at offset {} that no cross-reference entry reaches", at));
  }
}

}  // namespace

std::vector<std::string> hidden_content(const Document& doc, const Limits& limits, std::size_t max) {
  Findings out(max);
  unused_objects(doc, used_by_trailer(doc), out);
  hidden_layers(doc, out);
  std::set<std::size_t> known;
  if (earlier_revisions(doc, limits, out, known)) unreached_definitions(doc, known, out);
  return out.take();
}

}  // namespace esign::pdf
