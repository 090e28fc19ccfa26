// Where things lie in a PDF file's bytes: the objects an incremental update defines, and the
// span of one dictionary value. verify uses both to tie what it judges to the bytes that were
// signed (a signature dictionary inside its own signed range; no object in an update that the
// cross-reference does not account for).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "pdf/document.h"

namespace esign::pdf {

// An indirect object defined in the file: its number and where `N G obj` starts.
struct ObjectAt {
  Ref ref;
  std::size_t offset = 0;
};

// The indirect objects defined in doc.data()[from, to) — the bytes of one incremental update —
// read in sequence: indirect objects, an xref table with its trailer, `startxref N`, comments
// (`%%EOF`) and whitespace, and nothing else. Throws Error(input) for any other byte (an update
// is a sequence of objects; whatever is not one is hidden from some reader).
std::vector<ObjectAt> objects_in_update(const Document& doc, std::size_t from, std::size_t to);

// Every place in data[from, to) that reads as an object header `N G obj` (digits, white space
// or comments, digits, white space or comments, `obj` not followed by a regular character, all
// within 256 bytes), wherever it is: between objects, inside stream data, inside comments.
// Readers that rebuild a damaged cross-reference scan for such headers, so an update may hold
// none but its own objects'.
std::vector<std::size_t> object_headers_in(ByteView data, std::size_t from, std::size_t to);

// The byte spans of indirect object `ref`: [object_begin, object_end) from `N G obj` to past
// `endobj`, and [value_begin, value_end) of the direct value of `key` in its dictionary.
struct ValueSpan {
  std::size_t object_begin = 0, object_end = 0;
  std::size_t value_begin = 0, value_end = 0;
};
// nullopt when `ref` is not an uncompressed object of `doc` whose body is a dictionary (not a
// stream) with a direct `key` entry.
std::optional<ValueSpan> value_span(const Document& doc, Ref ref, const std::string& key);

// Where revisions may end, at or after `from`: just past each "%%EOF" and its end-of-line
// marker (some may lie inside stream data: a revision ends only where a prefix parses).
std::vector<std::size_t> eof_markers(ByteView data, std::size_t from);

}  // namespace esign::pdf
