// Looking up objects of an opened Document: indirect objects, object streams, the page tree.
#include "pdf/document.h"

#include <algorithm>

#include <limits>
#include <set>

#include "esign/error.h"
#include "pdf/lexer.h"

namespace esign::pdf {

namespace {

// Lookups that trigger lookups (an indirect /Length, an object stream, a chain of references)
// nest at most this deep; legitimate files need two or three levels.
constexpr int kMaxLookupDepth = 16;

std::string ref_text(Ref ref) { return std::to_string(ref.num) + " " + std::to_string(ref.gen); }

const Name* name_entry(const Dict& dict, const std::string& key) {
  auto it = dict.find(key);
  return it == dict.end() ? nullptr : it->second.get<Name>();
}

}  // namespace

bool Document::encrypted() const { return trailer_.contains("Encrypt"); }

Object Document::get(Ref ref) const { return get_at(ref, 0); }

Object Document::resolve(const Object& object) const { return resolve_at(object, 0); }

Object Document::resolve_key(const Dict& dict, const std::string& key) const {
  auto it = dict.find(key);
  return it == dict.end() ? Object{} : resolve_at(it->second, 0);
}

Bytes Document::decode(const Stream& stream) const { return decode_at(stream, 0, true); }

Object Document::resolve_at(const Object& object, int depth) const {
  Object current = object;
  for (int hops = 0; const Ref* ref = current.get<Ref>(); ++hops) {
    if (hops >= kMaxLookupDepth) fail("chain of references from object " + ref_text(*ref) + " is too long");
    current = get_at(*ref, depth + 1);
  }
  return current;
}

Object Document::get_at(Ref ref, int depth) const {
  if (depth > kMaxLookupDepth) fail("lookups nested too deeply at object " + ref_text(ref));
  auto it = xref_.find(ref.num);
  // §7.3.10: a reference to a free or missing object is a reference to the null object.
  if (it == xref_.end() || it->second.type == XrefEntry::Type::free) return Object{};
  const XrefEntry& entry = it->second;
  if (entry.type == XrefEntry::Type::compressed) {
    if (ref.gen != 0) return Object{};  // §7.5.7: objects in object streams have generation 0
    const auto& objects = object_stream(entry.stream_num, depth + 1);
    if (entry.index >= objects.size() || objects[entry.index].first != ref.num) {
      fail("object " + ref_text(ref) + " is not at index " + std::to_string(entry.index) + " of object stream " +
           std::to_string(entry.stream_num));
    }
    return objects[entry.index].second;
  }
  if (entry.gen != ref.gen) return Object{};
  if (entry.offset >= data_.size()) fail("xref entry for object " + ref_text(ref) + " points past the end of the file");
  const LengthResolver length = [this, depth](Ref length_ref) {
    Object value = get_at(length_ref, depth + 1);
    const auto* n = value.get<std::int64_t>();
    if (n == nullptr) fail("stream /Length " + ref_text(length_ref) + " R is not an integer");
    return *n;
  };
  Parser parser(data_, entry.offset, name_, limits_.max_depth);
  IndirectObject indirect = parser.parse_indirect(length);
  if (indirect.ref != ref) {
    fail("xref entry for object " + ref_text(ref) + " points at object " + ref_text(indirect.ref) + " (offset " +
         std::to_string(entry.offset) + ")");
  }
  return std::move(indirect.object);
}

const std::vector<std::pair<std::uint32_t, Object>>& Document::object_stream(std::uint32_t num, int depth) const {
  if (auto cached = object_streams_.find(num); cached != object_streams_.end()) return *cached->second;
  const std::string which = "object stream " + std::to_string(num);
  // §7.5.7: an object stream is itself an uncompressed object, so this cannot loop through streams.
  auto it = xref_.find(num);
  if (it == xref_.end() || it->second.type != XrefEntry::Type::offset) fail(which + " is not an object in the file");
  const std::size_t at = it->second.offset;
  if (limits_.budget != nullptr) {
    if (auto shared = limits_.budget->object_stream_at(at, num); shared != nullptr)
      return *object_streams_.emplace(num, std::move(shared)).first->second;
  }
  Object object = get_at(Ref{num, it->second.gen}, depth + 1);
  const Stream* stream = object.get<Stream>();
  const Name* type = stream ? name_entry(stream->dict, "Type") : nullptr;
  if (type == nullptr || type->value != "ObjStm") fail(which + " is not a /Type /ObjStm stream");
  const Object* n_obj = find_entry(stream->dict, "N");
  const Object* first_obj = find_entry(stream->dict, "First");
  const auto* n = n_obj ? n_obj->get<std::int64_t>() : nullptr;
  const auto* first = first_obj ? first_obj->get<std::int64_t>() : nullptr;
  if (n == nullptr || *n < 0 || static_cast<std::uint64_t>(*n) > limits_.max_objects) fail(which + " has a bad /N");
  if (first == nullptr || *first < 0) fail(which + " has a bad /First");
  const Bytes decoded = decode_at(*stream, depth + 1, true);
  if (static_cast<std::uint64_t>(*first) > decoded.size()) fail(which + " /First is past its decoded end");
  const auto header_end = static_cast<std::size_t>(*first);

  auto objects = std::make_shared<std::vector<std::pair<std::uint32_t, Object>>>();
  try {
    // The header is N pairs `number offset`, offsets relative to /First. Entries are appended
    // as they are read, so a large /N allocates nothing the data does not back.
    Lexer header(ByteView(decoded).first(header_end), 0, name_);
    std::vector<std::size_t> offsets;
    std::set<std::uint32_t> listed_numbers;
    for (std::int64_t i = 0; i < *n; ++i) {
      Token number = header.next();
      Token offset = header.next();
      if (number.kind != Token::Kind::integer || offset.kind != Token::Kind::integer || number.integer < 0 ||
          number.integer > std::numeric_limits<std::uint32_t>::max() || offset.integer < 0 ||
          static_cast<std::uint64_t>(offset.integer) >= decoded.size() - header_end) {
        fail(which + " has a malformed header");
      }
      // One number once, and never the stream's own: readers that look objects up by number
      // rather than by index would otherwise read another object than this reader does.
      const auto listed = static_cast<std::uint32_t>(number.integer);
      if (listed == num || !listed_numbers.insert(listed).second)
        fail(which + " lists object " + std::to_string(listed) + " twice (or itself)");
      objects->emplace_back(listed, Object{});
      offsets.push_back(header_end + static_cast<std::size_t>(offset.integer));
    }
    for (std::size_t i = 0; i < objects->size(); ++i) {
      Parser parser(decoded, offsets[i], name_, limits_.max_depth);
      (*objects)[i].second = parser.parse_object();
    }
  } catch (const Error& e) {
    if (e.reason().find(which) != std::string::npos) throw;
    fail(e.reason() + " in " + which);
  }
  if (limits_.budget != nullptr) limits_.budget->remember_object_stream(at, num, objects);
  return *object_streams_.emplace(num, std::move(objects)).first->second;
}

Dict Document::catalog() const {
  Object root = resolve_key(trailer_, "Root");
  Dict* dict = root.get<Dict>();
  if (dict == nullptr) fail("the trailer's /Root is not a dictionary");
  return std::move(*dict);
}

std::vector<Ref> Document::pages() const {
  // §7.7.3: the page tree; /Kids are indirect references to /Pages or /Page dictionaries.
  const Dict root = catalog();
  auto it = root.find("Pages");
  const Ref* top = it == root.end() ? nullptr : it->second.get<Ref>();
  if (top == nullptr) fail("the catalog's /Pages is not an indirect reference");
  std::vector<Ref> pages;
  std::set<Ref> seen;
  const auto walk = [&](const auto& self, Ref node_ref, int depth) -> void {
    if (depth > limits_.max_depth) fail("page tree is deeper than " + std::to_string(limits_.max_depth));
    if (!seen.insert(node_ref).second) fail("page tree visits object " + ref_text(node_ref) + " twice");
    Object node = get_at(node_ref, 0);
    const Dict* dict = node.get<Dict>();
    if (dict == nullptr) fail("page tree node " + ref_text(node_ref) + " is not a dictionary");
    const Name* type = name_entry(*dict, "Type");
    if (type != nullptr && type->value == "Page") {
      pages.push_back(node_ref);
      return;
    }
    if (type == nullptr || type->value != "Pages") {
      fail("page tree node " + ref_text(node_ref) + " is neither /Pages nor /Page");
    }
    Object kids = resolve_key(*dict, "Kids");
    const Array* array = kids.get<Array>();
    if (array == nullptr) fail("page tree node " + ref_text(node_ref) + " has no /Kids array");
    for (const Object& kid : *array) {
      const Ref* kid_ref = kid.get<Ref>();
      if (kid_ref == nullptr) fail("page tree node " + ref_text(node_ref) + " has a kid that is not a reference");
      self(self, *kid_ref, depth + 1);
    }
  };
  walk(walk, *top, 0);
  return pages;
}

std::string name_value(const Document& doc, const Dict& d, const char* key) {
  Object v = doc.resolve_key(d, key);
  const Name* n = v.get<Name>();
  return n ? n->value : "";
}

bool is_file_structure(const Document& doc, std::uint32_t num, const XrefEntry& entry) {
  return doc.is_object_stream(num) || (entry.type == XrefEntry::Type::offset && doc.is_xref_stream_at(entry.offset));
}

bool same_object(const Document& a, const Object& x, const Document& b, const Object& y) {
  const Stream* sx = x.get<Stream>();
  const Stream* sy = y.get<Stream>();
  if (sx || sy) {
    if (!sx || !sy || sx->dict != sy->dict) return false;
    ByteView rx = a.data().subspan(sx->data_offset, sx->data_length);
    ByteView ry = b.data().subspan(sy->data_offset, sy->data_length);
    return rx.size() == ry.size() && std::equal(rx.begin(), rx.end(), ry.begin());
  }
  return x == y;
}

}  // namespace esign::pdf
