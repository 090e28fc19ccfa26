// Text strings, dates and WinAnsi conversion.
#include "pdf/text.h"

#include <fmt/format.h>

#include <ctime>

#include "common/time.h"

namespace esign::pdf {

namespace {
// Decodes one UTF-8 sequence starting at s[i]; returns U+FFFD for malformed input.
char32_t next_code_point(const std::string& s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i++);
  if (c < 0x80) return c;
  int extra = (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
  if (extra < 0) return 0xfffd;
  char32_t cp = c & (0x3f >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (byte(i) & 0xc0) != 0x80) return 0xfffd;
    cp = (cp << 6) | (byte(i++) & 0x3f);
  }
  return cp;
}
}  // namespace

String text_string(const std::string& utf8) {
  bool ascii = true;
  for (unsigned char c : utf8) ascii = ascii && c >= 0x20 && c < 0x7f;
  if (ascii) return String{Bytes(utf8.begin(), utf8.end()), false};
  Bytes out{0xfe, 0xff};
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t cp = next_code_point(utf8, i);
    auto put = [&](char16_t u) {
      out.push_back(static_cast<std::uint8_t>(u >> 8));
      out.push_back(static_cast<std::uint8_t>(u & 0xff));
    };
    if (cp >= 0x10000) {
      cp -= 0x10000;
      put(static_cast<char16_t>(0xd800 + (cp >> 10)));
      put(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      put(static_cast<char16_t>(cp));
    }
  }
  return String{std::move(out), true};
}

std::string text_to_utf8(const String& s) {
  const Bytes& b = s.value;
  std::string out;
  auto put = [&](char32_t cp) {
    if (cp < 0x80) out.push_back(static_cast<char>(cp));
    else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  };
  if (b.size() >= 2 && b[0] == 0xfe && b[1] == 0xff) {
    for (std::size_t i = 2; i + 1 < b.size(); i += 2) {
      char32_t u = static_cast<char32_t>(b[i] << 8 | b[i + 1]);
      if (u >= 0xd800 && u < 0xdc00 && i + 3 < b.size()) {
        char32_t lo = static_cast<char32_t>(b[i + 2] << 8 | b[i + 3]);
        u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        i += 2;
      }
      put(u);
    }
  } else {
    for (std::uint8_t c : b) put(c);  // PDFDocEncoding agrees with Latin-1 for the common range
  }
  return out;
}

std::string pdf_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::optional<std::chrono::system_clock::time_point> parse_pdf_date(const std::string& text) {
  std::string s = text.rfind("D:", 0) == 0 ? text.substr(2) : text;
  auto digits = [&](std::size_t pos, std::size_t n, int fallback) -> std::optional<int> {
    if (pos >= s.size()) return fallback;
    if (pos + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t k = pos; k < pos + n; ++k) {
      if (s[k] < '0' || s[k] > '9') return std::nullopt;
      v = v * 10 + (s[k] - '0');
    }
    return v;
  };
  if (s.size() < 4) return std::nullopt;
  auto year = digits(0, 4, 0), month = digits(4, 2, 1), day = digits(6, 2, 1), hour = digits(8, 2, 0),
       minute = digits(10, 2, 0), second = digits(12, 2, 0);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  long offset = 0;
  std::size_t pos = std::min<std::size_t>(14, s.size());
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    auto oh = digits(pos + 1, 2, 0);
    auto om = pos + 4 < s.size() ? digits(pos + 4, 2, 0) : std::optional<int>(0);
    if (!oh || !om) return std::nullopt;
    offset = sign * (*oh * 3600L + *om * 60L);
  }
  return time_point_from_seconds(static_cast<std::int64_t>(timegm(&tm)) - offset);
}

std::string to_winansi(const std::string& utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    char32_t cp = next_code_point(utf8, i);
    if (cp < 0x80 || (cp >= 0xa0 && cp <= 0xff)) out.push_back(static_cast<char>(cp));
    else if (cp == 0x20ac) out.push_back(static_cast<char>(0x80));  // euro sign
    else out.push_back('?');
  }
  return out;
}

}  // namespace esign::pdf
