// A strict, bounded, read-only view of a PDF file: the parser for untrusted input.
//
// Strict: the file must end (after optional whitespace) with `startxref N %%EOF`; N must point
// at a cross-reference table or stream; /Prev chains are followed (each offset at most once, at
// most kMaxSections sections); hybrid files' /XRefStm is honoured. Nothing is repaired: a wrong
// offset, a missing `endobj`, a stream whose /Length does not end at `endstream` is an error.
// Bounded: nesting depth, object and section counts, decoded stream sizes are capped; every
// offset and length read from the file is checked against the file size before use; with a
// Budget, all parses of one file together are capped too. A hybrid file whose table and
// /XRefStm stream disagree about an object is refused (readers would see different files).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "esign/bytes.h"
#include "pdf/object.h"

namespace esign::pdf {

// What reading one file may spend in all, across every Document parsed from it (a signed
// file's revisions are parsed one by one) and every stream decoded. Sized from the file's
// length, so that a small file cannot make the reader allocate or work without bound. Not
// thread-safe: one per file being read.
class Budget {
 public:
  // Budgets for a file of `file_size` bytes (see the definitions in xref.cpp).
  explicit Budget(std::size_t file_size);

  // Charge `n` units; throws Error(input, subject, "... exceeds the budget ...") past the limit
  // and remembers that it did (exhausted()).
  void xref_entries(std::size_t n, const std::string& subject);
  void decoded_bytes(std::size_t n, const std::string& subject);
  void parse(const std::string& subject);
  // True once a charge was refused: later failures are consequences, not findings.
  bool exhausted() const { return exhausted_; }

  // Object streams are decoded and parsed once per file: every parse of a revision that holds
  // the object stream at the same offset (the same bytes) shares it, and is not charged again.
  using ObjectStream = std::vector<std::pair<std::uint32_t, Object>>;
  // Keyed by where the object stream's `N G obj` starts and its number N.
  std::shared_ptr<ObjectStream> object_stream_at(std::size_t offset, std::uint32_t num) const;
  void remember_object_stream(std::size_t offset, std::uint32_t num, std::shared_ptr<ObjectStream> objects);

 private:
  [[noreturn]] void refuse(const std::string& subject, const std::string& what);
  std::size_t entry_limit_, entries_ = 0;
  std::size_t decoded_limit_, decoded_ = 0;
  std::size_t parse_limit_, parses_ = 0;
  bool exhausted_ = false;
  std::map<std::pair<std::size_t, std::uint32_t>, std::shared_ptr<ObjectStream>> object_streams_;
};

struct Limits {
  int max_depth = 64;                               // array/dict nesting
  std::size_t max_sections = 4096;                  // xref sections in the /Prev chain
  std::size_t max_objects = 10'000'000;             // /Size and object-stream /N
  std::size_t max_decoded_stream = 256u << 20;      // bytes, per decoded stream
  Budget* budget = nullptr;                         // shared by all parses of one file; not owned
};

// How one cross-reference section was written.
enum class XrefKind { table, stream };

// One cross-reference section as the file wrote it (for a hybrid file: the table and the
// stream at its /XRefStm count as one section).
struct XrefSection {
  XrefKind kind = XrefKind::table;
  std::size_t offset = 0;                 // where `xref` or the xref stream object starts
  std::optional<std::size_t> stream_at;   // hybrid: the /XRefStm offset
  std::vector<std::uint32_t> freed;       // object numbers this section lists as free
};

struct XrefEntry {
  enum class Type { free, offset, compressed } type = Type::free;
  std::size_t offset = 0;        // Type::offset: byte offset of "N G obj"
  std::uint32_t stream_num = 0;  // Type::compressed: the object stream's number
  std::uint32_t index = 0;       // Type::compressed: index inside that stream
  std::uint16_t gen = 0;
};

class Document {
 public:
  // Parses `data` (which must outlive the Document). `name` is used as the subject of errors.
  // Throws Error(Errc::input, name, reason) when the file is not a well-formed PDF.
  static Document parse(ByteView data, std::string name, const Limits& limits = {});

  const std::string& name() const { return name_; }
  ByteView data() const { return data_; }

  // The newest trailer dictionary (for an xref stream: the stream's dictionary).
  const Dict& trailer() const { return trailer_; }
  // How the newest cross-reference section is written, and where it starts.
  XrefKind xref_kind() const { return xref_kind_; }
  std::size_t startxref() const { return startxref_; }
  // 1 + the highest object number in use (the larger of /Size and what the sections list).
  std::uint32_t size() const { return size_; }
  // True when the trailer has /Encrypt.
  bool encrypted() const;

  // The merged cross-reference: for each object number, its newest entry.
  const std::map<std::uint32_t, XrefEntry>& xref() const { return xref_; }
  // The sections read, newest first.
  const std::vector<XrefSection>& sections() const { return sections_; }
  // True when `offset` is where one of this file's xref streams (or hybrid /XRefStm) starts.
  bool is_xref_stream_at(std::size_t offset) const;
  // True when object `num` is an object stream that some compressed entry of the merged
  // cross-reference names (§7.5.7): file structure, recognised by how the xref uses it.
  bool is_object_stream(std::uint32_t num) const { return object_stream_nums_.count(num) != 0; }

  // The object `ref` as of the newest revision; a Null object when it is free or absent.
  // Throws Error(input) when the entry points at something that is not that object.
  Object get(Ref ref) const;
  // Follows a chain of references (bounded); non-references are returned as they are.
  Object resolve(const Object& object) const;
  // Resolves `dict[key]`; Null when absent.
  Object resolve_key(const Dict& dict, const std::string& key) const;

  // The decoded bytes of a stream found in this file (FlateDecode with PNG/TIFF predictors
  // and no filter are supported; anything else throws Error(input)). Capped by Limits.
  Bytes decode(const Stream& stream) const;

  // The catalog (/Root), the pages in document order (page tree walked with a depth bound and
  // loop detection), each page's reference.
  Dict catalog() const;
  std::vector<Ref> pages() const;

 private:
  Document() = default;

  // Reading the cross-reference sections (document.cpp), newest first.
  void read_sections();
  void read_table(std::size_t offset, std::map<std::uint32_t, XrefEntry>& entries, Dict& trailer,
                  std::size_t& budget) const;
  void read_xref_stream(std::size_t offset, std::map<std::uint32_t, XrefEntry>& entries, Dict& trailer,
                        std::size_t& budget) const;
  // `depth` counts nested lookups (an indirect /Length, an object stream) to bound recursion.
  Object get_at(Ref ref, int depth) const;
  Object resolve_at(const Object& object, int depth) const;
  const std::vector<std::pair<std::uint32_t, Object>>& object_stream(std::uint32_t num, int depth) const;
  // `allow_refs` is false while the cross-reference is being read (xref streams are all direct).
  Bytes decode_at(const Stream& stream, int depth, bool allow_refs) const;
  [[noreturn]] void fail(const std::string& reason) const;

  ByteView data_;
  std::string name_;
  Limits limits_;
  Dict trailer_;
  XrefKind xref_kind_ = XrefKind::table;
  std::size_t startxref_ = 0;
  std::uint32_t size_ = 0;
  std::map<std::uint32_t, XrefEntry> xref_;
  std::vector<XrefSection> sections_;
  std::set<std::uint32_t> object_stream_nums_;
  // Parsed object streams, cached on first use (mutable: a cache, not state).
  mutable std::map<std::uint32_t, std::shared_ptr<std::vector<std::pair<std::uint32_t, Object>>>> object_streams_;
};

// The name `key` of `d` (resolved in `doc`), without its slash; "" when absent or not a name.
std::string name_value(const Document& doc, const Dict& d, const char* key);

// File structure (§7.5.7, §7.5.8): an object stream some compressed entry names, or an xref
// stream at the offset of a cross-reference section, known from how the xref uses the object.
bool is_file_structure(const Document& doc, std::uint32_t num, const XrefEntry& entry);

// Equal as PDF objects: streams by dictionary and raw bytes, wherever each file keeps them.
bool same_object(const Document& a, const Object& x, const Document& b, const Object& y);

}  // namespace esign::pdf
