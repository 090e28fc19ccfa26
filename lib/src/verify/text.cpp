// Hostile text made safe for XML and for terminals.
#include "verify/text.h"

#include <optional>
#include <utility>

#include "esign/verify.h"

namespace esign::verify {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The code point of the UTF-8 sequence at s[i] and its length; nullopt when malformed
// (truncated, overlong, a surrogate, beyond U+10FFFF).
std::optional<std::pair<char32_t, std::size_t>> decode_utf8(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return std::pair<char32_t, std::size_t>{c, 1};
  std::size_t n = 0;
  char32_t cp = 0, least = 0;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F, least = 0x80;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F, least = 0x800;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07, least = 0x10000;
  else return std::nullopt;
  if (s.size() - i < n) return std::nullopt;
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return std::pair<char32_t, std::size_t>{cp, n};
}

// XML 1.0 §2.2 Char.
bool is_xml_char(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

void append_char_ref(std::string& out, char32_t cp) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string digits;
  do {
    digits.insert(digits.begin(), kHex[cp & 0xF]);
    cp >>= 4;
  } while (cp != 0);
  out += "&#x" + digits + ";";
}

}  // namespace

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto decoded = decode_utf8(s, i);
    if (!decoded) {
      out += kReplacement;
      ++i;
      continue;
    }
    const auto [cp, n] = *decoded;
    if (!is_xml_char(cp)) out += kReplacement;
    else if (cp == '&') out += "&amp;";
    else if (cp == '<') out += "&lt;";
    else if (cp == '>') out += "&gt;";
    else if (cp == '"') out += "&quot;";
    else if (cp == '\'') out += "&apos;";
    else if (cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x7F && cp <= 0x9F)) append_char_ref(out, cp);
    else out.append(s.substr(i, n));
    i += n;
  }
  return out;
}


}  // namespace esign::verify

namespace esign {

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto decoded = verify::decode_utf8(s, i);
    if (!decoded) {
      out += verify::kReplacement;
      ++i;
      continue;
    }
    const auto [cp, n] = *decoded;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) out += verify::kReplacement;
    else out.append(s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace esign
