// parse_dn: subjects as operators type them, in the OpenSSL (/O=x/CN=y) and RFC 4514 (CN=y,O=x) forms.
#include "certs/dn.h"

#include <openssl/objects.h>

#include <algorithm>
#include <cctype>

#include "esign/error.h"

namespace esign {

namespace {

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
int hex_value(char c) { return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10; }

// One "type=value", escapes resolved.
struct Piece {
  std::string type;
  std::string value;
};

// Splits `text` at unescaped `separator`s and resolves escapes. RFC 4514 §3: '\' followed by a
// special character or by two hex digits (a UTF-8 byte); the OpenSSL form escapes any character.
// Unescaped spaces around types and values are trimmed.
std::vector<Piece> split(const std::string& text, char separator, bool rfc4514) {
  std::vector<Piece> out;
  Piece cur;
  bool in_value = false;
  std::size_t keep = 0;  // value length that must survive trimming (up to the last escaped char)
  auto finish = [&] {
    if (!in_value) throw Error(Errc::usage, text, "'" + cur.type + "' has no '=value'");
    std::size_t end = cur.value.find_last_not_of(' ');
    cur.value.resize(std::max(keep, end == std::string::npos ? 0 : end + 1));
    auto b = cur.type.find_first_not_of(' '), e = cur.type.find_last_not_of(' ');
    cur.type = b == std::string::npos ? "" : cur.type.substr(b, e - b + 1);
    out.push_back(std::move(cur));
    cur = Piece{};
    in_value = false;
    keep = 0;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    std::string& field = in_value ? cur.value : cur.type;
    if (c == '\\') {
      if (i + 1 >= text.size()) throw Error(Errc::usage, text, "a '\\' at the end escapes nothing");
      if (rfc4514 && i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2])) {
        field.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
        i += 2;
      } else {
        static const std::string kSpecial = " \"#+,;<=>\\/";
        if (rfc4514 && kSpecial.find(text[i + 1]) == std::string::npos)
          throw Error(Errc::usage, text, std::string("'\\") + text[i + 1] + "' is not an RFC 4514 escape");
        field.push_back(text[++i]);
      }
      if (in_value) keep = cur.value.size();
      continue;
    }
    if (c == separator) {
      finish();
      continue;
    }
    if (rfc4514 && c == '+' && in_value)
      throw Error(Errc::usage, text, "multi-valued RDNs ('+') are not supported; escape a literal plus as \\+");
    if (c == '=' && !in_value) {
      in_value = true;
      continue;
    }
    if (in_value && cur.value.empty() && c == ' ') continue;  // leading spaces of a value
    field.push_back(c);
  }
  finish();
  return out;
}

}  // namespace

std::vector<DnAttribute> parse_dn(const std::string& text) {
  if (text.find_first_not_of(' ') == std::string::npos) throw Error(Errc::usage, "subject", "the subject is empty");
  const bool openssl_form = text.front() == '/';
  std::vector<Piece> pieces = openssl_form ? split(text.substr(1), '/', false) : split(text, ',', true);
  // RFC 4514 §2.1 writes the last RDN of the sequence first; the DER order is the reverse.
  if (!openssl_form) std::reverse(pieces.begin(), pieces.end());
  std::vector<DnAttribute> out;
  for (Piece& p : pieces) {
    if (p.type.empty()) throw Error(Errc::usage, text, "an attribute has no type (CN, O, OU, C, ...)");
    if (OBJ_txt2nid(p.type.c_str()) == NID_undef)
      throw Error(Errc::usage, text, "unknown attribute type '" + p.type + "' (use CN, O, OU, C, L, ST, emailAddress or an OID)");
    if (p.value.empty()) throw Error(Errc::usage, text, "'" + p.type + "' has an empty value");
    if (!openssl_form && p.value.front() == '#')
      throw Error(Errc::usage, text, "hex-encoded values ('#...') are not accepted; write the value as text");
    out.push_back({std::move(p.type), std::move(p.value)});
  }
  return out;
}

namespace certs {

Name to_x509_name(const std::vector<DnAttribute>& attributes, const std::string& subject) {
  Name name(X509_NAME_new());
  if (!name) ossl::fail(Errc::internal, subject, "cannot make a name");
  for (const DnAttribute& a : attributes) {
    if (X509_NAME_add_entry_by_txt(name.get(), a.type.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(a.value.data()), static_cast<int>(a.value.size()),
                                   -1, 0) != 1)
      ossl::fail(Errc::usage, subject, "the value of " + a.type + " is not acceptable ('" + a.value + "')");
  }
  return name;
}

}  // namespace certs

}  // namespace esign
