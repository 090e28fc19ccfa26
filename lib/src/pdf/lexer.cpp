// Tokenizing and parsing PDF objects from untrusted bytes, strictly and with bounded nesting.
#include "pdf/lexer.h"

#include <charconv>
#include <limits>
#include <utility>

#include "esign/error.h"

namespace esign::pdf {

bool is_whitespace(std::uint8_t c) {
  return c == 0x00 || c == 0x09 || c == 0x0a || c == 0x0c || c == 0x0d || c == 0x20;
}

bool is_delimiter(std::uint8_t c) {
  switch (c) {
    case '(': case ')': case '<': case '>': case '[': case ']': case '{': case '}': case '/': case '%':
      return true;
    default:
      return false;
  }
}

namespace {

int hex_value(std::uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Lexer::Lexer(ByteView data, std::size_t pos, const std::string& subject)
    : data_(data), pos_(pos), subject_(subject) {}

void Lexer::fail(std::size_t offset, const std::string& reason) const {
  throw Error(Errc::input, subject_, reason + " at offset " + std::to_string(offset));
}

void Lexer::skip_space() {
  while (pos_ < data_.size()) {
    const std::uint8_t c = data_[pos_];
    if (is_whitespace(c)) {
      ++pos_;
    } else if (c == '%') {
      // §7.2.3: a comment runs to the end of the line.
      while (pos_ < data_.size() && data_[pos_] != '\r' && data_[pos_] != '\n') ++pos_;
    } else {
      break;
    }
  }
}

Token Lexer::peek() {
  const std::size_t saved = pos_;
  Token token = next();
  pos_ = saved;
  return token;
}

Token Lexer::next() {
  skip_space();
  Token token;
  token.offset = pos_;
  if (pos_ >= data_.size()) return token;
  const std::uint8_t c = data_[pos_];
  switch (c) {
    case '[': ++pos_; token.kind = Token::Kind::array_open; return token;
    case ']': ++pos_; token.kind = Token::Kind::array_close; return token;
    case '/': return name(pos_);
    case '(': return literal_string(pos_);
    case '<':
      if (pos_ + 1 < data_.size() && data_[pos_ + 1] == '<') {
        pos_ += 2;
        token.kind = Token::Kind::dict_open;
        return token;
      }
      return hex_string(pos_);
    case '>':
      if (pos_ + 1 < data_.size() && data_[pos_ + 1] == '>') {
        pos_ += 2;
        token.kind = Token::Kind::dict_close;
        return token;
      }
      fail(pos_, "unexpected '>'");
    case ')': case '{': case '}':
      fail(pos_, std::string("unexpected '") + static_cast<char>(c) + "'");
    default:
      break;
  }
  if (c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9')) return number(pos_);
  while (pos_ < data_.size() && is_regular(data_[pos_])) ++pos_;
  token.kind = Token::Kind::keyword;
  token.text.assign(reinterpret_cast<const char*>(data_.data()) + token.offset, pos_ - token.offset);
  return token;
}

Token Lexer::number(std::size_t start) {
  // §7.3.3: an optional sign, digits, at most one period; no exponent.
  std::size_t end = start;
  if (data_[end] == '+' || data_[end] == '-') ++end;
  bool period = false;
  std::size_t digits = 0;
  while (end < data_.size() && is_regular(data_[end])) {
    const std::uint8_t c = data_[end];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c == '.' && !period) {
      period = true;
    } else {
      fail(start, "malformed number");
    }
    ++end;
  }
  if (digits == 0) fail(start, "malformed number");
  std::size_t first = start;
  if (data_[first] == '+') ++first;  // from_chars does not accept a leading '+'
  const char* begin = reinterpret_cast<const char*>(data_.data()) + first;
  const char* stop = reinterpret_cast<const char*>(data_.data()) + end;
  Token token;
  token.offset = start;
  if (period) {
    token.kind = Token::Kind::real;
    auto [ptr, ec] = std::from_chars(begin, stop, token.real, std::chars_format::fixed);
    if (ec != std::errc() || ptr != stop) fail(start, "real number out of range");
  } else {
    token.kind = Token::Kind::integer;
    auto [ptr, ec] = std::from_chars(begin, stop, token.integer);
    if (ec != std::errc() || ptr != stop) fail(start, "integer out of range");
  }
  pos_ = end;
  return token;
}

Token Lexer::name(std::size_t start) {
  // §7.3.5: '#' followed by two hex digits stands for that byte.
  Token token;
  token.kind = Token::Kind::name;
  token.offset = start;
  std::size_t p = start + 1;
  while (p < data_.size() && is_regular(data_[p])) {
    if (data_[p] == '#') {
      const int hi = p + 1 < data_.size() ? hex_value(data_[p + 1]) : -1;
      const int lo = p + 2 < data_.size() ? hex_value(data_[p + 2]) : -1;
      if (hi < 0 || lo < 0) fail(p, "malformed #xx escape in name");
      const int byte = hi * 16 + lo;
      if (byte == 0) fail(p, "name contains a null byte");
      token.text.push_back(static_cast<char>(byte));
      p += 3;
    } else {
      token.text.push_back(static_cast<char>(data_[p]));
      ++p;
    }
  }
  pos_ = p;
  return token;
}

Token Lexer::literal_string(std::size_t start) {
  // §7.3.4.2: balanced parentheses need no escape; an unescaped EOL reads as LF.
  Token token;
  token.kind = Token::Kind::string;
  token.offset = start;
  std::size_t p = start + 1;
  std::size_t depth = 1;
  const auto at = [&](std::size_t i) { return i < data_.size() ? data_[i] : -1; };
  while (true) {
    if (p >= data_.size()) fail(start, "unterminated literal string");
    const std::uint8_t c = data_[p++];
    if (c == '(') {
      ++depth;
      token.bytes.push_back(c);
    } else if (c == ')') {
      if (--depth == 0) break;
      token.bytes.push_back(c);
    } else if (c == '\r') {
      if (at(p) == '\n') ++p;
      token.bytes.push_back('\n');
    } else if (c == '\\') {
      if (p >= data_.size()) fail(start, "unterminated literal string");
      const std::uint8_t e = data_[p++];
      switch (e) {
        case 'n': token.bytes.push_back('\n'); break;
        case 'r': token.bytes.push_back('\r'); break;
        case 't': token.bytes.push_back('\t'); break;
        case 'b': token.bytes.push_back('\b'); break;
        case 'f': token.bytes.push_back('\f'); break;
        case '(': case ')': case '\\': token.bytes.push_back(e); break;
        case '\r':  // line continuation
          if (at(p) == '\n') ++p;
          break;
        case '\n':
          break;
        default:
          if (e >= '0' && e <= '7') {
            // One to three octal digits; high-order overflow is ignored.
            unsigned value = e - '0';
            for (int i = 0; i < 2 && at(p) >= '0' && at(p) <= '7'; ++i) value = value * 8 + (data_[p++] - '0');
            token.bytes.push_back(static_cast<std::uint8_t>(value & 0xff));
          } else {
            token.bytes.push_back(e);  // an unknown escape: the backslash is ignored
          }
      }
    } else {
      token.bytes.push_back(c);
    }
  }
  pos_ = p;
  return token;
}

Token Lexer::hex_string(std::size_t start) {
  // §7.3.4.3: whitespace is ignored; an odd final digit is followed by an implied 0.
  Token token;
  token.kind = Token::Kind::string;
  token.hex = true;
  token.offset = start;
  std::size_t p = start + 1;
  int pending = -1;
  while (true) {
    if (p >= data_.size()) fail(start, "unterminated hex string");
    const std::uint8_t c = data_[p++];
    if (c == '>') break;
    if (is_whitespace(c)) continue;
    const int v = hex_value(c);
    if (v < 0) fail(p - 1, "invalid character in hex string");
    if (pending < 0) {
      pending = v;
    } else {
      token.bytes.push_back(static_cast<std::uint8_t>(pending * 16 + v));
      pending = -1;
    }
  }
  if (pending >= 0) token.bytes.push_back(static_cast<std::uint8_t>(pending * 16));
  pos_ = p;
  return token;
}

Parser::Parser(ByteView data, std::size_t pos, const std::string& subject, int max_depth)
    : lexer_(data, pos, subject), max_depth_(max_depth) {}

Object Parser::parse_object() { return parse_value(lexer_.next(), 0); }

Object Parser::parse_value(Token token, int depth) {
  using Kind = Token::Kind;
  switch (token.kind) {
    case Kind::end:
      lexer_.fail(token.offset, "unexpected end of data, expected an object");
    case Kind::integer: {
      // `N G R` (§7.3.10): look two tokens ahead, and step back if it is not a reference.
      const std::size_t after = lexer_.pos();
      if (token.integer >= 0 && token.integer <= std::numeric_limits<std::uint32_t>::max()) {
        Token gen = lexer_.next();
        if (gen.kind == Kind::integer && gen.integer >= 0 && gen.integer <= 65535) {
          if (lexer_.next().is_keyword("R")) {
            return Object::Value(Ref{static_cast<std::uint32_t>(token.integer), static_cast<std::uint16_t>(gen.integer)});
          }
        }
      }
      lexer_.seek(after);
      return Object::Value(token.integer);
    }
    case Kind::real:
      return Object::Value(token.real);
    case Kind::name:
      return Object::Value(Name{std::move(token.text)});
    case Kind::string:
      return Object::Value(String{std::move(token.bytes), token.hex});
    case Kind::array_open: {
      if (depth >= max_depth_) lexer_.fail(token.offset, "objects nested deeper than " + std::to_string(max_depth_));
      Array array;
      while (true) {
        Token t = lexer_.next();
        if (t.kind == Kind::array_close) break;
        array.push_back(parse_value(std::move(t), depth + 1));
      }
      return Object::Value(std::move(array));
    }
    case Kind::dict_open: {
      if (depth >= max_depth_) lexer_.fail(token.offset, "objects nested deeper than " + std::to_string(max_depth_));
      Dict dict;
      while (true) {
        Token key = lexer_.next();
        if (key.kind == Kind::dict_close) break;
        if (key.kind != Kind::name) lexer_.fail(key.offset, "dictionary key is not a name");
        Token value_token = lexer_.next();
        if (value_token.kind == Kind::dict_close) lexer_.fail(value_token.offset, "dictionary key /" + key.text + " has no value");
        Object value = parse_value(std::move(value_token), depth + 1);
        // Two values for one key are ambiguous, and a signed document must not be.
        if (dict.contains(key.text)) lexer_.fail(key.offset, "duplicate key /" + key.text + " in dictionary");
        // §7.3.7: an entry whose value is null is the same as no entry.
        if (!value.is_null()) dict.emplace(std::move(key.text), std::move(value));
      }
      return Object::Value(std::move(dict));
    }
    case Kind::keyword:
      if (token.text == "true") return Object::Value(true);
      if (token.text == "false") return Object::Value(false);
      if (token.text == "null") return Object{};
      lexer_.fail(token.offset, "unexpected keyword '" + token.text.substr(0, 32) + "'");
    case Kind::array_close:
      lexer_.fail(token.offset, "unexpected ']'");
    case Kind::dict_close:
      lexer_.fail(token.offset, "unexpected '>>'");
  }
  lexer_.fail(token.offset, "unexpected token");
}

IndirectObject Parser::parse_indirect(const LengthResolver& length) {
  const std::size_t start = lexer_.pos();
  if (start >= lexer_.data().size() || lexer_.data()[start] < '0' || lexer_.data()[start] > '9') {
    lexer_.fail(start, "expected 'N G obj'");
  }
  Token num = lexer_.next();
  Token gen = lexer_.next();
  Token obj = lexer_.next();
  if (num.kind != Token::Kind::integer || gen.kind != Token::Kind::integer || !obj.is_keyword("obj")) {
    lexer_.fail(start, "expected 'N G obj'");
  }
  if (num.integer < 0 || num.integer > std::numeric_limits<std::uint32_t>::max() || gen.integer < 0 ||
      gen.integer > 65535) {
    lexer_.fail(start, "object number or generation out of range");
  }
  IndirectObject result;
  result.ref = Ref{static_cast<std::uint32_t>(num.integer), static_cast<std::uint16_t>(gen.integer)};
  result.object = parse_object();
  Token t = lexer_.next();
  if (t.is_keyword("stream")) {
    Dict* dict = result.object.get<Dict>();
    if (dict == nullptr) lexer_.fail(t.offset, "stream without a dictionary");
    result.object = Object::Value(parse_stream_body(std::move(*dict), length));
    t = lexer_.next();
  }
  if (!t.is_keyword("endobj")) lexer_.fail(t.offset, "expected 'endobj'");
  return result;
}

Stream Parser::parse_stream_body(Dict dict, const LengthResolver& length) {
  // §7.3.8.1: `stream` is followed by CRLF or LF (not CR alone), then exactly /Length bytes.
  ByteView data = lexer_.data();
  std::size_t p = lexer_.pos();
  if (p + 1 < data.size() && data[p] == '\r' && data[p + 1] == '\n') {
    p += 2;
  } else if (p < data.size() && data[p] == '\n') {
    p += 1;
  } else {
    lexer_.fail(p, "'stream' is not followed by an end of line");
  }
  std::int64_t size = -1;
  auto it = dict.find("Length");
  if (it == dict.end()) lexer_.fail(p, "stream has no /Length");
  if (const auto* n = it->second.get<std::int64_t>()) {
    size = *n;
  } else if (const auto* ref = it->second.get<Ref>()) {
    if (!length) lexer_.fail(p, "stream /Length must be a direct integer here");
    size = length(*ref);
  } else {
    lexer_.fail(p, "stream /Length is not an integer");
  }
  if (size < 0 || static_cast<std::uint64_t>(size) > data.size() - p) {
    lexer_.fail(p, "stream /Length " + std::to_string(size) + " runs past the end of the file");
  }
  Stream stream;
  stream.dict = std::move(dict);
  stream.data_offset = p;
  stream.data_length = static_cast<std::size_t>(size);
  std::size_t end = p + stream.data_length;
  if (end + 1 < data.size() && data[end] == '\r' && data[end + 1] == '\n') {
    end += 2;
  } else if (end < data.size() && (data[end] == '\n' || data[end] == '\r')) {
    end += 1;
  }
  static constexpr std::string_view kEndstream = "endstream";
  if (data.size() - end < kEndstream.size() || as_chars(data.subspan(end, kEndstream.size())) != kEndstream ||
      (end + kEndstream.size() < data.size() && is_regular(data[end + kEndstream.size()]))) {
    lexer_.fail(end, "stream data is not followed by 'endstream' (wrong /Length?)");
  }
  lexer_.seek(end + kEndstream.size());
  return stream;
}

}  // namespace esign::pdf
