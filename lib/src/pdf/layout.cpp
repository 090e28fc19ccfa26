// Reading an update's bytes in sequence, and locating one dictionary value.
#include "pdf/layout.h"

#include <cstring>

#include "esign/error.h"
#include "pdf/lexer.h"

namespace esign::pdf {

namespace {

LengthResolver length_in(const Document& doc) {
  return [&doc](Ref ref) {
    Object value = doc.get(ref);
    const auto* n = value.get<std::int64_t>();
    if (n == nullptr) throw Error(Errc::input, doc.name(), "a stream /Length reference is not an integer");
    return *n;
  };
}

}  // namespace

std::vector<ObjectAt> objects_in_update(const Document& doc, std::size_t from, std::size_t to) {
  ByteView data = doc.data().first(std::min(to, doc.data().size()));
  std::vector<ObjectAt> out;
  Lexer lexer(data, from, doc.name());
  const LengthResolver length = length_in(doc);
  while (true) {
    lexer.skip_space();
    const std::size_t at = lexer.pos();
    if (at >= data.size()) break;
    Token t = lexer.peek();
    if (t.kind == Token::Kind::integer) {
      Parser parser(data, at, doc.name(), 64);
      IndirectObject object = parser.parse_indirect(length);
      out.push_back({object.ref, at});
      lexer.seek(parser.lexer().pos());
    } else if (t.is_keyword("xref")) {
      // §7.5.4: subsections `first count` and 20-byte entries, then `trailer` and its dictionary.
      lexer.next();
      while (true) {
        Token first = lexer.next();
        if (first.is_keyword("trailer")) break;
        Token count = lexer.next();
        if (first.kind != Token::Kind::integer || count.kind != Token::Kind::integer || count.integer < 0 ||
            static_cast<std::uint64_t>(count.integer) > (data.size() - lexer.pos()) / 20)
          lexer.fail(first.offset, "malformed xref table in an incremental update");
        lexer.skip_space();
        lexer.seek(lexer.pos() + static_cast<std::size_t>(count.integer) * 20);
      }
      Parser parser(data, lexer.pos(), doc.name(), 64);
      if (!parser.parse_object().get<Dict>()) lexer.fail(lexer.pos(), "the trailer is not a dictionary");
      lexer.seek(parser.lexer().pos());
    } else if (t.is_keyword("startxref")) {
      lexer.next();
      if (lexer.next().kind != Token::Kind::integer) lexer.fail(at, "startxref without an offset");
    } else {
      lexer.fail(at, "an incremental update holds bytes that are neither objects nor cross-reference data");
    }
  }
  return out;
}

std::vector<std::size_t> object_headers_in(ByteView data, std::size_t from, std::size_t to) {
  // From the start of every run of digits: digits, white space or comments, digits, white
  // space or comments, `obj` — tokenized as a lenient reader would, within a short window
  // (a rebuilding reader reads in chunks of a few hundred bytes; the window also keeps the
  // scan linear).
  static constexpr std::size_t kWindow = 256;
  std::vector<std::size_t> out;
  to = std::min(to, data.size());
  const auto digit = [&](std::size_t i) { return data[i] >= '0' && data[i] <= '9'; };
  for (std::size_t start = from; start < to; ++start) {
    if (!digit(start) || (start > from && digit(start - 1))) continue;
    const std::size_t end = std::min(to, start + kWindow);
    std::size_t p = start;
    const auto skip = [&] {
      const std::size_t before = p;
      while (p < end) {
        if (is_whitespace(data[p])) {
          ++p;
        } else if (data[p] == '%') {
          while (p < end && data[p] != '\r' && data[p] != '\n') ++p;
        } else {
          break;
        }
      }
      return p > before;
    };
    const auto digits = [&] {
      const std::size_t before = p;
      while (p < end && digit(p)) ++p;
      return p > before;
    };
    if (!digits() || !skip() || !digits() || !skip()) continue;
    if (end - p >= 3 && as_chars(data.subspan(p, 3)) == "obj" && (p + 3 >= to || !is_regular(data[p + 3])))
      out.push_back(start);
  }
  return out;
}

std::optional<ValueSpan> value_span(const Document& doc, Ref ref, const std::string& key) {
  auto it = doc.xref().find(ref.num);
  if (it == doc.xref().end() || it->second.type != XrefEntry::Type::offset || it->second.gen != ref.gen) return std::nullopt;
  ValueSpan span;
  span.object_begin = it->second.offset;
  Parser parser(doc.data(), span.object_begin, doc.name(), 64);
  Lexer& lexer = parser.lexer();
  Token num = lexer.next(), gen = lexer.next(), obj = lexer.next();
  if (num.kind != Token::Kind::integer || num.integer != ref.num || gen.kind != Token::Kind::integer ||
      gen.integer != ref.gen || !obj.is_keyword("obj") || lexer.next().kind != Token::Kind::dict_open)
    return std::nullopt;
  bool found = false;
  while (true) {
    Token k = lexer.next();
    if (k.kind == Token::Kind::dict_close) break;
    if (k.kind != Token::Kind::name) return std::nullopt;
    lexer.skip_space();
    const std::size_t begin = lexer.pos();
    const ByteView data = doc.data();
    if (begin + 1 < data.size() && data[begin] == '<' && data[begin + 1] != '<') {
      // A hex string (a signature's /Contents: thousands of digits) ends at the first '>';
      // only where it lies matters here, its value is compared elsewhere.
      const auto* close = static_cast<const std::uint8_t*>(std::memchr(data.data() + begin, '>', data.size() - begin));
      if (close == nullptr) return std::nullopt;
      lexer.seek(static_cast<std::size_t>(close - data.data()) + 1);
    } else {
      parser.parse_object();
    }
    if (k.text == key && !found) {
      found = true;
      span.value_begin = begin;
      span.value_end = lexer.pos();
    }
  }
  if (!found || !lexer.next().is_keyword("endobj")) return std::nullopt;
  span.object_end = lexer.pos();
  return span;
}

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
  }
  return out;
}

}  // namespace esign::pdf
