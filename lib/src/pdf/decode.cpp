// Decoding stream data: FlateDecode with PNG and TIFF predictors, capped (ISO 32000-1 §7.4.4).
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "esign/error.h"
#include "pdf/document.h"

namespace esign::pdf {

namespace {

constexpr std::size_t kInflateChunk = 64 * 1024;

struct InflateStream {
  z_stream z{};
  bool open = false;
  ~InflateStream() {
    if (open) inflateEnd(&z);
  }
};

struct Predictor {
  std::int64_t predictor = 1;
  std::int64_t colors = 1;
  std::int64_t bits = 8;
  std::int64_t columns = 1;
};

}  // namespace

Bytes Document::decode_at(const Stream& stream, int depth, bool allow_refs) const {
  ByteView raw;
  if (stream.data_length == 0 && !stream.data.empty()) {
    raw = stream.data;
  } else {
    if (stream.data_offset > data_.size() || stream.data_length > data_.size() - stream.data_offset) {
      fail("stream data lies outside the file");
    }
    raw = data_.subspan(stream.data_offset, stream.data_length);
  }
  const auto lookup = [&](const Dict& dict, const std::string& key) -> Object {
    auto it = dict.find(key);
    if (it == dict.end()) return Object{};
    if (it->second.is<Ref>() && !allow_refs) fail("/" + key + " of an xref stream must be a direct object");
    return resolve_at(it->second, depth + 1);
  };

  // /Filter: none, /FlateDecode, or an array holding at most one /FlateDecode.
  Object filter = lookup(stream.dict, "Filter");
  Object parms = lookup(stream.dict, "DecodeParms");
  if (const Array* filters = filter.get<Array>()) {
    if (filters->size() > 1) fail("stream filter chains are not supported");
    filter = filters->empty() ? Object{} : resolve_at(filters->front(), depth + 1);
    if (const Array* p = parms.get<Array>()) parms = p->empty() ? Object{} : resolve_at(p->front(), depth + 1);
  }
  if (filter.is_null()) {
    if (raw.size() > limits_.max_decoded_stream) fail("stream exceeds the decoded size limit");
    if (limits_.budget != nullptr) limits_.budget->decoded_bytes(raw.size(), name_);
    return Bytes(raw.begin(), raw.end());
  }
  const Name* filter_name = filter.get<Name>();
  if (filter_name == nullptr) fail("stream /Filter is not a name");
  if (filter_name->value != "FlateDecode") fail("unsupported stream filter /" + filter_name->value.substr(0, 64));

  Predictor pred;
  if (!parms.is_null()) {
    const Dict* p = parms.get<Dict>();
    if (p == nullptr) fail("stream /DecodeParms is not a dictionary");
    const auto param = [&](const std::string& key, std::int64_t& out, std::int64_t lo, std::int64_t hi) {
      Object value = lookup(*p, key);
      if (value.is_null()) return;
      const auto* n = value.get<std::int64_t>();
      if (n == nullptr || *n < lo || *n > hi) fail("stream /DecodeParms /" + key + " is out of range");
      out = *n;
    };
    param("Predictor", pred.predictor, 1, 15);
    param("Colors", pred.colors, 1, 32);
    param("BitsPerComponent", pred.bits, 1, 16);
    param("Columns", pred.columns, 1, 1 << 24);
  }

  // RFC 1950/1951 via zlib, stopping as soon as the output would pass the limit.
  InflateStream inflater;
  if (inflateInit(&inflater.z) != Z_OK) fail("cannot initialise zlib");
  inflater.open = true;
  Bytes out;
  std::vector<std::uint8_t> chunk(kInflateChunk);
  std::size_t consumed = 0;
  while (true) {
    if (inflater.z.avail_in == 0 && consumed < raw.size()) {
      const std::size_t n = std::min<std::size_t>(raw.size() - consumed, std::numeric_limits<uInt>::max() / 2);
      inflater.z.next_in = const_cast<Bytef*>(raw.data() + consumed);  // zlib does not write input
      inflater.z.avail_in = static_cast<uInt>(n);
      consumed += n;
    }
    inflater.z.next_out = chunk.data();
    inflater.z.avail_out = static_cast<uInt>(chunk.size());
    const int rc = inflate(&inflater.z, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - inflater.z.avail_out;
    if (produced > limits_.max_decoded_stream - out.size()) {
      fail("decoded stream exceeds " + std::to_string(limits_.max_decoded_stream) + " bytes");
    }
    if (limits_.budget != nullptr) limits_.budget->decoded_bytes(produced, name_);
    out.insert(out.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(produced));
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && inflater.z.avail_in == 0 && consumed == raw.size()) fail("flate data is truncated");
    if (rc != Z_OK && rc != Z_BUF_ERROR) fail("flate data is corrupt");
  }

  if (pred.predictor == 1) return out;
  // §7.4.4.4: rows of Columns samples of Colors components of BitsPerComponent bits.
  const auto bits_per_row = static_cast<std::uint64_t>(pred.colors * pred.bits * pred.columns);
  const std::size_t row = static_cast<std::size_t>((bits_per_row + 7) / 8);
  const std::size_t bpp = std::max<std::size_t>(1, static_cast<std::size_t>(pred.colors * pred.bits / 8));
  if (pred.predictor == 2) {
    if (pred.bits != 8) fail("TIFF predictor with BitsPerComponent other than 8 is not supported");
    for (std::size_t start = 0; start < out.size(); start += row) {
      const std::size_t end = std::min(out.size(), start + row);
      for (std::size_t i = start + bpp; i < end; ++i) out[i] = static_cast<std::uint8_t>(out[i] + out[i - bpp]);
    }
    return out;
  }
  if (pred.predictor < 10) fail("unsupported predictor " + std::to_string(pred.predictor));
  // PNG predictors (RFC 2083 §6): every row starts with its own filter type byte.
  const std::size_t stride = row + 1;
  if (out.size() % stride != 0) fail("PNG predictor data is not a whole number of rows");
  Bytes result(out.size() / stride * row);
  for (std::size_t r = 0; r < out.size() / stride; ++r) {
    const std::uint8_t* in = out.data() + r * stride + 1;
    std::uint8_t* cur = result.data() + r * row;
    const std::uint8_t* prev = r == 0 ? nullptr : cur - row;
    const std::uint8_t type = out[r * stride];
    for (std::size_t i = 0; i < row; ++i) {
      const int left = i >= bpp ? cur[i - bpp] : 0;
      const int up = prev ? prev[i] : 0;
      const int up_left = prev && i >= bpp ? prev[i - bpp] : 0;
      int value = 0;
      switch (type) {
        case 0: value = in[i]; break;
        case 1: value = in[i] + left; break;
        case 2: value = in[i] + up; break;
        case 3: value = in[i] + (left + up) / 2; break;
        case 4: {
          const int p = left + up - up_left;
          const int pa = std::abs(p - left), pb = std::abs(p - up), pc = std::abs(p - up_left);
          value = in[i] + (pa <= pb && pa <= pc ? left : pb <= pc ? up : up_left);
          break;
        }
        default:
          fail("PNG predictor row has unknown filter type " + std::to_string(type));
      }
      cur[i] = static_cast<std::uint8_t>(value);
    }
  }
  return result;
}

}  // namespace esign::pdf
