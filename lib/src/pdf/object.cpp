// Lookups on PDF objects and their serialization in PDF syntax (ISO 32000-1 §7.3).
#include "pdf/object.h"

#include <charconv>
#include <cmath>
#include <string_view>

#include "pdf/lexer.h"

namespace esign::pdf {

const Dict* Object::dict() const {
  if (const auto* d = get<Dict>()) return d;
  if (const auto* s = get<Stream>()) return &s->dict;
  return nullptr;
}

const Object* Object::find(const std::string& key) const {
  const Dict* d = dict();
  if (d == nullptr) return nullptr;
  auto it = d->find(key);
  return it == d->end() ? nullptr : &it->second;
}

namespace {

constexpr char kHexDigits[] = "0123456789ABCDEF";

void write_real(double value, std::string& out) {
  // §7.3.3: no exponent form; six decimals are more than any PDF consumer resolves.
  if (!std::isfinite(value)) {
    out += '0';
    return;
  }
  char buf[400];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 6);
  if (ec != std::errc()) {
    out += '0';
    return;
  }
  std::string_view text(buf, static_cast<std::size_t>(ptr - buf));
  while (text.back() == '0') text.remove_suffix(1);
  if (text.back() == '.') text.remove_suffix(1);
  if (text == "-0") text = "0";
  out += text;
}

void write_name(const std::string& name, std::string& out) {
  // §7.3.5: bytes outside ! .. ~, delimiters and '#' are written as #xx.
  out += '/';
  for (const char ch : name) {
    const auto c = static_cast<std::uint8_t>(ch);
    if (c < 0x21 || c > 0x7e || c == '#' || is_delimiter(c)) {
      out += '#';
      out += kHexDigits[c >> 4];
      out += kHexDigits[c & 0x0f];
    } else {
      out += ch;
    }
  }
}

void write_string(const String& s, std::string& out) {
  if (s.hex) {
    out += '<';
    for (const std::uint8_t c : s.value) {
      out += kHexDigits[c >> 4];
      out += kHexDigits[c & 0x0f];
    }
    out += '>';
    return;
  }
  // §7.3.4.2: escape the parentheses and backslash; write everything unprintable as \ddd
  // (always three digits, so a following digit cannot be read as part of the escape).
  out += '(';
  for (const std::uint8_t c : s.value) {
    switch (c) {
      case '(': out += "\\("; break;
      case ')': out += "\\)"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c > 0x7e) {
          out += '\\';
          out += static_cast<char>('0' + (c >> 6));
          out += static_cast<char>('0' + ((c >> 3) & 7));
          out += static_cast<char>('0' + (c & 7));
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += ')';
}

void write_dict(const Dict& dict, std::string& out) {
  out += "<<";
  bool first = true;
  for (const auto& [key, value] : dict) {
    if (!first) out += ' ';
    first = false;
    write_name(key, out);
    out += ' ';
    serialize(value, out);
  }
  out += ">>";
}

}  // namespace

void serialize(const Object& object, std::string& out) {
  struct Writer {
    std::string& out;
    void operator()(const Null&) const { out += "null"; }
    void operator()(bool b) const { out += b ? "true" : "false"; }
    void operator()(std::int64_t n) const { out += std::to_string(n); }
    void operator()(double d) const { write_real(d, out); }
    void operator()(const String& s) const { write_string(s, out); }
    void operator()(const Name& n) const { write_name(n.value, out); }
    void operator()(const Array& a) const {
      out += '[';
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i != 0) out += ' ';
        serialize(a[i], out);
      }
      out += ']';
    }
    void operator()(const Dict& d) const { write_dict(d, out); }
    void operator()(const Ref& r) const {
      out += std::to_string(r.num);
      out += ' ';
      out += std::to_string(r.gen);
      out += " R";
    }
    void operator()(const Stream& s) const {
      // §7.3.8.1: /Length counts the bytes between the EOL after `stream` and the EOL before `endstream`.
      Dict dict = s.dict;
      dict["Length"] = Object::Value(static_cast<std::int64_t>(s.data.size()));
      write_dict(dict, out);
      out += "\nstream\n";
      out.append(reinterpret_cast<const char*>(s.data.data()), s.data.size());
      out += "\nendstream";
    }
  };
  std::visit(Writer{out}, object.value);
}

}  // namespace esign::pdf
