// DER encoding and bounded decoding.
#include "der/der.h"

#include <algorithm>
#include <ctime>
#include <string>

namespace esign::der {

Bytes tlv(std::uint8_t tag, ByteView content) {
  Bytes out;
  out.reserve(content.size() + 6);
  out.push_back(tag);
  std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    std::uint8_t len_bytes[8];
    int count = 0;
    for (std::size_t v = n; v > 0; v >>= 8) len_bytes[count++] = static_cast<std::uint8_t>(v & 0xff);
    out.push_back(static_cast<std::uint8_t>(0x80 | count));
    for (int i = count - 1; i >= 0; --i) out.push_back(len_bytes[i]);
  }
  out.insert(out.end(), content.begin(), content.end());
  return out;
}

Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  std::size_t total = 0;
  for (ByteView p : parts) total += p.size();
  out.reserve(total);
  for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes sequence(std::initializer_list<ByteView> parts) { return tlv(tag::sequence, concat(parts)); }

Bytes set_of(std::vector<Bytes> elements, std::uint8_t set_tag) {
  std::sort(elements.begin(), elements.end());  // lexicographic on octets, shorter first on ties
  Bytes content;
  for (const Bytes& e : elements) content.insert(content.end(), e.begin(), e.end());
  return tlv(set_tag, content);
}

Bytes oid(std::string_view dotted) {
  std::vector<std::uint64_t> arcs;
  std::uint64_t v = 0;
  for (char c : dotted) {
    if (c == '.') {
      arcs.push_back(v);
      v = 0;
    } else {
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
  }
  arcs.push_back(v);
  Bytes content;
  auto put = [&](std::uint64_t x) {
    std::uint8_t tmp[10];
    int n = 0;
    do {
      tmp[n++] = static_cast<std::uint8_t>(x & 0x7f);
      x >>= 7;
    } while (x > 0);
    for (int i = n - 1; i >= 0; --i) content.push_back(static_cast<std::uint8_t>(tmp[i] | (i > 0 ? 0x80 : 0)));
  };
  put(arcs[0] * 40 + arcs[1]);
  for (std::size_t i = 2; i < arcs.size(); ++i) put(arcs[i]);
  return tlv(tag::oid, content);
}

Bytes null() { return Bytes{tag::null, 0x00}; }

Bytes small_integer(int value) {
  std::uint8_t b = static_cast<std::uint8_t>(value);
  return tlv(tag::integer, ByteView(&b, 1));
}

Bytes octet_string(ByteView value) { return tlv(tag::octet_string, value); }

Bytes time(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  int year = tm.tm_year + 1900;
  char buf[32];
  if (year >= 1950 && year < 2050) {
    std::strftime(buf, sizeof buf, "%y%m%d%H%M%SZ", &tm);
    return tlv(tag::utc_time, as_bytes(buf));
  }
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%SZ", &tm);
  return tlv(tag::generalized_time, as_bytes(buf));
}

bool read(ByteView& in, Element& out) {
  if (in.size() < 2) return false;
  std::uint8_t t = in[0];
  if ((t & 0x1f) == 0x1f) return false;  // high tag numbers do not occur in what we read
  std::size_t pos = 1;
  std::size_t len = in[pos++];
  if (len & 0x80) {
    std::size_t count = len & 0x7f;
    if (count == 0 || count > 4 || in.size() < pos + count) return false;  // indefinite or absurd
    len = 0;
    for (std::size_t i = 0; i < count; ++i) len = (len << 8) | in[pos++];
  }
  if (len > in.size() - pos) return false;
  out.tag = t;
  out.content = in.subspan(pos, len);
  out.whole = in.subspan(0, pos + len);
  in = in.subspan(pos + len);
  return true;
}

std::string oid_string(ByteView content) {
  std::string out;
  std::uint64_t v = 0;
  bool first = true;
  for (std::size_t i = 0; i < content.size(); ++i) {
    if (v > (UINT64_MAX >> 7)) return "";
    v = (v << 7) | (content[i] & 0x7f);
    if (content[i] & 0x80) continue;
    if (first) {
      std::uint64_t a = v < 80 ? v / 40 : 2;
      out = std::to_string(a) + "." + std::to_string(v - a * 40);
      first = false;
    } else {
      out += "." + std::to_string(v);
    }
    v = 0;
  }
  if (content.empty() || (content.back() & 0x80)) return "";
  return out;
}

ByteView leading_element(ByteView in) {
  ByteView rest = in;
  Element e;
  return read(rest, e) ? e.whole : in;
}

}  // namespace esign::der
