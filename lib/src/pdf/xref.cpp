// Opening a Document: finding `startxref` and reading the cross-reference sections (ISO 32000-1 §7.5).
#include <algorithm>
#include <limits>
#include <set>
#include <string_view>

#include "esign/error.h"
#include "pdf/document.h"
#include "pdf/lexer.h"

namespace esign::pdf {

namespace {

constexpr std::size_t kStartxrefWindow = 1024;

bool starts_with_keyword(ByteView data, std::size_t pos, std::string_view keyword) {
  if (pos > data.size() || data.size() - pos < keyword.size()) return false;
  if (as_chars(data.subspan(pos, keyword.size())) != keyword) return false;
  const std::size_t end = pos + keyword.size();
  return end == data.size() || !is_regular(data[end]);
}

// A non-negative integer entry of a trailer or xref stream dictionary, or -1 when absent.
std::int64_t int_entry(const Dict& dict, const std::string& key, const Document& doc, std::int64_t max) {
  auto it = dict.find(key);
  if (it == dict.end()) return -1;
  const auto* n = it->second.get<std::int64_t>();
  if (n == nullptr || *n < 0 || *n > max) {
    throw Error(Errc::input, doc.name(), "trailer /" + key + " is not a valid direct integer");
  }
  return *n;
}

}  // namespace

void Document::fail(const std::string& reason) const { throw Error(Errc::input, name_, reason); }

// The budgets of one file of N bytes. Cross-reference entries: a table entry takes 20 bytes of
// the file and a legitimate object at least a dozen, so N/4 (plus a floor for small files) is
// far above what real files list, even counting each revision's re-reading; entries are what
// the reader keeps in memory. Decoded bytes: the xref and object streams and the validation
// data a verification reads (each object stream once), 8 times the file plus 16 MiB. Parses: every revision and candidate
// revision end tried.
Budget::Budget(std::size_t file_size)
    : entry_limit_((256u << 10) + file_size / 4),
      decoded_limit_((16u << 20) + 8 * file_size),
      parse_limit_(512) {}

void Budget::refuse(const std::string& subject, const std::string& what) {
  exhausted_ = true;
  throw Error(Errc::input, subject, "exceeds the reader's limit of " + what + " for a file of this size");
}

void Budget::xref_entries(std::size_t n, const std::string& subject) {
  if (n > entry_limit_ - entries_) refuse(subject, std::to_string(entry_limit_) + " cross-reference entries");
  entries_ += n;
}

void Budget::decoded_bytes(std::size_t n, const std::string& subject) {
  if (n > decoded_limit_ - decoded_) refuse(subject, std::to_string(decoded_limit_) + " decoded stream bytes");
  decoded_ += n;
}

void Budget::parse(const std::string& subject) {
  if (parses_ >= parse_limit_) refuse(subject, std::to_string(parse_limit_) + " revisions parsed");
  ++parses_;
}

std::shared_ptr<Budget::ObjectStream> Budget::object_stream_at(std::size_t offset, std::uint32_t num) const {
  auto it = object_streams_.find({offset, num});
  return it == object_streams_.end() ? nullptr : it->second;
}

void Budget::remember_object_stream(std::size_t offset, std::uint32_t num, std::shared_ptr<ObjectStream> objects) {
  object_streams_.emplace(std::make_pair(offset, num), std::move(objects));
}

bool Document::is_xref_stream_at(std::size_t offset) const {
  return std::any_of(sections_.begin(), sections_.end(), [&](const XrefSection& s) {
    return (s.kind == XrefKind::stream && s.offset == offset) || s.stream_at == offset;
  });
}

Document Document::parse(ByteView data, std::string name, const Limits& limits) {
  Document doc;
  doc.data_ = data;
  doc.name_ = std::move(name);
  doc.limits_ = limits;
  if (limits.budget != nullptr) limits.budget->parse(doc.name_);
  static constexpr std::string_view kHeader = "%PDF-";
  if (data.size() < kHeader.size() || as_chars(data.first(kHeader.size())) != kHeader) {
    doc.fail("not a PDF file (no %PDF- header)");
  }

  // §7.5.5: the last lines are `startxref`, the offset, `%%EOF`. Only whitespace may follow.
  const std::string_view text = as_chars(data);
  const std::size_t window = text.size() > kStartxrefWindow ? text.size() - kStartxrefWindow : 0;
  const std::size_t at = text.rfind("startxref");
  if (at == std::string_view::npos || at < window) doc.fail("no startxref in the last 1024 bytes");
  std::size_t p = at + 9;
  while (p < text.size() && is_whitespace(data[p])) ++p;
  std::uint64_t offset = 0;
  const std::size_t digits = p;
  while (p < text.size() && text[p] >= '0' && text[p] <= '9') {
    if (offset > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) doc.fail("startxref offset is too large");
    offset = offset * 10 + static_cast<std::uint64_t>(text[p++] - '0');
  }
  if (p == digits) doc.fail("startxref is not followed by an offset");
  while (p < text.size() && is_whitespace(data[p])) ++p;
  if (text.substr(p, 5) != "%%EOF") doc.fail("startxref is not followed by %%EOF");
  for (p += 5; p < text.size(); ++p) {
    if (!is_whitespace(data[p])) doc.fail("data after the last %%EOF");
  }
  if (offset >= data.size()) {
    doc.fail("startxref offset " + std::to_string(offset) + " is past the end of the file");
  }
  doc.startxref_ = static_cast<std::size_t>(offset);
  doc.read_sections();
  return doc;
}

void Document::read_sections() {
  std::set<std::size_t> visited;
  std::size_t budget = limits_.max_objects;  // entries all sections together may list
  std::uint64_t next = startxref_;
  bool newest = true;
  while (true) {
    if (next >= data_.size()) fail("xref offset " + std::to_string(next) + " is past the end of the file");
    const auto offset = static_cast<std::size_t>(next);
    if (!visited.insert(offset).second) fail("xref /Prev chain loops back to offset " + std::to_string(offset));
    if (visited.size() > limits_.max_sections) fail("more than " + std::to_string(limits_.max_sections) + " xref sections");

    std::map<std::uint32_t, XrefEntry> section;
    Dict trailer;
    XrefSection info;
    info.offset = offset;
    if (starts_with_keyword(data_, offset, "xref")) {
      read_table(offset, section, trailer, budget);
      // §7.5.8.4: a hybrid file's table is completed by the xref stream at /XRefStm: objects
      // that the table lists as free or omits are looked up there before /Prev. Readers that
      // ignore /XRefStm see only the table, so the two must not disagree: an object the table
      // lists in use must be the same in the stream, and the stream may add only objects in
      // object streams, free ones and file structure, never content at an offset the table
      // does not give.
      const std::int64_t hidden_at = int_entry(trailer, "XRefStm", *this, std::numeric_limits<std::int64_t>::max());
      if (hidden_at >= 0) {
        const auto hidden_offset = static_cast<std::uint64_t>(hidden_at);
        if (hidden_offset >= data_.size()) fail("/XRefStm offset " + std::to_string(hidden_at) + " is past the end of the file");
        if (!visited.insert(static_cast<std::size_t>(hidden_offset)).second) fail("/XRefStm points at an xref section already read");
        info.stream_at = static_cast<std::size_t>(hidden_offset);
        std::map<std::uint32_t, XrefEntry> hidden;
        Dict hidden_dict;
        read_xref_stream(static_cast<std::size_t>(hidden_offset), hidden, hidden_dict, budget);
        // What either part frees counts as freed, even where the other part supplies an entry.
        for (const auto& [num, entry] : section)
          if (num != 0 && entry.type == XrefEntry::Type::free) info.freed.push_back(num);
        std::set<std::uint32_t> object_streams;
        for (const auto& [num, entry] : hidden)
          if (entry.type == XrefEntry::Type::compressed) object_streams.insert(entry.stream_num);
        for (const auto& [num, entry] : hidden) {
          auto it = section.find(num);
          const bool table_in_use = it != section.end() && it->second.type == XrefEntry::Type::offset;
          // Only file structure (the object streams, the xref stream itself) may be at an offset
          // the table does not list.
          const bool structure = it == section.end() && entry.type == XrefEntry::Type::offset &&
                                 (object_streams.count(num) || entry.offset == hidden_offset);
          const bool agree = table_in_use ? entry.type == XrefEntry::Type::offset && entry.offset == it->second.offset &&
                                                entry.gen == it->second.gen
                                          : entry.type != XrefEntry::Type::offset || structure;
          if (!agree) {
            fail("hybrid xref at offset " + std::to_string(offset) + ": the table and the /XRefStm stream disagree about object " +
                 std::to_string(num));
          }
          if (it == section.end()) section.emplace(num, entry);
          else if (it->second.type == XrefEntry::Type::free) it->second = entry;
        }
      }
    } else {
      info.kind = XrefKind::stream;
      read_xref_stream(offset, section, trailer, budget);
    }
    for (const auto& [num, entry] : section)
      if (num != 0 && entry.type == XrefEntry::Type::free) info.freed.push_back(num);
    std::sort(info.freed.begin(), info.freed.end());
    info.freed.erase(std::unique(info.freed.begin(), info.freed.end()), info.freed.end());

    const std::int64_t size = int_entry(trailer, "Size", *this, std::numeric_limits<std::int64_t>::max());
    if (size < 0) fail("xref section at offset " + std::to_string(offset) + " has no /Size");
    if (static_cast<std::uint64_t>(size) > limits_.max_objects ||
        static_cast<std::uint64_t>(size) > std::numeric_limits<std::uint32_t>::max()) {
      fail("/Size " + std::to_string(size) + " exceeds the object limit");
    }
    // Newest entry per object wins: older sections only fill in what is not there yet.
    for (const auto& [num, entry] : section) xref_.emplace(num, entry);
    sections_.push_back(std::move(info));
    if (newest) {
      trailer_ = std::move(trailer);
      xref_kind_ = sections_.back().kind;
      size_ = static_cast<std::uint32_t>(size);
    }
    const std::int64_t prev =
        int_entry(newest ? trailer_ : trailer, "Prev", *this, std::numeric_limits<std::int64_t>::max());
    newest = false;
    if (prev < 0) break;
    next = static_cast<std::uint64_t>(prev);
  }
  if (!xref_.empty() && xref_.rbegin()->first >= size_) size_ = xref_.rbegin()->first + 1;
  for (const auto& [num, entry] : xref_)
    if (entry.type == XrefEntry::Type::compressed) object_stream_nums_.insert(entry.stream_num);
}

void Document::read_table(std::size_t offset, std::map<std::uint32_t, XrefEntry>& entries, Dict& trailer,
                          std::size_t& budget) const {
  // §7.5.4: subsections of `first count` followed by 20-byte entries `nnnnnnnnnn ggggg n EOL`.
  // Byte-exact: no comments anywhere in the table (other readers call such a table damaged
  // and rebuild the cross-reference from whatever the file holds).
  Lexer lexer(data_, offset + 4, name_);
  const auto no_comment = [&] {
    std::size_t p = lexer.pos();
    while (p < data_.size() && is_whitespace(data_[p])) ++p;
    if (p < data_.size() && data_[p] == '%') lexer.fail(p, "comment inside an xref table");
  };
  while (true) {
    no_comment();
    Token t = lexer.next();
    if (t.is_keyword("trailer")) break;
    no_comment();
    if (t.is_keyword("trailer")) break;
    if (t.kind != Token::Kind::integer) lexer.fail(t.offset, "expected an xref subsection or 'trailer'");
    Token count = lexer.next();
    if (count.kind != Token::Kind::integer || t.integer < 0 || count.integer < 0 ||
        static_cast<std::uint64_t>(t.integer) > limits_.max_objects ||
        static_cast<std::uint64_t>(count.integer) > limits_.max_objects - static_cast<std::uint64_t>(t.integer)) {
      lexer.fail(t.offset, "malformed xref subsection header");
    }
    const auto first = static_cast<std::uint32_t>(t.integer);
    const auto n = static_cast<std::size_t>(count.integer);
    if (n > budget) fail("xref sections list more than " + std::to_string(limits_.max_objects) + " entries");
    budget -= n;
    if (limits_.budget != nullptr) limits_.budget->xref_entries(n, name_);
    no_comment();
    lexer.skip_space();
    std::size_t p = lexer.pos();
    if (n > (data_.size() - p) / 20) lexer.fail(p, "xref subsection runs past the end of the file");
    for (std::size_t i = 0; i < n; ++i, p += 20) {
      const std::uint8_t* e = data_.data() + p;
      bool ok = e[10] == ' ' && e[16] == ' ' && (e[17] == 'n' || e[17] == 'f');
      // Each entry ends with a two-byte EOL: " \n", " \r" or "\r\n".
      ok = ok && ((e[18] == ' ' && (e[19] == '\n' || e[19] == '\r')) || (e[18] == '\r' && e[19] == '\n'));
      std::uint64_t off = 0;
      std::uint32_t gen = 0;
      for (int k = 0; k < 10 && ok; ++k) {
        ok = e[k] >= '0' && e[k] <= '9';
        off = off * 10 + (e[k] - '0');
      }
      for (int k = 11; k < 16 && ok; ++k) {
        ok = e[k] >= '0' && e[k] <= '9';
        gen = gen * 10 + (e[k] - '0');
      }
      const std::uint32_t num = first + static_cast<std::uint32_t>(i);
      if (!ok || gen > 65535) lexer.fail(p, "malformed xref entry for object " + std::to_string(num));
      XrefEntry entry;
      entry.gen = static_cast<std::uint16_t>(gen);
      if (e[17] == 'n') {
        if (off >= data_.size()) {
          fail("xref entry for object " + std::to_string(num) + " points past the end of the file");
        }
        entry.type = XrefEntry::Type::offset;
        entry.offset = static_cast<std::size_t>(off);
      }
      entries.emplace(num, entry);
    }
    lexer.seek(p);
  }
  Parser parser(data_, lexer.pos(), name_, limits_.max_depth);
  Object object = parser.parse_object();
  Dict* dict = object.get<Dict>();
  if (dict == nullptr) fail("trailer is not a dictionary");
  trailer = std::move(*dict);
}

void Document::read_xref_stream(std::size_t offset, std::map<std::uint32_t, XrefEntry>& entries, Dict& trailer,
                                std::size_t& budget) const {
  // §7.5.8: a stream of fixed-width big-endian rows; its dictionary doubles as the trailer.
  Parser parser(data_, offset, name_, limits_.max_depth);
  IndirectObject indirect = parser.parse_indirect({});
  Stream* stream = indirect.object.get<Stream>();
  if (stream == nullptr) fail("xref offset " + std::to_string(offset) + " points at neither 'xref' nor an xref stream");
  const Object* type = stream->dict.count("Type") ? &stream->dict.at("Type") : nullptr;
  if (type == nullptr || !type->is<Name>() || type->get<Name>()->value != "XRef") {
    fail("object at xref offset " + std::to_string(offset) + " is not an xref stream");
  }
  const std::string where = " in the xref stream at offset " + std::to_string(offset);
  const Object* w_obj = find_entry(stream->dict, "W");
  const Array* w = w_obj ? w_obj->get<Array>() : nullptr;
  if (w == nullptr || w->size() != 3) fail("missing or malformed /W" + where);
  std::size_t widths[3];
  std::size_t row = 0;
  for (int i = 0; i < 3; ++i) {
    const auto* n = (*w)[i].get<std::int64_t>();
    if (n == nullptr || *n < 0 || *n > 8) fail("malformed /W" + where);
    widths[i] = static_cast<std::size_t>(*n);
    row += widths[i];
  }
  if (row == 0) fail("malformed /W" + where);
  const std::int64_t size = int_entry(stream->dict, "Size", *this, std::numeric_limits<std::uint32_t>::max());
  if (size < 0) fail("missing /Size" + where);

  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  if (const Object* index = find_entry(stream->dict, "Index")) {
    const Array* a = index->get<Array>();
    if (a == nullptr || a->size() % 2 != 0) fail("malformed /Index" + where);
    for (std::size_t i = 0; i < a->size(); i += 2) {
      const auto* first = (*a)[i].get<std::int64_t>();
      const auto* count = (*a)[i + 1].get<std::int64_t>();
      if (first == nullptr || count == nullptr || *first < 0 || *count < 0 ||
          static_cast<std::uint64_t>(*first) > limits_.max_objects ||
          static_cast<std::uint64_t>(*count) > limits_.max_objects - static_cast<std::uint64_t>(*first)) {
        fail("malformed /Index" + where);
      }
      ranges.emplace_back(static_cast<std::uint64_t>(*first), static_cast<std::uint64_t>(*count));
    }
  } else {
    ranges.emplace_back(0, static_cast<std::uint64_t>(size));
  }
  std::uint64_t total = 0;
  for (const auto& [first, count] : ranges) total += count;  // each count <= max_objects
  if (total > budget) fail("xref sections list more than " + std::to_string(limits_.max_objects) + " entries");
  budget -= static_cast<std::size_t>(total);
  if (limits_.budget != nullptr) limits_.budget->xref_entries(static_cast<std::size_t>(total), name_);

  const Bytes rows = decode_at(*stream, 0, false);
  if (total > rows.size() / row) fail("xref stream data is shorter than /Index and /W require" + where);
  std::size_t p = 0;
  const auto field = [&](std::size_t width) {
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < width; ++k) v = (v << 8) | rows[p++];
    return v;
  };
  for (const auto& [first, count] : ranges) {
    for (std::uint64_t i = 0; i < count; ++i) {
      const auto num = static_cast<std::uint32_t>(first + i);
      // §7.5.8.3, Table 18: the type defaults to 1 when its field has width 0.
      const std::uint64_t kind = widths[0] == 0 ? 1 : field(widths[0]);
      const std::uint64_t f2 = field(widths[1]);
      const std::uint64_t f3 = field(widths[2]);
      XrefEntry entry;
      if (kind == 1) {
        if (f2 >= data_.size()) fail("xref entry for object " + std::to_string(num) + " points past the end of the file");
        if (f3 > 65535) fail("xref entry for object " + std::to_string(num) + " has a generation above 65535");
        entry.type = XrefEntry::Type::offset;
        entry.offset = static_cast<std::size_t>(f2);
        entry.gen = static_cast<std::uint16_t>(f3);
      } else if (kind == 2) {
        if (f2 > std::numeric_limits<std::uint32_t>::max() || f3 > std::numeric_limits<std::uint32_t>::max()) {
          fail("xref entry for object " + std::to_string(num) + " names an invalid object stream");
        }
        entry.type = XrefEntry::Type::compressed;
        entry.stream_num = static_cast<std::uint32_t>(f2);
        entry.index = static_cast<std::uint32_t>(f3);
      } else if (kind == 0) {
        entry.gen = static_cast<std::uint16_t>(std::min<std::uint64_t>(f3, 65535));
      } else {
        // §7.5.8.3 reads other types as null references, but other readers call such a file
        // damaged and rebuild its cross-reference: a signed file must not read two ways.
        fail("xref entry for object " + std::to_string(num) + " has the unknown type " + std::to_string(kind) + where);
      }
      entries.emplace(num, entry);
    }
  }
  trailer = std::move(stream->dict);
}

}  // namespace esign::pdf
